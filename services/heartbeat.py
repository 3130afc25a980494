"""Scheduler heartbeats: each scheduler process writes its row; `/healthz` reads the newest."""
from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.database import begin_write
from storage.models import SchedulerHeartbeat, utcnow

from .context import Env

FORGET_AFTER = timedelta(days=1)
_started: dict[int, datetime] = {}


def process_name() -> str:
    """`scheduler@host:pid` — one row per scheduler process."""
    return f"scheduler@{socket.gethostname()}:{os.getpid()}"


def beat(env: Env, now: datetime | None = None) -> SchedulerHeartbeat:
    """Record that this scheduler is alive; rows of processes silent for a day are removed."""
    now = now or utcnow()
    pid = os.getpid()
    begin_write(env.session)
    row = env.session.get(SchedulerHeartbeat, process_name())
    if row is None:
        row = SchedulerHeartbeat(name=process_name(), host=socket.gethostname()[:128], pid=pid,
                                 started_at=_started.setdefault(pid, now))
        env.session.add(row)
    row.beat_at = now
    env.session.execute(delete(SchedulerHeartbeat).where(SchedulerHeartbeat.beat_at < now - FORGET_AFTER))
    env.session.commit()
    return row


def last_heartbeat(session: Session) -> SchedulerHeartbeat | None:
    """The most recent heartbeat of any scheduler, or None if none ever ran."""
    return session.scalar(select(SchedulerHeartbeat).order_by(SchedulerHeartbeat.beat_at.desc()).limit(1))


def is_alive(session: Session, now: datetime, max_age: timedelta) -> bool:
    """True when some scheduler beat within `max_age`."""
    row = last_heartbeat(session)
    return row is not None and now - row.beat_at <= max_age
