"""A report's timeline as one viewer may see it: the unit side never learns who reported.

Reports are confidential towards the reporter's own unit (safety director, point manager) and the
workflow owner: officers on the chain and admins see the reporter; everyone else sees the role
"信息报送员" where the reporter acted, and no user id.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from storage.models import ROLE_LABELS, InstanceEvent, Report, Role, User

from .access import sees_reporter_identity
from .context import Env
from .reports import timeline

REPORTER_LABEL = ROLE_LABELS[Role.REPORTER]
_IDENTITY_KEYS = ("reporter_id", "user_id", "actor_id")


@dataclass
class TimelineEntry:
    """One event as shown to one viewer (the attributes of InstanceEvent the pages and API read)."""

    id: int
    kind: str
    element_id: str | None
    message: str
    actor_id: int | None
    created_at: datetime
    data: dict = field(default_factory=dict)


def report_timeline(env: Env, viewer: User, report: Report) -> list[TimelineEntry]:
    """The report's events in order, with the reporter masked unless the viewer may know them."""
    events = timeline(env, report.id)
    if viewer.id == report.reporter_id or sees_reporter_identity(viewer):
        return [_entry(e, e.message, e.actor_id, e.data) for e in events]
    reporter = env.session.get(User, report.reporter_id)
    name = reporter.display_name if reporter is not None else None
    return [_masked(e, report.reporter_id, name) for e in events]


def _masked(event: InstanceEvent, reporter_id: int, name: str | None) -> TimelineEntry:
    message = event.message.replace(name, REPORTER_LABEL) if name else event.message
    data = {k: v for k, v in (event.data or {}).items() if not (k in _IDENTITY_KEYS and v == reporter_id)}
    actor_id = None if event.actor_id == reporter_id else event.actor_id
    return _entry(event, message, actor_id, data)


def _entry(event: InstanceEvent, message: str, actor_id: int | None, data: dict | None) -> TimelineEntry:
    return TimelineEntry(id=event.id, kind=event.kind, element_id=event.element_id, message=message,
                         actor_id=actor_id, created_at=event.created_at, data=dict(data or {}))


def data_labels(entry: TimelineEntry, fields: dict[str, dict[str, dict]]) -> dict[str, dict]:
    """A completed task's data in Chinese, as the report page shows it: per field id its label and the value's
    label (the option's name on that step's own form, 是/否, or the value as text). `fields` is
    services.inbox.field_labels; other events have none."""
    if entry.kind != "task_completed":
        return {}
    own = fields.get(entry.element_id or "", {})
    result = {}
    for key, value in entry.data.items():
        spec = own.get(key) or {"label": key, "options": {}}
        result[key] = {"label": spec["label"], "value_label": _value_label(value, spec["options"])}
    return result


def _value_label(value: object, options: dict) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return options.get(value, value)
    return str(value)
