"""The service-task handlers, one per camunda:topic in the diagrams."""
from __future__ import annotations

from storage.models import TIER_LABELS, MonitoringPoint, ReportStatus, Tier, utcnow
from storage.repositories import next_tracking_number, safety_directors, users_with_role

from .context import HandlerContext, HandlerError
from .routing import GROUP_TIERS, office_name, resolve_routing, tier_office_code


def register_report(ctx: HandlerContext) -> dict:
    """Number the report and resolve its routing (entry tier, county, city, enterprise or not)."""
    report = ctx.report
    point = ctx.session.get(MonitoringPoint, report.monitoring_point_id)
    routing = resolve_routing(ctx.session, point.division_code)
    if not report.tracking_no:
        report.tracking_no = next_tracking_number(ctx.session, report.submitted_at.year)
    report.entry_tier = routing.entry_tier
    report.county_code = routing.county_code
    report.city_code = routing.city_code
    report.is_enterprise = point.is_enterprise
    report.status = ReportStatus.PROCESSING
    report.current_tier = routing.entry_tier
    ctx.log("registered", f"已登记，编号 {report.tracking_no}，进入{_tier_label(routing.entry_tier)}处置",
            {"entry_tier": routing.entry_tier.value})
    return {"entry_tier": routing.entry_tier.value, "is_enterprise": point.is_enterprise,
            "tracking_no": report.tracking_no}


def notify_safety_director(ctx: HandlerContext) -> dict:
    """Tell the unit's safety director(s); fail clearly when the unit has none registered."""
    point = ctx.session.get(MonitoringPoint, ctx.report.monitoring_point_id)
    directors = safety_directors(ctx.session, point.id)
    if not directors:
        raise HandlerError(f"监测点“{point.name}”尚未登记安全总监，无法通知。请登记安全总监后重试。")
    ctx.notify([d.id for d in directors], "safety_director",
               f"本单位有新的报送信息需安排处置：{ctx.report.tracking_no}", ctx.report.title)
    names = "、".join(d.display_name for d in directors)
    ctx.log("director_notified", f"已同步通知安全总监：{names}", {"user_ids": [d.id for d in directors]})
    return {"safety_director_ids": [d.id for d in directors]}


def dispatch_guidance(ctx: HandlerContext) -> dict:
    """Send the province's guidance to the locality that must rectify."""
    report = ctx.report
    code = report.county_code or report.city_code
    role = "county_officer" if report.county_code else "city_officer"
    recipients = users_with_role(ctx.session, role, division_code=code) if code else []
    guidance = str(ctx.data.get("guidance") or "")
    ctx.notify([u.id for u in recipients], "guidance", f"省局指导意见已下达：{report.tracking_no}", guidance)
    report.status = ReportStatus.RECTIFYING
    ctx.log("guidance_dispatched", "省局指导意见已下达属地", {"guidance": guidance[:500]})
    return {}


def close_report(ctx: HandlerContext) -> dict:
    """Record the outcome for statistics: the tier that resolved it and when."""
    report = ctx.report
    report.status = ReportStatus.CLOSED
    report.closed_at = utcnow()
    report.resolved_tier = report.current_tier or Tier.COUNTY
    report.outcome = report.outcome or _outcome_text(ctx.data)
    ctx.log("closed", f"已办结（{_tier_label(report.resolved_tier)}办结）",
            {"resolved_tier": report.resolved_tier.value})
    office = office_name(ctx.session, tier_office_code(report, report.resolved_tier))
    ctx.notify([report.reporter_id], "feedback", f"您报送的信息已办结：{report.tracking_no}",
               f"已由{office}处置完毕：{report.outcome or '已办结'}")
    return {"resolved_tier": report.resolved_tier.value}


OUTCOME_FIELDS = ("verification_opinion", "rectification_result", "guidance", "mitigation_measures",
                  "assessment_opinion", "measures")


def _outcome_text(data: dict) -> str | None:
    """The last tier's words on the outcome, from the fields the chain's forms fill in."""
    for name in OUTCOME_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()[:2000]
    return None


def send_reminder(ctx: HandlerContext, target: str = "county") -> dict:
    """Remind whoever holds the open task; an unacknowledged director notice also reaches the point's
    responsible person and the county officers."""
    report = ctx.report
    if target == "director":
        people = [u.id for u in safety_directors(ctx.session, report.monitoring_point_id)]
        point = ctx.session.get(MonitoringPoint, report.monitoring_point_id)
        if point.responsible_user_id:
            people.append(point.responsible_user_id)
        if report.county_code:
            people += [u.id for u in users_with_role(ctx.session, "county_officer", report.county_code)]
        title = f"安全总监尚未确认处置安排：{report.tracking_no}"
    else:
        role = {"county": "county_officer", "city": "city_officer"}.get(target, "province_officer")
        code = report.county_code if target == "county" else report.city_code if target == "city" else "610000"
        people = [u.id for u in users_with_role(ctx.session, role, code)] if code else []
        title = f"办理提醒：{report.tracking_no} 即将到期"
    sent = ctx.notify(people, "reminder", title, report.title)
    ctx.log("reminder", f"已发送办理提醒（{sent} 人）", {"target": target})
    return {}


def mark_overdue(ctx: HandlerContext, tier: str = "county") -> dict:
    """The deadline passed: mark the report overdue; the diagram carries it to the next tier."""
    ctx.report.overdue = True
    ctx.log("overdue_escalated", f"{_tier_label(Tier(tier))}办理逾期，自动上报", {"tier": tier})
    return {"overdue": True, "decision": "escalate"}


def _tier_label(tier: Tier) -> str:
    return TIER_LABELS[tier]


def tier_of_group(candidate_group: str) -> Tier | None:
    """The tier a candidate group works at."""
    return GROUP_TIERS.get(candidate_group)
