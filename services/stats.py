"""Statistics of reports and their handling, scoped to the caller's jurisdiction.

Every figure is one SQL aggregate (COUNT / SUM(CASE) with GROUP BY); no request loops over report rows.
Dates and months are Beijing time (UTC+8): `from=2026-11-01&to=2026-11-30` means the whole of November
as people in Shaanxi count it, and the monthly trend groups the same way, so that a month in the trend,
a summary with that month's from/to and the monthly periodic report all give the same numbers.

`by_tier` counts each report at `coalesce(resolved_tier, current_tier)`: the tier that closed it when it
is closed, otherwise the tier holding it now. A report not yet registered has no tier (key `none`);
a report not yet assessed has no risk level (key `none`).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, and_, case, cast, func, literal, or_, select, union_all

from storage.models import (
    DOMAIN_LABELS, KIND_LABELS, RISK_LEVEL_LABELS, ROLE_LABELS, STATUS_LABELS, TIER_LABELS, Division,
    EquipmentType, ExtensionState, HumanTask, Report, ReportDomain, ReportKind, ReportStatus, RiskLevel,
    TaskExtension, TaskState, Tier, utcnow,
)

from .stats_filter import (  # noqa: F401 (the filter is part of this module's interface)
    CITY_ROLES, COUNTY_ROLES, LOCAL_OFFSET, MAX_DATE, MIN_DATE, NONE_KEY, PROVINCE_CODE, PROVINCE_ROLES, STATS_ROLES,
    StatsFilter, build_filter, conditions, covers, division_condition, jurisdiction, province_filter,
)
from .stats_rollup import EXTENSIONS, rollup_counts

TIER_EXPR = func.coalesce(Report.resolved_tier, Report.current_tier)
DIMENSIONS = {
    "by_status": (Report.status, ReportStatus),
    "by_tier": (TIER_EXPR, Tier),
    "by_kind": (Report.kind, ReportKind),
    "by_domain": (Report.domain, ReportDomain),
    "by_equipment_category": (Report.equipment_category_code, None),
    "by_risk_level": (Report.risk_level, RiskLevel),
}
ROLLUP_NAMES = {"status": "by_status", "tier": "by_tier", "kind": "by_kind", "domain": "by_domain",
                "cat": "by_equipment_category", "risk": "by_risk_level", "overdue": "overdue",
                "closed_od": "closed_overdue"}
HANDLING_BUCKETS = [  # (key, label, upper bound in days; a bucket holds what the previous one did not)
    ("d1", "1天以内", 1), ("d3", "1–3天", 3), ("d7", "3–7天", 7), ("d15", "7–15天", 15), ("d30", "15–30天", 30),
    ("over30", "30天以上", None),
]


def _key(value) -> str:
    if value is None:
        return NONE_KEY
    return value.value if hasattr(value, "value") else str(value)


def _rate(part, whole) -> float | None:
    return round((part or 0) / whole, 4) if whole else None


def _count_case(condition):
    return func.sum(case((condition, 1), else_=0))


def summary(session, f: StatsFilter) -> dict:
    """The CONTRACT.md summary: total, per-dimension counts, on-time and overdue rates.

    `overdue_rate` = reports marked overdue (a deadline timer fired and escalated them) ÷ all reports;
    `on_time_rate` = closed reports never marked overdue ÷ closed reports. Per-office task deadlines are
    in `office_rates`. Served from the statistics roll-ups plus the changes not yet folded into them
    (services/stats_rollup.py), so the numbers equal `summary_from_reports` at every moment.
    """
    counts = rollup_counts(session, f)
    data = _empty_counts() | {"overdue": {}, "closed_overdue": {}}
    for dim, name in ROLLUP_NAMES.items():
        for value, n in sorted(counts[dim].items()):
            if n:
                data[name][value] = n
    return _summary_of(data, counts[EXTENSIONS][""])


def summary_from_reports(session, f: StatsFilter) -> dict:
    """The same summary by GROUP BY over the report table (the reference the roll-ups are checked against)."""
    data = _matching_rows_counts(session, f) if _is_filtered(f) else _all_rows_counts(session)
    return _summary_of(data, extension_total(session, f))


def _summary_of(data: dict, extensions: int) -> dict:
    flags, closed_flags = data.pop("overdue"), data.pop("closed_overdue")
    total = sum(data["by_status"].values())
    overdue, closed = _true_count(flags), sum(closed_flags.values())
    closed_late = _true_count(closed_flags)
    return {"total": total, **data, "on_time_rate": _rate(closed - closed_late, closed),
            "overdue_rate": _rate(overdue, total), "overdue": overdue, "closed": closed, "extensions": extensions}


def extension_total(session, f: StatsFilter) -> int:
    """Approved deadline extensions (延期) on the reports the filter selects."""
    stmt = (select(func.count()).select_from(TaskExtension).join(Report, Report.id == TaskExtension.report_id)
            .where(TaskExtension.extension_state == ExtensionState.APPROVED, *conditions(f)))
    return session.scalar(stmt) or 0


def _true_count(flags: dict[str, int]) -> int:
    """Rows whose flag was true: SQLite casts booleans to '1', PostgreSQL to 'true'."""
    return sum(n for key, n in flags.items() if key.lower() in ("1", "true"))


def _is_filtered(f: StatsFilter) -> bool:
    return f.focus.level != "province" or f.date_from is not None or f.date_to is not None


def _empty_counts() -> dict[str, dict[str, int]]:
    return {name: {m.value: 0 for m in enum_cls} if enum_cls else {} for name, (_c, enum_cls) in DIMENSIONS.items()}


def _all_rows_counts(session) -> dict[str, dict[str, int]]:
    """Unfiltered: one GROUP BY per dimension, which the single-column indexes answer without reading rows."""
    data = _empty_counts()
    for name, (column, _enum) in DIMENSIONS.items():
        for value, n in session.execute(select(column, func.count()).group_by(column)):
            data[name][_key(value)] = n
    total, overdue, closed, closed_late = session.execute(select(
        func.count(), _count_case(Report.overdue.is_(True)), _count_case(Report.status == ReportStatus.CLOSED),
        _count_case(and_(Report.status == ReportStatus.CLOSED, Report.overdue.is_(True))))).one()
    data["overdue"] = {"1": overdue or 0, "0": total - (overdue or 0)}
    data["closed_overdue"] = {"1": closed_late or 0, "0": (closed or 0) - (closed_late or 0)}
    return data


def _matching_rows_counts(session, f: StatsFilter) -> dict[str, dict[str, int]]:
    """Filtered: read the matching rows once (a materialized CTE), then GROUP BY each dimension over them.

    One statement instead of one per dimension: on SQLite each separate query would look the same
    rows up again through the division/date index (measured 4–7× slower for a city over 100,000 reports).
    """
    # plain strings (SQL CAST) so that one UNION ALL column can carry every dimension on PostgreSQL too
    columns = {name: cast(column, String()).label(name) for name, (column, _enum) in DIMENSIONS.items()}
    columns["overdue"] = cast(Report.overdue, String()).label("overdue")
    rows = select(*columns.values()).where(*conditions(f)).cte("matching").prefix_with("MATERIALIZED")
    parts = [select(literal(name, String()), rows.c[name], func.count()).group_by(rows.c[name]) for name in columns]
    parts.append(select(literal("closed_overdue", String()), rows.c.overdue, func.count())
                 .where(rows.c.by_status == ReportStatus.CLOSED.value).group_by(rows.c.overdue))
    data = _empty_counts() | {"overdue": {}, "closed_overdue": {}}
    for name, value, n in session.execute(union_all(*parts)):
        data[name][_key(value)] = n
    return data


def _breakdown_columns():
    return (func.count(), _count_case(Report.status == ReportStatus.CLOSED), _count_case(Report.overdue.is_(True)),
            _count_case(Report.risk_level == RiskLevel.MAJOR))


def _breakdown_row(code, name, n, closed, overdue, major) -> dict:
    return {"code": code, "name": name, "total": n, "closed": closed or 0, "overdue": overdue or 0,
            "major": major or 0, "closed_rate": _rate(closed, n), "overdue_rate": _rate(overdue, n)}


def drilldown(session, f: StatsFilter) -> dict:
    """Counts per child division of the focus: province → cities, city → counties, county → itself."""
    focus = f.focus
    if focus.level == "county":
        column, own_label = Report.county_code, focus.name
    elif focus.level == "city":
        column, own_label = Report.county_code, "市本级"
    else:
        column, own_label = Report.city_code, "省本级"
    rows = session.execute(select(column, *_breakdown_columns()).where(*conditions(f))
                           .group_by(column).order_by(func.count().desc(), column))
    rows = list(rows)
    names = dict(session.execute(select(Division.code, Division.name)
                                 .where(Division.code.in_([r[0] for r in rows if r[0]]))).all())
    items = []
    for code, *numbers in rows:
        child = code if code and code != focus.code else None
        items.append(_breakdown_row(code or focus.code, names.get(code, own_label) if child else own_label,
                                    *numbers) | {"drillable": bool(child)})
    return {"division": {"code": focus.code, "name": focus.name, "level": focus.level},
            "parent_code": None if focus.code == f.scope.code else (focus.supervising_code or f.scope.code),
            "items": items}


def _days_expr(session, start_col, end_col):
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(end_col) - func.julianday(start_col)
    return func.extract("epoch", end_col - start_col) / 86400.0


def handling_time(session, f: StatsFilter) -> dict:
    """How long closed reports took from submission to closure, in day buckets, plus the average."""
    days = _days_expr(session, Report.submitted_at, Report.closed_at)
    whens = [(days <= upper, literal(key)) for key, _label, upper in HANDLING_BUCKETS[:-1]]
    bucket = case(*whens, else_=literal(HANDLING_BUCKETS[-1][0]))
    conds = [*conditions(f), Report.status == ReportStatus.CLOSED, Report.closed_at.isnot(None)]
    counts = dict(session.execute(select(bucket, func.count()).where(*conds).group_by(bucket)).all())
    closed, average = session.execute(select(func.count(), func.avg(days)).where(*conds)).one()
    return {"buckets": [{"key": k, "label": label, "count": counts.get(k, 0)} for k, label, _ in HANDLING_BUCKETS],
            "closed": closed, "average_days": round(float(average), 2) if average is not None else None}


def month_expr(session, column):
    """YYYY-MM of a timestamp in Beijing time, in SQL."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", column, "+8 hours")
    return func.to_char(func.timezone("Asia/Shanghai", column), "YYYY-MM")


