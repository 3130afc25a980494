"""The whole disposal chain by clicking, in Chromium against the real server; lockout; required fields."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from services.reports import ReportInput, submit_report as submit_service
from storage.models import HumanTask, User, utcnow
from web import create_app
from web import env as make_env
from web.extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def seed_inbox(settings):
    """Put a few more county tasks in the database the live server uses: one overdue, one due within a day."""
    def seed():
        app = create_app(settings)
        with app.app_context():
            env = make_env()
            reporter = env.session.scalar(select(User).where(User.username == "reporter.agency"))
            titles = ["锅炉安全阀校验过期", "游乐设施座椅安全带磨损", "气瓶充装记录不全"]
            offsets = [timedelta(hours=-5), timedelta(hours=10), None]
            for title, offset in zip(titles, offsets):
                report = submit_service(env, reporter, ReportInput("problem", "use", "1100", title + "。", title))
                if offset is not None:
                    task = env.session.scalar(select(HumanTask).where(HumanTask.report_id == report.id))
                    task.due_at = utcnow() + offset
                    task.created_at = utcnow() - timedelta(days=3)  # yellow in the last quarter of its time
                    env.session.commit()
            db.session.remove()
            db.engine.dispose()
    return seed


def nav(page, name: str) -> None:
    """Follow a link of the main navigation bar."""
    page.get_by_role("navigation", name="主导航").get_by_role("link", name=name, exact=True).click()


def submit_report(session, title: str, shots: str | None = None) -> str:
    """Fill the submit page as a reporter and return the tracking number it shows."""
    page = session.page
    nav(page, "报送信息")
    page.wait_for_url("**/reports/new")
    assert page.get_by_text("突发事件请勿在此报送").is_visible()
    page.get_by_label("报送类型").select_option("risk_hazard")
    page.get_by_label("涉及环节").select_option("use")
    page.get_by_label("种类", exact=True).select_option(label="电梯")
    page.get_by_label("类别", exact=True).select_option(label="曳引与强制驱动电梯")
    page.get_by_label("品种", exact=True).select_option(label="曳引驱动乘客电梯")
    page.get_by_label("标题").fill(title)
    content = "商场 3 号电梯层门门锁回路被短接，存在剪切风险。"
    page.get_by_label("内容").fill(content)
    assert f"已输入 {len(content)} /" in page.locator("#content-count").inner_text()
    if shots:
        session.shot(shots)
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(re.compile(r"/reports/\d+"))
    tracking = page.locator(".tracking.big").inner_text().strip()
    assert re.fullmatch(r"SX-\d{4}-\d{6}", tracking)
    return tracking


def open_task(session, tracking: str, task_name: str):
    """From the inbox, search the tracking number and open the row of this task."""
    page = session.page
    nav(page, "待办")
    page.get_by_label("搜索").fill(tracking)
    page.get_by_role("button", name="筛选").click()
    row = page.locator("table.inbox tbody tr", has_text=task_name)
    row.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/tasks/[0-9a-f-]{36}$"))
    assert task_name in page.locator("h1").inner_text()
    return page


def fill_form(page, values: dict) -> None:
    """Fill task-form fields by their visible labels: selects by option text, inputs by value."""
    for label, value in values.items():
        field = page.locator("#task-form").get_by_label(label)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)


def work(open_session, username: str, tracking: str, task_name: str, values: dict, shots: str | None = None):
    """Sign in, open the task, fill it, submit, and check the page says where the report went."""
    session = open_session("desk")
    session.login(username)
    page = open_task(session, tracking, task_name)
    fill_form(page, values)
    page.get_by_role("button", name="提交办理").click()
    page.wait_for_url(re.compile(r"/tasks(\?.*)?$"))
    flash = page.locator(".flash-success").inner_text()
    assert f"已办理“{task_name}”" in flash
    session.close()
    return flash


def test_whole_chain_by_clicking(open_session, seed_inbox):
    reporter = open_session("phone")
    reporter.login("reporter.unit")
    reporter.page.goto(reporter.base + "/reports/new")
    reporter.shot("submit-page-375")
    tracking = submit_report(reporter, "电梯层门门锁回路被短接", shots="submit-filled-375")
    assert reporter.page.get_by_text("仅用于帮扶指导解决问题").is_visible()

    desk_reporter = open_session("desk")
    desk_reporter.login("reporter.unit")
    desk_reporter.goto("/reports/new")
    desk_reporter.shot("submit-page-1280")

    flash = work(open_session, "director.unit", tracking, "安全总监确认并安排处置", {
        "处置安排": "立即停梯，联系维保单位恢复门锁回路", "责任人": "陈志强", "完成期限": "2026-12-31"})
    assert "已转至" in flash or "流程" in flash

    seed_inbox()
    county = open_session("desk")
    county.login("county.610113")
    nav(county.page, "待办")
    assert county.page.locator("tr.row-overdue", has_text="锅炉安全阀校验过期").count() == 1
    assert county.page.locator("tr.row-soon", has_text="游乐设施座椅安全带磨损").count() == 1
    overdue_bg = county.page.locator("tr.row-overdue td").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert overdue_bg == "rgb(255, 235, 238)"
    county.shot("inbox-1280")
    county_phone = open_session("phone")
    county_phone.login("county.610113")
    nav(county_phone.page, "待办")
    county_phone.shot("inbox-375")
    page = open_task(county, tracking, "县级处置")
    page.wait_for_selector("#diagram[data-ready='1']")
    assert page.locator("#diagram .current-element").count() >= 1
    county.shot("task-page-1280")
    fill_form(page, {"处置结论": "上报市级", "处置措施": "现场核查，责令停用", "风险等级": "重大",
                     "信息质量评分": "5"})
    page.get_by_role("button", name="提交办理").click()
    assert "市级研判" in page.locator(".flash-success").inner_text()

    flash = work(open_session, "city.610100", tracking, "市级研判", {
        "研判结论": "上报省级", "研判意见": "需省级研判", "风险等级": "重大", "信息质量评分": "4"})
    assert "省中心组织会签" in flash
    work(open_session, "center", tracking, "省中心组织会签", {})  # no further experts: the organiser assesses
    work(open_session, "center", tracking, "省中心专家研判（会签）", {
        "风险等级": "重大", "隐患等级": "重大隐患", "分类研判结论": "重大隐患", "风险减缓措施": "专项排查",
        "信息质量评分": "5"})
    work(open_session, "center", tracking, "汇总会签意见", {"汇总结论": "报省局研究", "会签汇总意见": "同意专家意见"})
    work(open_session, "province", tracking, "省局研究提出措施意见并指导属地", {
        "研究结论": "提出措施意见并指导属地", "同意专家措施": "是", "措施意见与指导意见": "督促整改"})

    county_phone_task = open_task(county_phone, tracking, "属地整改落实")
    county_phone_task.wait_for_selector("#diagram[data-ready='1']")
    county_phone.shot("task-page-375")
    fill_form(county_phone_task, {"整改落实情况": "已恢复门锁回路并复检合格", "完成日期": "2026-11-28"})
    county_phone_task.get_by_role("button", name="提交办理").click()
    assert "市级核查整改" in county_phone.page.locator(".flash-success").inner_text()
    work(open_session, "city.610100", tracking, "市级核查整改", {"核查结论": "核查属实，报省局复核", "核查意见": "属实"})

    work(open_session, "province", tracking, "省局复核", {"复核结论": "同意销号", "复核意见": "同意"})

    nav(reporter.page, "我的报送")
    row = reporter.page.locator("table.list tbody tr", has_text=tracking)
    assert "已办结" in row.inner_text()
    row.get_by_role("link").click()
    assert reporter.page.locator(".status").first.inner_text() == "已办结"
    reporter.page.wait_for_selector("#diagram[data-ready='1']")
    reporter.shot("report-closed-375")


def test_login_lockout_after_five_failures(open_session):
    session = open_session("desk")
    for attempt in range(5):
        page = session.login("reporter.agency", "wrong-password")
    assert "锁定" in page.locator(".flash-error").inner_text()
    page = session.login("reporter.agency")
    assert "已锁定" in page.locator(".flash-error").inner_text()
    assert page.url.endswith("/login")


def test_required_fields_block_submission_in_the_browser(open_session):
    reporter = open_session("phone")
    reporter.login("reporter.agency")
    tracking = submit_report(reporter, "起重机械限位失效")
    county = open_session("desk")
    county.login("county.610113")
    page = open_task(county, tracking, "县级处置")
    task_url = page.url
    page.get_by_role("button", name="提交办理").click()
    assert page.url == task_url
    assert page.locator("#f_decision").evaluate("e => e.validity.valueMissing")
    assert page.locator(".flash-success").count() == 0
    page.goto(county.base + "/tasks?q=" + tracking)
    assert page.locator("table.inbox tbody tr", has_text="县级处置").count() == 1


def test_submit_page_blocks_empty_required_fields(open_session):
    reporter = open_session("phone")
    reporter.login("reporter.unit")
    page = reporter.goto("/reports/new")
    page.get_by_role("button", name="提交").click()
    assert page.url.endswith("/reports/new")
    assert page.get_by_label("报送类型").evaluate("e => e.validity.valueMissing")


def test_catalogue_cascade_offers_safety_accessories_without_a_class(open_session):
    """安全附件 F000 has 品种 but no 类别: its 品种 follow the 种类; amusement rides list only their own rows."""
    reporter = open_session("desk")
    reporter.login("reporter.unit")
    page = reporter.goto("/reports/new")
    page.get_by_label("种类", exact=True).select_option(label="大型游乐设施")
    classes = page.get_by_label("类别", exact=True).locator("option").all_inner_texts()
    assert "观览车类" in classes and "压力管道管子" not in classes
    page.get_by_label("种类", exact=True).select_option(label="安全附件")
    assert page.get_by_label("类别", exact=True).is_disabled()
    page.get_by_label("品种", exact=True).select_option(label="安全阀")
    assert page.get_by_label("品种", exact=True).input_value() == "7310"


UNLABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(e => e.type !== 'hidden' && e.type !== 'submit' && e.labels.length === 0)
  .map(e => e.id || e.name)"""


