"""Periodic risk-assessment reports: DOCX and XLSX open and carry the hand-computed numbers."""
from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from services import periodic_reports
from services.errors import Invalid
from storage.models import KIND_LABELS, RISK_LEVEL_LABELS, STATUS_LABELS, ReportStatus, RiskLevel

from stats_data import beijing_date, expected_summary, generate_reports, generate_tasks, in_range

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def reports(env):
    rows = generate_reports(env.session)
    generate_tasks(env.session, rows)
    return rows


def docx_tables(path: Path) -> list[dict[str, str]]:
    """Each table of the document as {first cell: second cell}."""
    doc = Document(str(path))
    return [{row.cells[0].text: row.cells[1].text for row in table.rows} for table in doc.tables]


def docx_text(path: Path) -> str:
    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def test_monthly_report_docx_and_xlsx_carry_the_numbers(env, reports, tmp_path):
    docx_path, xlsx_path = periodic_reports.generate(env, "monthly", "2026-11", tmp_path)
    assert docx_path.name == "risk_report_monthly_2026-11.docx" and xlsx_path.suffix == ".xlsx"
    month = [r for r in reports if in_range(r, *NOVEMBER)]
    expected = expected_summary(month)
    assert 100 < len(month) < 2000

    text = docx_text(docx_path)
    assert "陕西省特种设备风险监测及应急保障中心" in text
    assert "陕西省特种设备风险监测月度分析报告" in text and "2026年11月" in text
    assert f"共报送特种设备风险信息{len(month)}条" in text
    for heading in ("一、总体情况", "二、分类统计", "重大风险", "典型案例", "工作建议"):
        assert heading in text
    tables = docx_tables(docx_path)
    status = tables[0]
    for s in ReportStatus:
        assert status[STATUS_LABELS[s]] == str(expected["by_status"][s.value])
    kinds = tables[2]
    for kind, label in KIND_LABELS.items():
        assert kinds[label] == str(expected["by_kind"][kind.value])
    risk = tables[5]
    for level in RiskLevel:
        assert risk[RISK_LEVEL_LABELS[level]] == str(expected["by_risk_level"][level.value])
    regions = tables[6]
    assert regions["西安市"] == str(sum(1 for r in month if r["city_code"] == "610100"))

    book = load_workbook(xlsx_path)
    overview = {row[0]: row[1] for row in book["总体情况"].iter_rows(values_only=True)}
    assert overview["报送总数"] == len(month)
    assert overview["逾期率"] == expected["overdue_rate"]
    categories = {row[0]: row[2] for row in book["按设备种类"].iter_rows(min_row=2, values_only=True)}
    assert {k: v for k, v in categories.items() if v} == dict(expected["by_equipment_category"])
    trend = list(book["月度趋势"].iter_rows(min_row=2, values_only=True))
    assert trend == [("2026-11", len(month), expected["by_status"]["closed"], sum(r["overdue"] for r in month),
                      expected["by_risk_level"]["major"])]
    time = {row[0]: row[1] for row in book["办理时长"].iter_rows(min_row=2, values_only=True)}
    assert sum(time.values()) == expected["by_status"]["closed"]
    majors = list(book["重大风险"].iter_rows(min_row=2, values_only=True))
    assert len(majors) == min(20, expected["by_risk_level"]["major"])


def test_quarterly_and_annual_reports(env, reports, tmp_path):
    _, xlsx_path = periodic_reports.generate(env, "quarterly", "2026-Q4", tmp_path)
    quarter = [r for r in reports if in_range(r, date(2026, 10, 1), date(2026, 12, 31))]
    book = load_workbook(xlsx_path)
    assert {row[0]: row[1] for row in book["总体情况"].iter_rows(values_only=True)}["报送总数"] == len(quarter)
    months = {row[0]: row[1] for row in book["月度趋势"].iter_rows(min_row=2, values_only=True)}
    assert months == dict(Counter(beijing_date(r["submitted_at"]).strftime("%Y-%m") for r in quarter))
    assert set(months) == {"2026-10", "2026-11", "2026-12"}
    docx_path, _ = periodic_reports.generate(env, "annual", "2026", tmp_path)
    year = [r for r in reports if in_range(r, date(2026, 1, 1), date(2026, 12, 31))]
    assert f"共报送特种设备风险信息{len(year)}条" in docx_text(docx_path)
    assert "2026年度" in docx_text(docx_path)


