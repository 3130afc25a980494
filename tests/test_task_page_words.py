"""Issue 17 item 7 on the task page: the second 市级研判 remembers, 认领 and 否 explained, closing said plainly."""
from __future__ import annotations

import re

from pages_helpers import signed_in, token

ESCALATE = {"decision": "escalate", "measures": "现场核查", "risk_level": "major", "quality_score": 5}
CITY = {"assessment_opinion": "门锁回路短接属实，需检验机构意见", "risk_level": "significant", "quality_score": 3}
CENTER = {"risk_level": "major", "hazard_grade": "major", "assessment_summary": "重大隐患",
          "mitigation_measures": "专项排查", "quality_score": 5}


def city_task_page(api, app, rid) -> tuple[str, str]:
    task = api.task("city.610100", rid, "city_assessment")
    client = signed_in(app, "city.610100")
    return task["id"], client.get(f"/tasks/{task['id']}").get_data(as_text=True)


def selected(html: str, field: str) -> list[str]:
    select = re.search(rf'<select id="f_{field}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)" selected>', select)


def test_second_city_assessment_after_a_consultation_is_prefilled(api, app):
    rid = api.submit()["id"]
    api.complete("county.610113", rid, "county_disposal", ESCALATE)
    _, first = city_task_page(api, app, rid)
    assert selected(first, "risk_level") == [] and 'id="f_quality_score" name="quality_score" type="number" step="1" inputmode="numeric" value=""' in first
    api.complete("city.610100", rid, "city_assessment", {**CITY, "decision": "consult"})
    api.complete("inspect.610100", rid, "inspection_consultation", {"inspection_opinion": "建议更换门锁"})
    task_id, second = city_task_page(api, app, rid)
    assert selected(second, "risk_level") == ["significant"]
    assert "门锁回路短接属实，需检验机构意见</textarea>" in second
    assert 'value="3"' in re.search(r'<input id="f_quality_score"[^>]*>', second).group(0)
    assert selected(second, "decision") == []  # the route is chosen afresh, or it would consult again
    stored = api.task("city.610100", rid, "city_assessment")["form"]["fields"]
    assert {f["id"]: f["default"] for f in stored}["risk_level"] == "significant"


def test_claiming_is_explained_as_optional(api, app):
    rid = api.submit()["id"]
    task = api.task("county.610113", rid, "county_disposal")
    html = signed_in(app, "county.610113").get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "认领可选：认领后本任务只由您办理" in html and "不认领也可直接填写并提交办理" in html


def test_after_the_last_step_the_page_says_the_report_is_closed(api, app):
    rid = api.submit()["id"]
    api.complete("county.610113", rid, "county_disposal", ESCALATE)
    task_id, _ = city_task_page(api, app, rid)
    client = signed_in(app, "city.610100")
    data = {"csrf_token": token(client, f"/tasks/{task_id}"), "decision": "resolve", **CITY}
    res = client.post(f"/tasks/{task_id}/complete", data=data, follow_redirects=True)
    html = res.get_data(as_text=True)
    assert res.status_code == 200 and "该报送信息已办结，处置流程到此结束。" in html
    assert "流程将继续自动处理或已办结" not in html


def test_the_province_knows_what_no_to_the_experts_measures_leads_to(api, app):
    rid = api.submit()["id"]
    api.complete("county.610113", rid, "county_disposal", ESCALATE)
    api.complete("city.610100", rid, "city_assessment", {**CITY, "decision": "escalate"})
    api.complete("center", rid, "center_select_panel", {"panel": ""})
    api.complete("center", rid, "center_assessment", CENTER)
    api.complete("center", rid, "center_consolidation", {"decision": "to_province", "consolidated_opinion": "同意"})
    task = api.task("province", rid, "province_decision")
    html = signed_in(app, "province").get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "同意专家措施（选“否”：按下方省局措施意见下达属地；需专家重新研判请选“退回省中心”）" in html
