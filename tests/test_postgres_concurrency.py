"""Row locking on PostgreSQL: two people completing the same task at the same moment, 100 times."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from storage.models import HumanTask, InstanceEvent, ProcessInstance, Report, TaskState
from web import create_app
from web.extensions import db

from conftest import PASSWORD

pytestmark = pytest.mark.postgres

ROUNDS = 100
ESCALATE = {"decision": "escalate", "measures": "现场核查", "risk_level": "major", "quality_score": 5}
RESOLVE = {"decision": "resolve", "measures": "现场督促整改", "risk_level": "general", "quality_score": 4}
REPORT = {"kind": "risk_hazard", "domain": "use", "equipment_type_code": "3110", "content": "层门门锁回路被短接。"}


def token(client, username):
    res = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert res.status_code == 200, res.get_json()
    return {"Authorization": f"Bearer {res.get_json()['token']}"}


@pytest.fixture
def pg_app(pg_settings):
    app = create_app(pg_settings)
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def submit_reports(app, count: int) -> list[tuple[int, str]]:
    """(report id, open county task id) for `count` new reports."""
    client = app.test_client()
    auth = token(client, "reporter.agency")
    ids = []
    for i in range(count):
        res = client.post("/api/v1/reports", json={**REPORT, "title": f"并发测试 {i}"}, headers=auth)
        assert res.status_code == 201, res.get_json()
        ids.append(res.get_json()["id"])
    with app.app_context():
        rows = db.session.execute(select(HumanTask.report_id, HumanTask.id).where(
            HumanTask.report_id.in_(ids), HumanTask.element_id == "county_disposal")).all()
    tasks = dict(rows)
    assert len(tasks) == count
    return [(rid, tasks[rid]) for rid in ids]


def test_two_threads_complete_the_same_task_exactly_one_wins(pg_app, pg_settings):
    started = time.monotonic()
    work = submit_reports(pg_app, ROUNDS)
    clients = [pg_app.test_client(), pg_app.test_client()]
    headers = [token(clients[0], "county.610113"), token(clients[1], "county.610113")]
    payloads = [ESCALATE, RESOLVE]
    barrier = threading.Barrier(2, timeout=30)
    results: list[list] = [[None] * ROUNDS, [None] * ROUNDS]
    failures: list[BaseException] = []

    def worker(n: int):
        try:
            for i, (_, task_id) in enumerate(work):
                barrier.wait()
                res = clients[n].post(f"/api/v1/tasks/{task_id}/complete", json={"data": payloads[n]},
                                      headers=headers[n])
                results[n][i] = (res.status_code, res.get_json())
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=worker, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not failures, failures
    assert not any(t.is_alive() for t in threads)

    winners = []
    for i in range(ROUNDS):
        statuses = sorted(r[i][0] for r in results)
        assert statuses == [200, 409], (i, results[0][i], results[1][i])
        loser = next(r[i][1] for r in results if r[i][0] == 409)
        assert loser["error"]["code"] == "conflict" and loser["error"]["message"]
        winners.append(0 if results[0][i][0] == 200 else 1)
    # both threads won some rounds, or the race was not a race
    assert 0 < sum(winners) < ROUNDS or ROUNDS < 10, "one thread won every round: requests did not overlap"

    verify_instances(pg_app, work, winners)
    assert time.monotonic() - started < 90


def verify_instances(app, work, winners):
    """Every instance restores from its stored blob and has exactly the winner's outcome."""
    store = app.extensions["riskmon.store"]
    store.live.clear()
    with app.app_context():
        for (rid, task_id), winner in zip(work, winners):
            instance = db.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == rid))
            workflow = store.serializer.loads(instance.workflow_state,
                                              store.bundle_for(db.session, instance.process_version_id))
            snap = store.runtime.snapshot(workflow)
            open_rows = db.session.scalars(select(HumanTask).where(
                HumanTask.report_id == rid, HumanTask.state == TaskState.OPEN)).all()
            assert sorted(t.id for t in snap.open_tasks) == sorted(r.id for r in open_rows)
            assert snap.error_elements == [] and instance.error_element is None
            report = db.session.get(Report, rid)
            if winner == 0:  # escalate won
                assert [t.element_id for t in snap.open_tasks] == ["city_assessment"]
                assert instance.status.value == "user_input_required" and report.status.value == "processing"
                assert report.risk_level.value == "major"
            else:
                assert snap.open_tasks == [] and workflow.is_completed()
                assert instance.status.value == "completed" and report.status.value == "closed"
                assert report.risk_level.value == "general"
            assert db.session.get(HumanTask, task_id).state == TaskState.COMPLETED
            completed_events = db.session.scalar(select(func.count()).select_from(InstanceEvent).where(
                InstanceEvent.report_id == rid, InstanceEvent.kind == "task_completed"))
            assert completed_events == 1
            assert instance.lock_version == 3  # created, saved by start, saved by exactly one completion


def test_concurrent_submissions_get_distinct_tracking_numbers(pg_app):
    results, failures = [], []
    barrier = threading.Barrier(4, timeout=30)

    def worker():
        try:
            client = pg_app.test_client()
            auth = token(client, "reporter.agency")
            barrier.wait()
            for _ in range(5):
                res = client.post("/api/v1/reports", json=REPORT, headers=auth)
                assert res.status_code == 201, res.get_json()
                results.append(res.get_json()["tracking_no"])
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failures, failures
    assert len(results) == 20 and len(set(results)) == 20
    numbers = sorted(int(n.rsplit("-", 1)[1]) for n in results)
    assert numbers == list(range(numbers[0], numbers[0] + 20))  # gap-free
