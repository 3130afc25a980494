"""What a workflow owner may use in a diagram: service topics with parameters, roles, form field types."""
from __future__ import annotations

from dataclasses import dataclass

from handlers import HANDLERS, TOPIC_DESCRIPTIONS, TOPIC_PARAMETERS
from storage.models import ROLE_LABELS, Role

FIELD_TYPE_LABELS = {"string": "文本", "long": "整数", "boolean": "是/否", "date": "日期", "enum": "选项"}


@dataclass(frozen=True)
class TopicInfo:
    """One service-task topic an owner can pick (camunda:topic)."""

    topic: str
    description: str
    parameters: dict[str, str]


def topics() -> list[TopicInfo]:
    """Every registered handler topic with its description and accepted input parameters."""
    return [TopicInfo(name, TOPIC_DESCRIPTIONS.get(name, ""), dict(TOPIC_PARAMETERS.get(name, {})))
            for name in sorted(HANDLERS)]


def candidate_groups() -> list[tuple[str, str]]:
    """(role id, Chinese label) for camunda:candidateGroups."""
    return [(role.value, ROLE_LABELS[role]) for role in Role]


def field_types() -> list[tuple[str, str]]:
    """(type id, Chinese label) for camunda:formField type."""
    return list(FIELD_TYPE_LABELS.items())
