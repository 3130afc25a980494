"""The admin's working-day calendar page and the December warning when next year is not yet entered."""
from __future__ import annotations

import re
from datetime import date

import pytest

from services import calendar_admin
from services.calendar_admin import next_year_warning, parse_import
from services.errors import Invalid
from storage.models import CalendarDayKind
from pages_helpers import signed_in, token

LINES_2027 = "2027-01-01~2027-01-03，放假，元旦\n2027-01-04,上班,元旦调休\n\n2027-02-06~2027-02-12\t放假\t春节"


def test_warning_from_december_only_when_next_year_is_missing(env):
    assert next_year_warning(env, date(2026, 11, 30)) is None
    warning = next_year_warning(env, date(2026, 12, 1))
    assert warning and "2027年的节假日和调休安排尚未录入" in warning
    assert next_year_warning(env, date(2025, 12, 1)) is None  # 2026 ships built in


def test_import_parses_ranges_and_refuses_everything_on_one_bad_line():
    days = parse_import(2027, LINES_2027)
    assert len(days) == 11 and days[date(2027, 1, 4)] == (CalendarDayKind.WORKDAY, "元旦调休")
    assert days[date(2027, 2, 12)] == (CalendarDayKind.HOLIDAY, "春节")
    for bad, reason in (("2027-02-30，放假，x", "不存在"), ("2028-01-01，放假，x", "2027 年内"),
                        ("2027-01-01，休息日吧，x", "放假 或 上班"), ("2027-01-01", "应为"),
                        ("2027-01-05~2027-03-30，放假，x", "31 天"), ("<script>，放假", "YYYY-MM-DD")):
        with pytest.raises(Invalid) as exc:
            parse_import(2027, LINES_2027 + "\n" + bad)
        assert "第5行" in exc.value.message and reason in exc.value.message and exc.value.details[0]["line"] == 5
    with pytest.raises(Invalid, match="已是"):
        parse_import(2027, "2027-01-01，放假，元旦\n2027-01-01，上班，x")
    with pytest.raises(Invalid, match="字符"):
        parse_import(2027, "x" * 20_001)
    with pytest.raises(Invalid, match="最多"):
        parse_import(2027, "\n".join(f"2027-03-{d:02d}，放假" for d in range(1, 29)) * 8)


def test_admin_views_a_year_marks_a_day_and_imports_next_year(app, monkeypatch):
    monkeypatch.setattr(calendar_admin, "china_today", lambda now=None: date(2026, 12, 7))
    client = signed_in(app, "admin")
    dashboard = client.get("/admin").get_data(as_text=True)
    assert 'id="calendar-warning"' in dashboard and "2027年的节假日" in dashboard
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert "工作日历 · 2026年" in page and "春节" in page and 'title="2026-02-14 春节调休上班"' in page
    assert '<label for="import_text">节假日安排</label>' in page
    res = client.post("/admin/calendar/day", data={"day": "2026-12-31", "kind": "holiday", "name": "测试假日",
                                                   "csrf_token": token(client, "/admin/calendar")})
    assert res.status_code == 302
    assert 'title="2026-12-31 测试假日"' in client.get("/admin/calendar?year=2026").get_data(as_text=True)
    bad = client.post("/admin/calendar/import", data={"year": "2027", "text": "2027-13-01，放假，x",
                                                      "csrf_token": token(client, "/admin/calendar")})
    assert bad.status_code == 422 and "未导入任何日期" in bad.get_data(as_text=True)
    assert "2027-13-01" in bad.get_data(as_text=True)  # the pasted text is kept
    res = client.post("/admin/calendar/import", data={"year": "2027", "text": LINES_2027,
                                                      "csrf_token": token(client, "/admin/calendar")})
    assert res.status_code == 302
    page = client.get("/admin/calendar?year=2027").get_data(as_text=True)
    assert 'title="2027-01-04 元旦调休"' in page and len(re.findall(r"<tr><td>2027-", page)) == 11
    assert 'id="calendar-warning"' not in client.get("/admin").get_data(as_text=True)
    # 2026 was kept (the built-in seed became rows on the first edit), deadlines see 2027's holidays
    assert 'title="2026-02-14 春节调休上班"' in client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert app.extensions["riskmon.calendar"].get().is_working_day(date(2027, 1, 4))


def test_only_admins_reach_the_calendar_page(app):
    assert signed_in(app, "province").get("/admin/calendar").status_code == 403
    client = signed_in(app, "admin")
    assert client.get("/admin/calendar?year=99999").status_code == 200  # out-of-range years fall back
    res = client.post("/admin/calendar/day", data={"day": "not-a-date", "kind": "holiday",
                                                   "csrf_token": token(client, "/admin/calendar")})
    assert res.status_code == 302
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert "日期格式应为 年-月-日" in page  # the refusal is said in Chinese, nothing was saved


def test_single_day_is_typed_as_year_month_day(app):
    client = signed_in(app, "admin")
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert 'id="cal_day"' in page and 'placeholder="年-月-日"' in page and 'type="date"' not in page
    res = client.post("/admin/calendar/day", data={"day": "2026年12月30日", "kind": "holiday", "name": "测试",
                                                   "csrf_token": token(client, "/admin/calendar")})
    assert res.status_code == 302
    assert 'title="2026-12-30 测试"' in client.get("/admin/calendar?year=2026").get_data(as_text=True)
    client.post("/admin/calendar/day", data={"day": "2026-02-30", "kind": "holiday",
                                             "csrf_token": token(client, "/admin/calendar")})
    assert "没有这一天：2026-02-30" in client.get("/admin/calendar?year=2026").get_data(as_text=True)


def test_api_imports_a_year_for_admins_only(api):
    res = api.post("/calendar/import", "admin", json={"year": 2027, "text": LINES_2027})
    assert res.status_code == 200 and res.get_json() == {"year": 2027, "days": 11}
    listed = api.get("/calendar?year=2027", "admin").get_json()
    assert listed["total"] == 11 and listed["items"][3]["kind"] == "workday"
    bad = api.post("/calendar/import", "admin", json={"year": 2027, "text": "2027-01-01，放假\n2027-02-31，放假"})
    assert bad.status_code == 422 and bad.get_json()["error"]["details"] == [{"line": 2, "message": "日期“2027-02-31”不存在"}]
    assert api.get("/calendar?year=2027", "admin").get_json()["total"] == 11  # nothing half-imported
    for body in ({"year": "2027", "text": "x"}, {"year": 1999, "text": "x"}, {"year": 2027}, {"year": 2027, "text": 5},
                 {"year": 2027, "text": "x", "extra": 1}, {"year": 2027, "text": "x" * 20_001}):
        assert api.post("/calendar/import", "admin", json=body).status_code == 422, body
    res = api.post("/calendar/import", "province", json={"year": 2027, "text": LINES_2027})
    assert res.status_code == 403
