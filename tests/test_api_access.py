"""Jurisdiction and task conflicts through the API: who sees and works what, and double completion."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import HumanTask, TaskState
from web.extensions import db

COUNTY_RESOLVE = {"decision": "resolve", "measures": "现场督促整改", "risk_level": "general", "quality_score": 4}
DIRECTOR = {"handling_arrangement": "停梯检修", "responsible_person": "张三", "handling_deadline": "2026-12-01"}


def task_ids(api, user, **query):
    path = "/tasks?per_page=100" + "".join(f"&{k}={v}" for k, v in query.items())
    res = api.get(path, user)
    assert res.status_code == 200, res.get_json()
    return {t["id"]: t for t in res.get_json()["items"]}


def assert_error(res, status, code=None):
    assert res.status_code == status, (res.status_code, res.get_data(as_text=True))
    body = res.get_json()
    assert set(body["error"]) >= {"code", "message"}
    if code:
        assert body["error"]["code"] == code
    return body["error"]


@pytest.fixture
def second_county_officer(app):
    from services.demo import create_user

    with app.app_context():
        create_user(db.session, "county2.610113", "雁塔区局监管员二", ["county_officer"], "610113")
        db.session.commit()
    return "county2.610113"


def test_other_county_never_sees_nor_completes_the_task(api):
    rid = api.submit("reporter.agency")["id"]
    task = api.task("county.610113", rid, "county_disposal")
    assert task["id"] not in task_ids(api, "county.610112")
    assert task_ids(api, "county.610112", report_id=rid) == {}
    for other in ("county.610112", "reporter.agency", "director.unit", "center"):
        assert_error(api.post(f"/tasks/{task['id']}/complete", other, json={"data": COUNTY_RESOLVE}), 403, "forbidden")
    assert_error(api.get(f"/tasks/{task['id']}", "county.610112"), 403)
    assert_error(api.post(f"/tasks/{task['id']}/claim", "county.610112"), 403)
    # the rightful officer still has it, untouched
    assert task["id"] in task_ids(api, "county.610113")
    api.complete("county.610113", rid, "county_disposal", COUNTY_RESOLVE)


def test_city_officer_does_not_see_county_tasks(api):
    rid = api.submit("reporter.agency")["id"]
    assert task_ids(api, "city.610100", report_id=rid) == {}
    assert task_ids(api, "province", report_id=rid) == {}


def test_reporter_sees_only_own_reports(api):
    mine = api.submit("reporter.agency")["id"]
    theirs = api.submit("reporter.unit")["id"]
    listed = {r["id"] for r in api.get("/reports?per_page=100", "reporter.agency").get_json()["items"]}
    assert mine in listed and theirs not in listed
    listed_unit = {r["id"] for r in api.get("/reports?per_page=100", "reporter.unit").get_json()["items"]}
    assert theirs in listed_unit and mine not in listed_unit
    assert_error(api.get(f"/reports/{theirs}", "reporter.agency"), 403, "forbidden")
    assert_error(api.get(f"/reports/{mine}", "reporter.unit"), 403)
    assert_error(api.get(f"/reports/{mine}", "county.610112"), 403)
    assert api.get(f"/reports/{mine}", "county.610113").status_code == 200
    assert_error(api.get("/reports/999999", "reporter.agency"), 404, "not_found")


def test_report_reads_are_logged(api, app):
    from storage.models import ReportView

    rid = api.submit("reporter.agency")["id"]
    api.get(f"/reports/{rid}", "county.610113")
    assert api.get(f"/reports/{rid}", "county.610112").status_code == 403
    with app.app_context():
        views = db.session.scalars(select(ReportView).where(ReportView.report_id == rid)).all()
        assert [v.channel for v in views] == ["api"]


def test_safety_director_sees_only_own_unit(api):
    rid = api.submit("reporter.unit")["id"]
    task = api.task("director.unit", rid, "director_acknowledge")
    assert task["id"] not in task_ids(api, "director.filling")
    assert_error(api.post(f"/tasks/{task['id']}/complete", "director.filling", json={"data": DIRECTOR}), 403)
    # the director sees no county task of their own unit's report
    assert set(t["element_id"] for t in task_ids(api, "director.unit", report_id=rid).values()) == {
        "director_acknowledge"}
    # and the filling station's director gets none of this unit's reports
    assert_error(api.get(f"/reports/{rid}", "director.filling"), 403)
    assert api.get(f"/reports/{rid}", "director.unit").status_code == 200


def test_completing_twice_is_a_conflict(api, app):
    rid = api.submit("reporter.agency")["id"]
    task = api.task("county.610113", rid, "county_disposal")
    url = f"/tasks/{task['id']}/complete"
    assert api.post(url, "county.610113", json={"data": COUNTY_RESOLVE}).status_code == 200
    err = assert_error(api.post(url, "county.610113", json={"data": COUNTY_RESOLVE}), 409, "conflict")
    assert "已办理" in err["message"]
    detail = api.get(f"/reports/{rid}", "reporter.agency").get_json()
    assert [e["kind"] for e in detail["timeline"]].count("task_completed") == 1
    assert [e["kind"] for e in detail["timeline"]].count("closed") == 1


def test_claimed_task_cannot_be_completed_by_colleague(api, app, second_county_officer):
    rid = api.submit("reporter.agency")["id"]
    task = api.task("county.610113", rid, "county_disposal")
    assert task["id"] in task_ids(api, second_county_officer)
    res = api.post(f"/tasks/{task['id']}/claim", "county.610113")
    assert res.status_code == 200 and res.get_json()["claimed_by"] is not None
    assert_error(api.post(f"/tasks/{task['id']}/complete", second_county_officer,
                          json={"data": COUNTY_RESOLVE}), 409, "conflict")
    assert_error(api.post(f"/tasks/{task['id']}/claim", second_county_officer), 409)
    assert_error(api.post(f"/tasks/{task['id']}/unclaim", second_county_officer), 409)
    with app.app_context():
        assert db.session.get(HumanTask, task["id"]).state == TaskState.OPEN
    assert api.post(f"/tasks/{task['id']}/complete", "county.610113", json={"data": COUNTY_RESOLVE}).status_code == 200


def test_unclaimed_task_can_be_completed_by_colleague(api, second_county_officer):
    rid = api.submit("reporter.agency")["id"]
    task = api.task("county.610113", rid, "county_disposal")
    assert api.post(f"/tasks/{task['id']}/claim", "county.610113").status_code == 200
    assert api.post(f"/tasks/{task['id']}/unclaim", "county.610113").status_code == 200
    res = api.post(f"/tasks/{task['id']}/complete", second_county_officer, json={"data": COUNTY_RESOLVE})
    assert res.status_code == 200, res.get_json()


def test_simultaneous_completion_on_sqlite_has_one_winner(api, app):
    """The embedded default (SQLite, BEGIN IMMEDIATE): the same race as the PostgreSQL test, fewer rounds."""
    import threading

    rounds = 15
    tasks = [api.task("county.610113", api.submit("reporter.agency")["id"], "county_disposal")["id"]
             for _ in range(rounds)]
    clients = [app.test_client(), app.test_client()]
    headers = {"Authorization": f"Bearer {api.token('county.610113')}"}
    barrier = threading.Barrier(2, timeout=30)
    statuses = [[], []]
    failures = []

    def worker(n):
        try:
            for task_id in tasks:
                barrier.wait()
                res = clients[n].post(f"/api/v1/tasks/{task_id}/complete", json={"data": COUNTY_RESOLVE},
                                      headers=headers)
                statuses[n].append(res.status_code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=worker, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failures, failures
    assert [sorted(pair) for pair in zip(*statuses)] == [[200, 409]] * rounds
    with app.app_context():
        closed = db.session.scalars(select(HumanTask.state).where(HumanTask.id.in_(tasks))).all()
        assert set(closed) == {TaskState.COMPLETED}
