"""The printable 处置单 (GET /reports/<id>/sheet.pdf): a real PDF with the CJK font embedded, every tier's
opinion with person and time, the attachments, the policy's notice, and the report detail's scope."""
from __future__ import annotations

import shutil
import subprocess
from io import BytesIO
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from services import cjk_font
from storage.models import ReportView
from pages_helpers import PNG, signed_in

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")
NOTICE = "仅用于帮扶指导解决问题，不作为行政处罚或其他行政约束的依据"


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def _fonts(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout


def _to_city(api, rid):
    api.complete("county.610113", rid, "county_disposal", {
        "decision": "escalate", "measures": "县级现场核查门锁回路", "risk_level": "major", "quality_score": 5})
    api.complete("city.610100", rid, "city_assessment", {
        "decision": "escalate", "assessment_opinion": "市级研判需省级研究", "risk_level": "major", "quality_score": 4})


def test_the_sheet_carries_the_tracking_number_each_tier_opinion_and_the_notice(api, tmp_path):
    report = api.submit(user="reporter.unit", equipment_code="31104403012016060001")
    rid = report["id"]
    upload = api.post(f"/reports/{rid}/attachments", "reporter.unit",
                      data={"file": (BytesIO(PNG), "现场照片.png")}, content_type="multipart/form-data")
    assert upload.status_code in (200, 201), upload.get_json()
    _to_city(api, rid)
    res = api.get(f"/reports/{rid}/sheet.pdf", "province")
    assert res.status_code == 200
    assert res.mimetype == "application/pdf" and res.data.startswith(b"%PDF-")
    disposition = res.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == f"处置单-{report['tracking_no']}.pdf"
    text = _text(res.data, tmp_path)
    flat = "".join(text.split())
    for expected in (report["tracking_no"], "陕西省特种设备风险监测平台", "风险隐患", "县级现场核查门锁回路",
                     "市级研判需省级研究", "上报省级", "县级·县级处置", "市级", "雁塔区", "现场照片.png",
                     "31104403012016060001", NOTICE):
        assert "".join(expected.split()) in flat, expected
    assert "现场检查发现层门门锁回路被短接" in flat
    assert "WenQuanYi" in _fonts(res.data, tmp_path) or "wqy" in _fonts(res.data, tmp_path).lower()
    embedded = [line for line in _fonts(res.data, tmp_path).splitlines() if "TrueType" in line]
    assert embedded and all(" yes " in line for line in embedded), _fonts(res.data, tmp_path)


def test_officers_see_who_reported_the_unit_side_sees_the_role(api, env, tmp_path):
    report = api.submit(user="reporter.unit")
    rid = report["id"]
    officer = _text(api.get(f"/reports/{rid}/sheet.pdf", "county.610113").data, tmp_path)
    from storage.models import User
    reporter = env.session.scalar(select(User).where(User.username == "reporter.unit"))
    assert reporter.display_name in officer
    director = api.get(f"/reports/{rid}/sheet.pdf", "director.unit")
    assert director.status_code == 200
    unit_text = _text(director.data, tmp_path)
    assert reporter.display_name not in unit_text and "信息报送员" in unit_text


def test_the_sheet_is_scoped_like_the_report_detail(api, env):
    rid = api.submit()["id"]  # a 610113 agency report
    for user in ("county.610112", "reporter.unit", "director.unit"):
        detail = api.get(f"/reports/{rid}", user).status_code
        sheet = api.get(f"/reports/{rid}/sheet.pdf", user)
        assert sheet.status_code == detail and sheet.status_code in (403, 404), user
        assert sheet.get_json()["error"]["message"]
    assert api.get("/reports/999999/sheet.pdf", "province").status_code == 404
    assert api.get("/reports/99999999999/sheet.pdf", "province").status_code == 404
    assert api.get(f"/reports/{rid}/sheet.pdf").status_code == 401
    before = len(env.session.scalars(select(ReportView).where(ReportView.report_id == rid)).all())
    assert api.get(f"/reports/{rid}/sheet.pdf", "county.610113").status_code == 200
    views = env.session.scalars(select(ReportView).where(ReportView.report_id == rid)).all()
    assert len(views) == before + 1 and views[-1].channel == "sheet"


def test_the_page_route_behind_the_report_detail_link(api, app, tmp_path):
    report = api.submit()
    rid = report["id"]
    county = signed_in(app, "county.610113")
    page = county.get(f"/reports/{rid}").get_data(as_text=True)
    assert f'href="/reports/{rid}/sheet.pdf"' in page and "打印处置单" in page
    res = county.get(f"/reports/{rid}/sheet.pdf")
    assert res.status_code == 200 and res.mimetype == "application/pdf"
    assert report["tracking_no"] in _text(res.data, tmp_path)
    assert signed_in(app, "county.610112").get(f"/reports/{rid}/sheet.pdf").status_code in (403, 404)


def test_without_a_cjk_font_the_answer_is_a_chinese_503(api, monkeypatch):
    rid = api.submit()["id"]
    monkeypatch.setattr(cjk_font, "CANDIDATES", (("/nonexistent/font.ttc", 0),))
    monkeypatch.setattr("services.sheet_pdf.find_cjk_font", lambda: cjk_font.find_cjk_font(cjk_font.CANDIDATES))
    res = api.get(f"/reports/{rid}/sheet.pdf", "county.610113")
    assert res.status_code == 503
    assert "fonts-wqy-microhei" in res.get_json()["error"]["message"]


def test_the_longest_accepted_texts_and_markup_print_over_several_pages(api, tmp_path):
    """20,000 characters of content and of a tier's measures (what the schema and forms accept) flow over
    pages instead of a LayoutError 500; markup typed into the texts prints as text and breaks nothing."""
    content = "<script>alert(1)</script><b>粗</b>&amp;" + "险" * 16_950 + "A" * 3_000 + "末尾"
    report = api.submit(title="<font size=40>标题</font>&", content=content)
    api.complete("county.610113", report["id"], "county_disposal", {
        "decision": "escalate", "measures": "措施" * 9_990 + "措施完", "risk_level": "major", "quality_score": 5})
    res = api.get(f"/reports/{report['id']}/sheet.pdf", "city.610100")
    assert res.status_code == 200, res.get_data(as_text=True)[:300]
    text = _text(res.data, tmp_path)
    flat = "".join(text.split())
    assert "<script>alert(1)</script><b>粗</b>&amp;" in flat and "<fontsize=40>标题</font>&" in flat
    assert "末尾" in flat and "措施完" in flat and flat.count("险") >= 16_950
    assert text.count("\f") >= 10  # pages
