"""A generated set of reports for the statistics tests: bulk-inserted rows plus the plain dicts they came from.

Expected figures in the tests are computed from the dicts with plain Python, independently of the SQL
in services/stats.py.
"""
from __future__ import annotations

import random
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select

from storage.models import (
    Division, EquipmentType, HumanTask, InstanceStatus, ProcessInstance, ProcessVersion, Report, ReportDomain,
    ReportKind, ReportQualityScore, ReportStatus, RiskLevel, TaskState, Tier, User,
)

BEIJING = timedelta(hours=8)
YEAR_START = datetime(2026, 1, 1, tzinfo=timezone.utc) - BEIJING
NOW = datetime(2027, 1, 15, tzinfo=timezone.utc)
FIXED_CITIES = ("610100", "610300", "610500", "610581", "619001")


def _places(session) -> list[tuple[str, str | None, str | None]]:
    """(division_code, county_code, city_code) choices: counties, city-level nodes and the province."""
    counties = session.execute(select(Division.code, Division.supervising_code)
                               .where(Division.level == "county", Division.supervising_code.in_(FIXED_CITIES))).all()
    places = [(code, code, city) for code, city in counties]
    places += [(city, None, city) for city in FIXED_CITIES]
    places.append(("610000", None, None))
    return places


def _reporters(session) -> list[tuple[int, int]]:
    rows = session.execute(select(User.id, User.monitoring_point_id)
                           .where(User.username.like("reporter.%")).order_by(User.id)).all()
    return [(uid, pid) for uid, pid in rows if pid]


def _one(rng: random.Random, i: int, place, reporter, equipment: list[str], prefix: str = "T") -> dict:
    division_code, county_code, city_code = place
    status = rng.choice(list(ReportStatus))
    submitted = YEAR_START + timedelta(seconds=rng.randrange(0, 366 * 86400))
    current = rng.choice([None, *Tier]) if status == ReportStatus.SUBMITTED else rng.choice(list(Tier))
    code = rng.choice(equipment)
    closed = status == ReportStatus.CLOSED
    return {
        "tracking_no": f"{prefix}-{i:06d}", "kind": rng.choice(list(ReportKind)), "domain": rng.choice(list(ReportDomain)),
        "equipment_type_code": code, "equipment_category_code": code[0] + "000", "title": f"测试报送 {i}",
        "content": f"第 {i} 条生成的报送内容", "reporter_id": reporter[0], "monitoring_point_id": reporter[1],
        "division_code": division_code, "county_code": county_code, "city_code": city_code,
        "is_enterprise": False, "status": status, "current_tier": current,
        "resolved_tier": current if closed and rng.random() < 0.8 else None,
        "risk_level": rng.choice([None, *RiskLevel]), "hazard_grade": None, "overdue": rng.random() < 0.15,
        "quality_score": rng.choice([None, 1, 2, 3, 4, 5]), "submitted_at": submitted,
        "closed_at": submitted + timedelta(hours=rng.randrange(1, 50 * 24)) if closed else None,
    }


def generate_reports(session, n: int = 2000, seed: int = 20261129, prefix: str = "T") -> list[dict]:
    """Insert `n` reports across divisions, kinds and statuses; returns the rows inserted (with ids).

    `prefix` starts their tracking numbers, so that several batches can be inserted."""
    rng = random.Random(seed)
    places, reporters = _places(session), _reporters(session)
    equipment = [code for code in session.scalars(select(EquipmentType.code).where(EquipmentType.level == "variety")
                                                  .order_by(EquipmentType.code)) if code[0] not in "7F"]
    rows = [_one(rng, i, rng.choice(places), rng.choice(reporters), equipment, prefix) for i in range(n)]
    session.execute(insert(Report), rows)
    ids = dict(session.execute(select(Report.tracking_no, Report.id)
                               .where(Report.tracking_no.like(f"{prefix}-%"))).all())
    for row in rows:
        row["id"] = ids[row["tracking_no"]]
    scores = [{"report_id": r["id"], "tier": "county", "score": r["quality_score"], "scored_at": r["submitted_at"]}
              for r in rows if r["quality_score"] is not None]
    if scores:
        session.execute(insert(ReportQualityScore), scores)
    session.commit()
    return rows


def generate_tasks(session, reports: list[dict], every: int = 4, seed: int = 7) -> list[dict]:
    """Instances and human tasks (with deadlines) for every `every`-th report; returns the task rows."""
    rng = random.Random(seed)
    version_id = session.scalar(select(ProcessVersion.id).order_by(ProcessVersion.id))
    chosen = reports[::every]
    session.execute(insert(ProcessInstance), [
        {"process_version_id": version_id, "report_id": r["id"], "status": InstanceStatus.COMPLETED,
         "workflow_state": b"{}", "lock_version": 1, "created_at": r["submitted_at"], "updated_at": r["submitted_at"]}
        for r in chosen])
    instance_of = dict(session.execute(select(ProcessInstance.report_id, ProcessInstance.id)
                                       .where(ProcessInstance.report_id.in_([r["id"] for r in chosen]))).all())
    tasks = []
    for r in chosen:
        for group, code in (("county_officer", r["county_code"]), ("city_officer", r["city_code"])):
            if code is None:
                continue
            due = r["submitted_at"] + timedelta(days=5)
            state = rng.choice([TaskState.COMPLETED, TaskState.COMPLETED, TaskState.OPEN, TaskState.CANCELLED])
            completed = due + timedelta(hours=rng.randrange(-100, 60)) if state == TaskState.COMPLETED else None
            tasks.append({"id": str(uuid.UUID(int=rng.getrandbits(128))), "instance_id": instance_of[r["id"]],
                          "report_id": r["id"], "element_id": "county_disposal", "name": "处置",
                          "candidate_group": group, "division_code": code, "state": state, "due_at": due,
                          "priority": 50, "process_version_id": version_id, "created_at": r["submitted_at"], "completed_at": completed})
    session.execute(insert(HumanTask), tasks)
    session.commit()
    return tasks


def beijing_date(moment: datetime):
    """The calendar date in Beijing of a UTC moment."""
    return (moment + BEIJING).date()


def in_range(row: dict, date_from=None, date_to=None) -> bool:
    """Whether a generated report falls within inclusive Beijing dates."""
    day = beijing_date(row["submitted_at"])
    return (date_from is None or day >= date_from) and (date_to is None or day <= date_to)


def value(v) -> str:
    """The key a dimension value has in the summary."""
    return "none" if v is None else getattr(v, "value", v)


def expected_summary(rows: list[dict]) -> dict:
    """Hand-computed totals of the summary for these rows."""
    tier = Counter(value(r["resolved_tier"] or r["current_tier"]) for r in rows)
    data = {"total": len(rows), "by_tier": tier}
    for name, field in (("by_status", "status"), ("by_kind", "kind"), ("by_domain", "domain"),
                        ("by_equipment_category", "equipment_category_code"), ("by_risk_level", "risk_level")):
        data[name] = Counter(value(r[field]) for r in rows)
    overdue = sum(1 for r in rows if r["overdue"])
    data["overdue_rate"] = round(overdue / len(rows), 4) if rows else None
    closed = [r for r in rows if r["status"] == ReportStatus.CLOSED]
    on_time = sum(1 for r in closed if not r["overdue"])
    data["on_time_rate"] = round(on_time / len(closed), 4) if closed else None
    return data


def nonzero(counts: dict) -> dict:
    """Drop the zero entries the summary adds for absent enum members."""
    return {k: v for k, v in counts.items() if v}
