"""Mitigation-measure templates by equipment category and risk level, and the assessment task pages."""
from __future__ import annotations

import html
import re

import pytest

from services.errors import Invalid
from services.mitigation_templates import categories, templates_for
from storage.models import RiskLevel

from pages_helpers import signed_in

CATEGORIES = {"1000": "锅炉", "2000": "压力容器", "3000": "电梯", "4000": "起重机械", "5000": "场（厂）内专用机动车辆",
              "6000": "大型游乐设施", "8000": "压力管道", "9000": "客运索道"}
COUNTY_ESCALATE = {"decision": "escalate", "measures": "现场核查", "risk_level": "major", "quality_score": 5}
CITY_ESCALATE = {"decision": "escalate", "assessment_opinion": "需省中心研判", "risk_level": "significant",
                 "quality_score": 4}


def test_every_category_has_a_template_for_every_risk_level():
    assert categories() == CATEGORIES
    for code in CATEGORIES:
        items = templates_for(code)
        assert {t.category_code for t in items} == {code}
        assert {t.risk_level for t in items} == set(RiskLevel)
        assert len({t.key for t in items}) == len(items)
        assert all(t.title.strip() and len(t.text) >= 20 for t in items)
        # ordered 重大 → 低, as the select shows them
        order = [list(RiskLevel).index(t.risk_level) for t in items]
        assert order == sorted(order)


def test_templates_are_served_per_category_and_level():
    lift = templates_for("3000", "major")
    assert lift and all(t.risk_level == RiskLevel.MAJOR and t.risk_label == "重大" for t in lift)
    assert "短接线" in lift[0].text and "维保单位" in lift[0].text
    boiler = " ".join(t.text for t in templates_for("1000"))
    assert "水位" in boiler and "短接线" not in boiler
    assert {t.key for t in templates_for("3000")}.isdisjoint({t.key for t in templates_for("1000")})
    assert templates_for("7000") == [] and templates_for(None) == []
    with pytest.raises(Invalid):
        templates_for("3000", "catastrophic")


def _task_page(app, api, user, report_id, element_id) -> str:
    task = api.task(user, report_id, element_id)
    res = signed_in(app, user).get(f"/tasks/{task['id']}")
    assert res.status_code == 200
    return res.get_data(as_text=True)


def test_center_assessment_page_has_the_template_select_and_the_similar_panel(app, api):
    report = api.submit()  # an elevator report (3110)
    rid = report["id"]
    county = _task_page(app, api, "county.610113", rid, "county_disposal")
    assert 'id="mitigation-template"' not in county and 'id="similar-reports"' not in county
    api.complete("county.610113", rid, "county_disposal", COUNTY_ESCALATE)
    city = _task_page(app, api, "city.610100", rid, "city_assessment")
    assert f'data-src="/cases/similar/{rid}"' in city  # the city assessor sees duplicates too
    assert 'id="mitigation-template"' not in city     # its form has no 风险减缓措施 field
    api.complete("city.610100", rid, "city_assessment", CITY_ESCALATE)
    api.complete("center", rid, "center_select_panel", {"panel": ""})  # 会签 organised first (issue 12.5)
    page = _task_page(app, api, "center", rid, "center_assessment")
    assert f'data-src="/cases/similar/{rid}"' in page and "相似报送提示" in page
    assert '<label for="mitigation-template">插入措施模板</label>' in page
    assert '<select id="mitigation-template"' in page and 'id="mitigation-template-insert"' in page
    assert '<textarea id="f_mitigation_measures" name="mitigation_measures"' in page
    assert "js/mitigation_templates.js" in page
    texts = [html.unescape(t) for t in re.findall(r'data-text="([^"]*)"', page)]
    assert texts == [t.text for t in templates_for("3000")]  # the elevator templates, 重大 first
    assert re.search(r'<optgroup label="重大风险">\s*<option value="3000-major-0"', page)
