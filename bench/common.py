"""Shared set-up for the benchmarks: a seeded SQLite installation in a temporary folder."""
from __future__ import annotations

import platform
import statistics
import tempfile
import time
from pathlib import Path

from tests.escalation_path import ESCALATION_PATH

ROOT = Path(__file__).resolve().parent.parent

# The escalation path is the tests' own (one definition); bench scripts put ROOT on sys.path before this import.
COUNTY_PATH = ESCALATION_PATH


def make_app(tmp: Path | None = None):
    """A migrated, seeded (no demo reports) app on a fresh SQLite file."""
    from services.demo import seed_demo
    from services.settings import Settings
    from web import create_app, env
    from web.cli import init_database
    from web.extensions import db

    tmp = tmp or Path(tempfile.mkdtemp(prefix="riskmon-bench-"))
    settings = Settings(database_url=f"sqlite:///{tmp}/bench.db", secret_key="bench", upload_dir=str(tmp / "up"),
                        process_dir=str(ROOT / "processes"))
    app = create_app(settings)
    with app.app_context():
        init_database()
        db.create_all()
        seed_demo(env(), with_reports=False)
        db.session.remove()
    return app, tmp


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def p95_ms(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000


def timed(func, *args):
    start = time.perf_counter()
    result = func(*args)
    return time.perf_counter() - start, result


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os
    return f"{platform.python_implementation()} {platform.python_version()}, {cpu}, {os.cpu_count()} cores"


def waiting_instance_template(app):
    """One real waiting instance (report, instance, open task, events) to copy."""
    from sqlalchemy import select

    from services.reports import ReportInput, submit_report
    from storage.models import HumanTask, InstanceEvent, ProcessInstance, Report, User
    from web import env

    with app.app_context():
        e = env()
        user = e.session.scalar(select(User).where(User.username == "reporter.agency"))
        report = submit_report(e, user, ReportInput(kind="risk_hazard", domain="use", equipment_type_code="3110",
                                                    content="电梯层门门锁回路被短接，轿厢在层门未关闭时仍能启动。"))
        inst = e.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == report.id))
        task = e.session.scalar(select(HumanTask).where(HumanTask.report_id == report.id))
        events = list(e.session.scalars(select(InstanceEvent).where(InstanceEvent.report_id == report.id)))
        return ({c.key: getattr(report, c.key) for c in Report.__table__.columns},
                {c.key: getattr(inst, c.key) for c in ProcessInstance.__table__.columns},
                {c.key: getattr(task, c.key) for c in HumanTask.__table__.columns},
                [{c.key: getattr(ev, c.key) for c in InstanceEvent.__table__.columns if c.key != "id"}
                 for ev in events])
