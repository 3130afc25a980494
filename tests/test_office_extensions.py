"""延期 through the JSON API: request, the upper tier's inbox, approve (due date and timers move) or refuse."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from pages_helpers import signed_in
from storage.models import HumanTask, InstanceEvent, Notification, ProcessInstance, User, utcnow


def _instance(env, report_id) -> ProcessInstance:
    env.session.expire_all()
    return env.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == report_id))


def _kinds(env, report_id) -> list[str]:
    return list(env.session.scalars(select(InstanceEvent.kind).where(InstanceEvent.report_id == report_id)
                                    .order_by(InstanceEvent.id)))


def _request(api, tid, user="county.610113", **body):
    return api.post(f"/tasks/{tid}/extension", user, json={"reason": "需要第三方检测报告", **body})


def test_county_asks_city_approves_and_due_date_and_timers_move(app, api, env):
    report = api.submit()
    rid = report["id"]
    task = api.task("county.610113", rid, "county_disposal")
    old_due = datetime.fromisoformat(task["due_at"])
    old_timer = _instance(env, rid).next_timer_at
    res = _request(api, task["id"], working_days=5)
    assert res.status_code == 201, res.get_json()
    wanted = datetime.fromisoformat(res.get_json()["requested_due_at"])
    assert wanted - old_due >= timedelta(days=5) and res.get_json()["state"] == "pending"
    assert _request(api, task["id"], working_days=3).status_code == 409  # one pending request at a time
    pending = api.get("/extension-requests", "city.610100").get_json()["items"]
    assert [p["task_id"] for p in pending] == [task["id"]] and pending[0]["tracking_no"] == report["tracking_no"]
    assert api.get("/extension-requests", "province").get_json()["items"] == []
    assert api.get("/extension-requests", "county.610113").get_json()["items"] == []
    ext = pending[0]["id"]
    for user in ("county.610113", "county.610112", "province"):
        assert api.post(f"/extension-requests/{ext}/decision", user, json={"approve": True}).status_code == 403
    res = api.post(f"/extension-requests/{ext}/decision", "city.610100", json={"approve": True, "note": "同意"})
    assert res.status_code == 200 and res.get_json()["state"] == "approved"
    assert datetime.fromisoformat(api.task("county.610113", rid, "county_disposal")["due_at"]) == wanted
    delta = wanted - old_due
    assert abs((_instance(env, rid).next_timer_at - old_timer) - delta) < timedelta(seconds=2)
    assert api.post(f"/extension-requests/{ext}/decision", "city.610100", json={"approve": True}).status_code == 409
    assert ["extension_requested", "extension_approved"] == [k for k in _kinds(env, rid) if k.startswith("extension")]
    who = {u.id: u.username for u in env.session.scalars(select(User))}
    notes = [(who[n.user_id], n.title) for n in env.session.scalars(
        select(Notification).where(Notification.kind == "extension").order_by(Notification.id))]
    assert notes[0][0] == "city.610100" and notes[1][0] == "county.610113" and "批准" in notes[1][1]
    summary = api.get("/stats/summary", "city.610100").get_json()
    assert summary["extensions"] == 1 and "by_status" in summary and "overdue_rate" in summary
    assert api.get("/stats/summary", "county.610112").get_json()["extensions"] == 0
    html = signed_in(app, "city.610100").get("/stats").get_data(as_text=True)
    assert '<div class="v" id="kpi-extensions">1</div>' in html


def test_the_moved_timer_no_longer_fires_at_the_old_time(api, env):
    from services.timers import fire_due_timers

    report = api.submit()
    task = api.task("county.610113", report["id"], "county_disposal")
    ext = _request(api, task["id"], due_date=(utcnow() + timedelta(days=30)).date().isoformat()).get_json()["id"]
    api.post(f"/extension-requests/{ext}/decision", "city.610100", json={"approve": True})
    # the 3-day reminder moved by about 23 days: nothing is due three days from now
    assert fire_due_timers(env, utcnow() + timedelta(days=3, minutes=1)) == 0


def test_refusal_needs_a_reason_and_leaves_the_due_date(api, env):
    report = api.submit()
    task = api.task("county.610113", report["id"], "county_disposal")
    ext = _request(api, task["id"], working_days=2).get_json()["id"]
    assert api.post(f"/extension-requests/{ext}/decision", "city.610100", json={"approve": False}).status_code == 422
    res = api.post(f"/extension-requests/{ext}/decision", "city.610100", json={"approve": False, "note": "时限内可办"})
    assert res.status_code == 200 and res.get_json()["state"] == "refused"
    assert api.task("county.610113", report["id"], "county_disposal")["due_at"] == task["due_at"]
    assert "extension_refused" in _kinds(env, report["id"])
    assert api.get("/stats/summary", "city.610100").get_json()["extensions"] == 0


def test_extension_scope_and_input(api):
    report = api.submit()
    tid = api.task("county.610113", report["id"], "county_disposal")["id"]
    assert _request(api, tid, "county.610112", working_days=2).status_code == 403
    assert _request(api, tid, "city.610100", working_days=2).status_code == 403
    assert _request(api, tid, "reporter.agency", working_days=2).status_code == 403
    assert _request(api, tid).status_code == 422  # neither date nor days
    assert _request(api, tid, working_days=0).status_code == 422
    assert _request(api, tid, working_days="5").status_code == 422
    assert _request(api, tid, due_date="2020-01-01").status_code == 422
    assert _request(api, tid, due_date="明天").status_code == 422
    assert _request(api, tid, due_date=(utcnow() + timedelta(days=400)).date().isoformat()).status_code == 422
    assert api.post(f"/tasks/{tid}/extension", "county.610113", json={"working_days": 2}).status_code == 422
    assert api.post("/extension-requests/999/decision", "city.610100", json={"approve": True}).status_code == 404
    assert api.post("/extension-requests/1/decision", "city.610100", json={"approve": "yes"}).status_code == 422


def test_city_task_extension_goes_to_the_province(api):
    report = api.submit()
    api.complete("county.610113", report["id"], "county_disposal",
                 {"decision": "escalate", "measures": "x", "risk_level": "low", "quality_score": 3})
    tid = api.task("city.610100", report["id"], "city_assessment")["id"]
    assert _request(api, tid, "city.610100", working_days=3).status_code == 201
    assert len(api.get("/extension-requests", "province").get_json()["items"]) == 1
    assert api.get("/extension-requests", "city.610100").get_json()["items"] == []


def test_a_completed_task_cannot_be_extended_any_more(api, env):
    report = api.submit()
    tid = api.task("county.610113", report["id"], "county_disposal")["id"]
    ext = _request(api, tid, working_days=2).get_json()["id"]
    api.complete("county.610113", report["id"], "county_disposal",
                 {"decision": "resolve", "measures": "已处理", "risk_level": "low", "quality_score": 3})
    assert api.post(f"/extension-requests/{ext}/decision", "city.610100", json={"approve": True}).status_code == 409
    assert env.session.get(HumanTask, tid).state.value == "completed"
    assert api.get("/extension-requests", "city.610100").get_json()["items"] == []  # no stale requests
    assert _request(api, tid, working_days=2).status_code in (403, 409)


@pytest.mark.postgres
def test_office_actions_on_postgres(pg_settings):
    """Urge, transfer and an approved extension with PostgreSQL's row locks."""
    from web import create_app
    from web.extensions import db
    from conftest import Api

    app = create_app(pg_settings)
    try:
        api = Api(app.test_client())
        report = api.submit()
        tid = api.task("county.610113", report["id"], "county_disposal")["id"]
        assert api.post(f"/tasks/{tid}/urge", "city.610100", json={"message": "催办"}).get_json()["urge_count"] == 1
        assert api.post(f"/tasks/{tid}/urge", "province", json={"message": "再催"}).get_json()["urge_count"] == 2
        res = api.post(f"/tasks/{tid}/transfer", "county.610113", json={"division_code": "610112", "reason": "管辖"})
        assert res.status_code == 200
        ext = _request(api, tid, "county.610112", working_days=3).get_json()["id"]
        res = api.post(f"/extension-requests/{ext}/decision", "city.610100", json={"approve": True})
        assert res.status_code == 200
        task = api.task("county.610112", report["id"], "county_disposal")
        assert task["due_at"] == res.get_json()["requested_due_at"] and task["urge_count"] == 2
        api.complete("county.610112", report["id"], "county_disposal",
                     {"decision": "resolve", "measures": "已处理", "risk_level": "low", "quality_score": 3})
        assert api.get(f"/reports/{report['id']}", "reporter.agency").get_json()["feedback"] == \
            "已由未央区市场监管局处置完毕：已处理"
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
