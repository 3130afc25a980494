"""督办 (urging) and 转办 (transfer): a higher tier presses a lower tier's task; a tier hands its task to a peer."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, false, or_, select, update

from handlers.routing import GROUP_TIERS, PROVINCE_CODE
from handlers.routing import office_name as routing_office_name
from storage.database import begin_write
from storage.models import Division, HumanTask, Report, TaskState, Tier, User, utcnow
from storage.repositories import (
    add_event, add_notification, instance_for_update, safety_directors, user_ids_with_role,
)

from .context import Env
from .errors import Conflict, Forbidden, Invalid, NotFound

TIER_RANK = {Tier.UNIT: 0, Tier.COUNTY: 1, Tier.CITY: 2, Tier.PROVINCE: 3}
SUPERVISOR_ROLES = {"county_officer": Tier.COUNTY, "city_officer": Tier.CITY, "province_officer": Tier.PROVINCE}
COUNTY_GROUPS = ("county_officer",)
CITY_GROUPS = ("city_officer", "inspection_officer")
MESSAGE_MAX = 500


def supervising_tier(user: User) -> Tier | None:
    """The highest tier at which the person supervises (county, city or province officer), if any."""
    tiers = [tier for role, tier in SUPERVISOR_ROLES.items() if user.has_role(role)]
    return max(tiers, key=TIER_RANK.get) if tiers else None


def task_tier(task: HumanTask) -> Tier | None:
    """The tier whose office works the task."""
    return GROUP_TIERS.get(task.candidate_group)


def supervised_condition(user: User):
    """SQL condition (on HumanTask joined with Report): open tasks of lower tiers in the person's jurisdiction."""
    tier, code = supervising_tier(user), user.division_code
    unit = HumanTask.candidate_group == "safety_director"
    if tier == Tier.PROVINCE:
        return HumanTask.candidate_group.in_(COUNTY_GROUPS + CITY_GROUPS + ("safety_director",))
    if tier == Tier.CITY:
        counties = select(Division.code).where(Division.supervising_code == code)
        return or_(and_(HumanTask.candidate_group.in_(COUNTY_GROUPS), HumanTask.division_code.in_(counties)),
                   and_(unit, Report.city_code == code))
    if tier == Tier.COUNTY:
        return and_(unit, Report.county_code == code)
    return false()


def _in_supervision(env: Env, user: User, task: HumanTask) -> bool:
    stmt = (select(HumanTask.id).join(Report, Report.id == HumanTask.report_id)
            .where(HumanTask.id == task.id, supervised_condition(user)))
    return env.session.scalar(stmt) is not None


def _task(env: Env, task_id: str) -> HumanTask:
    task = env.session.get(HumanTask, task_id, populate_existing=True)
    if task is None:
        raise NotFound("任务不存在")
    return task


def clean_text(value, what: str, required: bool = True) -> str:
    """A stripped, bounded piece of text a person typed (a reason, a message), or 422."""
    if value is not None and not isinstance(value, str):
        raise Invalid(f"{what}必须是文字")
    value = (value or "").strip()
    if required and not value:
        raise Invalid(f"请填写{what}")
    if len(value) > MESSAGE_MAX:
        raise Invalid(f"{what}不能超过 {MESSAGE_MAX} 个字符")
    return value


def candidate_ids(env: Env, task: HumanTask) -> list[int]:
    """Who may work the task: the group's officers in its division, or the unit's safety directors."""
    if task.candidate_group == "safety_director":
        return [u.id for u in safety_directors(env.session, task.monitoring_point_id)] if task.monitoring_point_id else []
    return user_ids_with_role(env.session, task.candidate_group, task.division_code) if task.division_code else []


def office_name(env: Env, code: str | None) -> str:
    """“雁塔区市场监管局” for a division code (the office that works there)."""
    return routing_office_name(env.session, code)


def urge_task(env: Env, user: User, task_id: str, message) -> HumanTask:
    """督办: count the urge on the task, tell its candidates (in-app and their channels), log it."""
    begin_write(env.session)
    task = _task(env, task_id)
    if not _in_supervision(env, user, task):
        raise Forbidden("只能督办本辖区内下级的任务")
    if task.state != TaskState.OPEN:
        raise Conflict("该任务已办理或已失效，无需督办")
    text = clean_text(message, "督办意见")
    report = env.session.get(Report, task.report_id)
    # One UPDATE, so that two officers urging at once on PostgreSQL both count.
    env.session.execute(update(HumanTask).where(HumanTask.id == task.id)
                        .values(urge_count=HumanTask.urge_count + 1, last_urged_at=utcnow())
                        .execution_options(synchronize_session=False))
    env.session.refresh(task)
    who = f"{office_name(env, user.division_code)} {user.display_name}"
    for person in candidate_ids(env, task):
        add_notification(env.session, person, "urge", f"督办：请尽快办理“{task.name}”（{report.tracking_no}）",
                         f"{who}：{text}", report_id=report.id, task_id=task.id, link=f"/tasks/{task.id}")
    add_event(env.session, "task_urged", f"{who} 督办“{task.name}”：{text}", instance_id=task.instance_id,
              report_id=task.report_id, element_id=task.element_id, actor_id=user.id,
              data={"message": text, "urge_count": task.urge_count, "division_code": task.division_code})
    env.session.commit()
    return task


