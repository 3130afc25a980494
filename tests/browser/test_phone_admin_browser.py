"""Issue 17 at 375 px: the modeler opens a read-only viewer, /processes and the admin pages fit the phone with
labelled cells; at 1280 px the properties panel speaks Chinese."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from services.monitoring_points import remove_safety_director
from services.reports import ReportInput, submit_report
from storage.models import User
from web import create_app
from web import env as make_env
from web.extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FITS = "document.scrollingElement.scrollWidth <= window.innerWidth"
# Every visible cell of a stacked table shows its column label in front (data-label through ::before).
UNLABELLED_CELLS = """sel => [...document.querySelectorAll(sel)].filter(td => {
  if (td.hasAttribute('colspan') || !td.getClientRects().length) return false;
  const label = td.getAttribute('data-label');
  const shown = getComputedStyle(td, '::before').content;
  return !label || shown !== JSON.stringify(label);
}).map(td => td.outerHTML.slice(0, 120))"""


@pytest.fixture
def admin_data(settings):
    """A failed enterprise instance (no safety director) and a running agency report."""
    app = create_app(settings)
    with app.app_context():
        env = make_env()
        named = {u.username: u for u in env.session.scalars(select(User))}
        director = named["director.unit"]
        remove_safety_director(env, named["admin"], director.monitoring_point_id, director.id)
        submit_report(env, named["reporter.unit"],
                      ReportInput("risk_hazard", "use", "3110", "扶梯梯级缺损，存在绊倒风险。", "扶梯梯级缺损"))
        submit_report(env, named["reporter.agency"],
                      ReportInput("problem", "use", "1100", "锅炉安全阀校验过期且压力表指针卡滞。", "锅炉安全阀校验过期"))
        db.session.remove()
        db.engine.dispose()


def assert_fits_and_labelled(page, path: str, table: str = "table.list:not(.compact)"):
    assert page.evaluate(FITS), (path, page.evaluate("document.scrollingElement.scrollWidth"))
    assert page.locator(f"{table} tbody tr").count() > 0, path
    assert page.evaluate(UNLABELLED_CELLS, f"{table} tbody td") == [], path
    assert page.locator(f"{table} thead").first.bounding_box()["x"] < 0  # headers are off screen: cells carry labels
    for small in page.locator("table.list.compact").all():  # two-column tables stay tables with their headers
        assert small.locator("thead").bounding_box()["x"] >= 0 and small.locator("th").first.is_visible()


def test_modeler_on_a_phone_opens_a_read_only_viewer_with_a_note(open_session):
    session = open_session("phone")
    errors: list[str] = []
    session.page.on("pageerror", lambda exc: errors.append(str(exc)))
    session.login("owner")
    page = session.goto("/processes/modeler")
    page.wait_for_selector("#modeler-app[data-ready='1']")
    assert page.locator("#modeler-app").get_attribute("data-mode") == "viewer"
    note = page.locator("#narrow-note")
    assert note.is_visible() and "编辑流程需要更宽的屏幕" in note.inner_text()
    status = page.locator("#modeler-status").inner_text()
    assert "失败" not in status and "只读" in status
    canvas = page.locator("#canvas").bounding_box()
    assert canvas["width"] > 300 and canvas["height"] >= 320
    # the whole diagram was fitted into the canvas and nothing offers editing
    assert page.locator('#canvas g.djs-element[data-element-id="county_disposal"]').is_visible()
    assert page.locator("#canvas .djs-palette").count() == 0
    assert not page.locator("#save-button").is_visible() and not page.locator("#properties").is_visible()
    assert page.evaluate(FITS)
    element = page.locator('#canvas g.djs-element[data-element-id="county_disposal"]')
    before = element.bounding_box()["width"]
    page.get_by_role("button", name="放大").click()
    assert element.bounding_box()["width"] > before * 1.4
    assert errors == []
    session.shot("phone-modeler-viewer")


def test_modeler_at_desk_width_edits_with_chinese_panel_headers(open_session):
    session = open_session("desk")
    session.login("owner")
    page = session.goto("/processes/modeler")
    page.wait_for_selector("#modeler-app[data-ready='1']")
    assert page.locator("#modeler-app").get_attribute("data-mode") is None
    assert not page.locator("#narrow-note").is_visible()
    # fitted on open: every shape of the diagram lies inside the canvas
    outside = page.evaluate("""() => { const c = document.querySelector('#canvas').getBoundingClientRect();
      return [...document.querySelectorAll('#canvas g.djs-shape')].map(e => e.getBoundingClientRect())
        .filter(r => r.left < c.left - 1 || r.right > c.right + 1 || r.top < c.top - 1 || r.bottom > c.bottom + 1)
        .length; }""")
    assert outside == 0
    header = page.locator("#properties .bio-properties-panel-header-type")
    assert header.inner_text() in ("协作图", "流程")
    page.locator("g.djs-element[data-element-id='county_disposal']").first.click(force=True)
    page.wait_for_function("document.querySelector('#properties .bio-properties-panel-header-type')"
                           ".textContent === '用户任务'")
    groups = page.locator("#properties .bio-properties-panel-group-header-title").all_inner_texts()
    assert "常规" in groups and "办理人设置" in groups, groups
    assert not [g for g in groups if g.isascii()], groups
    session.shot("desk-modeler-chinese-panel")


def test_processes_page_fits_a_phone_with_labelled_version_cards(open_session):
    session = open_session("phone")
    session.login("owner")
    page = session.goto("/processes")
    assert_fits_and_labelled(page, "/processes", "#versions")
    session.shot("phone-processes")


def test_admin_pages_fit_a_phone_with_labelled_cells(open_session, admin_data):
    session = open_session("phone")
    page = session.login("admin")
    page.wait_for_url("**/admin")
    for path in ("/admin", "/admin/instances", "/admin/stuck", "/admin/users"):
        page = session.goto(path)
        assert_fits_and_labelled(page, path)
        session.shot("phone" + path.replace("/", "-"))
    page = session.goto("/admin")
    cell = page.get_by_role("region", name="出错的流程实例").locator('td[data-label="出错环节"]').first
    assert cell.inner_text().split() == ["通知安全总监", "notify_safety_director"]
    session.shot("phone-admin-dashboard")
    page.get_by_role("region", name="出错的流程实例").get_by_role("link", name="实例").first.click()
    page.wait_for_selector('#admin-diagram[data-ready="true"]')
    assert_fits_and_labelled(page, "instance")
    session.shot("phone-admin-instance")
    page.get_by_label("挂起原因").fill("核查监测点资料")
    page.get_by_role("button", name="挂起").click()
    page.wait_for_selector('#admin-diagram[data-ready="true"]')
    page = session.goto("/admin/audit")
    assert_fits_and_labelled(page, "/admin/audit")
    session.shot("phone-admin-audit")