def test_periods_parse_and_refuse_nonsense():
    assert periodic_reports.parse_period("monthly", "2026-2").date_to == date(2026, 2, 28)
    assert periodic_reports.parse_period("monthly", "2026-12").date_to == date(2026, 12, 31)
    q = periodic_reports.parse_period("quarterly", "2026-q1")
    assert (q.label, q.date_from, q.date_to, q.title) == ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "2026年第一季度")
    assert periodic_reports.previous_period("monthly", date(2027, 1, 3)).label == "2026-12"
    assert periodic_reports.previous_period("quarterly", date(2027, 2, 3)).label == "2026-Q4"
    assert periodic_reports.previous_period("annual", date(2027, 2, 3)).label == "2026"
    for kind, label in (("monthly", "2026-13"), ("quarterly", "2026-Q5"), ("weekly", "2026-01"), ("annual", "26")):
        with pytest.raises(Invalid):
            periodic_reports.parse_period(kind, label)


def test_cli_writes_under_instance_reports(app, reports, settings):
    result = app.test_cli_runner().invoke(args=["report", "monthly", "2026-11"])
    assert result.exit_code == 0, result.output
    folder = Path(settings.upload_dir).parent / "reports"
    assert (folder / "risk_report_monthly_2026-11.docx").is_file()
    assert (folder / "risk_report_monthly_2026-11.xlsx").is_file()
    assert "已生成" in result.output
    bad = app.test_cli_runner().invoke(args=["report", "monthly", "2026-13"])
    assert bad.exit_code != 0 and "报告周期格式不正确" in bad.output


def test_major_risks_leave_out_phone_numbers_and_companies(env, reports, tmp_path):
    from storage.models import Report

    majors = [r for r in reports if r["risk_level"] == RiskLevel.MAJOR and in_range(r, *NOVEMBER)]
    major = env.session.get(Report, min(majors, key=lambda r: r["submitted_at"])["id"])
    major.title = "西安某某电梯有限公司维保电梯门锁短接，联系人电话13912345678"
    env.session.commit()
    docx_path, _ = periodic_reports.generate(env, "monthly", "2026-11", tmp_path)
    text = "\n".join(cell.text for table in Document(str(docx_path)).tables for row in table.rows
                     for cell in row.cells)
    assert "13912345678" not in text and "西安某某电梯有限公司" not in text
    assert "某公司维保电梯门锁短接" in text


def test_scheduler_job_writes_last_periods_once(env, settings):
    from services.report_review import generate_due_reports

    written = generate_due_reports(env)
    assert len(written) == 6 and all(p.is_file() for p in written)
    assert {p.parent for p in written} == {Path(settings.upload_dir).resolve().parent / "reports"}
    assert generate_due_reports(env) == []


def test_report_pages_generate_and_download(client, app):
    import re

    from test_stats_api import sign_in
    from web.extensions import db

    with app.app_context():  # not the `env` fixture: page requests need their own app context
        generate_reports(db.session, n=200)
        db.session.remove()
    sign_in(client, "center")
    page = client.get("/stats/reports").get_data(as_text=True)
    assert '<label for="r_period">统计周期</label>' in page
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    res = client.post("/stats/reports", data={"csrf_token": token, "kind": "monthly", "period": "2026-11"})
    assert res.status_code == 302
    page = client.get("/stats/reports").get_data(as_text=True)
    assert "risk_report_monthly_2026-11.draft.docx" in page and "待审核" in page
    with client.get("/stats/reports/risk_report_monthly_2026-11.xlsx") as res:
        assert res.status_code == 200 and res.data[:2] == b"PK"
    assert client.get("/stats/reports/..%2Friskmon.db").status_code == 404
    res = client.post("/stats/reports", data={"csrf_token": token, "kind": "monthly", "period": "2026-13"})
    assert "报告周期格式不正确" in client.get("/stats/reports").get_data(as_text=True)
