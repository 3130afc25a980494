"""Repairs of process instances by admins; each is logged with who and why (kind ``admin_*``).

The ``admin_*`` events in ``instance_event`` are the admin audit log: every repair appends one with
the actor, the reason and what changed, in the same transaction as the repair itself.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from engine import InstanceFrozen
from engine.inspection import RetryFailed, TaskNotFound, reset_to_element, retry_failed, update_task_data
from storage.database import begin_write
from storage.models import (
    INSTANCE_STATUS_LABELS, HumanTask, InstanceStatus, ProcessInstance, Report, ReportStatus, TaskState, User, utcnow,
)
from storage.repositories import add_event, instance_for_update

from .access import can_work_task
from .context import Env
from .errors import Conflict, Forbidden, Invalid, NotFound

ENDED = (InstanceStatus.COMPLETED, InstanceStatus.TERMINATED)
REASON_MAX = 500


def _require_admin(actor: User | None) -> None:
    """Admins only; `None` is the operator's command line."""
    if actor is not None and not actor.has_role("admin"):
        raise Forbidden("只有系统管理员可以修复流程实例")


def _actor_name(actor: User | None) -> str:
    return actor.display_name if actor else "运维命令"


def _clean_reason(reason: str | None, required: bool = False) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise Invalid("请填写操作原因")
    if len(text) > REASON_MAX:
        raise Invalid(f"操作原因不能超过 {REASON_MAX} 个字符")
    return text


def _locked_instance(env: Env, actor: User | None, instance_id: int) -> ProcessInstance:
    _require_admin(actor)
    begin_write(env.session)
    instance = instance_for_update(env.session, instance_id)
    if instance is None:
        raise NotFound("流程实例不存在")
    return instance


def _audit(env: Env, actor: User | None, instance: ProcessInstance, kind: str, action: str, reason: str,
           element_id: str | None = None, **changes):
    """Append the audit event of one repair: who, what, why, and what changed."""
    message = f"{_actor_name(actor)} {action}" + (f"（原因：{reason}）" if reason else "")
    return add_event(env.session, kind, message, instance_id=instance.id, report_id=instance.report_id,
                     element_id=element_id, actor_id=actor.id if actor else None,
                     data={"reason": reason, **changes})


def _step(env: Env, instance: ProcessInstance, action, actor: User | None, allow_frozen: bool = False):
    """Run a repair on the workflow inside the engine's load → act → run → project → save."""
    def attached(workflow):
        # A freshly deserialized workflow carries SpiffWorkflow's stock script engine, which cannot read
        # our timer expressions (P1D); resets and skips re-evaluate timers before the engine runs.
        env.store.runtime.attach(workflow)
        action(workflow)

    try:
        return env.store.step(env.session, instance, attached, actor.id if actor else None, allow_frozen)
    except InstanceFrozen as exc:
        env.session.rollback()
        raise Conflict(f"流程实例当前为“{_status_label(exc.status)}”状态，不能执行该操作") from None


def _commit(env: Env) -> None:
    try:
        env.session.commit()
    except StaleDataError:
        env.session.rollback()
        raise Conflict("该流程实例刚被他人更新，请刷新后重试") from None


def _status_label(status: InstanceStatus) -> str:
    return INSTANCE_STATUS_LABELS.get(status, status.value)


def _outcome(instance: ProcessInstance) -> dict:
    return {"status_after": instance.status.value, "error_after": instance.error_message}


def retry_instance(env: Env, actor: User | None, instance_id: int, element_id: str | None = None,
                   reason: str = "") -> ProcessInstance:
    """Run failed service tasks again (after the cause was fixed)."""
    instance = _locked_instance(env, actor, instance_id)
    reason = _clean_reason(reason)
    if instance.status != InstanceStatus.ERROR:
        raise Conflict("该实例没有出错的任务，无需重试")
    failed_element, failed_message = instance.error_element, instance.error_message
    reset: list[str] = []
    event = _audit(env, actor, instance, "admin_retry", f"重试失败任务“{element_id or failed_element}”", reason,
                   element_id or failed_element, status_before=instance.status.value,
                   error_before=failed_message)
    try:
        _step(env, instance, lambda wf: reset.extend(retry_failed(wf, element_id)), actor)
    except RetryFailed as exc:
        env.session.rollback()
        raise Conflict(f"重试未成功，原因仍未消除：{exc}") from None
    if not reset:
        env.session.rollback()
        raise Conflict("没有找到可重试的失败任务")
    event.data = {**event.data, "elements": reset, **_outcome(instance)}
    _commit(env)
    return instance