def monthly_trend(session, f: StatsFilter) -> list[dict]:
    """Per month of submission: reports, closed, overdue, major risks."""
    month = month_expr(session, Report.submitted_at)
    rows = session.execute(select(month, *_breakdown_columns()).where(*conditions(f)).group_by(month)
                           .order_by(month))
    return [_breakdown_row(m, m, *numbers) for m, *numbers in rows]


def office_rates(session, f: StatsFilter, now: datetime | None = None) -> list[dict]:
    """Per office (candidate group × division): tasks due, done on time, late, and still open past due.

    A task is on time when completed by its due date; overdue when completed after it or still open past
    it. Tasks without a deadline, and unit tasks (safety directors), are not counted.
    """
    now = now or utcnow()
    has_due = HumanTask.due_at.isnot(None)
    done = HumanTask.state == TaskState.COMPLETED
    late = or_(and_(done, HumanTask.completed_at > HumanTask.due_at),
               and_(HumanTask.state == TaskState.OPEN, HumanTask.due_at < now))
    stmt = (select(HumanTask.candidate_group, HumanTask.division_code, func.count(),
                   _count_case(and_(done, HumanTask.completed_at <= HumanTask.due_at)), _count_case(late),
                   _count_case(done))
            .where(has_due, HumanTask.division_code.isnot(None), HumanTask.state != TaskState.CANCELLED)
            .group_by(HumanTask.candidate_group, HumanTask.division_code))
    if _is_filtered(f):  # the whole province needs no join with report
        stmt = stmt.join(Report, Report.id == HumanTask.report_id).where(*conditions(f))
    rows = list(session.execute(stmt))
    names = dict(session.execute(select(Division.code, Division.name)
                                 .where(Division.code.in_(sorted({r[1] for r in rows})))).all())
    items = [{"candidate_group": group, "division_code": code,
              "office": f"{names.get(code, code)} · {ROLE_LABELS.get(group, group)}",
              "tasks": n, "completed": completed or 0, "on_time": on_time or 0, "overdue": overdue or 0,
              "on_time_rate": _rate(on_time, completed), "overdue_rate": _rate(overdue, n)}
             for group, code, n, on_time, overdue, completed in rows]
    return sorted(items, key=lambda i: (-(i["overdue_rate"] or 0), i["office"]))


