"""Why an instance is stuck, in plain Chinese: one SQL query per kind of cause, merged per instance.

An instance that silently stops is the thing operators of every workflow platform complain about most;
each rule here names a cause an admin can act on (fix the handler's data, restart the scheduler, add a
person to a jurisdiction, register a safety director).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select

from storage.models import (
    ROLE_LABELS, Division, HumanTask, InstanceStatus, MonitoringPoint, ProcessInstance, Report, Role,
    SafetyDirectorAssignment, TaskState, User, UserRole, utcnow,
)

from storage.repositories import count

from .context import Env

ENDED = (InstanceStatus.COMPLETED, InstanceStatus.TERMINATED)
TIMER_STATUSES = (InstanceStatus.WAITING, InstanceStatus.USER_INPUT_REQUIRED, InstanceStatus.ERROR,
                  InstanceStatus.RUNNING)


def stuck_reasons(env: Env, now: datetime | None = None, instance_ids: list[int] | None = None) -> dict[int, list[str]]:
    """instance id → the reasons it is stuck (only instances with at least one reason)."""
    now = now or utcnow()
    reasons: dict[int, list[str]] = defaultdict(list)
    for rule in RULES:
        for instance_id, text in rule(env, now, instance_ids):
            if text not in reasons[instance_id]:
                reasons[instance_id].append(text)
    return dict(reasons)


def _scope(stmt, instance_ids, column=ProcessInstance.id):
    return stmt.where(column.in_(instance_ids)) if instance_ids is not None else stmt


def _fmt(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "-"


def _handler_errors(env, now, ids):
    stmt = _scope(select(ProcessInstance.id, ProcessInstance.error_element, ProcessInstance.error_message)
                  .where(ProcessInstance.status == InstanceStatus.ERROR), ids)
    for instance_id, element, message in env.session.execute(stmt):
        yield instance_id, f"服务任务出错：{message or f'{element}（未记录错误信息）'}"


def _suspended(env, now, ids):
    stmt = _scope(select(ProcessInstance.id, ProcessInstance.updated_at)
                  .where(ProcessInstance.status == InstanceStatus.SUSPENDED), ids)
    for instance_id, since in env.session.execute(stmt):
        yield instance_id, f"已被管理员挂起（自 {_fmt(since)} 起），恢复后才能继续办理"


def _overdue_tasks(env, now, ids):
    stmt = _scope(select(HumanTask.instance_id, HumanTask.name, HumanTask.due_at)
                  .where(HumanTask.state == TaskState.OPEN, HumanTask.due_at < now), ids, HumanTask.instance_id)
    for instance_id, name, due in env.session.execute(stmt):
        yield instance_id, f"待办“{name}”已超过办理期限（应于 {_fmt(due)} 前办理）"


def _timer_not_fired(env, now, ids):
    grace = timedelta(seconds=2 * env.settings.scheduler_poll_seconds)
    stmt = _scope(select(ProcessInstance.id, ProcessInstance.next_timer_at)
                  .where(ProcessInstance.status.in_(TIMER_STATUSES), ProcessInstance.next_timer_at < now - grace), ids)
    for instance_id, due in env.session.execute(stmt):
        minutes = int((now - due).total_seconds() // 60)
        yield instance_id, (f"定时器已到期但未触发：应于 {_fmt(due)} 触发，已过 {minutes} 分钟"
                            "（定时任务进程可能已停止或出错）")


def _open_task_exists():
    return exists().where(HumanTask.instance_id == ProcessInstance.id, HumanTask.state == TaskState.OPEN)


def _nothing_to_wait_for(env, now, ids):
    stmt = _scope(select(ProcessInstance.id).where(
        ProcessInstance.status.in_((InstanceStatus.RUNNING, InstanceStatus.WAITING)),
        ProcessInstance.next_timer_at.is_(None), ~_open_task_exists()), ids)
    for instance_id in env.session.scalars(stmt):
        yield instance_id, "流程处于运行状态，但既没有待办任务也没有定时器，无法继续（可回退到之前的任务）"


def _eligible_officer():
    return (select(UserRole.id).join(User, User.id == UserRole.user_id)
            .where(UserRole.role == HumanTask.candidate_group, User.division_code == HumanTask.division_code,
                   User.active).exists())


def _director_registered(point_column):
    return (select(SafetyDirectorAssignment.id).join(User, User.id == SafetyDirectorAssignment.user_id)
            .where(SafetyDirectorAssignment.monitoring_point_id == point_column, User.active).exists())


def _nobody_eligible(env, now, ids):
    unit_task = HumanTask.candidate_group == Role.SAFETY_DIRECTOR.value
    stmt = _scope(select(HumanTask.instance_id, HumanTask.name, HumanTask.candidate_group,
                         HumanTask.division_code, Division.name)
                  .outerjoin(Division, Division.code == HumanTask.division_code)
                  .where(HumanTask.state == TaskState.OPEN)
                  .where(((~unit_task) & ~_eligible_officer())
                         | (unit_task & ~_director_registered(HumanTask.monitoring_point_id))),
                  ids, HumanTask.instance_id)
    for instance_id, name, group, code, division in env.session.execute(stmt):
        who = _group_label(group)
        if group == Role.SAFETY_DIRECTOR.value:
            yield instance_id, f"待办“{name}”无人可办：该单位没有登记在岗的{who}"
        else:
            place = f"{division}（{code}）" if division else (code or "未知辖区")
            yield instance_id, f"待办“{name}”无人可办：{place}没有在岗的{who}"


def _enterprise_without_director(env, now, ids):
    stmt = _scope(select(ProcessInstance.id, MonitoringPoint.name)
                  .join(Report, Report.id == ProcessInstance.report_id)
                  .join(MonitoringPoint, MonitoringPoint.id == Report.monitoring_point_id)
                  .where(ProcessInstance.status.not_in(ENDED), Report.is_enterprise,
                         ~_director_registered(MonitoringPoint.id)), ids)
    for instance_id, point in env.session.execute(stmt):
        yield instance_id, f"企业监测点“{point}”未登记安全总监"


def _group_label(group: str) -> str:
    try:
        return ROLE_LABELS[Role(group)]
    except ValueError:
        return group


RULES = (_handler_errors, _suspended, _timer_not_fired, _overdue_tasks, _nothing_to_wait_for, _nobody_eligible,
         _enterprise_without_director)


def tasks_without_person(env: Env) -> int:
    """How many open tasks nobody can work (for the dashboard)."""
    unit_task = HumanTask.candidate_group == Role.SAFETY_DIRECTOR.value
    stmt = select(HumanTask.id).where(HumanTask.state == TaskState.OPEN).where(
        and_(~unit_task, ~_eligible_officer()) | and_(unit_task, ~_director_registered(HumanTask.monitoring_point_id)))
    return count(env.session, stmt)
