"""(a) bare SpiffWorkflow in-memory lifecycle of risk_disposal vs (b) the same path through our services
on SQLite; prints both medians and the ratio b/a (target ≤ 3)."""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import COUNTY_PATH, ROOT, machine, make_app, median_ms  # noqa: E402

ROUNDS = 60


def bare_lifecycle(bundle) -> None:
    """Parse once (outside), then create → every task → end, in memory, no persistence."""
    from SpiffWorkflow.task import TaskState

    from engine.runtime import Runtime

    runtime = Runtime()

    def call_topic(task, topic, params):
        if topic == "register_report":
            task.data.update({"entry_tier": "county", "is_enterprise": False})

    workflow = runtime.create(bundle, {"report_id": 1})
    runtime.run(workflow, call_topic)
    for _, element, data in COUNTY_PATH:
        task = next(t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.bpmn_id == element)
        runtime.complete_user_task(workflow, str(task.id), data)
        runtime.run(workflow, call_topic)
    assert workflow.is_completed()


def service_lifecycle(app) -> None:
    """Submit and complete every task through services/, each step its own committed transaction."""
    from sqlalchemy import select

    from services.reports import ReportInput, submit_report
    from services.tasks import complete_task
    from storage.models import HumanTask, TaskState, User
    from web import env
    from web.extensions import db

    with app.app_context():
        e = env()
        users = {u.username: u for u in e.session.scalars(select(User))}
        report = submit_report(e, users["reporter.agency"], ReportInput(
            kind="risk_hazard", domain="use", equipment_type_code="3110", content="电梯层门门锁回路被短接。"))
        rid = report.id
        for username, element, data in COUNTY_PATH:
            task_id = e.session.scalar(select(HumanTask.id).where(
                HumanTask.report_id == rid, HumanTask.element_id == element, HumanTask.state == TaskState.OPEN))
            complete_task(e, users[username], task_id, data)
        db.session.remove()


def main() -> dict:
    from engine.specs import parse_bundle

    xml = (ROOT / "processes" / "risk_disposal.bpmn").read_text(encoding="utf-8")
    start = time.perf_counter()
    bundle = parse_bundle(xml)
    parse_ms = (time.perf_counter() - start) * 1000
    app, _ = make_app()
    for _ in range(5):
        bare_lifecycle(bundle)
        service_lifecycle(app)
    bare, ours, bare_cpu, ours_cpu = [], [], [], []
    for _ in range(ROUNDS):
        t, c = time.perf_counter(), time.process_time()
        bare_lifecycle(bundle)
        bare.append(time.perf_counter() - t)
        bare_cpu.append(time.process_time() - c)
        t, c = time.perf_counter(), time.process_time()
        service_lifecycle(app)
        ours.append(time.perf_counter() - t)
        ours_cpu.append(time.process_time() - c)
    a, b = median_ms(bare), median_ms(ours)
    a_cpu, b_cpu = median_ms(bare_cpu), median_ms(ours_cpu)
    print(f"machine: {machine()}")
    print(f"parse + build spec once: {parse_ms:.1f} ms")
    print(f"(a) bare SpiffWorkflow lifecycle, 6 user tasks, in memory: median {a:.2f} ms")
    print(f"(b) same lifecycle through services on SQLite (7 commits): median {b:.2f} ms")
    print(f"ratio b/a = {b / a:.2f} (target <= 3)")
    print(f"CPU time of this process (steadier on a shared machine): a {a_cpu:.2f} ms, b {b_cpu:.2f} ms, "
          f"ratio {b_cpu / a_cpu:.2f}")
    return {"parse_ms": parse_ms, "bare_ms": a, "services_ms": b, "ratio": b / a}


if __name__ == "__main__":
    main()
