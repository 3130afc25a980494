"""Information quality: rankings of monitoring points and reporters, and the commendation list.

Each handling tier scores a report's quality 1～5 (a form field declaring `records=quality_score`); every
tier keeps its own score (`report_quality_score`, services/outcomes.py); in a 会签 each expert keeps their own
score and the tier's score is the experts' average, so a panel counts as one tier, not once per expert. A point's or reporter's figure is
the weighted average of all tier scores of their reports submitted in the period, each score weighted by
its tier (TIER_WEIGHTS: 省局、省中心 1.5, 市级 1.2, 县级 1.0). Only those with at least MIN_SCORED scored
reports are ranked (a single good report is no basis for a commendation); equal averages go to whoever has
more scored reports.
"""
from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import case, func, select

from storage.models import POINT_KIND_LABELS, Division, MonitoringPoint, Report, ReportQualityScore, User

from .access import sees_reporter_identity
from .errors import Forbidden
from .stats import PROVINCE_ROLES, StatsFilter, conditions
from .xlsx_export import safe_row

QUALITY_CRITERIA = [
    (5, "信息真实准确，设备、地点、问题、证据（照片或记录）等要素齐全，风险描述清楚，具有明显预警价值或推动了隐患消除"),
    (4, "信息真实，要素基本齐全，描述较清楚，对风险研判和处置有较大帮助"),
    (3, "信息基本属实，部分要素缺失，需要补充核实后方可处置"),
    (2, "信息要素缺失较多或表述不清，经多次核实才能确认，参考价值有限"),
    (1, "信息失实、重复报送或与特种设备安全无关"),
]
IDENTITY_HIDDEN = "（身份不公开）"


def _ranked(rows, make) -> list[dict]:
    return [make(rank, row) for rank, row in enumerate(rows, start=1)]


TIER_WEIGHTS = {"province": 1.5, "center": 1.5, "city": 1.2, "county": 1.0}
OTHER_WEIGHT = 1.0
MIN_SCORED = 3
RANKING_RULE = (f"排名按加权平均质量分：各级分别评分，省局、省中心评分权重 {TIER_WEIGHTS['province']}，"
                f"市级 {TIER_WEIGHTS['city']}，县级 {TIER_WEIGHTS['county']}；省中心会签的各位专家分别评分，"
                f"取其平均分作为省中心评分；已评分报送不少于 {MIN_SCORED} 条方参与排名，"
                "平均分相同的，已评分条数多者在前。")


def tier_scores():
    """One score per report and tier: the tier's own, or the average of its 会签 members' scores."""
    q = ReportQualityScore
    return (select(q.report_id, q.tier, func.avg(q.score).label("score"))
            .group_by(q.report_id, q.tier).subquery("tier_score"))


def _score_columns(score):
    """Reports, scored reports and the tier-weighted average (outer-joined tier scores; NULLs are skipped)."""
    weight = case(*((score.tier == tier, w) for tier, w in TIER_WEIGHTS.items()), else_=OTHER_WEIGHT)
    weight = case((score.score.is_(None), None), else_=weight)
    average = func.sum(score.score * weight) / func.sum(weight)
    return func.count(func.distinct(Report.id)), func.count(func.distinct(score.report_id)), average


def point_rankings(session, f: StatsFilter, limit: int = 50, min_scored: int = MIN_SCORED) -> list[dict]:
    """Monitoring points by the tier-weighted average quality score of their reports in the period."""
    tiers = tier_scores()
    total, scored, average = _score_columns(tiers.c)
    stmt = (select(MonitoringPoint.id, MonitoringPoint.name, MonitoringPoint.kind, Division.name, total, scored,
                   average)
            .select_from(Report)
            .join(MonitoringPoint, MonitoringPoint.id == Report.monitoring_point_id)
            .join(Division, Division.code == MonitoringPoint.division_code)
            .outerjoin(tiers, tiers.c.report_id == Report.id)
            .where(*conditions(f))
            .group_by(MonitoringPoint.id, MonitoringPoint.name, MonitoringPoint.kind, Division.name)
            .having(scored >= min_scored)
            .order_by(average.desc(), scored.desc(), MonitoringPoint.id).limit(limit))
    return _ranked(session.execute(stmt), lambda rank, r: {
        "rank": rank, "monitoring_point_id": r[0], "name": r[1], "kind": r[2].value,
        "kind_label": POINT_KIND_LABELS.get(r[2]), "division": r[3], "reports": r[4], "scored": r[5],
        "average": round(float(r[6]), 2)})


