"""提级办理: an officer of the tier above takes a task over — the diagram's take-over boundary event fires.

A deadline never does this by itself (issue 13.1): the upper tier decides, and the decision is logged.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from engine import InstanceFrozen, TaskNotOpen
from engine.runtime import NoTakeOver
from storage.database import begin_write
from storage.models import Division, HumanTask, ProcessInstance, Report, TaskState, User
from storage.repositories import add_event, instance_for_update

from .context import Env
from .errors import Conflict, Forbidden, Invalid, NotFound

UPPER_ROLE = {"county_officer": "city_officer", "city_officer": "province_officer",
              "inspection_officer": "province_officer"}
REASON_MAX = 1000


def may_take_over(env: Env, user: User, task: HumanTask) -> bool:
    """The person is an officer of the tier above whose jurisdiction contains the task."""
    role = UPPER_ROLE.get(task.candidate_group)
    if role is None or not user.has_role(role):
        return False
    if role == "province_officer":
        return user.division_code == "610000"
    report = env.session.get(Report, task.report_id)
    division = env.session.get(Division, task.division_code) if task.division_code else None
    parent = division.supervising_code if division is not None else None
    return user.division_code in {report.city_code, parent} - {None}


def take_over(env: Env, user: User, task_id: str, reason: object = "") -> HumanTask:
    """Fire the task's take-over event as the upper tier; 403 outside its jurisdiction, 409 if not possible."""
    if not isinstance(reason, str) or len(reason) > REASON_MAX:
        raise Invalid(f"提级办理理由须为不超过 {REASON_MAX} 字的文字")
    begin_write(env.session)
    task = env.session.get(HumanTask, task_id, populate_existing=True)
    if task is None:
        raise NotFound("任务不存在")
    if not may_take_over(env, user, task):
        raise Forbidden("只有上一级且辖区包含该任务的监管人员可以提级办理")
    instance = instance_for_update(env.session, task.instance_id)
    env.session.refresh(task)
    if task.state != TaskState.OPEN:
        raise Conflict("该任务已办理或已失效，请刷新后重试")
    try:
        env.store.step(env.session, instance, lambda wf: env.store.runtime.take_over(wf, task.id), user.id)
    except NoTakeOver:
        env.session.rollback()
        raise Conflict("流程图没有为该环节设置提级办理") from None
    except TaskNotOpen:
        env.session.rollback()
        raise Conflict("该任务已办理或已失效，请刷新后重试") from None
    except InstanceFrozen:
        env.session.rollback()
        raise Conflict("该流程当前不能办理（已挂起、终止或办结）") from None
    add_event(env.session, "taken_over", f"{user.display_name} 提级办理“{task.name}”" + (f"：{reason.strip()}"
              if reason.strip() else ""), instance_id=task.instance_id, report_id=task.report_id,
              element_id=task.element_id, actor_id=user.id, data={"reason": reason.strip()})
    try:
        env.session.commit()
    except StaleDataError:
        env.session.rollback()
        raise Conflict("该流程刚被他人更新，请刷新后重试") from None
    return task


def take_over_candidates(env: Env, user: User, report_id: int) -> list[HumanTask]:
    """Open tasks of a report this person may take over and whose diagram element offers 提级办理."""
    rows = [t for t in env.session.scalars(select(HumanTask).where(
        HumanTask.report_id == report_id, HumanTask.state == TaskState.OPEN)) if may_take_over(env, user, t)]
    if not rows:
        return []
    instance = env.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == report_id))
    workflow = env.store.load(env.session, instance)
    return [t for t in rows if env.store.runtime.can_take_over(workflow, t.id)]
