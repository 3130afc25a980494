"""Two scheduler processes against one PostgreSQL: 500 due timers fire exactly once, and the outbox
delivers each notice, even when one scheduler is killed (SIGKILL) in the middle of the run."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict, replace

import pytest
from sqlalchemy import create_engine, func, select

from conftest import PROJECT
from services.heartbeat import last_heartbeat
from services.preferences import set_preferences
from services.processes import deploy
from services.reports import ReportInput, submit_report
from storage.models import InstanceEvent, Notification, OutboxMessage, OutboxStatus, ProcessInstance, User
from test_outbox import Hook
from test_scheduler_reminders import diagram_with
from web import create_app
from web.extensions import db

INSTANCES = 500
KILL_AFTER_FIRED = 40  # the first scheduler kills itself mid-step after firing this many instances
SECRET = "two-schedulers"
WORKER = PROJECT / "tests" / "scheduler_worker.py"


def create_due_instances(settings) -> list[int]:
    """500 reports on a diagram whose county reminder (non-interrupting) is due after one second."""
    app = create_app(settings)
    with app.app_context():
        from web import env as make_env

        env = make_env()
        deploy(env, diagram_with(county_reminder="PT1S"))
        county = env.session.scalar(select(User).where(User.username == "county.610113"))
        county.phone = "13900000000"
        env.session.commit()
        set_preferences(env, county, email=False, webhook=True)
        reporter = env.session.scalar(select(User).where(User.username == "reporter.agency"))
        ids = [submit_report(env, reporter, ReportInput(
            kind="risk_hazard", domain="use", equipment_type_code="3110", title=f"压力容器安全附件失效 {i}",
            content="现场检查发现安全阀铅封缺失。")).id for i in range(INSTANCES)]
        db.session.remove()
        db.engine.dispose()
    return ids


def start_worker(settings, tmp_path, name: str, die_after_fired: int | None = None) -> subprocess.Popen:
    config = {"settings": asdict(settings), "lease_seconds": 5, "max_seconds": 120,
              "stop_file": str(tmp_path / "stop"), "go_file": str(tmp_path / "go"), "die_after_fired": die_after_fired}
    with open(tmp_path / f"{name}.log", "w") as out:  # the child keeps its own descriptor
        return subprocess.Popen([sys.executable, str(WORKER), json.dumps(config)], cwd=PROJECT, stdout=out,
                                stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(PROJECT)})


def wait_until_ready(tmp_path, timeout: float = 60) -> None:
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        if all("ready" in (tmp_path / f"{name}.log").read_text() for name in ("a", "b")):
            return
        time.sleep(0.05)
    raise AssertionError("scheduler processes did not start")


def fired_by(tmp_path, name: str) -> int:
    """Timers a worker reports having fired so far (it prints one JSON line per tick)."""
    text = (tmp_path / f"{name}.log").read_text()
    return sum(json.loads(line)["fired"] for line in text.splitlines() if line.startswith("{"))


def progress(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        fired = conn.scalar(select(func.count()).select_from(InstanceEvent).where(InstanceEvent.kind == "timer_fired"))
        sent = conn.scalar(select(func.count()).select_from(OutboxMessage).join(
            Notification, Notification.id == OutboxMessage.notification_id).where(
            OutboxMessage.status == OutboxStatus.SENT, Notification.kind == "reminder"))
    return fired, sent


@pytest.mark.postgres
@pytest.mark.slow
def test_two_schedulers_fire_every_timer_exactly_once_and_survive_a_kill(pg_settings, tmp_path):
    hook = Hook()
    hook.thread.start()
    settings = replace(pg_settings, webhook_url=hook.url, webhook_secret=SECRET)
    workers: list[subprocess.Popen] = []
    engine = None
    try:
        report_ids = create_due_instances(settings)
        time.sleep(1.1)
        engine = create_engine(settings.database_url_sqlalchemy)
        workers += [start_worker(settings, tmp_path, "a", die_after_fired=KILL_AFTER_FIRED),
                    start_worker(settings, tmp_path, "b")]
        first, second = workers
        wait_until_ready(tmp_path)
        (tmp_path / "go").touch()
        deadline = time.monotonic() + 90
        killed_at = None
        while time.monotonic() < deadline:
            fired, sent = progress(engine)
            # The first worker kills itself mid-step after firing KILL_AFTER_FIRED instances (a kill from here
            # could only land after one of its ticks, which on a quiet machine may already be the whole run).
            if killed_at is None and first.poll() is not None:
                killed_at = fired
            if fired >= INSTANCES and sent >= INSTANCES:
                break
            time.sleep(0.2)
        (tmp_path / "stop").touch()
        assert first.wait(timeout=10) == -signal.SIGKILL
        assert second.wait(timeout=30) == 0
        assert killed_at is not None and killed_at < INSTANCES, "the kill happened mid-run"
        log_b = (tmp_path / "b.log").read_text()
        assert "Traceback" not in log_b, log_b[-3000:]
        fired_by_second = fired_by(tmp_path, "b")
        assert 0 < fired_by_second < INSTANCES, "both schedulers fired timers"

        with engine.connect() as conn:
            fired_per_instance = Counter(conn.scalars(select(ProcessInstance.report_id).join(
                InstanceEvent, InstanceEvent.instance_id == ProcessInstance.id).where(
                InstanceEvent.kind == "timer_fired")))
            reminders = Counter(conn.scalars(select(InstanceEvent.report_id).where(InstanceEvent.kind == "reminder")))
            notices = Counter(conn.scalars(select(Notification.report_id).where(Notification.kind == "reminder")))
            # Reminder notices only: the county officers' new-task notices go out through the outbox too.
            outbox = conn.execute(select(OutboxMessage.idempotency_key, OutboxMessage.status).join(
                Notification, Notification.id == OutboxMessage.notification_id).where(
                Notification.kind == "reminder")).all()
        assert set(fired_per_instance) == set(report_ids)
        assert set(fired_per_instance.values()) == {1}, "every timer fired exactly once"
        assert set(reminders) == set(report_ids) and set(reminders.values()) == {1}
        assert set(notices) == set(report_ids) and set(notices.values()) == {1}
        assert len(outbox) == INSTANCES and {status for _, status in outbox} == {OutboxStatus.SENT}

        received = Counter(headers["idempotency-key"] for headers, _ in hook.requests)
        reminder_keys = {key for key, _ in outbox}
        assert reminder_keys <= set(received), "no notice lost"
        # At-least-once: only a request in flight when the scheduler was killed may be repeated.
        assert sum(received.values()) - len(received) <= 1

        with create_app(settings).app_context():
            beat = last_heartbeat(db.session)
            assert beat is not None and beat.pid == second.pid
            db.session.remove()
            db.engine.dispose()
        engine.dispose()
    finally:
        if engine is not None:  # also when a check failed: a leaked connection would fail the next test
            engine.dispose()
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        hook.server.shutdown()
        hook.server.server_close()