def skip_task(env: Env, actor: User | None, instance_id: int, data: dict | None = None,
              element_id: str | None = None, reason: str = "") -> ProcessInstance:
    """Mark a failed service task done with the given data, as if its handler had succeeded."""
    instance = _locked_instance(env, actor, instance_id)
    reason = _clean_reason(reason)
    if not isinstance(data if data is not None else {}, dict):
        raise Invalid("跳过时提供的数据必须是 JSON 对象")
    element = element_id or instance.error_element
    if instance.status != InstanceStatus.ERROR or not element:
        raise Conflict("该实例没有出错的任务，无法跳过")
    skipped: list[bool] = []
    event = _audit(env, actor, instance, "admin_skip", f"跳过失败任务“{element}”", reason, element,
                   status_before=instance.status.value, error_before=instance.error_message, data=data or {})
    _step(env, instance, lambda wf: skipped.append(env.store.runtime.skip_failed(wf, element, data or {})), actor)
    if not any(skipped):
        env.session.rollback()
        raise Conflict(f"任务“{element}”不是出错状态，无法跳过")
    event.data = {**event.data, **_outcome(instance)}
    _commit(env)
    return instance


def suspend_instance(env: Env, actor: User | None, instance_id: int, reason: str = "") -> ProcessInstance:
    """Freeze an instance: no task completion, no timers, until resumed."""
    instance = _locked_instance(env, actor, instance_id)
    reason = _clean_reason(reason)
    if instance.status == InstanceStatus.SUSPENDED:
        raise Conflict("该流程实例已挂起")
    if instance.status in ENDED:
        raise Conflict("已结束的流程实例不能挂起")
    before = instance.status
    instance.status_before_suspend, instance.status = before, InstanceStatus.SUSPENDED
    instance.updated_at = utcnow()
    _audit(env, actor, instance, "admin_suspend", "挂起了流程", reason, status_before=before.value,
           status_after=InstanceStatus.SUSPENDED.value)
    _commit(env)
    return instance


def resume_instance(env: Env, actor: User | None, instance_id: int, reason: str = "") -> ProcessInstance:
    """Lift a suspension: the instance returns to the status it had before."""
    instance = _locked_instance(env, actor, instance_id)
    reason = _clean_reason(reason)
    if instance.status != InstanceStatus.SUSPENDED:
        raise Conflict("该流程实例未挂起，无需恢复")
    restored = instance.status_before_suspend or InstanceStatus.RUNNING
    instance.status, instance.status_before_suspend = restored, None
    instance.updated_at = utcnow()
    _audit(env, actor, instance, "admin_resume", "恢复了流程", reason, status_before=InstanceStatus.SUSPENDED.value,
           status_after=restored.value)
    _commit(env)
    return instance


def terminate_instance(env: Env, actor: User | None, instance_id: int, reason: str) -> ProcessInstance:
    """End an instance for good: its report is closed as terminated and open tasks are cancelled."""
    instance = _locked_instance(env, actor, instance_id)
    reason = _clean_reason(reason, required=True)
    if instance.status in ENDED:
        raise Conflict("该流程实例已结束，不能终止")
    now = utcnow()
    before = instance.status
    cancelled = []
    for task in env.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                            HumanTask.state == TaskState.OPEN)):
        task.state, task.completed_at = TaskState.CANCELLED, now
        cancelled.append(task.name)
    instance.status, instance.status_before_suspend = InstanceStatus.TERMINATED, None
    instance.next_timer_at, instance.completed_at, instance.updated_at = None, now, now
    report = env.session.get(Report, instance.report_id)
    report.status, report.closed_at = ReportStatus.TERMINATED, report.closed_at or now
    _audit(env, actor, instance, "admin_terminate", "终止了流程", reason, status_before=before.value,
           status_after=InstanceStatus.TERMINATED.value, cancelled_tasks=cancelled)
    _commit(env)
    return instance


