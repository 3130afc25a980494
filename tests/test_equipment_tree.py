"""The 2014 catalogue (《特种设备目录》) as pickers show it: statutory order, every row under its own parent."""
from __future__ import annotations

import re

from services.directory import equipment_categories, equipment_tree
from pages_helpers import signed_in

STATUTORY = ["锅炉", "压力容器", "压力管道", "电梯", "起重机械", "客运索道", "大型游乐设施", "场（厂）内专用机动车辆",
             "压力管道元件", "安全附件"]
# The catalogue itself places 安全阀 (code 7310) under 安全附件 F000: the one child whose code does not share
# its parent's prefix.
CATALOGUE_EXCEPTIONS = {("7310", "F000")}


def _prefix(code: str) -> str:
    return code.rstrip("0") or code


def test_tree_has_no_misplaced_rows(env):
    tree = equipment_tree(env)
    assert len(tree) == 157
    stack: list[dict] = []
    for row in tree:
        while stack and stack[-1]["code"] != row["parent"]:
            stack.pop()
        if row["parent"] is None:
            assert row["level"] in ("category", "component_category") and not stack
            root = row
        else:
            # depth first: the parent is the nearest open row above, and the child shares its prefix
            assert stack, f"{row['code']} {row['name']} 不在其上级 {row['parent']} 之下"
            if (row["code"], row["parent"]) not in CATALOGUE_EXCEPTIONS:
                assert row["code"].startswith(_prefix(row["parent"])), row
                assert row["code"][0] == root["code"][0], row
        assert row["category"] == root["code"]
        stack.append(row)
    under_rides = [r["code"] for r in tree if r["category"] == "6000"]
    assert all(code.startswith("6") for code in under_rides)
    by_code = {r["code"]: r for r in tree}
    assert by_code["7100"]["category"] == "7000" and by_code["7310"]["category"] == "F000"


def test_categories_follow_the_statutory_order(env):
    assert [c.name for c in equipment_categories(env)] == STATUTORY
    roots = [r["name"] for r in equipment_tree(env) if r["parent"] is None]
    assert roots == STATUTORY


def test_api_lists_the_tree_in_order(api):
    items = api.get("/equipment-types", "reporter.unit").get_json()["items"]
    assert [r["name"] for r in items if r["parent"] is None] == STATUTORY
    codes = [r["code"] for r in items]
    assert codes.index("7100") > codes.index("7000") > codes.index("5200")


def test_cases_filter_lists_components_in_their_place_and_accepts_7100(app, api):
    client = signed_in(app, "province")
    html = client.get("/cases").get_data(as_text=True)
    options = re.findall(r'<option value="(\w{4})"', html[html.index('id="c_equipment"'):html.index('id="c_kind"')])
    assert options.index("6E00") < options.index("5000") < options.index("7000") < options.index("7100")
    assert options.index("F000") < options.index("7310")
    assert client.get("/cases?equipment=7100").status_code == 200
    assert api.get("/cases?equipment=7100", "province").status_code == 200
    res = api.get("/cases?equipment=ZZZZ", "province")
    assert res.status_code == 422 and "特种设备目录" in res.get_json()["error"]["message"]


def test_component_reports_belong_to_their_component_category(api):
    piping = api.submit(equipment_type_code="7100", title="压力管道管子材质证明缺失")
    valve = api.submit(equipment_type_code="7310", title="安全阀校验过期")
    assert api.get(f"/reports/{piping['id']}", "province").get_json()["equipment_category_code"] == "7000"
    assert api.get(f"/reports/{valve['id']}", "province").get_json()["equipment_category_code"] == "F000"
    res = api.post("/reports", "reporter.agency", json={"kind": "problem", "domain": "use",
                                                         "equipment_type_code": "9999", "content": "x"})
    assert res.status_code == 422


def test_an_accepted_component_report_flows_through_statistics_map_sheet_export_and_periodic_report(api, env):
    """7310 (安全阀, under F000) is newly accepted: what it does afterwards, everywhere that reads categories."""
    from services.stats_rollup import fold_statistics

    valve = api.submit(equipment_type_code="7310", title="安全阀校验过期")
    live = api.get("/stats/summary", "province").get_json()
    assert live["by_equipment_category"].get("F000") == 1
    fold_statistics(env)
    assert api.get("/stats/summary", "province").get_json() == live  # the roll-up agrees once folded
    assert api.get("/stats/map", "province").status_code == 200
    sheet = api.get(f"/reports/{valve['id']}/sheet.pdf", "province")
    assert sheet.status_code == 200 and sheet.data.startswith(b"%PDF")
    export = api.get("/reports?format=xlsx&category=F000", "province")
    assert export.status_code == 200 and export.data[:2] == b"PK"
    month = api.get(f"/reports/{valve['id']}", "province").get_json()["submitted_at"][:7]
    drafted = api.post("/periodic-reports", "province", json={"kind": "monthly", "period": month})
    assert drafted.status_code == 201, drafted.get_json()