@dataclass(frozen=True)
class TransferTarget:
    """Where a task may be transferred: its tier's peers under the same supervising node."""

    tier: Tier
    parent_code: str


def _transfer_scope(env: Env, user: User, task: HumanTask) -> TransferTarget:
    tier = task_tier(task)
    current = env.session.get(Division, task.division_code) if task.division_code else None
    if tier not in (Tier.COUNTY, Tier.CITY) or current is None:
        raise Forbidden("只能转办县级或市级任务")
    parent = current.supervising_code or PROVINCE_CODE
    own = user.has_role(task.candidate_group) and user.division_code == task.division_code
    city_over_county = tier == Tier.COUNTY and user.has_role("city_officer") and user.division_code == parent
    if not (own or city_over_county):
        raise Forbidden("只有任务所在单位或其上级市局可以转办")
    return TransferTarget(tier, parent)


def _peer(env: Env, target: TransferTarget, code, current: str) -> Division:
    if not isinstance(code, str) or not code.strip():
        raise Invalid("请选择转办到的单位", details=[{"field": "division_code", "message": "必填"}])
    division = env.session.get(Division, code.strip())
    if division is None or division.level != target.tier.value or \
            (division.supervising_code or PROVINCE_CODE) != target.parent_code:
        raise Invalid("只能转办给同一上级下的同级单位", details=[{"field": "division_code", "message": "不是同级单位"}])
    if division.code == current:
        raise Invalid("任务已在该单位", details=[{"field": "division_code", "message": "与当前单位相同"}])
    return division


def transfer_targets(env: Env, user: User, task: HumanTask) -> list[Division]:
    """Peer divisions the person may move this task to (empty when they may not transfer it)."""
    try:
        target = _transfer_scope(env, user, task)
    except Forbidden:
        return []
    stmt = select(Division).where(Division.level == target.tier.value, Division.code != task.division_code)
    if target.parent_code == PROVINCE_CODE:
        stmt = stmt.where(or_(Division.supervising_code == PROVINCE_CODE, Division.supervising_code.is_(None)))
    else:
        stmt = stmt.where(Division.supervising_code == target.parent_code)
    return list(env.session.scalars(stmt.order_by(Division.code)))


def transfer_task(env: Env, user: User, task_id: str, division_code, reason) -> HumanTask:
    """转办: move an open task to a peer division; the report's routing follows so later steps go there too."""
    begin_write(env.session)
    task = _task(env, task_id)
    # Hold the instance row like complete_task does, then judge the task as it is now.
    instance_for_update(env.session, task.instance_id)
    env.session.refresh(task)
    target = _transfer_scope(env, user, task)
    if task.state != TaskState.OPEN:
        raise Conflict("该任务已办理或已失效，不能转办")
    division = _peer(env, target, division_code, task.division_code)
    text = clean_text(reason, "转办理由")
    report = env.session.get(Report, task.report_id)
    old = task.division_code
    task.division_code, task.claimed_by_id, task.claimed_at = division.code, None, None
    # The projection assigns later tasks from these codes (handlers.routing.assign): without this a
    # return to the county or the rectification step would go back to the old division.
    if target.tier == Tier.COUNTY:
        report.county_code = division.code
    else:
        report.city_code = division.code
    for person in candidate_ids(env, task):
        add_notification(env.session, person, "transfer", f"转办来的待办：{task.name}（{report.tracking_no}）",
                         f"由{office_name(env, old)}转来。理由：{text}", report_id=report.id, task_id=task.id,
                         link=f"/tasks/{task.id}")
    add_event(env.session, "task_transferred",
              f"{user.display_name} 将“{task.name}”由{office_name(env, old)}转办至{office_name(env, division.code)}：{text}",
              instance_id=task.instance_id, report_id=task.report_id, element_id=task.element_id,
              actor_id=user.id, data={"from": old, "to": division.code, "reason": text})
    env.session.commit()
    return task
