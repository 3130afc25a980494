"""(a) bare SpiffWorkflow in-memory lifecycle vs (b) the same path through our services on SQLite, for the
shipped diagram and for a 3-user-task chain; prints wall and CPU medians, their ratios b/a (targets: shipped
≤ 3× CPU, 3 tasks ≤ 8× CPU), and the SQL statements and commits per step (SQLAlchemy engine events)."""
from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import COUNTY_PATH, ROOT, machine, make_app, median_ms  # noqa: E402

ROUNDS = 40

THREE_TASK_PATH = [
    ("county.610113", "county_disposal", {"measures": "现场核查"}),
    ("city.610100", "city_assessment", {"assessment_opinion": "同意"}),
    ("province", "province_verification", {"verification_opinion": "同意"}),
]


@dataclass
class Scenario:
    """A diagram, the tables it calls and the path of (username, element, form data) through it."""

    name: str
    xml: str
    decisions: list[str]
    path: list[tuple[str, str, dict]]


def scenarios() -> list[Scenario]:
    """The shipped diagram (6 user tasks on this path) and the 3-user-task chain."""
    from services.processes import tables_beside

    shipped = (ROOT / "processes" / "risk_disposal.bpmn").read_text(encoding="utf-8")
    three = (ROOT / "bench" / "three_tasks.bpmn").read_text(encoding="utf-8")
    return [Scenario("shipped diagram (9 user tasks on the escalation path)", shipped, tables_beside(shipped, ROOT / "processes"), COUNTY_PATH),
            Scenario("3-user-task chain", three, [], THREE_TASK_PATH)]


def bare_lifecycle(runtime, bundle, path) -> None:
    """Parse once (outside), then create → every task → end, in memory, no persistence (the app's runtime:
    same expression functions, so due dates in working days are computed as in (b))."""
    from SpiffWorkflow.task import TaskState

    def call_topic(task, topic, params):
        if topic == "register_report":
            task.data.update({"entry_tier": "county", "is_enterprise": False, "point_tier": "county",
                              "report_kind": "risk_hazard", "domain": "use", "equipment_category": "3000"})
        elif topic == "prepare_panel":
            task.data.update({"center_panel": ["center"], "center_lead": "center"})

    workflow = runtime.create(bundle, {"report_id": 1})
    assert not runtime.run(workflow, call_topic)
    for _, element, data in path:
        task = next(t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.bpmn_id == element)
        runtime.complete_user_task(workflow, str(task.id), data)
        assert not runtime.run(workflow, call_topic)
    assert workflow.is_completed()


def service_lifecycle(app, users, path, counter=None) -> tuple[float, float]:
    """Submit and complete every task through services/, each step its own committed transaction in a session
    of its own (as each API request has). Like the API's hot endpoints, a step's transaction begins with the write lock before anything is read. Returns the
    (wall, CPU) seconds spent inside `submit_report` and `complete_task` (with the merge of the signed-in
    account into the session, as a request does): the bench's own look-up of the task id, the app context and
    the final check are neither timed nor counted."""
    from sqlalchemy import select

    from services.reports import ReportInput, submit_report
    from services.tasks import complete_task
    from storage.database import begin_write
    from storage.models import HumanTask, Report, ReportStatus, TaskState
    from web import env
    from web.extensions import db

    counter = counter or SqlCounter.idle()
    with app.app_context():
        e = env()
        with counter:
            report = submit_report(e, e.session.merge(users["reporter.agency"], load=False), ReportInput(
                kind="risk_hazard", domain="use", equipment_type_code="3110", content="电梯层门门锁回路被短接。"))
        rid = report.id
        db.session.remove()
    for username, element, data in path:
        with app.app_context():  # each step is a request of its own, with its own session
            e = env()
            begin_write(e.session)
            task_id = e.session.scalar(select(HumanTask.id).where(
                HumanTask.report_id == rid, HumanTask.element_id == element, HumanTask.state == TaskState.OPEN))
            with counter:
                complete_task(e, e.session.merge(users[username], load=False), task_id, data)
            db.session.remove()
    with app.app_context():
        assert env().session.get(Report, rid).status == ReportStatus.CLOSED
        db.session.remove()
    return counter.wall, counter.cpu


