"""Mitigation-measure templates (风险减缓措施模板) by equipment category and risk level.

The wording lives in storage/data/mitigation_templates.json; the expert inserts a template on the
center_assessment page and then adapts it to the report.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from storage.models import RISK_LEVEL_LABELS, RiskLevel

from .errors import Invalid
from .reference_data import DATA_DIR

TEMPLATE_FILE = "mitigation_templates.json"


@dataclass(frozen=True)
class MitigationTemplate:
    """One template: which equipment category and risk level it is written for, a short title and the text."""

    key: str
    category_code: str
    risk_level: RiskLevel
    title: str
    text: str

    @property
    def risk_label(self) -> str:
        """The risk level in Chinese (重大/较大/一般/低)."""
        return RISK_LEVEL_LABELS[self.risk_level]


def _parse(raw: dict) -> dict[str, tuple[str, tuple[MitigationTemplate, ...]]]:
    catalogue = {}
    for code, entry in raw["categories"].items():
        items = []
        for level in RiskLevel:  # the order 重大 → 低, whatever the file's order
            for index, item in enumerate(entry["levels"].get(level.value, [])):
                items.append(MitigationTemplate(f"{code}-{level.value}-{index}", code, level, item["title"],
                                                item["text"]))
        catalogue[code] = (entry["name"], tuple(items))
    return catalogue


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, tuple[str, tuple[MitigationTemplate, ...]]]:
    with open(DATA_DIR / TEMPLATE_FILE, encoding="utf-8") as fh:
        return _parse(json.load(fh))


def categories() -> dict[str, str]:
    """Equipment category code → name, for every category that has templates."""
    return {code: name for code, (name, _) in _catalogue().items()}


def templates_for(category_code: str | None, risk_level: str | None = None) -> list[MitigationTemplate]:
    """The templates for an equipment category (e.g. "3000" 电梯), optionally of one risk level; [] if none."""
    if risk_level is not None and risk_level not in {r.value for r in RiskLevel}:
        raise Invalid("风险等级不正确")
    _, items = _catalogue().get(category_code or "", ("", ()))
    return [t for t in items if risk_level is None or t.risk_level.value == risk_level]
