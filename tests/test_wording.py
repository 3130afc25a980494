"""The policy's words on every page: the old phrases are gone from the source and from rendered pages."""
from __future__ import annotations

from pathlib import Path

import pytest

from pages_helpers import signed_in

PROJECT = Path(__file__).resolve().parent.parent
NEW_NOTICE = "仅用于帮扶指导解决问题，不作为行政处罚或其他行政约束的依据"
OLD_PHRASES = ("不作为行政处罚依据", "不得用于行政处罚", "风险防控和技术帮扶", "卡滞实例", "报送类别", "信息类别",
               "（1-5）", "1–5分", "设备类别（种类）")
PAGES = [
    ("reporter.unit", "/reports/new"), ("reporter.unit", "/reports"), ("county.610113", "/tasks"),
    ("county.610113", "/reports"), ("province", "/cases"), ("province", "/stats/quality"), ("admin", "/admin"),
    ("admin", "/admin/instances"), ("admin", "/admin/stuck"), ("admin", "/admin/users"), ("admin", "/points"),
]


def _sources():
    for folder in ("web/templates", "web/pages", "web/api", "services", "handlers", "storage/data"):
        for path in (PROJECT / folder).rglob("*"):
            if path.suffix in {".html", ".py", ".json", ".js"}:
                yield path


def test_no_old_phrase_in_templates_services_or_web():
    found = [f"{p.relative_to(PROJECT)}: {phrase}" for p in _sources() for phrase in OLD_PHRASES
             if phrase in p.read_text(encoding="utf-8")]
    assert found == []


@pytest.mark.parametrize("username,path", PAGES)
def test_rendered_pages_use_the_policy_words(app, username, path):
    res = signed_in(app, username).get(path)
    assert res.status_code == 200, path
    html = res.get_data(as_text=True)
    assert [p for p in OLD_PHRASES if p in html] == []


def test_submit_page_says_the_notice_the_emergency_lines_and_the_accident_duty(app):
    html = signed_in(app, "reporter.unit").get("/reports/new").get_data(as_text=True)
    assert NEW_NOTICE in html and "96333" in html and "市场监管部门" in html and "第七十条" in html
    assert '<label for="kind">报送类型</label>' in html


def test_report_detail_and_api_carry_the_notice(app, api):
    report = api.submit()
    assert api.get(f"/reports/{report['id']}", "reporter.agency").get_json()["notice"].endswith(NEW_NOTICE)
    html = signed_in(app, "county.610113").get(f"/reports/{report['id']}").get_data(as_text=True)
    assert NEW_NOTICE in html and "（不得用于行政处罚）" not in html


def test_admin_views_name_divisions(app):
    html = signed_in(app, "admin").get("/admin/users").get_data(as_text=True)
    # The name leads; the code follows only as small secondary text.
    assert '<td data-label="行政区划">雁塔区 <small' in html and '<td data-label="行政区划">610113' not in html
    html = signed_in(app, "admin").get("/admin/instances").get_data(as_text=True)
    assert '<option value="610113">雁塔区</option>' in html and "行政区划代码" not in html
