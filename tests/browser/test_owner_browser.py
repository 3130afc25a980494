"""The workflow owner edits the diagram in the embedded web modeler, saves, publishes; reports follow it."""
from __future__ import annotations

import time

import pytest

from owner_diagrams import (
    deadline_dmn, seed_xml, upload, upload_and_publish, with_deadline_table, with_double_check,
)

from services.timers import fire_due_timers
from storage.models import Report
from web import env as make_env

pytestmark = pytest.mark.browser


def open_modeler(session):
    session.login("owner")
    page = session.goto("/processes/modeler")
    page.wait_for_selector("#modeler-app[data-ready='1']")
    return page


def select_element(page, element_id: str) -> None:
    page.locator(f"g.djs-element[data-element-id='{element_id}']").first.click(force=True)
    page.wait_for_selector("#properties .bio-properties-panel-header")


def open_group(page, group_id: str) -> None:
    group = page.locator(f"#properties [data-group-id='{group_id}']")
    header = group.locator(".bio-properties-panel-group-header")
    if "open" not in (header.get_attribute("class") or ""):
        header.click()


def test_owner_changes_a_timer_in_the_modeler_and_new_reports_follow_it(open_session, app, api):
    """`app`/`api` are a second app on the live server's database: the reporter and the scheduler tick."""
    session = open_session()
    page = open_modeler(session)
    assert page.locator(".bjs-powered-by").is_visible(), "bpmn.io watermark must stay visible"

    select_element(page, "county_deadline")
    open_group(page, "group-timer")
    value = page.locator("#bio-properties-panel-timerEventDefinitionValue")
    assert value.input_value() == "${workdays(5)}"
    value.fill("PT2S")
    value.press("Tab")
    page.get_by_label("版本说明").fill("县级期限改为 2 秒（测试）")
    page.get_by_role("button", name="保存为草稿").click()
    page.wait_for_selector("#modeler-status.rm-status-ok")
    assert "已保存为草稿 v2" in page.locator("#modeler-status").inner_text()
    session.shot("owner-modeler-saved")

    page.get_by_role("button", name="发布草稿 v2").click()
    page.wait_for_url("**/processes")
    assert "已发布 v2" in page.content()
    assert page.locator("tr[data-state='published'] td").first.inner_text() == "risk_disposal v2"

    rid = api.submit()["id"]
    time.sleep(2.5)
    with app.app_context():
        assert fire_due_timers(make_env()) >= 1
        assert make_env().session.get(Report, rid).overdue is True
    # the deadline marks the county task overdue; it stays with the county (issue 13.1)
    county = api.get(f"/tasks?report_id={rid}", "county.610113").get_json()["items"]
    assert [(t["element_id"], t["overdue"]) for t in county] == [("county_disposal", True)]


def test_problems_are_marked_on_the_diagram_and_listed(open_session):
    session = open_session()
    page = open_modeler(session)
    select_element(page, "inspection_consultation")
    open_group(page, "group-CamundaPlatform__UserAssignment")
    groups = page.locator("#bio-properties-panel-candidateGroups")
    groups.fill("mayor")
    groups.press("Tab")
    page.get_by_role("button", name="保存为草稿").click()
    page.wait_for_selector("#modeler-status.rm-status-error")
    marked = page.locator("g.djs-element.rm-problem[data-element-id='inspection_consultation']")
    assert marked.count() == 1
    item = page.locator("#problems li[data-element-id='inspection_consultation']")
    assert "未知的候选组“mayor”" in item.inner_text()
    session.shot("owner-modeler-problem")


def test_owner_edits_a_decision_table_and_new_reports_follow_it(open_session, app, api):
    version = upload_and_publish(api, with_deadline_table(seed_xml()), decisions=(deadline_dmn("P7D"),))
    session = open_session()
    session.login("owner")
    page = session.goto(f"/processes/{version['id']}/decisions/county_deadline")
    page.wait_for_selector("#decision-app[data-ready='1']")
    assert page.locator(".bjs-powered-by, .dmn-powered-by, a[href*='bpmn.io']").first.is_visible()
    cell = page.locator("td.output-cell [role='textbox']").first
    assert cell.inner_text().strip() == '"P7D"'
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type('"PT2S"')
    page.get_by_label("版本说明").click()
    page.get_by_role("button", name="保存为草稿").click()
    page.wait_for_selector("#decision-status.rm-status-ok")
    session.shot("owner-decision-saved")
    page.get_by_role("button", name="发布草稿").click()
    page.wait_for_url("**/processes")
    assert "已发布" in page.content()

    rid = api.submit()["id"]
    time.sleep(2.5)
    with app.app_context():
        assert fire_due_timers(make_env()) >= 1
        assert make_env().session.get(Report, rid).overdue is True


def test_visual_diff_colours_added_and_changed_elements(open_session, api):
    draft = upload(api, with_double_check(seed_xml())).get_json()
    session = open_session()
    session.login("owner")
    page = session.goto(f"/processes/diff?from=1&to={draft['id']}")
    page.wait_for_selector("#diff-app[data-ready='1']")
    new = page.locator("#diff-new")
    assert new.locator("g.djs-element.rm-added[data-element-id='county_double_check']").count() == 1
    assert new.locator("g.djs-element.rm-changed[data-element-id='flow_county_decision']").count() == 1
    assert page.locator("#diff-old g.djs-element[data-element-id='county_double_check']").count() == 0
    assert page.locator("#diff-list tr.rm-row-added[data-element-id='county_double_check']").is_visible()
    session.shot("owner-diff")