def reporter_rankings(session, f: StatsFilter, viewer: User | None, limit: int = 50,
                      min_scored: int = MIN_SCORED) -> list[dict]:
    """Reporters by tier-weighted average quality score; names only for viewers who may see reporter identity."""
    show = viewer is None or sees_reporter_identity(viewer)
    tiers = tier_scores()
    total, scored, average = _score_columns(tiers.c)
    stmt = (select(User.id, User.display_name, MonitoringPoint.name, total, scored, average)
            .select_from(Report).join(User, User.id == Report.reporter_id)
            .join(MonitoringPoint, MonitoringPoint.id == Report.monitoring_point_id)
            .outerjoin(tiers, tiers.c.report_id == Report.id)
            .where(*conditions(f))
            .group_by(User.id, User.display_name, MonitoringPoint.name)
            .having(scored >= min_scored)
            .order_by(average.desc(), scored.desc(), User.id).limit(limit))
    return _ranked(session.execute(stmt), lambda rank, r: {
        "rank": rank, "reporter_id": r[0] if show else None, "name": r[1] if show else IDENTITY_HIDDEN,
        "monitoring_point": r[2], "reports": r[3], "scored": r[4], "average": round(float(r[5]), 2)})


def commendation_xlsx(session, f: StatsFilter, viewer: User, top: int = 10, with_identity: bool = False) -> bytes:
    """The commendation list as XLSX. Reporter names are left out unless the province asks for them."""
    if with_identity and not viewer.has_role(*PROVINCE_ROLES):
        raise Forbidden("只有省局可以导出含报送员身份的表彰名单")
    points = point_rankings(session, f, limit=top)
    reporters = reporter_rankings(session, f, viewer if with_identity else None, limit=top)
    book = Workbook()
    sheet = book.active
    sheet.title = "监测点表彰名单"
    _table(sheet, _period_title(f, "信息质量优秀监测点"),
           ["排名", "监测点", "监测点类别", "所在地区", "报送条数", "已评分条数", "加权平均质量分"],
           [[p["rank"], p["name"], p["kind_label"], p["division"], p["reports"], p["scored"], p["average"]]
            for p in points])
    sheet = book.create_sheet("信息报送员表彰名单")
    _table(sheet, _period_title(f, "信息质量优秀报送员"),
           ["排名", "报送员", "所属监测点", "报送条数", "已评分条数", "加权平均质量分"],
           [[r["rank"], r["name"] if with_identity else IDENTITY_HIDDEN, r["monitoring_point"], r["reports"],
             r["scored"], r["average"]] for r in reporters])
    criteria = book.create_sheet("评分标准")
    _table(criteria, "信息质量评分标准（1～5分）", ["分值", "标准"], [[s, t] for s, t in QUALITY_CRITERIA])
    criteria.append([])
    criteria.append(["排名规则", RANKING_RULE])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _period_title(f: StatsFilter, what: str) -> str:
    start = f.date_from.isoformat() if f.date_from else "起始"
    end = f.date_to.isoformat() if f.date_to else "至今"
    return f"{f.focus.name}{what}（{start} 至 {end}）"


def _table(sheet, title: str, header: list[str], rows: list[list]) -> None:
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(safe_row(row))
    for column, width in zip("ABCDEFG", (8, 36, 24, 16, 12, 12, 12)):
        sheet.column_dimensions[column].width = width
