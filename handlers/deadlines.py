"""Reminders, overdue marks (督办) and the unit's acknowledgement: the diagram's timers call these.

A deadline never moves a report: the task stays with its tier, turns overdue and the tier above is told
to urge it. Taking a report over (提级办理) is the upper tier's explicit action, not a timer.
"""
from __future__ import annotations

from sqlalchemy import select

from storage.models import DirectorAck, HumanTask, MonitoringPoint, TaskState, User, utcnow
from storage.people_cache import role_holders
from storage.repositories import safety_directors, user_ids_with_role, users_with_role

from .context import HandlerContext, reads_before_writes
from .routing import PROVINCE_CODE

TIER_ABOVE = {"county": "city", "rectification": "city", "city": "province", "center": "province",
              "province": "province"}
TIER_NAMES = {"county": "县级", "rectification": "属地", "city": "市级", "center": "省中心", "province": "省局"}


def _open_rows(ctx: HandlerContext, element: str) -> list[HumanTask]:
    return list(ctx.session.scalars(select(HumanTask).where(
        HumanTask.report_id == ctx.report.id, HumanTask.element_id == element, HumanTask.state == TaskState.OPEN)))


def _holders(ctx: HandlerContext, rows: list[HumanTask]) -> list[int]:
    """The people who may work these open tasks (their assignee when the diagram names one)."""
    ids: list[int] = []
    for row in rows:
        if row.assignee:
            ids += list(ctx.session.scalars(select(User.id).where(User.username == row.assignee, User.active)))
        elif row.division_code:
            ids += user_ids_with_role(ctx.session, row.candidate_group, row.division_code)
    return ids


def _upper_officers(ctx: HandlerContext, tier: str) -> tuple[list[int], str]:
    report = ctx.report
    if TIER_ABOVE.get(tier) == "city" and report.city_code:
        return user_ids_with_role(ctx.session, "city_officer", report.city_code), "市级"
    return user_ids_with_role(ctx.session, "province_officer", PROVINCE_CODE), "省局"


def send_reminder(ctx: HandlerContext, target: str = "county", element: str = "") -> dict:
    """Remind whoever holds the open task before its deadline (the safety director for `director`)."""
    report = ctx.report
    if target == "director":
        people = [u.id for u in safety_directors(ctx.session, report.monitoring_point_id)]
        title = f"请尽快确认处置安排：{report.tracking_no}"
    elif element:
        people = _holders(ctx, _open_rows(ctx, element))
        title = f"办理提醒：{report.tracking_no} 即将到期"
    else:
        role = {"county": "county_officer", "city": "city_officer", "center": "center_expert"}.get(
            target, "province_officer")
        code = report.county_code if target == "county" else report.city_code if target == "city" else PROVINCE_CODE
        people = [u.id for u in users_with_role(ctx.session, role, code)] if code else []
        title = f"办理提醒：{report.tracking_no} 即将到期"
    sent = ctx.notify(people, "reminder", title, report.title)
    ctx.log("reminder", f"已发送办理提醒（{sent} 人）", {"target": target, "element": element or None})
    return {}


def mark_overdue(ctx: HandlerContext, tier: str = "county", element: str = "") -> dict:
    """The deadline passed: the open task turns overdue (red) and stays put; the tier above is told to urge."""
    now = utcnow()
    rows = _open_rows(ctx, element) if element else []
    for row in rows:
        row.overdue_at = row.overdue_at or now
    ctx.report.overdue = True
    people, above = _upper_officers(ctx, tier)
    names = "、".join(dict.fromkeys(r.name for r in rows)) or "当前环节"
    ctx.notify(people, "overdue", f"逾期督办：{ctx.report.tracking_no}「{names}」已超过办理期限",
               f"{TIER_NAMES.get(tier, tier)}办理已逾期，请督促办理；长期逾期可提级办理。")
    ctx.log("overdue", f"{TIER_NAMES.get(tier, tier)}办理逾期，已通知{above}督办（仍由{TIER_NAMES.get(tier, tier)}办理）",
            {"tier": tier, "element": element or None, "notified": len(set(people))})
    return {"overdue": True}


def director_overdue(ctx: HandlerContext) -> dict:
    """The director has not acknowledged in time: tell the unit's 主要负责人 (accounts with the `principal`
    role at the unit; the point's responsible person when none) and the county officers."""
    report = ctx.report
    report.director_ack = DirectorAck.OVERDUE
    point = ctx.session.get(MonitoringPoint, report.monitoring_point_id)
    title = point.titles.director
    principals = [u.id for u in users_with_role(ctx.session, "principal", point_id=point.id)]
    if not principals and point.responsible_user_id:
        principals = [point.responsible_user_id]
    county = user_ids_with_role(ctx.session, "county_officer", report.county_code) if report.county_code else []
    ctx.notify(principals, "director_overdue", f"{title}逾期未确认处置安排：{report.tracking_no}",
               f"请单位主要负责人督促{title}立即组织分析研判和处置，并在平台确认处置安排。")
    ctx.notify(county, "director_overdue", f"{title}逾期未确认处置安排：{report.tracking_no}",
               f"“{point.name}”的{title}逾期未确认，已告知单位主要负责人，请县级监管部门跟进。")
    who = "单位主要负责人" if principals else "单位主要负责人（未登记账户，未能送达）"
    ctx.log("director_overdue", f"{title}逾期未确认，已告知{who}和县级监管部门（{len(set(principals + county))} 人）",
            {"principal_ids": principals})
    return {"director_ack": DirectorAck.OVERDUE.value}


def director_acknowledged(ctx: HandlerContext) -> dict:
    """The director acknowledged and arranged the handling."""
    ctx.report.director_ack = DirectorAck.ACKNOWLEDGED
    point = ctx.session.get(MonitoringPoint, ctx.report.monitoring_point_id)
    ctx.log("director_acknowledged", f"单位{point.titles.director}已确认处置安排",
            {"responsible_person": str(ctx.data.get("responsible_person") or "")[:100]})
    return {"director_ack": DirectorAck.ACKNOWLEDGED.value}


@reads_before_writes  # reads, then one buffered event: nothing to roll back
def prepare_panel(ctx: HandlerContext) -> dict:
    """The centre experts who assess jointly (会签): the expert who organised it plus those named in `panel`
    (or a configured `center_panel` list); names that are not active centre experts are left out, logged."""
    experts = {name for _, name in role_holders(ctx.session, "center_expert", PROVINCE_CODE)}
    lead = ctx.session.get(User, ctx.actor_id) if ctx.actor_id else None
    named = [n.strip() for n in str(ctx.data.get("panel") or "").replace("，", ",").split(",") if n.strip()]
    configured = ctx.data.get("center_panel") if not named else None
    if isinstance(configured, list):
        named = [str(n) for n in configured]
    panel = [lead.username] if lead is not None and lead.username in experts else []
    panel += [n for n in named if n in experts and n not in panel]
    refused = [n for n in named if n not in experts]
    if not panel:
        panel = sorted(experts)[:1]
    message = f"会签专家：{'、'.join(panel)}"
    if refused:
        message += f"；以下账号不是在岗的省中心专家，未纳入：{'、'.join(refused)}"
    ctx.log("panel", message, {"panel": panel, "refused": refused})
    return {"center_panel": panel, "center_lead": panel[0] if panel else None}

