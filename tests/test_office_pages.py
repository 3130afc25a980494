"""The office tools as pages: confirmation steps, scope, marks, badges, parties, feedback, saved filters."""
from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from storage.models import HumanTask, InstanceEvent, Report, RiskLevel, HazardGrade, User
from web.extensions import db
from pages_helpers import signed_in, token


def post(client, path: str, data: dict, page: str = "/tasks"):
    return client.post(path, data={**data, "csrf_token": token(client, page)})


def test_city_urges_from_the_supervised_page_after_confirming(app, api, env):
    report = api.submit()
    tid = api.task("county.610113", report["id"], "county_disposal")["id"]
    city = signed_in(app, "city.610100")
    html = city.get("/tasks/supervised").get_data(as_text=True)
    assert report["tracking_no"] in html and "确认督办" in html and 'name="confirm"' in html
    res = post(city, f"/tasks/{tid}/urge", {"message": "请今日办结"}, "/tasks/supervised")
    assert res.status_code == 302
    assert db.session.get(HumanTask, tid).urge_count == 0  # not confirmed: nothing happened
    assert "请先勾选确认" in city.get("/tasks/supervised").get_data(as_text=True)
    post(city, f"/tasks/{tid}/urge", {"message": "请今日办结", "confirm": "1"}, "/tasks/supervised")
    db.session.expire_all()
    assert db.session.get(HumanTask, tid).urge_count == 1
    county = signed_in(app, "county.610113")
    assert "督办 ×1" in county.get("/tasks").get_data(as_text=True)
    page = county.get(f"/tasks/{tid}").get_data(as_text=True)
    assert 'id="urge-mark"' in page and "督办 ×1" in page and "请今日办结" in page  # mark and timeline
    other = signed_in(app, "county.610112")
    assert post(other, f"/tasks/{tid}/urge", {"message": "x", "confirm": "1"}).status_code == 403
    assert report["tracking_no"] not in other.get("/tasks/supervised").get_data(as_text=True)
    assert signed_in(app, "reporter.agency").get("/tasks/supervised").status_code == 403


def test_supervised_page_filters_and_offers_the_export(app, api):
    first, second = api.submit(title="电梯门锁短接"), api.submit(title="锅炉安全阀")
    tid = api.task("county.610113", first["id"], "county_disposal")["id"]
    api.post(f"/tasks/{tid}/urge", "city.610100", json={"message": "催办"})
    city = signed_in(app, "city.610100")
    html = city.get("/tasks/supervised?urged=1").get_data(as_text=True)
    assert first["tracking_no"] in html and second["tracking_no"] not in html
    assert 'href="/tasks/supervised?urged=1&amp;format=xlsx"' in html
    export = city.get("/tasks/supervised?urged=1&format=xlsx")
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    assert load_workbook(BytesIO(export.data)).active["A2"].value == first["tracking_no"]
    html = city.get("/tasks/supervised?q=锅炉").get_data(as_text=True)
    assert second["tracking_no"] in html and first["tracking_no"] not in html


def test_transfer_from_the_task_page_moves_it_between_inboxes(app, api, env):
    report = api.submit()
    tid = api.task("county.610113", report["id"], "county_disposal")["id"]
    county = signed_in(app, "county.610113")
    page = county.get(f"/tasks/{tid}").get_data(as_text=True)
    assert '<option value="610112">未央区</option>' in page and '<option value="610202"' not in page
    assert post(county, f"/tasks/{tid}/transfer", {"division_code": "610112", "reason": "辖区调整"},
                f"/tasks/{tid}").status_code == 302
    assert report["tracking_no"] in county.get("/tasks").get_data(as_text=True)  # unconfirmed: still here
    post(county, f"/tasks/{tid}/transfer", {"division_code": "610112", "reason": "辖区调整", "confirm": "1"},
         f"/tasks/{tid}")
    assert report["tracking_no"] not in county.get("/tasks").get_data(as_text=True)
    assert county.get(f"/tasks/{tid}").status_code == 403
    assert report["tracking_no"] in signed_in(app, "county.610112").get("/tasks").get_data(as_text=True)
    kinds = list(db.session.scalars(select(InstanceEvent.kind).where(InstanceEvent.report_id == report["id"])))
    assert "task_transferred" in kinds


def test_extension_request_and_approval_pages(app, api, env):
    report = api.submit()
    tid = api.task("county.610113", report["id"], "county_disposal")["id"]
    county = signed_in(app, "county.610113")
    assert "申请延期" in county.get(f"/tasks/{tid}").get_data(as_text=True)
    post(county, f"/tasks/{tid}/extension", {"reason": "等待检测报告", "working_days": "5", "confirm": "1"}, f"/tasks/{tid}")
    assert "待审批" in county.get(f"/tasks/{tid}").get_data(as_text=True)
    city = signed_in(app, "city.610100")
    html = city.get("/tasks/extensions").get_data(as_text=True)
    assert "等待检测报告" in html and report["tracking_no"] in html
    assert signed_in(app, "county.610112").get("/tasks/extensions").status_code == 403
    ext_id = int(html.split('/tasks/extensions/')[1].split('/')[0])
    res = post(city, f"/tasks/extensions/{ext_id}/decide", {"decision": "refuse", "confirm": "1"}, "/tasks/extensions")
    assert res.status_code == 302 and "审批意见" in city.get("/tasks/extensions").get_data(as_text=True)
    before = db.session.get(HumanTask, tid).due_at
    post(city, f"/tasks/extensions/{ext_id}/decide", {"decision": "approve", "confirm": "1"}, "/tasks/extensions")
    db.session.expire_all()
    assert db.session.get(HumanTask, tid).due_at > before
    assert "没有待审批的延期申请" in city.get("/tasks/extensions").get_data(as_text=True)
    assert "已批准" in county.get(f"/tasks/{tid}").get_data(as_text=True)


