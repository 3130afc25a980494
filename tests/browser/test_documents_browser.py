"""In Chromium: the city returns a report (退回) and the county reads the reason on top of its form; the 打印处置单
link on the report page downloads a PDF whose text shows the tracking number and every tier's opinion."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from services.tasks import complete_task
from storage.models import HumanTask, TaskState
from browser.test_admin_browser import named, with_env
from browser.test_browser_pages import fill_form, open_task
from browser.test_office_browser import submit

pytestmark = [pytest.mark.browser, pytest.mark.slow]
COUNTY_DATA = {"decision": "escalate", "measures": "县局现场核查门锁回路", "risk_level": "major", "quality_score": 5}


def complete(settings, username: str, tracking_no: str, element_id: str, data: dict) -> None:
    """Work one task through the services (the steps this test is not about)."""
    def work(env):
        from sqlalchemy import select

        from storage.models import Report
        report_id = env.session.scalar(select(Report.id).where(Report.tracking_no == tracking_no))
        task = env.session.scalar(select(HumanTask).where(HumanTask.report_id == report_id, HumanTask.state == TaskState.OPEN,
                                                          HumanTask.element_id == element_id))
        complete_task(env, named(env, username), task.id, data)
    with_env(settings, work)


def test_the_city_returns_and_the_county_reads_the_reason_above_its_form(settings, open_session):
    tracking_no = submit(settings, "电梯轿厢意外移动保护失效")
    complete(settings, "county.610113", tracking_no, "county_disposal", COUNTY_DATA)
    city = open_session("desk")
    city.login("city.610100")
    page = open_task(city, tracking_no, "市级研判")
    fill_form(page, {"研判结论": "退回县级重新处置", "研判意见": "县级核查不充分",
                     "退回理由（退回县级时填写）": "请补充现场照片和维保记录", "风险等级": "较大", "信息质量评分": "3"})
    page.get_by_role("button", name="提交办理").click()
    page.wait_for_url(re.compile(r"/tasks(\?.*)?$"))
    assert "县级处置" in page.locator(".flash-success").inner_text()

    county = open_session("desk")
    county.login("county.610113")
    page = open_task(county, tracking_no, "县级处置")
    notice = page.locator("#task-notice")
    assert "请补充现场照片和维保记录" in notice.inner_text()
    form = page.locator("#task-form")
    assert notice.bounding_box()["y"] < form.bounding_box()["y"]  # on top of the county form
    county.shot("documents-county-sees-return-reason")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")
def test_the_print_link_downloads_the_sheet_with_every_tier_opinion(settings, open_session, tmp_path):
    tracking_no = submit(settings, "起重机制动器磨损超标")
    complete(settings, "county.610113", tracking_no, "county_disposal", COUNTY_DATA)
    complete(settings, "city.610100", tracking_no, "city_assessment", {
        "decision": "escalate", "assessment_opinion": "市局研判需省级研究", "risk_level": "major", "quality_score": 4})
    province = open_session("desk")
    province.login("province")
    page = province.goto("/reports?q=" + tracking_no)
    page.get_by_role("link", name="起重机制动器磨损超标").click()
    page.wait_for_url(re.compile(r"/reports/\d+$"))
    with page.expect_download() as info:
        page.get_by_role("link", name="打印处置单").click()
    download = info.value
    assert download.suggested_filename == f"处置单-{tracking_no}.pdf"
    path = tmp_path / "sheet.pdf"
    download.save_as(str(path))
    assert path.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    flat = "".join(text.split())
    for expected in (tracking_no, "县局现场核查门锁回路", "市局研判需省级研究", "上报市级", "上报省级",
                     "仅用于帮扶指导解决问题，不作为行政处罚或其他行政约束的依据"):
        assert expected in flat, expected
