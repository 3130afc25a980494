"""Issue 17 item 3: admin pages name elements, divisions, points and event kinds in Chinese; filters are pickers."""
from __future__ import annotations

import html
import re
from pathlib import Path

from engine.element_labels import ElementNameCache, element_names_from_xml
from services.admin_labels import Names, event_kind_label
from sqlalchemy import select

from app_helpers import run
from storage.models import User
from test_admin_pages import failed_instance, login

COUNTY_ESCALATE = {"decision": "escalate", "measures": "现场核查", "risk_level": "major", "quality_score": 5}

DIAGRAM = Path(__file__).resolve().parent.parent / "processes" / "risk_disposal.bpmn"


def officer_name(app) -> str:
    return run(app, lambda env: env.session.scalar(select(User.display_name).where(User.username == "county.610113")))


def admin_page(app, path: str) -> str:
    client = app.test_client()
    login(client)
    res = client.get(path)
    assert res.status_code == 200, path
    return res.get_data(as_text=True)


def select_options(page: str, select_id: str) -> dict[str, str]:
    """value → visible text of the options of one <select>."""
    block = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return {v: html.unescape(t).strip() for v, t in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', block)}


def cell(page: str, label: str) -> list[str]:
    """Texts (tags stripped) of the cells labelled `label`."""
    found = re.findall(rf'<td data-label="{label}"[^>]*>(.*?)</td>', page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", html.unescape(c)).split()) for c in found]


def test_names_come_from_the_diagram_and_fall_back_to_codes():
    names = element_names_from_xml(DIAGRAM.read_text(encoding="utf-8"))
    assert names["county_disposal"] == "县级处置" and names["notify_safety_director"] == "通知安全总监"
    assert "Flow_" not in "".join(names)  # sequence flows are not steps
    lookup = Names(elements={1: names}, divisions={"610113": "雁塔区"}, points={4: "某监测点"})
    assert lookup.element(1, "local_rectification") == names["local_rectification"] != "local_rectification"
    assert lookup.element(2, "county_disposal") == "county_disposal"  # unknown version: the code
    assert lookup.division("610113") == "雁塔区" and lookup.division("999999") == "999999"
    assert lookup.point(4) == "某监测点" and lookup.point(None) == ""
    assert event_kind_label("task_completed") == "办理完成" and event_kind_label("brand_new") == "brand_new"


def test_names_are_parsed_once_per_diagram_and_the_cache_is_bounded():
    xml = DIAGRAM.read_text(encoding="utf-8")
    cache = ElementNameCache(size=2)
    assert cache.get("a") is None
    assert cache.names(xml, "a")["county_disposal"] == "县级处置"
    assert cache.names("<not even xml", "a")["county_disposal"] == "县级处置"  # served from the cache
    cache.names(xml, "b")
    cache.names(xml, "c")
    assert cache.get("a") is None and cache.get("c") is not None
    cache.get("c")["county_disposal"] = "changed"  # callers get copies
    assert cache.get("c")["county_disposal"] == "县级处置"


def test_instance_filters_are_pickers_with_chinese_names(app, api):
    api.submit()
    page = admin_page(app, "/admin/instances")
    elements = select_options(page, "element")
    assert elements[""] == "全部环节" and elements["county_disposal"] == "县级处置"
    assert elements["local_rectification"] == "属地整改落实"
    versions = select_options(page, "version")
    assert any(text.startswith("risk_disposal 第 1 版（已发布）") for text in versions.values())
    divisions = select_options(page, "division")
    assert divisions["610113"] == "雁塔区" and divisions["610100"] == "西安市（全市）"
    assert '<optgroup label="西安市">' in page
    assert cell(page, "当前环节") == ["县级处置 county_disposal"]
    assert cell(page, "地区") == ["雁塔区"]


def test_picked_filters_are_kept_and_odd_values_are_shown_escaped(app, api):
    api.submit()
    page = admin_page(app, "/admin/instances?element=county_disposal&division=610113&version=1")
    assert re.search(r'<option value="county_disposal" selected>', page)
    assert re.search(r'<option value="610113" selected>', page)
    assert re.search(r'<option value="1" selected>', page)
    assert cell(page, "实例")  # the instance is found through the picked values
    odd = admin_page(app, "/admin/instances?element=%3Cscript%3Ex%3C/script%3E&version=abc&division=" + "9" * 500)
    assert "<script>x</script>" not in odd and "&lt;script&gt;x&lt;/script&gt;（当前版本中没有此环节）" in odd
    assert "没有符合条件的流程实例" in odd


def test_instance_page_names_steps_divisions_events_and_who_completed(app, api):
    report = api.submit()
    api.complete("county.610113", report["id"], "county_disposal", COUNTY_ESCALATE)  # completed without 认领
    iid = api.get(f"/reports/{report['id']}", "admin").get_json()["instance"]["id"]
    page = admin_page(app, f"/admin/instances/{iid}")
    rows = re.findall(r"<tr>\s*<td data-label=\"环节\">(.*?)</tr>", page, re.S)
    county = next(r for r in rows if "county_disposal" in r)
    assert "雁塔区" in county and "610113" in county  # the name, with the code as secondary text
    claimed = " ".join(re.sub(r"<[^>]+>", " ", re.search(r'data-label="认领人">(.*?)</td>', county, re.S).group(1))
                       .split())
    assert claimed == f"{officer_name(app)} （未认领，直接办理）"
    assert "办理完成 · 县级处置" in page and "生成待办" in page
    assert '<small class="code">task_completed · county_disposal</small>' in page
    assert "<dt>当前环节</dt><dd>" in page and "监测点 " not in page


def test_dashboard_names_failed_step_and_waiting_divisions(app, api):
    failed_instance(app, api)
    api.submit()
    page = admin_page(app, "/admin")
    assert cell(page, "出错环节") == ["通知安全总监 notify_safety_director"]
    assert "雁塔区 610113" in cell(page, "辖区")


def test_account_list_shows_division_and_point_names(app):
    page = admin_page(app, "/admin/users?q=reporter.agency")
    assert any(c.startswith("雁塔区") for c in cell(page, "行政区划"))
    points = cell(page, "监测点")
    assert points and not any(p.isdigit() for p in points)


def test_audit_log_names_the_step_and_the_changes(app, api):
    iid = failed_instance(app, api)
    client = app.test_client()
    token = login(client)
    client.post(f"/admin/instances/{iid}/retry", data={"csrf_token": token, "reason": "仍未登记"})
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "重试失败任务“通知安全总监”（原因：仍未登记）" in cell(page, "说明")[0]
    assert "notify_safety_director" not in cell(page, "说明")[0]
    assert cell(page, "实例")[0].endswith("通知安全总监 notify_safety_director")
    changes = cell(page, "变更")[0]
    assert "原状态 出错" in changes and "status_before" not in changes and "\\u" not in changes
    assert "重试的环节 通知安全总监" in changes and "现错误" in changes


def test_every_event_kind_written_by_the_code_has_a_chinese_label():
    root = Path(__file__).resolve().parent.parent
    pattern = re.compile(r'(?:add_event\([\w.]+, |\.log\()"([a-z_]*[a-z])"')
    kinds = {k for folder in ("services", "engine", "handlers") for f in (root / folder).rglob("*.py")
             for k in pattern.findall(f.read_text(encoding="utf-8"))}
    assert {"task_completed", "submitted", "closed"} <= kinds  # the scan finds the writers
    assert sorted(k for k in kinds if event_kind_label(k) == k) == []
