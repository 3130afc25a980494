"""Inbox and task pages: scoping, filters, claim, the diagram's form, server-side required fields."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from storage.models import HumanTask, TaskState, utcnow
from web.extensions import db
from pages_helpers import signed_in, token


def task_id(api, user, report_id, element_id) -> str:
    return api.task(user, report_id, element_id)["id"]


def post(client, path: str, data: dict | None = None, page: str = "/tasks"):
    return client.post(path, data={**(data or {}), "csrf_token": token(client, page)})


def test_inbox_lists_the_county_task_with_its_columns(app, api):
    report = api.submit()
    html = signed_in(app, "county.610113").get("/tasks").get_data(as_text=True)
    for heading in ("跟踪编号", "标题", "层级", "行政区划", "期限", "认领人"):
        assert f">{heading}</th>" in html
    assert report["tracking_no"] in html and "县级处置" in html and "雁塔区" in html
    assert report["tracking_no"] not in signed_in(app, "county.610112").get("/tasks").get_data(as_text=True)


def test_reporters_see_only_tasks_the_diagram_gives_them(app, api):
    """Reporters now have an inbox (补充材料 tasks returned to them, issue 12.2); officers' tasks stay hidden."""
    report = api.submit("reporter.unit")
    page = signed_in(app, "reporter.unit").get("/tasks")
    assert page.status_code == 200
    assert report["tracking_no"] not in page.get_data(as_text=True)
    assert signed_in(app, "manager.unit").get("/tasks").status_code == 403


def test_other_county_gets_403_on_the_task_page(app, api):
    report = api.submit()
    tid = task_id(api, "county.610113", report["id"], "county_disposal")
    assert signed_in(app, "county.610113").get(f"/tasks/{tid}").status_code == 200
    other = signed_in(app, "county.610112")
    assert other.get(f"/tasks/{tid}").status_code == 403
    res = post(other, f"/tasks/{tid}/complete", {"decision": "resolve", "measures": "x", "risk_level": "low",
                                                 "quality_score": "3"})
    assert res.status_code == 403
    assert signed_in(app, "city.610100").get(f"/tasks/{tid}").status_code == 403


def test_task_page_renders_the_declared_form(app, api):
    report = api.submit()
    tid = task_id(api, "county.610113", report["id"], "county_disposal")
    html = signed_in(app, "county.610113").get(f"/tasks/{tid}").get_data(as_text=True)
    assert re.search(r'<label for="f_decision">处置结论', html)
    assert '<select id="f_decision" name="decision" required' in html
    assert '<option value="escalate">上报市级</option>' in html
    assert '<textarea id="f_measures" name="measures"' in html
    assert re.search(r'<input id="f_quality_score" name="quality_score" type="number"[^>]*min="1" max="5" required', html)
    assert '<select id="f_hazard_grade" name="hazard_grade">' in html  # optional: no required attribute
    assert "bpmn-navigated-viewer.production.min.js" in html and 'data-current="county_disposal"' in html
    assert "不作为行政处罚或其他行政约束的依据" in html


def test_required_fields_are_enforced_on_the_server(app, api):
    report = api.submit()
    tid = task_id(api, "county.610113", report["id"], "county_disposal")
    client = signed_in(app, "county.610113")
    res = post(client, f"/tasks/{tid}/complete", {"decision": "", "measures": "  ", "quality_score": "9"})
    assert res.status_code == 422
    html = res.get_data(as_text=True)
    assert "“处置结论”为必填项" in html and "“处置措施”为必填项" in html and "“风险等级”为必填项" in html
    assert "必须在 1 到 5 之间" in html and 'aria-invalid="true"' in html
    assert 'value="9"' in html  # what was typed is kept
    assert api.task("county.610113", report["id"], "county_disposal")["id"] == tid


def test_completing_says_where_the_report_went(app, api):
    report = api.submit()
    tid = task_id(api, "county.610113", report["id"], "county_disposal")
    client = signed_in(app, "county.610113")
    res = post(client, f"/tasks/{tid}/complete", {"decision": "escalate", "measures": "现场核查", "risk_level": "major",
                                                  "quality_score": "5"})
    assert res.status_code == 302 and res.headers["Location"].endswith("/tasks")
    html = client.get("/tasks").get_data(as_text=True)
    assert "已办理“县级处置”" in html and "已转至：市级研判（西安市市级监管人员）" in html
    assert post(client, f"/tasks/{tid}/complete", {"decision": "resolve"}).status_code == 302  # 409 → flash
    assert "已办理或已失效" in client.get("/tasks").get_data(as_text=True)
    done = client.get("/tasks?status=done").get_data(as_text=True)
    assert report["tracking_no"] in done and "已办理" in done


