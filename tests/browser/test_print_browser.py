"""打印 from the browser (issue 16 item 5): the report detail and the task page print without navigation, buttons or
forms, keep the timeline and put the tracking number at the head."""
from __future__ import annotations

import pytest

from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _visible(page, selector: str) -> int:
    return page.eval_on_selector_all(selector, "els => els.filter(e => e.getClientRects().length > 0).length")


@pytest.mark.parametrize("where", ["report", "task"])
def test_print_media_hides_navigation_and_keeps_the_timeline(open_session, api, where):
    report = api.submit("reporter.agency")
    task = api.task("county.610113", report["id"], "county_disposal")
    session = open_session("desk")
    session.login("county.610113")
    page = session.goto(f"/reports/{report['id']}" if where == "report" else f"/tasks/{task['id']}")
    head = page.locator("#print-head")
    assert page.locator(".topbar").is_visible() and head.is_hidden()  # on screen nothing changes
    page.emulate_media(media="print")
    assert page.locator(".topbar").is_hidden() and page.locator(".mainnav").is_hidden()
    assert _visible(page, "button") == 0 and _visible(page, "form") == 0 and _visible(page, "input, textarea, select") == 0
    assert page.locator("ol.timeline").is_visible() and page.locator("ol.timeline li").count() >= 1
    assert head.is_visible() and report["tracking_no"] in head.inner_text()
    assert page.locator("#diagram").is_hidden()
    box = head.bounding_box()
    assert box["y"] < 40, box  # the first thing on the sheet
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pdf = SCREENSHOTS / f"print-{where}.pdf"
    page.pdf(path=str(pdf), format="A4")  # the sheet as 打印 gives it, kept as a test artefact
    assert pdf.read_bytes().startswith(b"%PDF")
    page.emulate_media(media="screen")
    assert page.locator(".topbar").is_visible() and head.is_hidden()
