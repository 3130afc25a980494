"""年-月-日 date fields: lenient parsing, and a refused date is a Chinese error beside its field, never a filter or a 500."""
from __future__ import annotations

import re
from datetime import date

import pytest

from pages_helpers import signed_in
from web.pages.date_fields import FORMAT_ERROR, RANGE_ERROR, parse_day


@pytest.mark.parametrize("typed", ["2026-11-01", "2026/11/1", "2026.11.01", "2026年11月1日", "20261101", " 2026-11-1 "])
def test_the_ways_people_type_a_day(typed):
    assert parse_day(typed) == date(2026, 11, 1)


@pytest.mark.parametrize("typed, message", [
    ("11/01/2026", FORMAT_ERROR), ("abc", FORMAT_ERROR), ("2026-11", FORMAT_ERROR), ("2026-11-01\x00", FORMAT_ERROR),
    ("9" * 5000, FORMAT_ERROR), ("2026-02-30", "没有这一天"), ("2026-13-01", "没有这一天"), ("1999-12-31", RANGE_ERROR),
    ("2100-01-01", RANGE_ERROR), ("２０２６-11-01", FORMAT_ERROR),
])
def test_refused_days_say_why_in_chinese(typed, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_day(typed)


def _field(html: str, field_id: str) -> tuple[str, str | None]:
    tag = re.search(rf'<input id="{field_id}"[^>]*>', html).group(0)
    error = re.search(rf'<p id="{field_id}-err" class="field-error">([^<]*)</p>', html)
    return tag, error.group(1) if error else None


@pytest.mark.parametrize("user, path, field_id", [
    ("county.610113", "/tasks", "from"), ("county.610113", "/reports", "from"), ("county.610113", "/stats", "f_from"),
    ("county.610113", "/stats/quality", "f_from"), ("admin", "/admin/audit", "from"),
])
def test_every_date_filter_shows_year_month_day_and_refuses_in_chinese(app, user, path, field_id):
    client = signed_in(app, user)
    html = client.get(path).get_data(as_text=True)
    tag, error = _field(html, field_id)
    assert 'type="text"' in tag and 'placeholder="年-月-日"' in tag and 'inputmode="numeric"' in tag
    assert 'type="date"' not in html and error is None
    res = client.get(f"{path}?from=2026-02-30&to=<b>x")
    assert res.status_code == 200
    html = res.get_data(as_text=True)
    tag, error = _field(html, field_id)
    assert error == f"没有这一天：2026-02-30（{FORMAT_ERROR}）"
    assert 'aria-invalid="true"' in tag and 'value="2026-02-30"' in tag and f"{field_id}-err" in tag
    to_tag, to_error = _field(html, field_id.replace("from", "to"))
    assert to_error == FORMAT_ERROR and 'value="&lt;b&gt;x"' in to_tag  # shown back escaped, for correcting
    tag, _ = _field(client.get(f"{path}?from=2026/3/1").get_data(as_text=True), field_id)
    assert 'value="2026-03-01"' in tag  # normalised


def test_a_refused_date_does_not_filter(app, api):
    report = api.submit()
    client = signed_in(app, "county.610113")
    assert report["tracking_no"] in client.get("/tasks?from=not-a-day").get_data(as_text=True)
    assert report["tracking_no"] not in client.get("/tasks?from=2099-01-01").get_data(as_text=True)
    assert report["tracking_no"] in client.get("/reports?to=2026年13月1日").get_data(as_text=True)
