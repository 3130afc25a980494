"""督办 and 转办 through the JSON API: scope, notifications, audit rows, timeline, the supervised list."""
from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from storage.models import HumanTask, InstanceEvent, Notification, User, utcnow
from web.extensions import db

COUNTY_DATA = {"decision": "escalate", "measures": "现场核查", "risk_level": "major", "quality_score": 5}


def _notes(env, kind, task_id=None):
    stmt = select(User.username).join(Notification, Notification.user_id == User.id).where(Notification.kind == kind)
    if task_id:
        stmt = stmt.where(Notification.task_id == task_id)
    return sorted(env.session.scalars(stmt))


def _events(env, report_id, kind):
    return list(env.session.scalars(select(InstanceEvent).where(InstanceEvent.report_id == report_id,
                                                                 InstanceEvent.kind == kind)))


def test_city_urges_a_county_task_the_county_is_notified_and_sees_the_count(api, env):
    report = api.submit()
    task = api.task("county.610113", report["id"], "county_disposal")
    res = api.post(f"/tasks/{task['id']}/urge", "city.610100", json={"message": "请于今日内办理"})
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["urge_count"] == 1
    assert api.post(f"/tasks/{task['id']}/urge", "province", json={"message": "省局督办"}).status_code == 200
    again = api.task("county.610113", report["id"], "county_disposal")
    assert again["urge_count"] == 2 and again["last_urged_at"]
    assert _notes(env, "urge", task["id"]) == ["county.610113", "county.610113"]
    events = _events(env, report["id"], "task_urged")
    assert len(events) == 2 and "请于今日内办理" in events[0].message and "西安市市场监管局" in events[0].message
    timeline = api.get(f"/reports/{report['id']}", "county.610113").get_json()["timeline"]
    assert [e["kind"] for e in timeline].count("task_urged") == 2


def test_urging_is_scoped_to_higher_tiers_over_the_task(api):
    report = api.submit()
    tid = api.task("county.610113", report["id"], "county_disposal")["id"]
    for user in ("county.610112", "county.610113", "reporter.agency", "director.unit", "center"):
        res = api.post(f"/tasks/{tid}/urge", user, json={"message": "催办"})
        assert res.status_code == 403, (user, res.get_json())
        assert res.get_json()["error"]["message"]
    api.complete("county.610113", report["id"], "county_disposal", COUNTY_DATA)
    city_tid = api.task("city.610100", report["id"], "city_assessment")["id"]
    assert api.post(f"/tasks/{city_tid}/urge", "county.610113", json={"message": "x"}).status_code == 403
    assert api.post(f"/tasks/{city_tid}/urge", "city.610100", json={"message": "x"}).status_code == 403
    assert api.post(f"/tasks/{city_tid}/urge", "province", json={"message": "请研判"}).status_code == 200
    assert api.post(f"/tasks/{tid}/urge", "province", json={"message": "x"}).status_code == 409  # completed


def test_urge_input_is_checked(api):
    report = api.submit()
    tid = api.task("county.610113", report["id"], "county_disposal")["id"]
    assert api.post(f"/tasks/{tid}/urge", "city.610100", json={}).status_code == 422
    assert api.post(f"/tasks/{tid}/urge", "city.610100", json={"message": ""}).status_code == 422
    assert api.post(f"/tasks/{tid}/urge", "city.610100", json={"message": "x" * 501}).status_code == 422
    assert api.post(f"/tasks/{tid}/urge", "city.610100", json={"message": ["x"]}).status_code == 422
    assert api.post("/tasks/nope/urge", "city.610100", json={"message": "x"}).status_code == 404
    assert api.post(f"/tasks/{tid}/urge", "city.610100", data="x").status_code == 400


def test_supervised_list_flags_filters_and_exports(api, env):
    first, second = api.submit(title="第一条 电梯"), api.submit(title="第二条 锅炉")
    t1 = api.task("county.610113", first["id"], "county_disposal")["id"]
    api.post(f"/tasks/{t1}/urge", "city.610100", json={"message": "催办"})
    t2 = api.task("county.610113", second["id"], "county_disposal")["id"]
    db.session.get(HumanTask, t2).due_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    body = api.get("/tasks/supervised", "city.610100").get_json()
    rows = {i["id"]: i for i in body["items"]}
    assert body["total"] == 2 and rows[t1]["urged"] and not rows[t1]["overdue"]
    assert rows[t2]["overdue"] and not rows[t2]["urged"] and rows[t2]["division_name"] == "雁塔区"
    assert [i["id"] for i in api.get("/tasks/supervised?urged=1", "city.610100").get_json()["items"]] == [t1]
    assert [i["id"] for i in api.get("/tasks/supervised?overdue=1", "city.610100").get_json()["items"]] == [t2]
    assert [i["id"] for i in api.get("/tasks/supervised?q=锅炉", "city.610100").get_json()["items"]] == [t2]
    assert api.get("/tasks/supervised?division=610112", "city.610100").get_json()["total"] == 0
    assert api.get("/tasks/supervised?element=city_assessment", "city.610100").get_json()["total"] == 0
    assert api.get("/tasks/supervised?per_page=1", "city.610100").get_json()["items"].__len__() == 1
    assert api.get("/tasks/supervised?urged=maybe", "city.610100").status_code == 400
    assert api.get("/tasks/supervised", "county.610112").get_json()["total"] == 0  # no unit tasks there
    assert api.get("/tasks/supervised", "reporter.agency").status_code == 403
    res = api.get("/tasks/supervised?format=xlsx&overdue=1", "city.610100")
    assert res.status_code == 200 and res.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(BytesIO(res.data)).active
    assert sheet["A1"].value == "跟踪编号" and sheet.max_row == 2 and sheet["A2"].value == second["tracking_no"]
    assert sheet["G2"].value == "是"


