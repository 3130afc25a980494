"""GB/T 37668-2019: axe-core over every page each demo role works in finds no critical or serious violation."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from storage.models import HumanTask, TaskState, utcnow
from web.extensions import db

from .axe_helpers import AXE_FILE, axe_violations, wait_ready

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ACCOUNT_PAGES = ["/notifications", "/account/password", "/account/notifications"]


def _urgent_rows(app, overdue: int, soon: int) -> None:
    """One task overdue (red row, 已超期) and one in its last quarter (yellow row), as the inbox shows them."""
    with app.app_context():
        rows = {t.report_id: t for t in db.session.scalars(select(HumanTask).where(HumanTask.state == TaskState.OPEN))}
        rows[overdue].due_at = rows[overdue].overdue_at = utcnow() - timedelta(hours=2)
        rows[soon].due_at = utcnow() + timedelta(hours=5)
        rows[soon].created_at = utcnow() - timedelta(days=4)
        db.session.commit()
        db.session.remove()


def _visits(app, api) -> dict[str, list[str]]:
    """Pages beyond each role's navigation, with data in every colour: overdue, due soon, urged, risk badges."""
    agency = api.submit("reporter.agency")
    boiler = api.submit("reporter.agency", title="锅炉安全阀校验过期", kind="problem", equipment_type_code="1100")
    lift = api.submit("reporter.agency", title="游乐设施座椅安全带磨损")
    unit = api.submit("reporter.unit", title="商场自动扶梯梯级缺损")
    api.complete("county.610113", lift["id"], "county_disposal",
                 {"decision": "escalate", "measures": "已现场查看，需市级研判。", "risk_level": "significant",
                  "hazard_grade": "major", "quality_score": 4})
    county_task = api.task("county.610113", agency["id"], "county_disposal")
    assert api.post(f"/tasks/{county_task['id']}/urge", "city.610100", json={"message": "请今日办理"}).status_code == 200
    _urgent_rows(app, agency["id"], boiler["id"])
    city_task = api.task("city.610100", lift["id"], "city_assessment")
    director_task = api.task("director.unit", unit["id"], "director_acknowledge")
    instance = api.get("/admin/instances?per_page=1", "admin").get_json()["items"][0]
    version = api.get("/process-versions", "owner").get_json()["items"][0]["id"]
    point = api.get("/monitoring-points?per_page=1", "admin").get_json()["items"][0]["id"]
    person = api.get("/admin/users?q=reporter.agency", "admin").get_json()["items"][0]["id"]
    report, badges = f"/reports/{agency['id']}", f"/reports/{lift['id']}"
    return {
        "admin": ["/admin", "/admin/instances", f"/admin/instances/{instance['id']}", "/admin/audit", "/admin/stuck",
                  "/admin/settings",
                  "/admin/users", f"/admin/users/{person}", f"/points/{point}", "/points/new", report],
        "owner": ["/processes", "/processes/topics", "/processes/modeler",
                  f"/processes/{version}/decisions/new?decision_id=a11y&name=检查"],
        "province": ["/stats/reports", "/stats/quality", "/tasks/supervised", "/tasks/extensions", badges],
        "center": ["/stats/quality", report],
        "city.610100": [f"/tasks/{city_task['id']}", badges, "/tasks/supervised", "/tasks/extensions", "/admin/users"],
        "inspect.610100": [badges],
        "county.610113": [f"/tasks/{county_task['id']}", report, badges, "/reports?kind=risk_hazard",
                          "/stats/quality", "/tasks?status=all", "/admin/users"],
        "county.610112": ["/tasks?status=all"],
        "reporter.unit": [f"/reports/{unit['id']}"],
        "director.unit": [f"/tasks/{director_task['id']}", f"/reports/{unit['id']}"],
        "reporter.agency": [report, badges],
    }


def _pages_of(session, extra: list[str]) -> list[str]:
    """The role's navigation links, then the extra pages and the account pages, each once."""
    nav = session.page.eval_on_selector_all(".mainnav a", "links => links.map(a => a.getAttribute('href'))")
    seen: list[str] = []
    for path in nav + extra + ACCOUNT_PAGES:
        if path not in seen:
            seen.append(path)
    return seen


