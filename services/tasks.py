"""Inboxes and task actions: list, claim, unclaim, complete."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from engine import InstanceFrozen, TaskNotOpen
from storage import step_writes, task_rows
from storage.database import begin_write
from storage.models import (
    HumanTask, ProcessInstance, Report, TaskState, User, utcnow,
)
from storage.repositories import add_event, count

from .access import can_work_task, task_visibility
from .context import Env
from .errors import Conflict, Forbidden, NotFound
from .feedback import note_return_to_reporter
from .forms import clean_form_data
from .outcomes import apply_outcome
from .task_forms import task_form

SORTS = {
    "due": (HumanTask.due_at.asc(), HumanTask.created_at.asc()),
    "created": (HumanTask.created_at.asc(),),
    "-created": (HumanTask.created_at.desc(),),
    "priority": (HumanTask.priority.desc(), HumanTask.created_at.asc()),
}


@dataclass
class TaskPage:
    """One page of an inbox; `total` is counted only when asked for."""

    items: list[HumanTask]
    total: int | None
    page: int
    per_page: int
    has_next: bool


def inbox_query(user: User, report_id: int | None = None, element_id: str | None = None,
                division_code: str | None = None, q: str | None = None):
    """Open tasks this person may work (an indexed query on human_task)."""
    stmt = select(HumanTask).where(HumanTask.state == TaskState.OPEN, task_visibility(user))
    if report_id is not None:
        stmt = stmt.where(HumanTask.report_id == report_id)
    if element_id:
        stmt = stmt.where(HumanTask.element_id == element_id)
    if division_code:
        stmt = stmt.where(HumanTask.division_code == division_code)
    if q:
        words = select(Report.id).where(Report.tracking_no.contains(q) | Report.title.contains(q))
        stmt = stmt.where(HumanTask.report_id.in_(words))
    return stmt


def list_tasks(env: Env, user: User, page: int = 1, per_page: int = 20, sort: str = "due",
               with_total: bool = True, **filters) -> TaskPage:
    """A page of the person's inbox; fetches one extra row instead of counting to know if more exist."""
    stmt = inbox_query(user, **filters).order_by(*SORTS.get(sort, SORTS["due"]))
    rows = list(env.session.scalars(stmt.limit(per_page + 1).offset((page - 1) * per_page)))
    total = None
    if with_total:
        total = count(env.session, inbox_query(user, **filters))
    return TaskPage(rows[:per_page], total, page, per_page, len(rows) > per_page)


def get_task(env: Env, user: User, task_id: str) -> HumanTask:
    """A task the person may work, or 404/403 (always read fresh from the database)."""
    task = env.session.get(HumanTask, task_id, populate_existing=True)
    if task is None:
        raise NotFound("任务不存在")
    if not can_work_task(user, task):
        raise Forbidden("该任务不属于您的职责或辖区")
    return task


def claim(env: Env, user: User, task_id: str) -> HumanTask:
    """Take a task so colleagues see who is on it."""
    begin_write(env.session)
    task = _open_task(env, user, task_id)
    if task.claimed_by_id not in (None, user.id):
        raise Conflict("该任务已被他人认领")
    task.claimed_by_id, task.claimed_at = user.id, utcnow()
    add_event(env.session, "task_claimed", f"{user.display_name} 认领了“{task.name}”", instance_id=task.instance_id,
              report_id=task.report_id, element_id=task.element_id, actor_id=user.id)
    env.session.commit()
    return task


def unclaim(env: Env, user: User, task_id: str) -> HumanTask:
    """Give a claimed task back to the group."""
    begin_write(env.session)
    task = _open_task(env, user, task_id)
    if task.claimed_by_id not in (None, user.id):
        raise Conflict("只能释放自己认领的任务")
    task.claimed_by_id = task.claimed_at = None
    env.session.commit()
    return task


def complete_task(env: Env, user: User, task_id: str, data: object) -> HumanTask:
    """Validate the form, complete the user task in the engine, project, commit once."""
    begin_write(env.session)
    if env.session.get_bind().dialect.name != "sqlite":
        # PostgreSQL: lock the instance row first, then read (once) what the step works on. SQLite: begin_write
        # took the database write lock before anything is read.
        task_rows.lock_instance_of_task(env.session, task_id)
    task, instance, report, open_ids = _for_completion(env, task_id)
    if not can_work_task(user, task):
        raise Forbidden("该任务不属于您的职责或辖区")
    form = task_form(env, task)
    form_data = clean_form_data(form, data)
    if task.state != TaskState.OPEN:
        raise Conflict("该任务已办理或已失效，请刷新待办列表")
    if task.claimed_by_id not in (None, user.id):
        raise Conflict("该任务已被他人认领")
    task_rows.complete(env.session, task, user.id, utcnow())
    apply_outcome(env.session, task, form, report, form_data, user.id)
    # The completion's event and notices and those of the step it causes are written together, in order.
    with step_writes.collecting(env.session) as writes:
        note_return_to_reporter(env, task, form, report, form_data, user.id)
        add_event(env.session, "task_completed", f"{user.display_name} 办理了“{task.name}”",
                  instance_id=task.instance_id, report_id=task.report_id, element_id=task.element_id,
                  actor_id=user.id, data=form_data)
        _step(env, task, instance, report, open_ids, form_data)
    try:
        env.session.flush()
        step_writes.write(env.session, writes)
        env.session.commit()
    except StaleDataError:
        env.session.rollback()
        raise Conflict("该流程刚被他人更新，请刷新后重试") from None
    return task


def _for_completion(env: Env, task_id: str):
    """The task (with candidates), its instance, report and the instance's open task ids: one statement."""
    loaded = task_rows.for_completion(env.session, task_id)
    if loaded is None:
        raise NotFound("任务不存在")
    return loaded


def _step(env: Env, task: HumanTask, instance: ProcessInstance, report: Report, open_ids: list[str],
          form_data: dict) -> None:
    try:
        env.store.step(env.session, instance, lambda wf: env.store.runtime.complete_user_task(wf, task.id, form_data),
                       task.completed_by_id, report=report, open_ids=open_ids)
    except StaleDataError:  # the instance's version check (another transaction saved it first)
        env.session.rollback()
        raise Conflict("该流程刚被他人更新，请刷新后重试") from None
    except TaskNotOpen:
        env.session.rollback()
        raise Conflict("该任务已办理或已失效，请刷新待办列表") from None
    except InstanceFrozen as exc:
        env.session.rollback()
        raise Conflict(_frozen_message(exc.status.value)) from None


def _frozen_message(status: str) -> str:
    return {"suspended": "该流程已被管理员挂起，暂不能办理", "terminated": "该流程已终止",
            "completed": "该流程已办结"}.get(status, "该流程当前不能办理")


def _open_task(env: Env, user: User, task_id: str) -> HumanTask:
    task = get_task(env, user, task_id)
    if task.state != TaskState.OPEN:
        raise Conflict("该任务已办理或已失效")
    return task


def instance_of(env: Env, task: HumanTask) -> ProcessInstance:
    """The process instance a task belongs to."""
    return env.session.get(ProcessInstance, task.instance_id)
