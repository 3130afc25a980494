"""Database faults are never workflow errors: the step is rolled back, the client gets 503 with Retry-After
and a Chinese message, nothing half-done is stored, and the next request works.

Chosen behaviour for a transient database error inside a handler: the whole submission (or completion)
fails with 503 and nothing of it is stored — no report, no instance in `error` — so the client retries.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import InterfaceError, OperationalError, PendingRollbackError

from handlers import HandlerError
from storage.models import InstanceEvent, ProcessInstance, Report
from web.extensions import db
from app_helpers import run

COUNTY = {"decision": "resolve", "measures": "现场督促整改", "risk_level": "general", "quality_score": 4}
REPORT = {"kind": "problem", "domain": "use", "equipment_type_code": "3110", "content": "电梯困人，门无法打开。"}


def dropped_connection():
    return OperationalError("UPDATE report SET ...", {}, Exception("server closed the connection unexpectedly"))


FAULTS = {
    "operational": dropped_connection,
    "interface": lambda: InterfaceError("SELECT 1", {}, Exception("connection already closed")),
    "pending_rollback": lambda: PendingRollbackError("This Session's transaction has been rolled back"),
    "wrapped_by_handler": lambda: _wrapped(),
}


def _wrapped():
    try:
        raise dropped_connection()
    except OperationalError as exc:
        try:
            raise HandlerError("登记失败") from exc
        except HandlerError as wrapped:
            return wrapped


def counts(app):
    def go(env):
        return tuple(env.session.scalar(select(func.count()).select_from(model))
                     for model in (Report, ProcessInstance, InstanceEvent))
    return run(app, go)


def assert_503(res):
    assert res.status_code == 503, res.get_data(as_text=True)
    assert res.headers["Retry-After"].isdigit()
    error = res.get_json()["error"]
    assert error["code"] == "database_unavailable" and "稍后重试" in error["message"]


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_database_error_in_a_handler_fails_the_whole_submission_with_503(app, api, monkeypatch, fault):
    store = app.extensions["riskmon.store"]
    before = counts(app)

    def broken(ctx, **params):
        raise FAULTS[fault]()

    monkeypatch.setitem(store.handlers, "register_report", broken)
    res = api.post("/reports", "reporter.agency", json=REPORT)
    assert_503(res)
    assert counts(app) == before  # no report, no instance in `error`, no event
    monkeypatch.undo()
    assert api.post("/reports", "reporter.agency", json=REPORT).status_code == 201  # healed


def test_database_error_while_completing_a_task_leaves_the_task_open(app, api, monkeypatch):
    report = api.submit("reporter.agency")
    store = app.extensions["riskmon.store"]

    def broken(ctx, **params):
        raise dropped_connection()

    monkeypatch.setitem(store.handlers, "close_report", broken)
    task = api.task("county.610113", report["id"], "county_disposal")
    res = api.post(f"/tasks/{task['id']}/complete", "county.610113", json={"data": COUNTY})
    assert_503(res)
    assert api.task("county.610113", report["id"], "county_disposal")["id"] == task["id"]  # still open
    assert run(app, lambda env: env.session.scalar(select(ProcessInstance.status).where(
        ProcessInstance.report_id == report["id"]))).value == "user_input_required"
    monkeypatch.undo()
    api.complete("county.610113", report["id"], "county_disposal", COUNTY)
    assert api.get(f"/reports/{report['id']}", "reporter.agency").get_json()["status"] == "closed"


def test_pending_rollback_anywhere_is_503_not_500(app, api, monkeypatch):
    from web.api import reports

    def pending(*args, **kwargs):
        raise PendingRollbackError("Can't reconnect until invalid transaction is rolled back")

    monkeypatch.setattr(reports.report_service, "submit_report", pending)
    assert_503(api.post("/reports", "reporter.agency", json=REPORT))


def test_service_error_on_a_dead_connection_is_still_its_4xx(app, api, monkeypatch):
    report = api.submit("reporter.agency")
    api.complete("county.610113", report["id"], "county_disposal", COUNTY)

    def dead(*args, **kwargs):
        raise dropped_connection()

    monkeypatch.setattr(db.session, "rollback", dead)
    res = api.get(f"/reports/{report['id']}", "county.610112")  # outside the caller's scope → a ServiceError
    assert res.status_code in (403, 404), res.get_data(as_text=True)
    assert res.get_json()["error"]["code"] != "internal_error"
