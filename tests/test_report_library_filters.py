"""Issue 17 item 6: the report library (/reports for officers) narrows by kind, equipment, division, dates and text."""
from __future__ import annotations

from datetime import date, timedelta

from pages_helpers import signed_in


def library(app, user: str, query: str = "") -> str:
    res = signed_in(app, user).get("/reports" + query)
    assert res.status_code == 200
    return res.get_data(as_text=True)


def submitted(api):
    elevator = api.submit("reporter.agency", title="电梯层门门锁回路被短接")
    boiler = api.submit("reporter.agency112", title="锅炉安全阀校验过期", kind="problem", equipment_type_code="1100")
    return elevator["tracking_no"], boiler["tracking_no"]


def test_kind_equipment_and_text_narrow_the_library(api, app):
    elevator, boiler = submitted(api)
    both = library(app, "city.610100")
    assert elevator in both and boiler in both
    for label in ("报送类型", "设备种类", "行政区划", "报送日期从", "报送日期至"):
        assert f">{label}</label>" in both
    only = library(app, "city.610100", "?kind=problem")
    assert boiler in only and elevator not in only
    only = library(app, "city.610100", "?category=1000")
    assert boiler in only and elevator not in only and '<option value="1000" selected>' in only
    only = library(app, "city.610100", "?q=锅炉")
    assert boiler in only and elevator not in only


def test_division_and_dates_narrow_the_library(api, app):
    elevator, boiler = submitted(api)
    only = library(app, "city.610100", "?division=610112")
    assert boiler in only and elevator not in only
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert elevator not in library(app, "city.610100", f"?from={tomorrow}")
    assert elevator in library(app, "city.610100", f"?to={tomorrow}&kind=risk_hazard")


def test_bad_filter_values_are_ignored_not_errors(api, app):
    elevator, _ = submitted(api)
    html = library(app, "city.610100", "?kind=%27;drop&from=2026-13-45&category=" + "x" * 500)
    assert elevator not in html  # an unknown category matches nothing, and is never a 500
    assert elevator in library(app, "city.610100", "?kind=nonsense&from=not-a-date")


def test_reporters_keep_the_short_form(api, app):
    submitted(api)
    html = library(app, "reporter.agency")
    assert 'id="kind"' not in html and 'id="division"' not in html
