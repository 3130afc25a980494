"""`?format=xlsx` on the report list and the task lists (API and pages): every matching row under the
current filters, Chinese headers and file name, scoped like the list, capped with a Chinese note."""
from __future__ import annotations

from io import BytesIO
from urllib.parse import unquote

from openpyxl import load_workbook

from pages_helpers import signed_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(res) -> list[list]:
    assert res.status_code == 200, res.get_data(as_text=True)[:300]
    assert res.mimetype == XLSX
    sheet = load_workbook(BytesIO(res.data)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _file_name(res) -> str:
    disposition = res.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "filename*=UTF-8''" in disposition
    return unquote(disposition.split("filename*=UTF-8''")[1])


def _three(api):
    hazard = api.submit(title="甲 电梯门锁短接")
    problem = api.submit(kind="problem", title="乙 锅炉水位计")
    other = api.submit(user="reporter.agency112", title="丙 未央区起重机") if _has(api, "reporter.agency112") else None
    return hazard, problem, other


def _has(api, user) -> bool:
    return api.client.post("/api/v1/auth/token", json={"username": user, "password": "Demo#2026"}).status_code == 200


def test_report_export_keeps_the_filters_and_the_scope(api):
    hazard, problem, other = _three(api)
    rows = _rows(api.get("/reports?format=xlsx&kind=problem", "city.610100"))
    assert rows[0][:3] == ["跟踪编号", "标题", "报送类型"]
    assert [r[0] for r in rows[1:]] == [problem["tracking_no"]] and rows[1][2] == "问题"
    everything = _rows(api.get("/reports?format=xlsx", "city.610100"))
    numbers = {r[0] for r in everything[1:]}
    assert {hazard["tracking_no"], problem["tracking_no"]} <= numbers
    county = {r[0] for r in _rows(api.get("/reports?format=xlsx", "county.610112"))[1:]}
    assert hazard["tracking_no"] not in county and problem["tracking_no"] not in county
    if other:
        assert other["tracking_no"] in county
    searched = _rows(api.get("/reports?format=xlsx&q=锅炉", "city.610100"))
    assert [r[0] for r in searched[1:]] == [problem["tracking_no"]]
    res = api.get("/reports?format=xlsx", "city.610100")
    assert _file_name(res).startswith("报送信息-") and _file_name(res).endswith(".xlsx")


def test_the_reporter_identity_is_not_exported(api, env):
    from sqlalchemy import select

    from storage.models import User
    api.submit(user="reporter.unit")
    name = env.session.scalar(select(User.display_name).where(User.username == "reporter.unit"))
    flat = str(_rows(api.get("/reports?format=xlsx", "province")))
    assert name not in flat


def test_report_export_refuses_bad_input(api):
    assert api.get("/reports?format=pdf", "province").status_code == 422
    assert api.get("/reports?format=xlsx&kind=nope", "province").status_code == 422
    assert api.get("/reports?format=xlsx&from=2026-13-01", "province").status_code == 422
    assert api.get("/reports?format=xlsx").status_code == 401
    ok = api.get("/reports?kind=problem&from=2026-01-01", "province")
    assert ok.status_code == 200 and ok.mimetype == "application/json"


def test_a_capped_export_says_so_in_chinese(api, monkeypatch):
    api.submit(title="一"), api.submit(title="二")
    monkeypatch.setattr("services.list_exports.EXPORT_MAX_ROWS", 1)
    rows = _rows(api.get("/reports?format=xlsx", "province"))
    assert len([r for r in rows[1:] if r[0] and r[0].startswith("SX-")]) == 1
    assert rows[-1][0] == "注：符合条件的记录超过 1 条，仅导出前 1 条，请缩小筛选范围后分批导出。"


def test_task_export_in_the_api_keeps_its_filters(api):
    first, second = api.submit(title="门锁回路短接"), api.submit(title="安全阀失效")
    rows = _rows(api.get("/tasks?format=xlsx", "county.610113"))
    assert rows[0] == ["跟踪编号", "标题", "环节", "层级", "行政区划", "到达时间", "期限", "是否超期", "认领人", "督办次数"]
    assert {first["tracking_no"], second["tracking_no"]} <= {r[0] for r in rows[1:]}
    only = _rows(api.get(f"/tasks?format=xlsx&report_id={second['id']}", "county.610113"))
    assert [(r[0], r[3], r[4]) for r in only[1:]] == [(second["tracking_no"], "县级", "雁塔区")]
    assert len(_rows(api.get("/tasks?format=xlsx", "county.610112"))) == 1  # nothing of 610113
    assert api.get("/tasks?format=csv", "county.610113").status_code == 422


def test_the_pages_export_with_their_filters_and_link_to_it(api, app):
    hazard, problem, _ = _three(api)
    city = signed_in(app, "city.610100")
    page = city.get("/reports?kind=problem").get_data(as_text=True)
    assert 'href="?kind=problem&amp;format=xlsx"' in page and "导出Excel" in page
    rows = _rows(city.get("/reports?kind=problem&format=xlsx"))
    assert [r[0] for r in rows[1:]] == [problem["tracking_no"]]
    county = signed_in(app, "county.610113")
    inbox = county.get("/tasks?q=锅炉&sort=-due").get_data(as_text=True)
    assert "format=xlsx" in inbox and "q=%E9%94%85%E7%82%89" in inbox
    rows = _rows(county.get("/tasks?q=锅炉&format=xlsx"))
    assert [r[0] for r in rows[1:]] == [problem["tracking_no"]] and rows[1][2] == "县级处置"
    assert county.get("/tasks?format=doc").status_code == 422


def test_one_filter_form_serves_both_lists(api, app):
    county = signed_in(app, "county.610113")
    library = county.get("/reports").get_data(as_text=True)
    inbox = county.get("/tasks").get_data(as_text=True)
    for label in ('<label for="kind">报送类型</label>', '<label for="category">设备种类</label>',
                  '<label for="division">行政区划</label>', '<label for="from">报送日期从</label>'):
        assert label in library and label in inbox
    assert '<label for="sort">排序</label>' in inbox and '<label for="sort">' not in library
    mine = signed_in(app, "reporter.agency").get("/reports").get_data(as_text=True)
    assert '<label for="status">状态</label>' in mine and '<label for="kind">' not in mine