def reset_instance(env: Env, actor: User | None, instance_id: int, element_id: str, reason: str) -> ProcessInstance:
    """Go back to an earlier user or service task; later work is discarded and that task runs again."""
    instance = _locked_instance(env, actor, instance_id)
    reason = _clean_reason(reason, required=True)
    before = instance.status
    done: list[str] = []

    def action(workflow):
        task_id, name = reset_to_element(workflow, element_id)
        _reopen_task_row(env, task_id)
        done.append(name)

    try:
        _step(env, instance, action, actor)
    except TaskNotFound:
        env.session.rollback()
        raise Invalid(f"“{element_id}”不是该实例已完成的任务，无法回退到此处") from None
    _audit(env, actor, instance, "admin_reset", f"将流程回退到“{done[0]}”", reason, element_id,
           status_before=before.value, **_outcome(instance))
    _commit(env)
    return instance


def _reopen_task_row(env: Env, task_id: str) -> None:
    """A reset user task keeps its id: its completed read-model row becomes open again."""
    row = env.session.get(HumanTask, task_id)
    if row is None:
        return
    now = utcnow()
    if row.due_at is not None:
        row.due_at = now + (row.due_at - row.created_at)
    row.state, row.created_at, row.completed_at, row.completed_by_id = TaskState.OPEN, now, None, None
    row.claimed_by_id = row.claimed_at = None
    env.session.flush()


def edit_task_data(env: Env, actor: User | None, instance_id: int, task_id: str, changes: dict,
                   reason: str, removed: list[str] | None = None) -> ProcessInstance:
    """Change data of a live task (e.g. before a retry); old and new values are logged."""
    instance = _locked_instance(env, actor, instance_id)
    reason = _clean_reason(reason, required=True)
    if not isinstance(changes, dict) or not (changes or removed):
        raise Invalid("请提供要修改的数据（JSON 对象）")
    if instance.status in ENDED:
        raise Conflict("已结束的流程实例不能修改数据")
    before: dict = {}

    def action(workflow):
        before.update(update_task_data(workflow, task_id, changes, list(removed or [])))

    try:
        _step(env, instance, action, actor, allow_frozen=True)
    except TaskNotFound:
        env.session.rollback()
        raise NotFound("该任务不存在或已结束，不能修改其数据") from None
    _audit(env, actor, instance, "admin_edit_data", "修改了任务数据", reason, task_id=task_id, before=before,
           after=changes, removed=list(removed or []))
    _commit(env)
    return instance


def reassign_task(env: Env, actor: User | None, task_id: str, user_id: int | None, reason: str = "") -> HumanTask:
    """Give a claimed task to another eligible person, or release it to the group (user_id None)."""
    _require_admin(actor)
    begin_write(env.session)
    reason = _clean_reason(reason)
    task = env.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound("任务不存在")
    if task.state != TaskState.OPEN:
        raise Conflict("该任务已办理或已失效")
    previous = task.claimed_by_id
    target = None
    if user_id is not None:
        target = env.session.get(User, user_id)
        if target is None or not target.active:
            raise NotFound("人员不存在或已停用")
        if not can_work_task(target, task):
            raise Invalid(f"{target.display_name} 不具备办理“{task.name}”的角色或辖区")
    elif previous is None:
        raise Conflict("该任务未被认领，无需释放")
    task.claimed_by_id, task.claimed_at = (target.id, utcnow()) if target else (None, None)
    instance = env.session.get(ProcessInstance, task.instance_id)
    action = f"将“{task.name}”转交给 {target.display_name}" if target else f"强制释放了“{task.name}”"
    _audit(env, actor, instance, "admin_reassign" if target else "admin_release", action, reason, task.element_id,
           task_id=task.id, claimed_before=previous, claimed_after=task.claimed_by_id)
    _commit(env)
    return task


def bulk_retry(env: Env, actor: User | None, instance_ids: list[int], reason: str = "") -> list[dict]:
    """Retry each selected instance in its own transaction; one failure does not stop the rest."""
    _require_admin(actor)
    results = []
    for instance_id in dict.fromkeys(instance_ids):
        try:
            instance = retry_instance(env, actor, instance_id, reason=reason)
        except (Conflict, NotFound, Invalid) as exc:
            env.session.rollback()
            results.append({"id": instance_id, "ok": False, "message": exc.message})
            continue
        ok = instance.status != InstanceStatus.ERROR
        results.append({"id": instance_id, "ok": ok, "status": instance.status.value,
                        "message": "已恢复运行" if ok else f"重试后仍出错：{instance.error_message}"})
    return results

