"""The scheduler's job list and the heartbeat that feeds /healthz."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.heartbeat import beat, is_alive, last_heartbeat
from storage.models import utcnow
from web.scheduling import build_scheduler


def test_scheduler_runs_timers_outbox_heartbeat_and_calendar_refresh(app):
    scheduler = build_scheduler(app)
    ids = {job.id for job in scheduler.get_jobs()}
    assert {"fire_due_timers", "deliver_outbox", "fold_statistics", "heartbeat", "refresh_calendar"} <= ids


def test_heartbeat_beats_when_the_scheduler_starts_not_one_interval_later(app):
    scheduler = build_scheduler(app)
    scheduler.start(paused=True)
    try:
        first = {job.id: job.next_run_time for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)
    now = datetime.now(timezone.utc)
    assert first["heartbeat"] <= now  # due at once
    assert first["deliver_outbox"] > now  # the other jobs keep their interval


def test_heartbeat_row_is_written_and_read(env):
    assert last_heartbeat(env.session) is None
    now = utcnow()
    beat(env, now - timedelta(days=2))
    beat(env, now)  # the same process updates its own row
    row = last_heartbeat(env.session)
    assert row.beat_at == now and row.name.startswith("scheduler@")
    assert is_alive(env.session, now + timedelta(seconds=30), timedelta(minutes=1))
    assert not is_alive(env.session, now + timedelta(minutes=5), timedelta(minutes=1))