def test_task_page_shows_unit_reporter_badges_and_equipment(app, api, env):
    report = api.submit("reporter.unit", equipment_code="EQ-31100001", registration_cert_no="梯11陕A0001")
    row = db.session.get(Report, report["id"])
    row.risk_level, row.hazard_grade = RiskLevel.MAJOR, HazardGrade.SERIOUS
    db.session.commit()
    reporter = db.session.scalar(select(User).where(User.username == "reporter.unit"))
    tid = api.task("county.610113", report["id"], "county_disposal")["id"]
    page = signed_in(app, "county.610113").get(f"/tasks/{tid}").get_data(as_text=True)
    assert 'id="reporting-unit"' in page and "一级管控" in page
    assert 'id="reporter-identity"' in page and reporter.display_name in page
    assert '<span class="level level-red" title="风险等级">重大风险</span>' in page
    assert '<span class="level level-orange" title="隐患等级">严重隐患</span>' in page
    assert "EQ-31100001" in page and "梯11陕A0001" in page
    assert "level-red" in signed_in(app, "county.610113").get("/tasks").get_data(as_text=True)
    # the unit side: the safety director's task page and the report page never show the reporter
    director = signed_in(app, "director.unit")
    dtid = api.task("director.unit", report["id"], "director_acknowledge")["id"]
    for path in (f"/tasks/{dtid}", f"/reports/{report['id']}"):
        html = director.get(path).get_data(as_text=True)
        assert 'id="reporter-identity"' not in html and reporter.display_name not in html, path
    assert "level-red" in director.get(f"/reports/{report['id']}").get_data(as_text=True)


def test_reporter_sees_the_outcome_in_plain_words(app, api):
    report = api.submit()
    api.complete("county.610113", report["id"], "county_disposal",
                 {"decision": "resolve", "measures": "已更换门锁", "risk_level": "low", "quality_score": 4})
    reporter = signed_in(app, "reporter.agency")
    text = "已由雁塔区市场监管局处置完毕：已更换门锁"
    assert text in reporter.get("/reports").get_data(as_text=True)
    assert text in reporter.get(f"/reports/{report['id']}").get_data(as_text=True)
    assert '<span class="level level-blue" title="风险等级">低风险</span>' in reporter.get("/reports").get_data(as_text=True)


def test_saved_filters_on_the_inbox(app, api):
    county = signed_in(app, "county.610113")
    res = post(county, "/tasks/saved-filters", {"name": "我的风险隐患", "kind": "risk_hazard", "status": "mine"})
    assert res.status_code == 302 and "kind=risk_hazard" in res.headers["Location"]
    html = county.get("/tasks").get_data(as_text=True)
    assert '<a href="/tasks?status=mine&amp;kind=risk_hazard">我的风险隐患</a>' in html
    assert "我的风险隐患" not in signed_in(app, "county.610112").get("/tasks").get_data(as_text=True)
    fid = api.get("/me/saved-filters", "county.610113").get_json()["items"][0]["id"]
    assert post(signed_in(app, "county.610112"), f"/tasks/saved-filters/{fid}/delete", {}).status_code == 404
    post(county, f"/tasks/saved-filters/{fid}/delete", {})
    assert "我的风险隐患" not in county.get("/tasks").get_data(as_text=True)


def test_report_library_full_text_search_page(app, api):
    lift = api.submit(title="扶梯梯级缺损", content="梯级链条磨损，存在绊倒风险。")
    other = api.submit(title="锅炉压力表", content="压力表超期。")
    html = signed_in(app, "province").get("/reports?q=链条磨损").get_data(as_text=True)
    assert lift["tracking_no"] in html and other["tracking_no"] not in html
    assert '<label for="q">全文检索</label>' in html


def test_submit_form_has_the_optional_equipment_fields(app):
    reporter = signed_in(app, "reporter.agency")
    html = reporter.get("/reports/new").get_data(as_text=True)
    assert '<label for="equipment_code">设备代码（选填）</label>' in html
    assert '<label for="registration_cert_no">使用登记证号（选填）</label>' in html


def test_city_transfers_a_county_task_from_the_supervised_page(app, api, env):
    report = api.submit()
    tid = api.task("county.610113", report["id"], "county_disposal")["id"]
    city = signed_in(app, "city.610100")
    html = city.get("/tasks/supervised").get_data(as_text=True)
    assert '<option value="610112">未央区</option>' in html and "我确认转办" in html
    res = post(city, f"/tasks/{tid}/transfer", {"division_code": "610112", "reason": "未央区办理", "confirm": "1",
                                               "next": "/tasks/supervised"}, "/tasks/supervised")
    assert res.status_code == 302 and res.headers["Location"].endswith("/tasks/supervised")
    db.session.expire_all()
    assert db.session.get(HumanTask, tid).division_code == "610112"