def labels(session) -> dict[str, dict[str, str]]:
    """Chinese labels for every dimension key (for pages, charts and periodic reports)."""
    categories = dict(session.execute(select(EquipmentType.code, EquipmentType.name)
                                      .where(EquipmentType.level.in_(("category", "component_category")))).all())
    return {
        "by_status": {k.value: v for k, v in STATUS_LABELS.items()} | {NONE_KEY: "未登记"},
        "by_tier": {k.value: v for k, v in TIER_LABELS.items()} | {NONE_KEY: "未进入处置"},
        "by_kind": {k.value: v for k, v in KIND_LABELS.items()},
        "by_domain": {k.value: v for k, v in DOMAIN_LABELS.items()},
        "by_equipment_category": categories,
        "by_risk_level": {k.value: v for k, v in RISK_LEVEL_LABELS.items()} | {NONE_KEY: "未评定"},
    }


DIMENSION_TITLES = {
    "by_status": "按办理状态", "by_tier": "按处置层级（办结层级/当前层级）", "by_kind": "按报送类型",
    "by_domain": "按涉及环节", "by_equipment_category": "按设备种类", "by_risk_level": "按风险等级",
}


def full_statistics(session, f: StatsFilter) -> dict:
    """Everything the statistics page and the periodic reports show, for one filter."""
    return {"summary": summary(session, f), "drilldown": drilldown(session, f),
            "handling_time": handling_time(session, f), "trend": monthly_trend(session, f),
            "offices": office_rates(session, f), "labels": labels(session)}


def divisions_in(session, scope: Division) -> list[Division]:
    """Divisions a person may filter by: their own and, for the province and cities, those below."""
    stmt = select(Division)
    if scope.level == "city":
        stmt = stmt.where(or_(Division.code == scope.code, Division.supervising_code == scope.code))
    elif scope.level != "province":
        stmt = stmt.where(Division.code == scope.code)
    order = case((Division.level == "province", 0), (Division.level == "city", 1), else_=2)
    return list(session.scalars(stmt.order_by(order, Division.code)))
