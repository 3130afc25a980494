"""Fault injection on PostgreSQL: a second connection terminates the application's backends
(pg_terminate_backend) while 100 submissions and completions run. Every failed request must be a 503
with Retry-After, every 200/201 must be persisted, and nothing may be half done: no instance in `error`,
no report without its instance, read models that match the stored workflow.
"""
from __future__ import annotations

import random
import threading
from collections import Counter

import pytest
from sqlalchemy import create_engine, func, select, text

from storage.models import HumanTask, InstanceEvent, ProcessInstance, Report, TaskState
from web.extensions import db

from conftest import PASSWORD

pytestmark = pytest.mark.postgres

OPERATIONS = 100
RESOLVE = {"decision": "resolve", "measures": "现场督促整改", "risk_level": "general", "quality_score": 4}
REPORT = {"kind": "risk_hazard", "domain": "use", "equipment_type_code": "3110", "content": "层门门锁回路被短接。"}


def token(client, username):
    res = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert res.status_code == 200, res.get_json()
    return {"Authorization": f"Bearer {res.get_json()['token']}"}


class Killer:
    """From its own connection, terminates every other backend of the test database at a chosen moment."""

    def __init__(self, url: str):
        self.engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        self.conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self.rng = random.Random(11)
        self.killed = 0
        self.timers: list[threading.Timer] = []

    def kill(self) -> None:
        self.killed += self.conn.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar() or 0

    def arm(self) -> None:
        """Half of the requests get a kill at a random moment of their first 150 ms."""
        if self.rng.random() < 0.5:
            timer = threading.Timer(self.rng.uniform(0.0, 0.15), self.kill)
            timer.start()
            self.timers.append(timer)

    def disarm(self) -> None:
        for timer in self.timers:
            timer.join(10)
        self.timers.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.disarm()
        self.conn.close()
        self.engine.dispose()


def open_county_task(app, report_id):
    with app.app_context():
        try:
            return db.session.scalar(select(HumanTask.id).where(
                HumanTask.report_id == report_id, HumanTask.element_id == "county_disposal",
                HumanTask.state == TaskState.OPEN))
        finally:
            db.session.remove()


def run_operations(app, client, reporter, county, killer):
    """Alternate submissions and completions of earlier reports; returns what each request answered."""
    outcomes, submitted = [], []
    for i in range(OPERATIONS):
        pending = [rid for rid in submitted if rid not in {o[2] for o in outcomes if o[0] == "complete" and o[1] == 200}]
        if i % 2 and pending:
            rid = pending[0]
            task_id = open_county_task_retrying(app, rid)
            killer.arm()
            res = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": RESOLVE}, headers=county)
            outcomes.append(("complete", res.status_code, rid, res))
        else:
            killer.arm()
            res = client.post("/api/v1/reports", json={**REPORT, "title": f"故障注入 {i}"}, headers=reporter)
            rid = res.get_json().get("id") if res.status_code == 201 else None
            if rid:
                submitted.append(rid)
            outcomes.append(("submit", res.status_code, rid, res))
        killer.disarm()  # the next request starts on its own
    return outcomes


def open_county_task_retrying(app, rid):
    for _ in range(20):
        try:
            return open_county_task(app, rid)
        except Exception:  # noqa: BLE001 - the test's own read was killed too; read again
            continue
    raise AssertionError("could not read the task")


def test_terminated_backends_answer_503_and_leave_nothing_half_done(pg_app, pg_settings):
    client = pg_app.test_client()
    reporter, county = token(client, "reporter.agency"), token(client, "county.610113")
    with Killer(pg_settings.database_url) as killer:
        outcomes = run_operations(pg_app, client, reporter, county, killer)
    assert killer.killed > 0
    for kind, status, rid, res in outcomes:
        assert status in (200, 201, 409, 503), (kind, status, res.get_data(as_text=True))
        if status == 503:
            assert res.headers.get("Retry-After") and res.get_json()["error"]["code"] == "database_unavailable"
    verify(pg_app, outcomes)
    print("statuses:", sorted(Counter(o[1] for o in outcomes).items()), "backends killed:", killer.killed)
    assert any(o[1] == 503 for o in outcomes), "no request was hit: the fault injection did not bite"
    assert any(o[1] in (200, 201) for o in outcomes)


def verify(app, outcomes):
    store = app.extensions["riskmon.store"]
    store.live.clear()
    with app.app_context():
        created = {rid for kind, status, rid, _ in outcomes if kind == "submit" and status == 201}
        completed = {rid for kind, status, rid, _ in outcomes if kind == "complete" and status == 200}
        reports = set(db.session.scalars(select(Report.id)))
        assert created <= reports  # every 201 is persisted
        for rid in reports:
            instance = db.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == rid))
            assert instance is not None, f"report {rid} without its instance"
            assert instance.status.value != "error" and instance.error_element is None, instance.error_message
            workflow = store.serializer.loads(instance.workflow_state,
                                              store.bundle_for(db.session, instance.process_version_id))
            snap = store.runtime.snapshot(workflow)
            open_rows = db.session.scalars(select(HumanTask.id).where(
                HumanTask.report_id == rid, HumanTask.state == TaskState.OPEN)).all()
            assert sorted(t.id for t in snap.open_tasks) == sorted(open_rows)
            done = db.session.scalar(select(func.count()).select_from(InstanceEvent).where(
                InstanceEvent.report_id == rid, InstanceEvent.kind == "task_completed"))
            if rid in completed:  # every 200 is persisted
                assert workflow.is_completed() and instance.status.value == "completed" and done == 1
            assert done == (1 if workflow.is_completed() else 0)
            assert db.session.get(Report, rid).tracking_no


def test_real_statement_timeout_inside_a_handler_is_503_not_a_stored_error(pg_app, monkeypatch):
    """The connection survives (the savepoint rolls back), so without care the error would be stored as an
    incident at register_report while the client got 201."""
    store = pg_app.extensions["riskmon.store"]
    real = store.handlers["register_report"]
    calls = []

    def flaky(ctx, **params):
        calls.append(1)
        if len(calls) % 2:
            ctx.session.execute(text("SET LOCAL statement_timeout = '1ms'"))
            ctx.session.execute(text("SELECT pg_sleep(0.2)"))  # QueryCanceled: a transient OperationalError
        return real(ctx, **params)

    monkeypatch.setitem(store.handlers, "register_report", flaky)
    client = pg_app.test_client()
    reporter = token(client, "reporter.agency")
    statuses = []
    for i in range(10):
        res = client.post("/api/v1/reports", json={**REPORT, "title": f"超时 {i}"}, headers=reporter)
        statuses.append(res.status_code)
        if res.status_code == 503:
            assert res.headers["Retry-After"]
    assert statuses == [503, 201] * 5
    verify(pg_app, [])  # no report in `error`, none half done
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Report)) == 5
        db.session.remove()
