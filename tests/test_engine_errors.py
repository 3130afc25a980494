"""A failing service-task handler: the instance is saved in `error` with element, message and traceback,
the other branch carries on, and nothing the failed handler wrote survives."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from handlers import HandlerError
from services.admin_actions import retry_instance
from storage.models import (
    InstanceEvent, Notification, ProcessInstance, Report, SafetyDirectorAssignment, User,
)
from web.extensions import db

COUNTY_RESOLVE = {"decision": "resolve", "measures": "现场督促整改", "risk_level": "general", "quality_score": 4}
DIRECTOR = {"handling_arrangement": "停梯检修", "responsible_person": "张三", "handling_deadline": "2026-12-01"}


def user_id(name):
    return db.session.scalar(select(User.id).where(User.username == name))


def remove_unit_director(api):
    me = api.get("/me", "reporter.unit").get_json()
    director = api.get("/me", "director.unit").get_json()
    res = api.call("DELETE", f"/monitoring-points/{me['monitoring_point_id']}/safety-directors/{director['id']}",
                   "admin")
    assert res.status_code == 204, res.get_data(as_text=True)
    return me["monitoring_point_id"], director["id"]


def instance_row(report_id):
    db.session.expire_all()
    return db.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == report_id))


def test_missing_safety_director_puts_instance_in_error_but_county_branch_continues(api, app):
    point_id, director_id = remove_unit_director(api)
    report = api.submit("reporter.unit")
    rid = report["id"]
    assert report["tracking_no"]  # register_report's work survives: only the failed handler is undone
    with app.app_context():
        instance = instance_row(rid)
        assert instance.status.value == "error"
        assert instance.error_element == "notify_safety_director"
        assert "安全总监" in instance.error_message
        assert "HandlerError" in instance.error_traceback and "Traceback" in instance.error_traceback
        errors = db.session.scalars(select(InstanceEvent).where(InstanceEvent.report_id == rid,
                                                                InstanceEvent.kind == "error")).all()
        assert [e.element_id for e in errors] == ["notify_safety_director"]
        # the only notice is the county officer's new-task notice; nothing the failed handler wrote
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.report_id == rid, Notification.kind != "task")) == 0
    # the failure is visible to the reporter's timeline without the traceback
    timeline = api.get(f"/reports/{rid}", "reporter.unit").get_json()["timeline"]
    error_events = [e for e in timeline if e["kind"] == "error"]
    assert error_events and "traceback" not in error_events[0]["data"]
    assert "director_notified" not in [e["kind"] for e in timeline]

    # the tier chain is unaffected
    api.complete("county.610113", rid, "county_disposal", COUNTY_RESOLVE)
    with app.app_context():
        instance = instance_row(rid)
        assert instance.status.value == "error"  # the failed director branch still shows to admins
        # issue 13.3: the unit's branch never holds the chain, so the report closes with the chain
        assert db.session.get(Report, rid).status.value == "closed"

    # fix the cause, retry: the director is notified and acknowledges; the report stays closed
    with app.app_context():
        db.session.add(SafetyDirectorAssignment(monitoring_point_id=point_id, user_id=director_id))
        db.session.commit()
        from web import env

        retry_instance(env(), db.session.get(User, user_id("admin")), instance_row(rid).id, reason="已登记安全总监")
        instance = instance_row(rid)
        assert instance.status.value == "user_input_required"
        assert instance.error_element is None and instance.error_traceback is None
    api.complete("director.unit", rid, "director_acknowledge", DIRECTOR)
    detail = api.get(f"/reports/{rid}", "reporter.unit").get_json()
    assert detail["status"] == "closed" and detail["director_ack"] == "acknowledged"
    assert [e["kind"] for e in detail["timeline"]].count("director_notified") == 1
    assert [e["kind"] for e in detail["timeline"]].count("closed") == 1


def test_failed_handler_writes_are_rolled_back(api, app):
    """A handler that writes an event, a notice and a report change before raising leaves none of them."""
    store = app.extensions["riskmon.store"]
    real = store.handlers["notify_safety_director"]

    def half_done(ctx):
        ctx.log("director_notified", "写了一半")
        ctx.notify([user_id("director.unit")], "safety_director", "写了一半")
        ctx.report.title = "被失败的处理器改过"
        ctx.report.overdue = True
        db.session.flush()
        raise HandlerError("模拟失败：通知服务不可用")

    store.handlers["notify_safety_director"] = half_done
    try:
        rid = api.submit("reporter.unit")["id"]
    finally:
        store.handlers["notify_safety_director"] = real
    with app.app_context():
        instance = instance_row(rid)
        assert instance.status.value == "error" and instance.error_element == "notify_safety_director"
        assert "模拟失败" in instance.error_message
        report = db.session.get(Report, rid)
        assert report.title == "电梯层门门锁回路被短接" and report.overdue is False
        assert report.tracking_no  # register_report, which succeeded, is kept
        kinds = list(db.session.scalars(select(InstanceEvent.kind).where(InstanceEvent.report_id == rid)))
        assert "director_notified" not in kinds and "registered" in kinds
        # the only notice is the county officer's new-task notice; nothing the failed handler wrote
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.report_id == rid, Notification.kind != "task")) == 0
    # the county branch works normally
    api.complete("county.610113", rid, "county_disposal", COUNTY_RESOLVE)


def test_unexpected_exception_in_handler_is_recorded_not_raised(api, app):
    store = app.extensions["riskmon.store"]
    real = store.handlers["register_report"]

    def broken(ctx):
        return {"x": 1 / 0}

    store.handlers["register_report"] = broken
    try:
        res = api.post("/reports", "reporter.agency", json={
            "kind": "problem", "domain": "use", "equipment_type_code": "3110", "content": "测试内容"})
    finally:
        store.handlers["register_report"] = real
    assert res.status_code == 201, res.get_json()
    rid = res.get_json()["id"]
    with app.app_context():
        instance = instance_row(rid)
        assert instance.status.value == "error" and instance.error_element == "register_report"
        assert "ZeroDivisionError" in instance.error_traceback
        # SpiffWorkflow's own error path would have hidden this behind a NameError
        assert "NameError" not in instance.error_traceback
        assert db.session.get(Report, rid).tracking_no is None
        # nothing is open: the fork after register_report was never reached
        from web import env

        retry_instance(env(), None, instance.id, reason="修复后重试")
        assert instance_row(rid).status.value == "user_input_required"
    api.complete("county.610113", rid, "county_disposal", COUNTY_RESOLVE)


def test_retry_of_healthy_instance_is_a_conflict(api, app):
    from services.errors import Conflict

    rid = api.submit("reporter.agency")["id"]
    with app.app_context():
        from web import env

        with pytest.raises(Conflict):
            retry_instance(env(), None, instance_row(rid).id)