def test_county_transfers_to_a_peer_county_and_later_steps_follow(api, env):
    report = api.submit()
    rid = report["id"]
    tid = api.task("county.610113", rid, "county_disposal")["id"]
    res = api.post(f"/tasks/{tid}/transfer", "county.610113", json={"division_code": "610112", "reason": "属未央区管辖"})
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["division_code"] == "610112"
    assert api.get(f"/tasks?report_id={rid}", "county.610113").get_json()["items"] == []
    assert api.get(f"/tasks/{tid}", "county.610113").status_code == 403
    assert api.get(f"/reports/{rid}", "county.610113").status_code == 403
    assert api.task("county.610112", rid, "county_disposal")["id"] == tid
    assert _notes(env, "transfer", tid) == ["county.610112"]
    [event] = _events(env, rid, "task_transferred")
    assert event.data == {"from": "610113", "to": "610112", "reason": "属未央区管辖"}
    assert "雁塔区市场监管局" in event.message and "未央区市场监管局" in event.message
    # the next steps of the chain go to the new county, not back to the old one
    api.complete("county.610112", rid, "county_disposal", COUNTY_DATA)
    api.complete("city.610100", rid, "city_assessment", {
        "decision": "escalate", "assessment_opinion": "需省级研判", "risk_level": "major", "quality_score": 4})
    api.complete("center", rid, "center_select_panel", {"panel": ""})
    api.complete("center", rid, "center_assessment", {
        "risk_level": "major", "hazard_grade": "major", "assessment_summary": "重大隐患",
        "mitigation_measures": "专项排查", "quality_score": 5})
    api.complete("center", rid, "center_consolidation", {"decision": "to_province", "consolidated_opinion": "同意"})
    api.complete("province", rid, "province_decision", {"decision": "guide", "guidance": "督促整改"})
    rectify = api.task("county.610112", rid, "local_rectification")
    assert rectify["division_code"] == "610112"
    assert api.get(f"/tasks?report_id={rid}", "county.610113").get_json()["items"] == []


def test_transfer_scope_and_targets(api):
    report = api.submit()
    tid = api.task("county.610113", report["id"], "county_disposal")["id"]
    body = {"division_code": "610112", "reason": "管辖调整"}
    assert api.post(f"/tasks/{tid}/transfer", "county.610112", json=body).status_code == 403
    assert api.post(f"/tasks/{tid}/transfer", "reporter.agency", json=body).status_code == 403
    assert api.post(f"/tasks/{tid}/transfer", "province", json=body).status_code == 403
    for code in ("610202", "610100", "610113", "999999"):  # another city's county, the city, itself, unknown
        res = api.post(f"/tasks/{tid}/transfer", "county.610113", json={"division_code": code, "reason": "x"})
        assert res.status_code == 422, (code, res.get_json())
    assert api.post(f"/tasks/{tid}/transfer", "county.610113", json={"division_code": "610112"}).status_code == 422
    # the city may move any county task of its city
    res = api.post(f"/tasks/{tid}/transfer", "city.610100", json={"division_code": "610104", "reason": "莲湖区办理"})
    assert res.status_code == 200 and res.get_json()["division_code"] == "610104"
    assert api.get(f"/tasks/{tid}", "county.610113").status_code == 403


def test_another_county_cannot_read_return_or_work_the_task(api):
    report = api.submit()
    tid = api.task("county.610113", report["id"], "county_disposal")["id"]
    assert api.get(f"/tasks/{tid}", "county.610112").status_code == 403
    assert api.get(f"/tasks?report_id={report['id']}", "county.610112").get_json()["items"] == []
    res = api.post(f"/tasks/{tid}/complete", "county.610112", json={"data": {
        "decision": "return_to_reporter", "measures": "退回", "risk_level": "low", "quality_score": 1}})
    assert res.status_code == 403
    assert api.post(f"/tasks/{tid}/extension", "county.610112", json={"reason": "x", "working_days": 1}).status_code == 403


def test_openapi_lists_the_office_endpoints(api):
    paths = api.get("/openapi.json").get_json()["paths"]
    assert paths["/tasks/{task_id}/urge"]["post"]["summary"].startswith("督办")
    assert paths["/tasks/{task_id}/transfer"]["post"]["summary"] == "转办给同级单位"
    assert paths["/tasks/supervised"]["get"]["summary"].startswith("督办事项")
    assert paths["/me/saved-filters/{filter_id}"]["delete"]["summary"].startswith("删除")
    assert paths["/extension-requests/{extension_id}/decision"]["post"]["summary"].startswith("审批延期")
