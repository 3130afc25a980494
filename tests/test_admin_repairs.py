"""Admin repairs through the JSON API: the realistic director repair, suspend/resume, terminate, skip,
reset, data edits, reassignment and bulk retry — each one in the audit log."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from services.admin_actions import retry_instance
from services.monitoring_points import assign_safety_director, remove_safety_director
from storage.models import HumanTask, InstanceEvent, ProcessInstance, SafetyDirectorAssignment, TaskState, User
from app_helpers import run

COUNTY_RESOLVE = {"decision": "resolve", "measures": "现场督促整改", "risk_level": "general", "quality_score": 4}
COUNTY_ESCALATE = {"decision": "escalate", "measures": "现场核查", "risk_level": "major", "quality_score": 5}
DIRECTOR = {"handling_arrangement": "停梯检修", "responsible_person": "张三", "handling_deadline": "2026-12-01"}


def user(env, username) -> User:
    return env.session.scalar(select(User).where(User.username == username))


def unit_point_id(env) -> int:
    return user(env, "reporter.unit").monitoring_point_id


def remove_unit_director(app):
    def go(env):
        director = user(env, "director.unit")
        remove_safety_director(env, user(env, "admin"), unit_point_id(env), director.id)
    run(app, go)


def audit(api, **query):
    res = api.get("/admin/audit?per_page=100" + "".join(f"&{k}={v}" for k, v in query.items()), "admin")
    assert res.status_code == 200, res.get_json()
    return res.get_json()["items"]


def instance_of(api, report_id) -> dict:
    res = api.get(f"/reports/{report_id}", "admin")
    assert res.status_code == 200, res.get_json()
    return res.get_json()["instance"]


def detail(api, instance_id) -> dict:
    res = api.get(f"/admin/instances/{instance_id}", "admin")
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def test_realistic_repair_missing_safety_director(app, api):
    remove_unit_director(app)
    report = api.submit("reporter.unit", title="扶梯梯级缺损", content="商场扶梯梯级缺损，需停梯。")
    inst = instance_of(api, report["id"])
    assert inst["status"] == "error"

    d = detail(api, inst["id"])
    assert d["error_element"] == "notify_safety_director"
    assert "尚未登记安全总监" in d["error_message"] and "请登记安全总监后重试" in d["error_message"]
    assert "HandlerError" in d["error_traceback"]
    assert d["elements"]["failed"] == ["notify_safety_director"]
    assert "county_disposal" in d["elements"]["active"] and "register_report" in d["elements"]["completed"]
    errors = api.get("/admin/instances?status=error", "admin").get_json()["items"]
    assert [i["id"] for i in errors] == [inst["id"]]
    assert "尚未登记安全总监" in errors[0]["error_summary"]

    # The tier chain keeps moving while the unit branch is broken.
    api.complete("county.610113", report["id"], "county_disposal", COUNTY_ESCALATE)
    assert api.task("city.610100", report["id"], "city_assessment")
    assert api.get(f"/tasks?report_id={report['id']}", "director.unit").get_json()["items"] == []

    res = api.post(f"/admin/instances/{inst['id']}/retry", "admin", json={"reason": "尚未登记"})
    assert res.status_code == 200 and res.get_json()["status"] == "error"  # still no director: still failing

    def register(env):
        assign_safety_director(env, user(env, "admin"), unit_point_id(env), user(env, "director.unit").id)
    run(app, register)

    res = api.post(f"/admin/instances/{inst['id']}/retry", "admin", json={"reason": "已重新登记安全总监"})
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["status"] == "user_input_required"
    task = api.task("director.unit", report["id"], "director_acknowledge")
    assert task["candidate_group"] == "safety_director"
    api.complete("director.unit", report["id"], "director_acknowledge", DIRECTOR)

    entries = audit(api, instance_id=inst["id"], kind="admin_retry")
    assert len(entries) == 2
    latest = entries[0]
    assert latest["actor"] == "系统管理员" and latest["data"]["reason"] == "已重新登记安全总监"
    assert latest["data"]["status_before"] == "error" and latest["data"]["status_after"] == "user_input_required"
    assert latest["data"]["elements"] == ["notify_safety_director"]
    assert entries[1]["data"]["status_after"] == "error"
    assert detail(api, inst["id"])["error_message"] is None


def test_suspend_blocks_completion_and_resume_restores(api):
    report = api.submit()
    inst = instance_of(api, report["id"])
    assert inst["status"] == "user_input_required"
    res = api.post(f"/admin/instances/{inst['id']}/suspend", "admin", json={"reason": "核实报送真实性"})
    assert res.status_code == 200 and res.get_json()["status"] == "suspended"

    task = api.task("county.610113", report["id"], "county_disposal")
    res = api.post(f"/tasks/{task['id']}/complete", "county.610113", json={"data": COUNTY_RESOLVE})
    assert res.status_code == 409
    assert res.get_json()["error"]["message"] == "该流程已被管理员挂起，暂不能办理"
    assert api.post(f"/admin/instances/{inst['id']}/suspend", "admin", json={}).status_code == 409
    suspended = api.get("/admin/instances?status=suspended", "admin").get_json()["items"]
    assert [i["id"] for i in suspended] == [inst["id"]]

    res = api.post(f"/admin/instances/{inst['id']}/resume", "admin", json={"reason": "核实完毕"})
    assert res.status_code == 200 and res.get_json()["status"] == "user_input_required"
    api.complete("county.610113", report["id"], "county_disposal", COUNTY_RESOLVE)
    assert api.get(f"/reports/{report['id']}", "admin").get_json()["status"] == "closed"
    kinds = [e["kind"] for e in audit(api, instance_id=inst["id"])]
    assert kinds == ["admin_resume", "admin_suspend"]


def test_terminate_closes_report_with_reason_on_timeline(app, api):
    report = api.submit()
    inst = instance_of(api, report["id"])
    assert api.post(f"/admin/instances/{inst['id']}/terminate", "admin", json={}).status_code == 422
    res = api.post(f"/admin/instances/{inst['id']}/terminate", "admin", json={"reason": "重复报送，已合并处理"})
    assert res.status_code == 200 and res.get_json()["status"] == "terminated"

    detail_res = api.get(f"/reports/{report['id']}", "reporter.agency").get_json()
    assert detail_res["status"] == "terminated"
    last = detail_res["timeline"][-1]
    assert last["kind"] == "admin_terminate" and "重复报送，已合并处理" in last["message"]
    assert api.get(f"/tasks?report_id={report['id']}", "county.610113").get_json()["items"] == []
    states = run(app, lambda env: [t.state for t in env.session.scalars(
        select(HumanTask).where(HumanTask.report_id == report["id"]))])
    assert states == [TaskState.CANCELLED]
    assert api.post(f"/admin/instances/{inst['id']}/resume", "admin", json={}).status_code == 409
    entry = audit(api, kind="admin_terminate")[0]
    assert entry["data"]["cancelled_tasks"] == ["县级处置"] and entry["data"]["status_before"] == "user_input_required"


def test_skip_failed_task_with_data(app, api):
    remove_unit_director(app)
    report = api.submit("reporter.unit")
    inst = instance_of(api, report["id"])
    app.extensions["riskmon.store"].live.clear()  # as after a restart: the workflow is deserialized fresh
    res = api.post(f"/admin/instances/{inst['id']}/skip", "admin",
                   json={"data": {"safety_director_ids": []}, "reason": "已电话通知企业"})
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["status"] == "user_input_required"
    d = detail(api, inst["id"])
    assert "notify_safety_director" in d["elements"]["completed"]
    assert {t["element_id"] for t in d["open_tasks"]} == {"county_disposal", "director_acknowledge"}
    entry = audit(api, kind="admin_skip")[0]
    assert entry["data"]["data"] == {"safety_director_ids": []} and entry["data"]["reason"] == "已电话通知企业"


def test_reset_to_earlier_task_reopens_it(app, api):
    report = api.submit()
    inst = instance_of(api, report["id"])
    api.complete("county.610113", report["id"], "county_disposal", COUNTY_ESCALATE)
    assert api.task("city.610100", report["id"], "city_assessment")
    d = detail(api, inst["id"])
    assert {"element_id": "county_disposal", "name": "县级处置"} in d["resettable"]
    bad = api.post(f"/admin/instances/{inst['id']}/reset", "admin", json={"element_id": "province_decision",
                                                                         "reason": "x"})
    assert bad.status_code == 422
    app.extensions["riskmon.store"].live.clear()  # timers are re-evaluated on a freshly loaded workflow
    res = api.post(f"/admin/instances/{inst['id']}/reset", "admin",
                   json={"element_id": "county_disposal", "reason": "县级结论填写错误，退回重办"})
    assert res.status_code == 200, res.get_json()
    assert api.get(f"/tasks?report_id={report['id']}", "city.610100").get_json()["items"] == []
    api.complete("county.610113", report["id"], "county_disposal", COUNTY_RESOLVE)
    assert api.get(f"/reports/{report['id']}", "admin").get_json()["status"] == "closed"
    assert audit(api, kind="admin_reset")[0]["element_id"] == "county_disposal"


def test_edit_task_data_is_logged_with_before_and_after(api):
    report = api.submit()
    inst = instance_of(api, report["id"])
    task = next(t for t in detail(api, inst["id"])["task_data"] if t["element_id"] == "county_disposal")
    assert task["data"]["report_id"] == report["id"]
    body = {"task_id": task["id"], "changes": {"note": "补充说明"}, "reason": "补录"}
    assert api.post(f"/admin/instances/{inst['id']}/data", "admin", json={**body, "reason": ""}).status_code == 422
    res = api.post(f"/admin/instances/{inst['id']}/data", "admin", json=body)
    assert res.status_code == 200, res.get_json()
    task = next(t for t in detail(api, inst["id"])["task_data"] if t["element_id"] == "county_disposal")
    assert task["data"]["note"] == "补充说明"
    entry = audit(api, kind="admin_edit_data")[0]
    assert entry["data"]["before"] == {"note": None} and entry["data"]["after"] == {"note": "补充说明"}


def test_reassign_and_force_release_claimed_task(app, api):
    from services.demo import create_user

    def add_colleague(env):
        create_user(env.session, "county2.610113", "雁塔区局监管员二", ["county_officer"], "610113")
        env.session.commit()
    run(app, add_colleague)
    report = api.submit()
    task = api.task("county.610113", report["id"], "county_disposal")
    assert api.post(f"/tasks/{task['id']}/claim", "county.610113").status_code == 200
    colleague = api.get("/me", "county2.610113").get_json()["id"]
    outsider = api.get("/me", "county.610112").get_json()["id"]

    assert api.post(f"/admin/tasks/{task['id']}/reassign", "admin", json={"user_id": outsider}).status_code == 422
    res = api.post(f"/admin/tasks/{task['id']}/reassign", "admin", json={"user_id": colleague, "reason": "休假"})
    assert res.status_code == 200 and res.get_json()["claimed_by"] == colleague
    api.complete("county.610113", report["id"], "county_disposal", COUNTY_RESOLVE, expect=409)
    res = api.post(f"/admin/tasks/{task['id']}/release", "admin", json={"reason": "退回组内"})
    assert res.status_code == 200 and res.get_json()["claimed_by"] is None
    api.complete("county.610113", report["id"], "county_disposal", COUNTY_RESOLVE)
    kinds = [e["kind"] for e in audit(api)]
    assert kinds[:2] == ["admin_release", "admin_reassign"]


def test_bulk_retry_reports_each_instance(app, api):
    remove_unit_director(app)
    failed = [instance_of(api, api.submit("reporter.unit")["id"])["id"] for _ in range(2)]
    healthy = instance_of(api, api.submit()["id"])["id"]

    def register(env):
        assign_safety_director(env, user(env, "admin"), unit_point_id(env), user(env, "director.unit").id)
    run(app, register)
    res = api.post("/admin/instances/bulk-retry", "admin", json={"ids": [*failed, healthy], "reason": "批量修复"})
    assert res.status_code == 200, res.get_json()
    items = {i["id"]: i for i in res.get_json()["items"]}
    assert all(items[i]["ok"] for i in failed)
    assert items[healthy]["ok"] is False and "无需重试" in items[healthy]["message"]
    assert len(audit(api, kind="admin_retry")) == 2


def test_cli_retry_is_audited_without_actor(app, api):
    remove_unit_director(app)
    inst = instance_of(api, api.submit("reporter.unit")["id"])

    def register_and_retry(env):
        assign_safety_director(env, user(env, "admin"), unit_point_id(env), user(env, "director.unit").id)
        return retry_instance(env, None, inst["id"], reason="命令行重试").status.value
    assert run(app, register_and_retry) == "user_input_required"
    event = run(app, lambda env: env.session.scalar(select(InstanceEvent).where(InstanceEvent.kind == "admin_retry")))
    assert event.actor_id is None and event.message.startswith("运维命令")


@pytest.mark.parametrize("status", ["nonsense", "completed"])
def test_instance_list_filters(api, status):
    api.submit()
    res = api.get(f"/admin/instances?status={status}", "admin")
    if status == "nonsense":
        assert res.status_code == 422
    else:
        assert res.status_code == 200 and res.get_json()["items"] == []


def test_instance_list_filters_by_element_division_and_age(api):
    report = api.submit()
    other = api.submit("reporter.agency112")
    ids = lambda q: [i["id"] for i in api.get(f"/admin/instances?{q}", "admin").get_json()["items"]]  # noqa: E731
    mine, theirs = instance_of(api, report["id"])["id"], instance_of(api, other["id"])["id"]
    assert set(ids("element=county_disposal")) == {mine, theirs}
    assert ids("division=610112") == [theirs]
    assert ids("division=610113") == [mine]
    assert set(ids("division=610100")) == {mine, theirs}
    assert ids("min_age_days=1") == []
    assert ids("status=active&version=999") == []


def test_unknown_instance_is_404(api):
    assert api.get("/admin/instances/99999", "admin").status_code == 404
    assert api.post("/admin/instances/99999/retry", "admin", json={}).status_code == 404


def test_direct_db_state_after_retry(app, api):
    remove_unit_director(app)
    inst = instance_of(api, api.submit("reporter.unit")["id"])
    row = run(app, lambda env: env.session.get(ProcessInstance, inst["id"]))
    assert row.error_element == "notify_safety_director"
    assert run(app, lambda env: env.session.scalar(select(SafetyDirectorAssignment).where(
        SafetyDirectorAssignment.monitoring_point_id == unit_point_id(env)))) is None


def test_data_edited_on_failed_task_survives_the_retry(app, api):
    remove_unit_director(app)
    report = api.submit("reporter.unit")
    inst = instance_of(api, report["id"])
    failed = next(t for t in detail(api, inst["id"])["task_data"] if t["element_id"] == "notify_safety_director")
    assert failed["state"] == "出错"
    res = api.post(f"/admin/instances/{inst['id']}/data", "admin",
                   json={"task_id": failed["id"], "changes": {"contact_phone": "029-12345678"}, "reason": "补充联系电话"})
    assert res.status_code == 200, res.get_json()

    def register(env):
        assign_safety_director(env, user(env, "admin"), unit_point_id(env), user(env, "director.unit").id)
    run(app, register)
    app.extensions["riskmon.store"].live.clear()
    assert api.post(f"/admin/instances/{inst['id']}/retry", "admin", json={}).get_json()["status"] == \
        "user_input_required"
    ack = next(t for t in detail(api, inst["id"])["task_data"] if t["element_id"] == "director_acknowledge")
    assert ack["data"]["contact_phone"] == "029-12345678"
    assert ack["data"]["safety_director_ids"] == [user_id(app, "director.unit")]


def user_id(app, username):
    return run(app, lambda env: user(env, username).id)


@pytest.mark.parametrize("method, path, body, status", [
    ("GET", "/admin/instances?min_age_days=99999999999", None, 422),
    ("GET", "/admin/instances?version=abc", None, 400),
    ("GET", "/admin/audit?instance_id=x", None, 400),
    ("POST", "/admin/instances/1/skip", {"data": [1, 2]}, 422),
    ("POST", "/admin/instances/1/terminate", {"reason": "x" * 501}, 422),
    ("POST", "/admin/instances/1/reset", {"reason": "缺少目标"}, 422),
    ("POST", "/admin/instances/1/data", {"task_id": "nope", "changes": {"a": 1}, "reason": "x"}, 404),
    ("POST", "/admin/instances/bulk-retry", {"ids": []}, 422),
    ("POST", "/admin/tasks/nope/reassign", {"user_id": 1}, 404),
    ("POST", "/admin/tasks/nope/release", {}, 404),
    ("POST", "/admin/instances/1/retry", "not json", 400),
])
def test_bad_input_is_answered_clearly(api, method, path, body, status):
    api.submit()
    kwargs = {"data": body, "content_type": "application/json"} if isinstance(body, str) else {"json": body}
    res = api.call(method, path, "admin", **kwargs)
    assert res.status_code == status, res.get_data(as_text=True)
    assert res.get_json()["error"]["message"]