@pytest.mark.parametrize("width", ["phone", "desk"])
def test_every_control_is_labelled_and_phone_pages_do_not_scroll_sideways(open_session, width):
    reporter = open_session(width)
    reporter.login("reporter.agency")
    tracking = submit_report(reporter, "叉车制动失灵")
    county = open_session(width)
    county.login("county.610113")
    open_task(county, tracking, "县级处置")
    report_page = reporter.page.url[len(reporter.base):]
    reporter.goto("/reports")
    nav(reporter.page, "我的报送")
    reporter.page.locator("table.list tbody tr", has_text=tracking).get_by_role("link").click()
    reporter.page.wait_for_selector("#diagram[data-ready='1']")
    assert reporter.page.locator("#diagram .current-element").count() == 1  # the county task
    pages = [(reporter, report_page), (reporter, "/reports/new"), (reporter, "/reports"), (county, county.page.url[len(county.base):]),
             (county, "/tasks"), (county, "/points"), (county, "/points/new"), (county, "/notifications"),
             (county, "/account/password")]
    for session, path in pages:
        page = session.goto(path)
        assert page.evaluate(UNLABELLED) == [], path
        if width == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= 375, path


def test_login_works_from_the_keyboard(open_session):
    session = open_session("phone")
    page = session.goto("/login")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # brand
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "username"
    page.keyboard.type("county.610113")
    page.keyboard.press("Tab")
    page.keyboard.type("Demo#2026")
    page.keyboard.press("Enter")
    page.wait_for_url("**/tasks")
