"""APScheduler 3 wiring: one scheduler process in production, in-process for the embedded default."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
import signal
import threading

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from services.calendar import RECOMPUTE_SECONDS, recompute_deadlines_job
from services.heartbeat import beat
from services.outbox import deliver_outbox
from services.stats_rollup import fold_statistics
from services.stuck_alerts import alert_stuck_instances
from services.timers import fire_due_timers

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 15  # well inside the 60 s after which /healthz reports the scheduler stale
STUCK_ALERT_SECONDS = 300  # stuck causes are slow to appear; five minutes is soon enough for admins


def _job(app: Flask, func):
    def run():
        with app.app_context():
            from . import env
            try:
                func(env())
            finally:
                from .extensions import db
                db.session.remove()
    run.__name__ = func.__name__
    return run


def build_scheduler(app: Flask) -> BackgroundScheduler:
    """A scheduler with the platform's jobs (timers; more are added by their features)."""
    settings = app.extensions["riskmon.settings"]
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    scheduler.add_job(_job(app, fire_due_timers), "interval", seconds=settings.scheduler_poll_seconds,
                      id="fire_due_timers")
    for job_id, func, seconds in _platform_jobs(app) + list(app.extensions.get("riskmon.jobs", [])):
        # The heartbeat beats at start, not one interval later: /healthz and the admins see a new scheduler at once.
        first = {"next_run_time": datetime.now(timezone.utc)} if job_id == "heartbeat" else {}
        scheduler.add_job(_job(app, func), "interval", seconds=seconds, id=job_id, **first)
    return scheduler


def _platform_jobs(app: Flask) -> list:
    """Outbox delivery, statistics roll-ups, heartbeat, calendar refresh, deadlines after a calendar change
    (batches for up to 20 s per run), and stuck detection (admins alerted
    in-app)."""
    settings = app.extensions["riskmon.settings"]
    return [("deliver_outbox", deliver_outbox, settings.scheduler_poll_seconds),
            ("fold_statistics", fold_statistics, settings.scheduler_poll_seconds),
            ("heartbeat", beat, HEARTBEAT_SECONDS),
            ("refresh_calendar", app.extensions["riskmon.calendar"].refresh, 300),
            ("recompute_deadlines", recompute_deadlines_job, RECOMPUTE_SECONDS),
            ("detect_stuck_instances", alert_stuck_instances, STUCK_ALERT_SECONDS)]


def start_scheduler(app: Flask) -> BackgroundScheduler:
    """Start jobs in this process (embedded default)."""
    scheduler = build_scheduler(app)
    scheduler.start()
    app.extensions["riskmon.scheduler"] = scheduler
    return scheduler


def run_scheduler_forever(app: Flask) -> None:
    """`riskmon scheduler`: run the jobs until SIGTERM/SIGINT."""
    stop = threading.Event()
    scheduler = build_scheduler(app)
    scheduler.start()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    log.info("scheduler started")
    stop.wait()
    scheduler.shutdown(wait=True)
