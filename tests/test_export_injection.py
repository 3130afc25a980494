"""Exports of what people typed: a title that starts like a formula stays text in every XLSX, and control
characters that a worksheet cannot hold do not turn an export into a 500 (the attacker's pass)."""
from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from pages_helpers import signed_in

FORMULA_TITLES = ['=HYPERLINK("http://evil.example","点我")', "+1+1", "-2+3", "@SUM(A1:A2)",
                  "\t=1+1", "\r=1+1"]


def _cells(data: bytes) -> list:
    book = load_workbook(BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _no_formula(cells) -> None:
    formulas = [(c.coordinate, c.value) for c in cells if c.data_type == "f"]
    assert formulas == []
    leading = [(c.coordinate, c.value) for c in cells
               if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert leading == []


def test_safe_cell_keeps_text_text():
    from services.xlsx_export import safe_cell

    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("@cmd") == "'@cmd" and safe_cell("+86 29") == "'+86 29" and safe_cell("-5") == "'-5"
    assert safe_cell("控制\x0b字符\x01") == "控制字符"
    assert safe_cell("电梯 = 正常") == "电梯 = 正常" and safe_cell(-5) == -5 and safe_cell(None) is None


def test_report_and_task_exports_neutralise_formulas(api):
    numbers = [api.submit(title=title)["tracking_no"] for title in FORMULA_TITLES]
    for path in ("/reports?format=xlsx", "/tasks?format=xlsx"):
        res = api.get(path, "county.610113")
        assert res.status_code == 200, res.get_data(as_text=True)[:300]
        cells = _cells(res.data)
        _no_formula(cells)
        titles = {c.value for c in cells if c.column == 2}
        assert "'" + FORMULA_TITLES[0] in titles and "'-2+3" in titles
    exported = {c.value for c in _cells(api.get("/reports?format=xlsx", "county.610113").data) if c.column == 1}
    assert set(numbers) <= exported


def test_control_characters_in_a_title_do_not_break_the_exports(api, app):
    report = api.post("/reports", "reporter.agency", json={
        "kind": "risk_hazard", "domain": "use", "equipment_type_code": "3110",
        "title": "控制\x0b字符\x01标题", "content": "换页\x0c内容"})
    assert report.status_code == 201
    for path in ("/reports?format=xlsx", "/tasks?format=xlsx"):
        res = api.get(path, "county.610113")
        assert res.status_code == 200, res.get_data(as_text=True)[:300]
        assert "控制字符标题" in {c.value for c in _cells(res.data)}
    page = signed_in(app, "city.610100").get("/tasks/supervised?format=xlsx")
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    _no_formula(_cells(page.data))


def test_supervised_export_neutralises_formulas(api, app):
    api.submit(title="=cmd|' /C calc'!A0")
    res = signed_in(app, "city.610100").get("/tasks/supervised?format=xlsx")
    assert res.status_code == 200, res.get_data(as_text=True)[:300]
    cells = _cells(res.data)
    _no_formula(cells)
    assert "'=cmd|' /C calc'!A0" in {c.value for c in cells}


def test_periodic_workbook_neutralises_formulas(env, tmp_path):
    from services.periodic_documents import write_xlsx
    from services.periodic_reports import collect, parse_period

    data = collect(env.session, parse_period("monthly", "2026-11"))
    data["major_risks"] = [{"tracking_no": "=1+1", "equipment": "@x", "division": "-1", "hazard_grade": "+1",
                            "status": "已办结", "title": "标题\x0b=HYPERLINK(\"x\")"}]
    path = tmp_path / "r.xlsx"
    write_xlsx(data, path)
    cells = _cells(path.read_bytes())
    _no_formula(cells)
    assert "'=1+1" in {c.value for c in cells}
