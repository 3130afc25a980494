"""What a completed task form records on its report, read from the diagram, not from field ids.

A form field declares what it records with a Camunda property on the field
(`<camunda:property id="records" value="risk_level" />`), so a workflow owner may rename fields freely.
The validator allows each value once per form (engine/dialect_rules.py). Recorded here:

* `risk_level`, `hazard_grade`: the report's assessment (statistics, the major-risk list);
* `quality_score`: the 1～5 information-quality score, one per handling tier (`report_quality_score`);
  `Report.quality_score` keeps the latest score given, for display only. Rankings use the tier scores.
"""
from __future__ import annotations

from storage.models import HazardGrade, HumanTask, Report, RiskLevel
from storage.repositories import set_quality_score

QUALITY_SCORE = "quality_score"
SCORE_RANGE = (1, 5)
# the tier a score counts for, by the candidate group of the task that gave it
SCORE_TIERS = {"county_officer": "county", "city_officer": "city", "inspection_officer": "city",
               "center_expert": "center", "province_officer": "province"}
SCORE_TIER_LABELS = {"county": "县级", "city": "市级", "center": "省中心", "province": "省局", "other": "其他"}


LEGACY_FIELD_IDS = ("risk_level", "hazard_grade", "quality_score")


def field_records(field: dict) -> str | None:
    """What one stored form field records. Forms stored before fields declared it (no `records` key at
    all: tasks opened before this release) keep the meaning their field ids had then."""
    if "records" not in field:
        return field.get("id") if field.get("id") in LEGACY_FIELD_IDS else None
    return field["records"]


def recorded_fields(form: dict) -> dict[str, str]:
    """`records` value → the id of the field declaring it, for one stored task form."""
    pairs = ((field_records(f), f.get("id")) for f in (form or {}).get("fields", []))
    return {what: fid for what, fid in pairs if what}


def recorded_values(form: dict, data: dict) -> dict[str, object]:
    """`records` value → the submitted value of the field declaring it (fields left empty are absent)."""
    return {what: data[field] for what, field in recorded_fields(form).items() if field in data}


def score_tier(candidate_group: str) -> str:
    """The tier a task's quality score counts for (`other` for groups outside the chain)."""
    return SCORE_TIERS.get(candidate_group, "other")


def apply_outcome(session, task: HumanTask, report: Report, data: dict, user_id: int | None) -> None:
    """Carry what the task's form records onto the report: assessment and this tier's quality score."""
    values = recorded_values(task.form or {}, data)
    if values.get("risk_level") in {r.value for r in RiskLevel}:
        report.risk_level = RiskLevel(values["risk_level"])
    if values.get("hazard_grade") in {h.value for h in HazardGrade}:
        report.hazard_grade = HazardGrade(values["hazard_grade"])
    score = values.get(QUALITY_SCORE)
    if isinstance(score, int) and not isinstance(score, bool):
        record_score(session, report, score_tier(task.candidate_group), score, user_id)


def record_score(session, report: Report, tier: str, score: int, user_id: int | None) -> None:
    """This tier's score for the report: added, or its earlier score replaced (never another tier's)."""
    set_quality_score(session, report.id, tier, score, user_id)
    report.quality_score = score
