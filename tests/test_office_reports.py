"""Whom a report is about, feedback to reporters, full-text search in the report library, saved filters."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from services import processes
from storage.models import Notification, User
from owner_diagrams import seed_xml

RESOLVE = {"decision": "resolve", "measures": "已督促更换门锁回路", "risk_level": "low", "quality_score": 4}


def test_equipment_fields_are_optional_kept_and_checked(api):
    plain = api.submit()
    assert plain["equipment_code"] is None and plain["registration_cert_no"] is None
    report = api.submit(equipment_code="31106101202600123", registration_cert_no="梯11陕A0001(26)")
    detail = api.get(f"/reports/{report['id']}", "county.610113").get_json()
    assert detail["equipment_code"] == "31106101202600123" and detail["registration_cert_no"] == "梯11陕A0001(26)"
    res = api.post("/reports", "reporter.agency", json={"kind": "problem", "domain": "use", "equipment_type_code": "3110",
                                                        "content": "x", "equipment_code": "9" * 65})
    assert res.status_code == 422 and res.get_json()["error"]["details"][0]["field"] == "equipment_code"


def test_officers_see_unit_and_reporter_the_unit_side_sees_no_reporter(api, env):
    report = api.submit("reporter.unit")
    officer = api.get(f"/reports/{report['id']}", "county.610113").get_json()
    unit = officer["reporting_unit"]
    assert unit["name"] and unit["kind"] == "controlled_user_unit" and unit["control_level_label"] == "一级管控"
    assert "responsible_person" in unit and "address" in unit
    reporter = env.session.scalar(select(User).where(User.username == "reporter.unit"))
    assert officer["reporter"] == {"id": reporter.id, "name": reporter.display_name, "phone": reporter.phone}
    for side in ("director.unit",):
        data = api.get(f"/reports/{report['id']}", side).get_json()
        assert data["reporter"] is None and "reporter_id" not in data
        assert reporter.display_name not in str(data)


def test_closure_notifies_the_reporter_with_outcome_and_office(api, env):
    report = api.submit()
    api.complete("county.610113", report["id"], "county_disposal", RESOLVE)
    text = "已由雁塔区市场监管局处置完毕：已督促更换门锁回路"
    detail = api.get(f"/reports/{report['id']}", "reporter.agency").get_json()
    assert detail["status"] == "closed" and detail["feedback"] == text
    listed = api.get("/reports?mine=1", "reporter.agency").get_json()["items"]
    assert [r["feedback"] for r in listed if r["id"] == report["id"]] == [text]
    reporter = env.session.scalar(select(User).where(User.username == "reporter.agency"))
    [note] = env.session.scalars(select(Notification).where(Notification.user_id == reporter.id,
                                                             Notification.kind == "feedback"))
    assert note.body == text and report["tracking_no"] in note.title


def test_city_resolution_names_the_city_office(api):
    report = api.submit()
    api.complete("county.610113", report["id"], "county_disposal",
                 {"decision": "escalate", "measures": "x", "risk_level": "low", "quality_score": 3})
    api.complete("city.610100", report["id"], "city_assessment",
                 {"decision": "resolve", "assessment_opinion": "市局已协调处理", "risk_level": "low", "quality_score": 3})
    detail = api.get(f"/reports/{report['id']}", "reporter.agency").get_json()
    assert detail["feedback"] == "已由西安市市场监管局处置完毕：市局已协调处理"


def test_return_to_reporter_notifies_the_reporter(api, env):
    option = '<camunda:value id="escalate" name="上报市级" />'
    xml = seed_xml()
    first = xml.index(option)
    xml = xml[:first] + option + '<camunda:value id="return_to_reporter" name="退回报送人补充" />' + \
        xml[first + len(option):]
    processes.deploy(env, xml, note="测试：退回报送人")
    report = api.submit()
    api.complete("county.610113", report["id"], "county_disposal",
                 {"decision": "return_to_reporter", "measures": "请补充现场照片", "risk_level": "low", "quality_score": 2})
    detail = api.get(f"/reports/{report['id']}", "reporter.agency").get_json()
    assert "returned_to_reporter" in [e["kind"] for e in detail["timeline"]]
    reporter = env.session.scalar(select(User).where(User.username == "reporter.agency"))
    notes = list(env.session.scalars(select(Notification).where(Notification.user_id == reporter.id,
                                                                 Notification.kind == "feedback")))
    assert notes and "雁塔区市场监管局退回，请补充：请补充现场照片" in notes[0].body


def _search(api, q, user="province"):
    res = api.get("/reports", user, query_string={"q": q})
    assert res.status_code == 200, res.get_json()
    return {r["tracking_no"] for r in res.get_json()["items"]}


def _full_text_cases(api):
    lift = api.submit(title="电梯层门门锁回路被短接", content="曳引机制动器磨损严重，需立即停梯检修。")
    boiler = api.submit(title="锅炉安全阀未校验", content="锅炉房压力表超期未检。")
    assert _search(api, "制动器") == {lift["tracking_no"]}  # content words, not only the title
    assert _search(api, "锅炉") == {boiler["tracking_no"]}  # two characters
    assert _search(api, "安全阀 压力表") == {boiler["tracking_no"]}  # every word must match
    assert _search(api, "安全阀 制动器") == set()
    assert _search(api, "不存在的词语") == set()
    assert _search(api, 'x" OR "') == set()  # FTS syntax is quoted, never a 500
    assert _search(api, "%") == set()  # LIKE wildcards are escaped
    assert _search(api, boiler["tracking_no"]) == {boiler["tracking_no"]}
    assert _search(api, "制动器", "county.610112") == set()  # still scoped


def test_full_text_search_sqlite(api):
    _full_text_cases(api)


@pytest.mark.postgres
def test_full_text_search_postgres(pg_settings):
    from web import create_app
    from web.extensions import db
    from conftest import Api

    app = create_app(pg_settings)
    try:
        _full_text_cases(Api(app.test_client()))
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_saved_filters_are_per_person(api):
    body = {"name": "超期的风险隐患", "params": {"status": "overdue", "kind": "risk_hazard", "q": ""}}
    res = api.post("/me/saved-filters", "county.610113", json=body)
    assert res.status_code == 201 and res.get_json()["params"] == {"status": "overdue", "kind": "risk_hazard"}
    fid = res.get_json()["id"]
    again = api.post("/me/saved-filters", "county.610113", json={**body, "params": {"status": "mine"}})
    assert again.get_json()["id"] == fid  # same name overwrites
    items = api.get("/me/saved-filters", "county.610113").get_json()["items"]
    assert [(i["name"], i["params"]) for i in items] == [("超期的风险隐患", {"status": "mine"})]
    assert api.get("/me/saved-filters", "county.610112").get_json()["items"] == []
    assert api.call("DELETE", f"/me/saved-filters/{fid}", "county.610112").status_code == 404
    assert api.post("/me/saved-filters", "county.610113", json={"name": "x", "params": {"evil": "1"}}).status_code == 422
    assert api.post("/me/saved-filters", "county.610113", json={"name": "", "params": {}}).status_code == 422
    assert api.post("/me/saved-filters", "county.610113", json={"name": "x", "params": {"q": 5}}).status_code == 422
    assert api.post("/me/saved-filters", "county.610113", json={"name": "x", "params": []}).status_code == 422
    assert api.call("DELETE", f"/me/saved-filters/{fid}", "county.610113").status_code == 204
    assert api.get("/me/saved-filters", "county.610113").get_json()["items"] == []