def test_safety_director_acknowledges_with_the_generic_form(app, api):
    report = api.submit("reporter.unit")
    client = signed_in(app, "director.unit")
    html = client.get("/tasks").get_data(as_text=True)
    assert report["tracking_no"] in html and "安全总监确认并安排处置" in html
    tid = task_id(api, "director.unit", report["id"], "director_acknowledge")
    page = client.get(f"/tasks/{tid}").get_data(as_text=True)
    for label in ("处置安排", "责任人", "完成期限"):
        assert label in page
    assert '<input id="f_handling_deadline" name="handling_deadline" type="text" class="date-input" data-date-input' in page
    assert 'placeholder="年-月-日"' in page  # not the browser's mm/dd/yyyy
    res = post(client, f"/tasks/{tid}/complete", {"handling_arrangement": "停梯检修", "responsible_person": "陈志强",
                                                  "handling_deadline": "2026-12-31"})
    assert res.status_code == 302
    assert report["tracking_no"] not in client.get("/tasks").get_data(as_text=True)
    assert "本单位报送" in client.get("/reports").get_data(as_text=True)


def test_claim_and_unclaim(app, api):
    report = api.submit()
    tid = task_id(api, "county.610113", report["id"], "county_disposal")
    client = signed_in(app, "county.610113")
    assert post(client, f"/tasks/{tid}/claim", {"next": "/tasks?status=mine"}).headers["Location"] == "/tasks?status=mine"
    html = client.get("/tasks?status=mine").get_data(as_text=True)
    assert report["tracking_no"] in html and "雁塔区局监管员" in html and ">释放</button>" in html
    assert report["tracking_no"] not in client.get("/tasks?status=unclaimed").get_data(as_text=True)
    post(client, f"/tasks/{tid}/unclaim")
    assert report["tracking_no"] in client.get("/tasks?status=unclaimed").get_data(as_text=True)


def test_filters_search_sorting_and_urgency_colours(app, api):
    first = api.submit(title="电梯层门门锁回路被短接")
    second = api.submit(title="锅炉安全阀校验过期", kind="problem", equipment_type_code="1100")
    with app.app_context():
        rows = {t.report_id: t for t in db.session.scalars(select(HumanTask).where(HumanTask.state == TaskState.OPEN))}
        rows[first["id"]].due_at = utcnow() - timedelta(hours=2)
        rows[second["id"]].due_at = utcnow() + timedelta(hours=5)
        rows[second["id"]].created_at = utcnow() - timedelta(days=4)  # 5 h left of 4 days: its last quarter
        db.session.commit()
        db.session.remove()
    client = signed_in(app, "county.610113")
    html = client.get("/tasks").get_data(as_text=True)
    assert re.search(r'<tr class="row-overdue">\s*<td data-label="跟踪编号">' + first["tracking_no"], html)
    assert re.search(r'<tr class="row-soon">\s*<td data-label="跟踪编号">' + second["tracking_no"], html)
    assert html.index(first["tracking_no"]) < html.index(second["tracking_no"])
    html = client.get("/tasks?sort=-due").get_data(as_text=True)
    assert html.index(second["tracking_no"]) < html.index(first["tracking_no"])
    only = client.get("/tasks?q=锅炉 安全阀").get_data(as_text=True)
    assert second["tracking_no"] in only and first["tracking_no"] not in only
    only = client.get("/tasks?q=" + first["tracking_no"]).get_data(as_text=True)
    assert first["tracking_no"] in only and second["tracking_no"] not in only
    assert first["tracking_no"] not in client.get("/tasks?kind=problem").get_data(as_text=True)
    assert first["tracking_no"] not in client.get("/tasks?category=1000").get_data(as_text=True)
    assert second["tracking_no"] in client.get("/tasks?category=1000&division=610113").get_data(as_text=True)
    assert second["tracking_no"] not in client.get("/tasks?status=overdue").get_data(as_text=True)
    assert "共 0 条" in client.get("/tasks?from=2000-01-01&to=2000-01-02").get_data(as_text=True)
    assert "共 2 条" in client.get("/tasks?from=2000-01-01&to=2999-01-01&page=abc").get_data(as_text=True)


def test_inbox_pagination(app, api):
    for n in range(21):
        api.submit(title=f"批量报送 {n}")
    client = signed_in(app, "county.610113")
    html = client.get("/tasks").get_data(as_text=True)
    assert "第 1 / 2 页" in html and 'rel="next"' in html
    assert html.count('data-label="跟踪编号"') == 20
    assert client.get("/tasks?page=2").get_data(as_text=True).count('data-label="跟踪编号"') == 1


def test_comments_on_the_task_page(app, api):
    report = api.submit()
    tid = task_id(api, "county.610113", report["id"], "county_disposal")
    client = signed_in(app, "county.610113")
    res = post(client, f"/reports/{report['id']}/comments", {"body": "建议联系维保单位", "task_id": tid,
                                                             "next": f"/tasks/{tid}"}, page=f"/tasks/{tid}")
    assert res.status_code == 302 and res.headers["Location"] == f"/tasks/{tid}#comments"
    assert "建议联系维保单位" in client.get(f"/tasks/{tid}").get_data(as_text=True)
    assert "建议联系维保单位" not in signed_in(app, "reporter.agency").get(f"/reports/{report['id']}").get_data(
        as_text=True)
