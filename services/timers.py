"""Firing due timers: each due instance is claimed with a conditional update, then stepped."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update

from storage.database import begin_write
from storage.models import InstanceStatus, ProcessInstance, utcnow
from storage.repositories import instance_for_update

from .context import Env

log = logging.getLogger(__name__)
ACTIVE = (InstanceStatus.WAITING, InstanceStatus.USER_INPUT_REQUIRED, InstanceStatus.ERROR,
          InstanceStatus.RUNNING)


def due_instance_ids(env: Env, now: datetime, limit: int = 200) -> list[int]:
    """Instances whose earliest timer is due."""
    stmt = (select(ProcessInstance.id).where(ProcessInstance.status.in_(ACTIVE),
                                             ProcessInstance.next_timer_at <= now)
            .order_by(ProcessInstance.next_timer_at).limit(limit))
    ids = list(env.session.scalars(stmt))
    env.session.rollback()
    return ids


def fire_instance_timers(env: Env, instance_id: int, now: datetime) -> bool:
    """Claim one due instance and fire its timers; False when another scheduler got there first."""
    begin_write(env.session)
    claimed = env.session.execute(
        update(ProcessInstance)
        .where(ProcessInstance.id == instance_id, ProcessInstance.next_timer_at <= now,
               ProcessInstance.status.in_(ACTIVE))
        .values(next_timer_at=None)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        env.session.rollback()
        return False
    instance = instance_for_update(env.session, instance_id)
    env.session.refresh(instance)
    env.store.step(env.session, instance, lambda wf: None)
    env.session.commit()
    return True


def fire_due_timers(env: Env, now: datetime | None = None) -> int:
    """One scheduler tick: fire every due instance; returns how many this process fired."""
    now = now or utcnow()
    fired = 0
    for instance_id in due_instance_ids(env, now):
        try:
            fired += fire_instance_timers(env, instance_id, now)
        except Exception:  # noqa: BLE001 - one bad instance must not stop the others
            env.session.rollback()
            log.exception("firing timers of instance %s failed", instance_id)
    return fired
