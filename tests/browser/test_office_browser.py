"""In Chromium: the city urges and the county sees the 督办 mark; a transfer moves a task between county inboxes."""
from __future__ import annotations

import pytest

from services.reports import ReportInput, submit_report
from browser.test_admin_browser import named, with_env

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def submit(settings, title: str) -> str:
    def work(env):
        report = submit_report(env, named(env, "reporter.agency"),
                               ReportInput("risk_hazard", "use", "3110", title + "，存在安全风险。", title))
        return report.tracking_no
    return with_env(settings, work)


def test_city_urges_and_county_sees_the_mark(settings, open_session):
    tracking_no = submit(settings, "电梯层门门锁回路被短接")
    city = open_session("desk")
    page = city.login("city.610100")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="督办").click()
    page.wait_for_url("**/tasks/supervised")
    row = page.get_by_role("row").filter(has_text=tracking_no)
    row.get_by_text("督办", exact=True).click()  # opens the confirmation form
    row.get_by_label("督办意见").fill("请于今日内完成现场核查")
    row.get_by_role("button", name="确认督办").click()
    assert page.url.endswith("/tasks/supervised")  # the browser refuses to submit unconfirmed (required box)
    row.get_by_label("我确认督办，承办人员将收到通知").check()
    row.get_by_role("button", name="确认督办").click()
    page.wait_for_load_state()
    assert page.get_by_text("已督办，承办人员已收到通知").is_visible()
    assert page.get_by_role("row").filter(has_text=tracking_no).get_by_text("督办 ×1").is_visible()
    city.shot("office-supervised-urged")

    county = open_session("desk")
    inbox = county.login("county.610113")
    inbox.wait_for_url("**/tasks")
    mine = inbox.get_by_role("row").filter(has_text=tracking_no)
    assert mine.get_by_text("督办 ×1").is_visible()
    mine.get_by_role("link", name="电梯层门门锁回路被短接").click()
    inbox.wait_for_url("**/tasks/*")
    assert inbox.locator("#urge-mark").get_by_text("督办 ×1").is_visible()
    assert inbox.get_by_text("请于今日内完成现场核查").first.is_visible()
    county.shot("office-task-urged")


def test_transfer_moves_the_task_to_another_county_inbox(settings, open_session):
    tracking_no = submit(settings, "锅炉安全阀未校验")
    first = open_session("desk")
    page = first.login("county.610113")
    page.wait_for_url("**/tasks")
    page.get_by_role("row").filter(has_text=tracking_no).get_by_role("link", name="锅炉安全阀未校验").click()
    page.wait_for_url("**/tasks/*")
    page.get_by_text("转办给同级单位").click()
    page.get_by_label("转办至").select_option(label="未央区")
    page.get_by_label("转办理由").fill("设备位于未央区")
    page.get_by_label("我确认转办：转办后本单位将不再看到该任务").check()
    page.get_by_role("button", name="确认转办").click()
    page.wait_for_url("**/tasks")
    assert page.get_by_text("已转办").first.is_visible()
    assert page.get_by_role("row").filter(has_text=tracking_no).count() == 0

    second = open_session("desk")
    other = second.login("county.610112")
    other.wait_for_url("**/tasks")
    assert other.get_by_role("row").filter(has_text=tracking_no).is_visible()
    second.shot("office-transferred-inbox")
