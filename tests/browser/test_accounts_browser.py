"""In Chromium: the admin creates a county officer on /admin/users, who signs in, sets a password, sees the inbox
and completes a task."""
from __future__ import annotations

import pytest

from browser.test_browser_pages import fill_form, open_task
from browser.test_office_browser import submit

pytestmark = [pytest.mark.browser, pytest.mark.slow]
INITIAL, CHOSEN = "Officer#2026x", "Chosen#2026yz"


def test_admin_creates_a_county_officer_who_signs_in_and_completes_a_task(settings, open_session):
    tracking_no = submit(settings, "自动扶梯扶手带断裂")
    admin = open_session("desk")
    page = admin.login("admin")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="账户管理").click()
    page.wait_for_url("**/admin/users")
    form = page.get_by_role("region", name="新建账户")
    form.get_by_label("登录名").fill("county.browser")
    form.get_by_label("姓名").fill("浏览器新建监管员")
    form.get_by_label("初始密码").fill(INITIAL)
    form.get_by_label("角色").select_option("county_officer")
    form.get_by_label("行政区划").select_option("610113")
    form.get_by_role("button", name="创建账户").click()
    page.wait_for_load_state()
    assert page.get_by_text("已创建账户 浏览器新建监管员").is_visible()
    assert page.get_by_role("row").filter(has_text="county.browser").get_by_text("县级监管人员").is_visible()
    admin.shot("accounts-created")

    officer = open_session("desk")
    page = officer.login("county.browser", INITIAL)
    page.wait_for_url("**/account/password**")
    page.get_by_label("原密码").fill(INITIAL)
    page.get_by_label("新密码", exact=True).fill(CHOSEN)
    page.get_by_label("确认新密码").fill(CHOSEN)
    page.get_by_role("button", name="修改密码").click()
    page.wait_for_url("**/tasks")
    assert page.get_by_text(tracking_no).first.is_visible()
    officer.shot("accounts-new-officer-inbox")
    page = open_task(officer, tracking_no, "县级处置")
    fill_form(page, {"处置结论": "上报市级", "处置措施": "新建账户现场核查", "风险等级": "较大", "信息质量评分": "4"})
    page.get_by_role("button", name="提交办理").click()
    page.wait_for_url("**/tasks")
    assert "已办理“县级处置”" in page.locator(".flash-success").inner_text()
    assert page.get_by_role("row").filter(has_text=tracking_no).count() == 0
