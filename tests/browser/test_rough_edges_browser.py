"""Issue 17 at 1280 px: channel boxes beside their labels, 认领 and status pills on one line, a favicon, no 404."""
from __future__ import annotations

import pytest

from services.reports import ReportInput, submit_report
from web import create_app
from web import env as make_env
from web.extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def a_few_reports(settings):
    """Reports in the county inbox so that the inbox and the report library have rows."""
    app = create_app(settings)
    with app.app_context():
        env = make_env()
        from sqlalchemy import select
        from storage.models import User
        reporter = env.session.scalar(select(User).where(User.username == "reporter.agency"))
        long_title = "锅炉安全阀校验过期且压力表指针卡滞，现场操作人员无证上岗，应急预案未演练，" * 2  # squeezes the columns
        for title in (long_title[:100], "游乐设施座椅安全带磨损"):
            submit_report(env, reporter, ReportInput("problem", "use", "1100", title + "。", title))
        db.session.remove()
        db.engine.dispose()


def one_line(locator) -> bool:
    """Whether an element's text is laid out as a single line (its text has one line box)."""
    return locator.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e);"
        " const tops = new Set([...r.getClientRects()].map(c => Math.round(c.top))); return tops.size === 1; }")


def missing(session) -> list[str]:
    """Collect URLs answered 404 while the page loads."""
    found: list[str] = []
    session.page.on("response", lambda res: found.append(res.url) if res.status == 404 else None)
    return found


def test_channel_boxes_sit_beside_their_labels_and_are_disabled(open_session):
    session = open_session("desk")
    session.login("director.unit")
    page = session.goto("/account/notifications")
    for box_id in ("ch_email", "ch_webhook"):
        box, label = page.locator(f"#{box_id}"), page.locator(f'label[for="{box_id}"]')
        assert box.is_disabled()
        b, lab = box.bounding_box(), label.bounding_box()
        assert abs((b["y"] + b["height"] / 2) - (lab["y"] + lab["height"] / 2)) < 6, (b, lab)
        assert lab["x"] > b["x"] + b["width"] - 1
    assert "SMTP" not in page.content()


def test_claim_button_and_status_pills_do_not_wrap_at_1280(open_session, a_few_reports):
    session = open_session("desk")
    not_found = missing(session)
    session.login("county.610113")
    page = session.goto("/tasks")
    button = page.locator("table.inbox button", has_text="认领").first
    box = button.bounding_box()
    assert one_line(button), box
    button.evaluate("e => { e.style.whiteSpace = 'normal'; e.style.width = '2.2em'; }")  # the check can fail
    assert not one_line(button)
    page = session.goto("/reports")
    pills = page.locator("table.list .status")
    assert pills.count() >= 2
    for i in range(pills.count()):
        assert one_line(pills.nth(i)), pills.nth(i).inner_text()
    icon = page.locator('link[rel="icon"]')
    assert icon.count() == 1
    assert session.context.request.get(session.base + icon.get_attribute("href")).status == 200
    assert not_found == []
