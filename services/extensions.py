"""延期: an officer asks for more time on an open task; the tier above approves or refuses."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select

from engine import InstanceFrozen, TaskNotOpen
from handlers.routing import PROVINCE_CODE
from storage.database import begin_write
from storage.models import (
    Division, ExtensionState, HumanTask, Report, TaskExtension, TaskState, Tier, User, utcnow,
)
from storage.repositories import add_event, add_notification, instance_for_update, user_ids_with_role

from .access import can_work_task
from .calendar import CHINA_TZ, WorkCalendar, load_days
from .context import Env
from .errors import Conflict, Forbidden, Invalid, NotFound
from .supervision import clean_text, office_name, task_tier

MAX_WORKING_DAYS = 60
MAX_EXTENSION_DAYS = 180


def approver_of(env: Env, task: HumanTask) -> tuple[str, str]:
    """(candidate group, division) of the office that decides a request on this task."""
    tier = task_tier(task)
    if tier == Tier.COUNTY and task.division_code:
        division = env.session.get(Division, task.division_code)
        return "city_officer", (division.supervising_code if division else None) or PROVINCE_CODE
    if tier == Tier.CITY:
        return "province_officer", PROVINCE_CODE
    raise Forbidden("只有县级、市级的任务可以申请延期")


def _wanted_due(env: Env, task: HumanTask, due_date, working_days) -> datetime:
    base = max(task.due_at or utcnow(), utcnow())
    if working_days not in (None, ""):
        try:
            n = int(working_days)
        except (TypeError, ValueError):
            raise Invalid("延长的工作日数必须是整数") from None
        if not 1 <= n <= MAX_WORKING_DAYS:
            raise Invalid(f"延长的工作日数须在 1 到 {MAX_WORKING_DAYS} 之间")
        calendar = WorkCalendar.from_days(load_days(env.session))
        last = calendar.add_working_days((base - timedelta(seconds=1)).astimezone(CHINA_TZ).date(), n)
        return datetime.combine(last + timedelta(days=1), time(0), CHINA_TZ).astimezone(timezone.utc)
    try:
        day = date.fromisoformat(str(due_date or ""))
    except ValueError:
        raise Invalid("请填写新的期限（日期，如 2026-12-31）或延长的工作日数") from None
    wanted = datetime.combine(day + timedelta(days=1), time(0), CHINA_TZ).astimezone(timezone.utc)
    if wanted <= base:
        raise Invalid("新的期限必须晚于现有期限")
    if wanted - base > timedelta(days=MAX_EXTENSION_DAYS):
        raise Invalid(f"一次延期不能超过 {MAX_EXTENSION_DAYS} 天")
    return wanted


def request_extension(env: Env, user: User, task_id: str, reason, due_date=None,
                      working_days=None) -> TaskExtension:
    """Ask the tier above for a later due date on a task the person works."""
    begin_write(env.session)
    task = env.session.get(HumanTask, task_id, populate_existing=True)
    if task is None:
        raise NotFound("任务不存在")
    if not can_work_task(user, task) or not user.has_role("county_officer", "city_officer"):
        raise Forbidden("只能为本单位办理的任务申请延期")
    if task.state != TaskState.OPEN:
        raise Conflict("该任务已办理或已失效，不能申请延期")
    if env.session.scalar(select(TaskExtension.id).where(TaskExtension.task_id == task.id,
                                                         TaskExtension.extension_state == ExtensionState.PENDING)):
        raise Conflict("该任务已有待审批的延期申请")
    group, division = approver_of(env, task)
    text = clean_text(reason, "延期理由")
    wanted = _wanted_due(env, task, due_date, working_days)
    row = TaskExtension(task_id=task.id, report_id=task.report_id, reason=text, old_due_at=task.due_at,
                        requested_due_at=wanted, requested_by_id=user.id, requested_at=utcnow(),
                        approver_group=group, approver_division_code=division)
    env.session.add(row)
    report = env.session.get(Report, task.report_id)
    for person in user_ids_with_role(env.session, group, division):
        add_notification(env.session, person, "extension", f"延期申请待审批：{task.name}（{report.tracking_no}）",
                         f"{office_name(env, task.division_code)} {user.display_name}：{text}",
                         report_id=report.id, link="/tasks/extensions")
    add_event(env.session, "extension_requested",
              f"{user.display_name} 申请“{task.name}”延期至 {_day(wanted)}：{text}", instance_id=task.instance_id,
              report_id=task.report_id, element_id=task.element_id, actor_id=user.id,
              data={"requested_due_at": wanted.isoformat(), "reason": text})
    env.session.commit()
    return row


def pending_condition(user: User):
    """SQL condition: requests this person decides."""
    groups = [g for g in ("city_officer", "province_officer") if user.has_role(g)]
    return (TaskExtension.extension_state == ExtensionState.PENDING) & TaskExtension.approver_group.in_(groups) \
        & (TaskExtension.approver_division_code == user.division_code)


def pending_extensions(env: Env, user: User) -> list[tuple[TaskExtension, HumanTask, Report]]:
    """Requests waiting for this person's decision, oldest first."""
    stmt = (select(TaskExtension, HumanTask, Report).join(HumanTask, HumanTask.id == TaskExtension.task_id)
            .join(Report, Report.id == TaskExtension.report_id)
            .where(pending_condition(user), HumanTask.state == TaskState.OPEN)
            .order_by(TaskExtension.requested_at, TaskExtension.id).limit(500))
    return [tuple(row) for row in env.session.execute(stmt).all()]


