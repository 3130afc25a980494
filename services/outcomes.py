"""What a completed task form records on its report, read from the diagram, not from field ids.

A form field declares what it records with a Camunda property on the field
(`<camunda:property id="records" value="risk_level" />`), so a workflow owner may rename fields freely.
The validator allows each value once per form (engine/dialect_rules.py). Recorded here:

* `risk_level`, `hazard_grade`: the report's assessment (statistics, the major-risk list);
* `quality_score`: the 1～5 information-quality score, one per handling tier (`report_quality_score`);
  in a 会签 (a task named to one member, `camunda:assignee`) one per member, the tier's score being their
  average. `Report.quality_score` keeps the latest score given, for display only. Rankings use the tier scores.
* `measures`, `opinion`: the handling words. The last form that records either sets both `Report.measures`
  and `Report.opinion` (the latest tier's words, shown on the report and the 处置单); closing takes them as
  the outcome the reporter is told.
"""
from __future__ import annotations

from storage.models import HazardGrade, HumanTask, Report, RiskLevel
from storage.repositories import set_quality_score

QUALITY_SCORE = "quality_score"
MEASURES, OPINION = "measures", "opinion"
WORDS_LIMIT = 2000
SCORE_RANGE = (1, 5)
# the tier a score counts for, by the candidate group of the task that gave it
SCORE_TIERS = {"county_officer": "county", "city_officer": "city", "inspection_officer": "city",
               "center_expert": "center", "province_officer": "province"}
SCORE_TIER_LABELS = {"county": "县级", "city": "市级", "center": "省中心", "province": "省局", "other": "其他"}


LEGACY_FIELD_IDS = ("risk_level", "hazard_grade", "quality_score", "measures")


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


def apply_outcome(session, task: HumanTask, form: dict, report: Report, data: dict, user_id: int | None) -> None:
    """Carry what the task's form (as shown, services/task_forms) records onto the report: assessment, handling
    words and this tier's (or 会签 member's) quality score."""
    values = recorded_values(form, data)
    if values.get("risk_level") in {r.value for r in RiskLevel}:
        report.risk_level = RiskLevel(values["risk_level"])
    if values.get("hazard_grade") in {h.value for h in HazardGrade}:
        report.hazard_grade = HazardGrade(values["hazard_grade"])
    _apply_words(report, values)
    score = values.get(QUALITY_SCORE)
    if isinstance(score, int) and not isinstance(score, bool):
        record_score(session, report, score_tier(task.candidate_group), score, user_id, member=task.assignee or "")


def _words(value: object) -> str | None:
    text = value.strip() if isinstance(value, str) else ""
    return text[:WORDS_LIMIT] or None


def _apply_words(report: Report, values: dict) -> None:
    """The latest tier's measures and opinion: a form that records either replaces both."""
    measures, opinion = _words(values.get(MEASURES)), _words(values.get(OPINION))
    if measures or opinion:
        report.measures, report.opinion = measures, opinion


def recorded_words(report: Report) -> str | None:
    """The latest tier's words on a report: its opinion, else its measures."""
    return report.opinion or report.measures


def record_score(session, report: Report, tier: str, score: int, user_id: int | None, member: str = "") -> None:
    """This tier's (or this 会签 member's) score for the report: added, or their own earlier score replaced
    (never another tier's or another member's)."""
    set_quality_score(session, report.id, tier, score, user_id, member)
    report.quality_score = score