def test_axe_finds_no_serious_violation_on_any_role_page(open_session, app, api):
    assert AXE_FILE.exists(), "make assets 未复制 axe-core"
    found: dict[str, list] = {}
    checked = 0
    for username, extra in _visits(app, api).items():
        session = open_session()
        session.login(username)
        session.page.wait_for_load_state("networkidle")
        for path in _pages_of(session, extra):
            response = session.page.goto(session.base + path)
            if response.status != 200:
                found[f"{username} {path}"] = [response.status]
                continue
            wait_ready(session.page, path)
            checked += 1
            if violations := axe_violations(session.page):
                found[f"{username} {path}"] = violations
        session.close()
    assert checked >= 60
    lines = [f"{where}: {v}" for where, vs in found.items() for v in vs]
    assert not lines, "\n".join(lines)


def test_axe_check_can_fail(open_session):
    """The check sees a real violation: an unlabelled field and white-on-white text injected into the inbox."""
    session = open_session()
    session.login("county.610113")
    page = session.goto("/tasks")
    assert axe_violations(page) == []
    page.evaluate("""() => {
        const i = document.createElement('input'); document.querySelector('main').append(i);
        const p = document.createElement('p'); p.textContent = '看不见的文字'; p.style.color = '#fefefe';
        document.querySelector('main').append(p); }""")
    ids = {v["id"] for v in axe_violations(page)}
    assert {"label", "color-contrast"} <= ids


def _tab_to(page, selector: str, limit: int = 150) -> None:
    """Press Tab until the focus is on `selector`; each stop must show a focus ring (outline)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = page.evaluate("""s => { const e = document.activeElement;
            return {hit: !!e && e.matches(s), ring: !!e && getComputedStyle(e).outlineStyle !== 'none'}; }""", selector)
        if state["hit"]:
            assert state["ring"], f"{selector} has no visible focus indicator"
            return
    raise AssertionError(f"Tab never reaches {selector}")


def test_county_officer_completes_a_task_with_the_keyboard_only(open_session, api):
    """Sign in, open the task from the inbox, claim it, fill the form and submit: Tab, Enter, typing and the arrow
    keys a closed <select> answers to — no mouse."""
    report = api.submit("reporter.agency")
    task = api.task("county.610113", report["id"], "county_disposal")
    session = open_session()
    page = session.goto("/login")
    _tab_to(page, "#username")
    page.keyboard.type("county.610113")
    _tab_to(page, "#password")
    page.keyboard.type("Demo#2026")
    page.keyboard.press("Enter")
    page.wait_for_url("**/tasks")
    _tab_to(page, f'main a[href="/tasks/{task["id"]}"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/tasks/{task['id']}")
    _tab_to(page, ".claim-bar button")
    page.keyboard.press("Space")
    page.wait_for_selector(".claim-bar button:text('释放任务')")
    _tab_to(page, "#f_decision")
    page.keyboard.press("ArrowDown")  # 已协助消除隐患，办结
    _tab_to(page, "#f_measures")
    page.keyboard.type("已联系使用单位恢复门锁回路并复查。")
    _tab_to(page, "#f_risk_level")
    for _ in range(3):
        page.keyboard.press("ArrowDown")  # 重大 → 较大 → 一般
    _tab_to(page, "#f_quality_score")
    page.keyboard.type("4")
    assert page.evaluate("""() => ['f_decision', 'f_risk_level', 'f_quality_score']
        .map(id => document.getElementById(id).value)""") == ["resolve", "general", "4"]
    _tab_to(page, "#task-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".flash-success").inner_text().startswith("已办理“县级处置”")
    done = api.get(f"/reports/{report['id']}", "county.610113").get_json()
    assert api.get(f"/tasks?report_id={report['id']}&element_id=county_disposal", "county.610113").get_json()["items"] == []
    assert done["risk_level"] == "general", done


def test_axe_on_the_picker_and_calendar_while_open_at_375(open_session, api):
    """The controls' dynamic states (files listed, calendar open) pass too, at phone width."""
    report = api.submit("reporter.agency")
    session = open_session("phone")
    session.login("reporter.agency")
    page = session.goto(f"/reports/{report['id']}")
    page.set_input_files("#more_attachments", [{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8" * 600}])
    assert page.locator(".fp-item").count() == 1
    assert axe_violations(page) == []
    county = open_session("phone")
    county.login("county.610113")
    page = county.goto("/tasks")
    page.get_by_role("button", name=re.compile(r"^日历\s*：选择报送日期从$")).click()
    assert page.get_by_role("dialog", name="选择日期").is_visible()
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # the calendar stays on screen