def decide_extension(env: Env, user: User, extension_id: int, approve, note=None) -> TaskExtension:
    """Approve (the due date and the task's timers move) or refuse a request."""
    begin_write(env.session)
    row = env.session.get(TaskExtension, extension_id, populate_existing=True)
    if row is None:
        raise NotFound("延期申请不存在")
    if not user.has_role(row.approver_group) or user.division_code != row.approver_division_code:
        raise Forbidden("只有上一级可以审批该延期申请")
    if row.extension_state != ExtensionState.PENDING:
        raise Conflict("该延期申请已审批")
    if not isinstance(approve, bool):
        raise Invalid("请选择批准或不批准", details=[{"field": "approve", "message": "必须是 true 或 false"}])
    text = clean_text(note, "审批意见", required=not approve)
    task = env.session.get(HumanTask, row.task_id, populate_existing=True)
    if approve:
        _move_due(env, user, task, row.requested_due_at)
    row.extension_state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
    row.decided_by_id, row.decided_at, row.decision_note = user.id, utcnow(), text or None
    verdict = "批准" if approve else "不批准"
    add_notification(env.session, row.requested_by_id, "extension", f"延期申请{verdict}：{task.name}",
                     text or f"新期限：{_day(row.requested_due_at)}", report_id=row.report_id, task_id=task.id,
                     link=f"/tasks/{task.id}")
    add_event(env.session, "extension_" + ("approved" if approve else "refused"),
              f"{user.display_name} {verdict}“{task.name}”延期" + (f"，新期限 {_day(row.requested_due_at)}" if approve else "")
              + (f"：{text}" if text else ""), instance_id=task.instance_id, report_id=row.report_id,
              element_id=task.element_id, actor_id=user.id, data={"extension_id": row.id, "approved": approve})
    env.session.commit()
    return row


def _move_due(env: Env, user: User, task: HumanTask, wanted: datetime) -> None:
    if task.state != TaskState.OPEN:
        raise Conflict("该任务已办理或已失效，延期申请不再适用")
    delta = wanted - (task.due_at or utcnow())
    instance = instance_for_update(env.session, task.instance_id)
    try:
        env.store.step(env.session, instance,
                       lambda wf: env.store.runtime.postpone_task_timers(wf, task.id, delta), user.id)
    except (TaskNotOpen, InstanceFrozen):
        raise Conflict("该流程当前不能调整期限") from None
    task.due_at = wanted


def extension_count(session, report_ids_stmt=None) -> int:
    """Approved extensions (of the reports selected by `report_ids_stmt`, or all)."""
    stmt = select(func.count()).select_from(TaskExtension).where(
        TaskExtension.extension_state == ExtensionState.APPROVED)
    if report_ids_stmt is not None:
        stmt = stmt.where(TaskExtension.report_id.in_(report_ids_stmt))
    return session.scalar(stmt) or 0


def _day(value: datetime) -> str:
    return (value - timedelta(seconds=1)).astimezone(CHINA_TZ).strftime("%Y-%m-%d")