def load_users(app) -> dict:
    """Every seeded account with its roles loaded, detached (what a request has in hand after sign-in)."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from storage.models import User
    from web import env
    from web.extensions import db

    with app.app_context():
        users = {u.username: u for u in env().session.scalars(select(User).options(selectinload("*")))}
        db.session.expunge_all()
        db.session.remove()
    return users


class SqlCounter:
    """Counts statements sent to the database and commits inside `with counter:` (SQLAlchemy engine events;
    the prepared statements of storage/prepared.py call the same listeners), and the time spent inside."""

    def __init__(self, engine=None):
        from sqlalchemy import event

        self.statements = self.commits = 0
        self.wall = self.cpu = 0.0
        self.active = False
        if engine is not None:
            event.listen(engine, "before_cursor_execute", self._statement)
            event.listen(engine, "commit", self._commit)

    @classmethod
    def idle(cls) -> SqlCounter:
        """A counter listening to nothing."""
        return cls()

    def __enter__(self):
        self.active = True
        self._started = (time.perf_counter(), time.process_time())

    def __exit__(self, *_exc):
        self.active = False
        self.wall += time.perf_counter() - self._started[0]
        self.cpu += time.process_time() - self._started[1]

    def _statement(self, *_args):
        if self.active:
            self.statements += 1

    def _commit(self, *_args):
        if self.active:
            self.commits += 1


def prepare(scenario: Scenario):
    """A seeded app whose published diagram is the scenario's, and the parsed bundle for the floor."""
    from engine.specs import parse_bundle
    from services.processes import deploy
    from web import env
    from web.extensions import db

    app, _ = make_app()
    with app.app_context():
        deploy(env(), scenario.xml, note="bench", decisions=scenario.decisions)
        db.session.remove()
        runtime = app.extensions["riskmon.store"].runtime
    return app, runtime, parse_bundle(scenario.xml, decisions=scenario.decisions)


def measure(scenario: Scenario, rounds: int) -> dict:
    """Interleaved rounds of (a) and (b); medians of wall and process CPU time; statements per step."""
    from web.extensions import db

    app, runtime, bundle = prepare(scenario)
    users = load_users(app)
    for _ in range(5):
        bare_lifecycle(runtime, bundle, scenario.path)
        service_lifecycle(app, users, scenario.path)
    with app.app_context():
        counter = SqlCounter(db.engine)
    service_lifecycle(app, users, scenario.path, counter)
    bare, ours, bare_cpu, ours_cpu = [], [], [], []
    for _ in range(rounds):
        t, c = time.perf_counter(), time.process_time()
        bare_lifecycle(runtime, bundle, scenario.path)
        bare.append(time.perf_counter() - t)
        bare_cpu.append(time.process_time() - c)
        wall, cpu = service_lifecycle(app, users, scenario.path)
        ours.append(wall)
        ours_cpu.append(cpu)
    steps = len(scenario.path) + 1
    return {"name": scenario.name, "steps": steps, "bare_ms": median_ms(bare), "ours_ms": median_ms(ours),
            "bare_cpu_ms": median_ms(bare_cpu), "ours_cpu_ms": median_ms(ours_cpu),
            "statements_per_step": counter.statements / steps, "commits_per_step": counter.commits / steps}


def report(result: dict) -> None:
    """Print one scenario's figures."""
    r = result
    print(f"\n== {r['name']}: {r['steps']} steps (submit + {r['steps'] - 1} completions) ==")
    print(f"(a) bare SpiffWorkflow, in memory: wall {r['bare_ms']:.2f} ms, CPU {r['bare_cpu_ms']:.2f} ms")
    print(f"(b) through services on SQLite:     wall {r['ours_ms']:.2f} ms, CPU {r['ours_cpu_ms']:.2f} ms")
    print(f"ratio b/a: wall {r['ours_ms'] / r['bare_ms']:.2f}x, CPU {r['ours_cpu_ms'] / r['bare_cpu_ms']:.2f}x")
    print(f"per step: {r['statements_per_step']:.1f} SQL statements, {r['commits_per_step']:.2f} commits")


def main(argv: list[str] | None = None) -> list[dict]:
    """Run both scenarios and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average: "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results = []
    for scenario in scenarios():
        results.append(measure(scenario, args.rounds))
        report(results[-1])
    return results


if __name__ == "__main__":
    main()
