"""The service-task handlers, one per camunda:topic in the diagrams."""
from __future__ import annotations

from storage.models import AGENCY_ENTRY, TIER_LABELS, DirectorAck, MonitoringPoint, ReportStatus, Tier, utcnow
from storage.people_cache import equipment_type, role_holders
from storage.repositories import next_tracking_number, safety_directors, setting_value

from .context import HandlerContext, HandlerError, reads_before_writes
from .routing import GROUP_TIERS, office_name, resolve_routing, tier_office_code


@reads_before_writes
def register_report(ctx: HandlerContext) -> dict:
    """Number the report and set what the diagram may branch on. `entry_tier` starts as the point's own tier
    (what version-1 diagrams branch on); the shipped diagram's decision table (entry_routing) then decides it."""
    report = ctx.report
    point = ctx.session.get(MonitoringPoint, report.monitoring_point_id)
    routing = resolve_routing(ctx.session, point.division_code)
    variables = diagram_variables(ctx, point, routing.entry_tier)
    # Everything that can fail was read above; below only writes, which fail only with the database.
    if not report.tracking_no:
        report.tracking_no = next_tracking_number(ctx.session, report.submitted_at.year)
    report.county_code = routing.county_code
    report.city_code = routing.city_code
    report.is_enterprise = point.is_enterprise
    report.status = ReportStatus.PROCESSING
    report.current_tier = routing.entry_tier
    ctx.log("registered", f"已登记，编号 {report.tracking_no}", {"point_tier": routing.entry_tier.value})
    return {**variables, "entry_tier": routing.entry_tier.value, "tracking_no": report.tracking_no}


def diagram_variables(ctx: HandlerContext, point: MonitoringPoint, point_tier: Tier) -> dict:
    """Variables a workflow owner can branch on (listed in the modeler's help)."""
    report = ctx.report
    equipment = equipment_type(ctx.session, report.equipment_type_code)
    variety = equipment.code if equipment is not None and equipment.level == "variety" else None
    return {
        "report_kind": report.kind.value, "domain": report.domain.value,
        "equipment_category": report.equipment_category_code, "equipment_class": report.equipment_type_code[:2] + "00",
        "equipment_variety": variety, "equipment_type_code": report.equipment_type_code,
        "point_kind": point.kind.value, "control_level": point.control_level,
        "point_tier": point_tier.value, "is_enterprise": point.is_enterprise,
        # 系统设置“监管部门报送员的报送进入层级”: "same" (本级) or "above" (上一级), for the entry table.
        "agency_entry": setting_value(ctx.session, AGENCY_ENTRY),
    }


def notify_safety_director(ctx: HandlerContext) -> dict:
    """Tell the unit's safety director(s) — 质量安全总监 of a producer or filler, 安全总监 of a using unit —
    under the title their SAMR order gives them; fail clearly when the unit has none registered."""
    point = ctx.session.get(MonitoringPoint, ctx.report.monitoring_point_id)
    titles = point.titles
    directors = safety_directors(ctx.session, point.id)
    if not directors:
        raise HandlerError(f"监测点“{point.name}”尚未登记{titles.director}，无法通知。请登记{titles.director}后重试。")
    ctx.notify([d.id for d in directors], "safety_director",
               f"{titles.director}：本单位有新的报送信息需安排处置：{ctx.report.tracking_no}",
               f"{ctx.report.title}\n请依照{titles.order}，组织{titles.officer}立即核查；"
               f"属于事故隐患的，一般隐患立即整改，严重隐患停止使用并由{titles.director}组织分析研判和处置，"
               "并在平台确认处置安排。")
    names = "、".join(d.display_name for d in directors)
    ctx.report.director_ack = DirectorAck.PENDING
    ctx.log("director_notified", f"已同步通知{titles.director}：{names}（待确认）",
            {"user_ids": [d.id for d in directors], "title": titles.director})
    return {"safety_director_ids": [d.id for d in directors]}


@reads_before_writes  # notices and events are buffered (dropped on failure); the report's status is set last
def dispatch_guidance(ctx: HandlerContext) -> dict:
    """Send the province's measures and guidance to the locality that must rectify, the city informed."""
    report = ctx.report
    code = report.county_code or report.city_code
    role = "county_officer" if report.county_code else "city_officer"
    # who holds the role there: the cache the step's task notices use (emptied at once on account changes)
    recipients = [uid for uid, _ in role_holders(ctx.session, role, code)] if code else []
    informed = [uid for uid, _ in role_holders(ctx.session, "city_officer", report.city_code)] \
        if report.county_code and report.city_code else []
    # the province form's words: by the shipped id, else what its form recorded as measures (services/outcomes)
    guidance = str(ctx.data.get("guidance") or report.measures or "")
    ctx.notify(recipients, "guidance", f"省局措施意见与指导意见已下达：{report.tracking_no}", guidance)
    ctx.notify(informed, "guidance_cc", f"（抄送）省局指导意见已下达属地县级：{report.tracking_no}",
               "请跟进属地整改，整改完成后由市级核查。" + guidance[:500])
    report.status = ReportStatus.RECTIFYING
    ctx.log("guidance_dispatched", "省局措施意见与指导意见已下达属地" + ("，已抄送市级" if informed else ""),
            {"guidance": guidance[:500]})
    return {}


@reads_before_writes
def close_report(ctx: HandlerContext) -> dict:
    """Record the outcome for statistics: the tier that resolved it and when."""
    report = ctx.report
    resolved_tier = report.current_tier or Tier.COUNTY
    outcome = report.outcome or report.opinion or report.measures or _outcome_text(ctx.data)
    office = office_name(ctx.session, tier_office_code(report, resolved_tier))
    # Everything that can fail was read above; below only writes, which fail only with the database.
    report.status = ReportStatus.CLOSED
    report.closed_at = utcnow()
    report.resolved_tier = resolved_tier
    report.outcome = outcome
    ctx.log("closed", f"已办结（{_tier_label(resolved_tier)}办结）", {"resolved_tier": resolved_tier.value})
    ctx.notify([report.reporter_id], "feedback", f"您报送的信息已办结：{report.tracking_no}",
               f"已由{office}处置完毕：{outcome or '已办结'}")
    return {"resolved_tier": resolved_tier.value}


OUTCOME_FIELDS = ("verification_opinion", "rectification_result", "guidance", "mitigation_measures",
                  "assessment_opinion", "measures")


def _outcome_text(data: dict) -> str | None:
    """The last tier's words on the outcome by field id, for instances whose forms were stored before fields
    declared records=opinion/measures (those set Report.opinion/measures, services/outcomes.py)."""
    for name in OUTCOME_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()[:2000]
    return None


def _tier_label(tier: Tier) -> str:
    return TIER_LABELS[tier]


def tier_of_group(candidate_group: str) -> Tier | None:
    """The tier a candidate group works at."""
    return GROUP_TIERS.get(candidate_group)
