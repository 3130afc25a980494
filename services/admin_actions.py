"""Repairs of process instances by admins; each is logged with who and why."""
from __future__ import annotations

from storage.database import begin_write
from storage.models import InstanceStatus, ProcessInstance, User
from storage.repositories import add_event, instance_for_update

from .context import Env
from .errors import Conflict, NotFound


def _locked_instance(env: Env, instance_id: int) -> ProcessInstance:
    begin_write(env.session)
    instance = instance_for_update(env.session, instance_id)
    if instance is None:
        raise NotFound("流程实例不存在")
    return instance


def retry_instance(env: Env, actor: User | None, instance_id: int, element_id: str | None = None,
                   reason: str = "") -> ProcessInstance:
    """Run failed service tasks again (after the cause was fixed)."""
    instance = _locked_instance(env, instance_id)
    if instance.status != InstanceStatus.ERROR:
        raise Conflict("该实例没有出错的任务，无需重试")
    reset: list[str] = []
    actor_id = actor.id if actor else None
    add_event(env.session, "admin_retry", f"{actor.display_name if actor else '运维命令'} 重试失败任务：{reason}",
              instance_id=instance.id, report_id=instance.report_id, element_id=element_id, actor_id=actor_id,
              data={"reason": reason})
    env.store.step(env.session, instance,
                   lambda wf: reset.extend(env.store.runtime.reset_failed(wf, element_id)), actor_id)
    if not reset:
        env.session.rollback()
        raise Conflict("没有找到可重试的失败任务")
    env.session.commit()
    return instance
