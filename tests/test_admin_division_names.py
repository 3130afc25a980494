"""The admin JSON API names divisions beside their codes (instances, their tasks, accounts)."""
from __future__ import annotations

COUNTY = "county.610113"


def test_the_admin_api_names_divisions_beside_their_codes(api):
    rid = api.submit()["id"]  # reporter.agency's point is in 雁塔区 (610113)
    listed = api.get("/admin/instances?per_page=100", "admin").get_json()["items"]
    mine = [i for i in listed if i["report_id"] == rid]
    assert mine and mine[0]["division_code"] == "610113" and mine[0]["division_name"] == "雁塔区"
    detail = api.get(f"/admin/instances/{mine[0]['id']}", "admin").get_json()
    assert detail["division_code"] == "610113" and detail["division_name"] == "雁塔区"
    county = [t for t in detail["open_tasks"] if t["element_id"] == "county_disposal"]
    assert county and county[0]["division_code"] == "610113" and county[0]["division_name"] == "雁塔区"
    users = api.get("/admin/users?division=610113&per_page=100", "admin").get_json()["items"]
    officer = [u for u in users if u["username"] == COUNTY]
    assert officer and officer[0]["division_code"] == "610113" and officer[0]["division_name"] == "雁塔区"
    one = api.get(f"/admin/users/{officer[0]['id']}", "admin").get_json()
    assert one["division_code"] == "610113" and one["division_name"] == "雁塔区"
    admin = [u for u in api.get("/admin/users?q=admin", "admin").get_json()["items"] if u["username"] == "admin"]
    assert admin and admin[0]["division_name"] == "陕西省"
    schemas = api.get("/openapi.json").get_json()["components"]["schemas"]
    for schema in ("InstanceOut", "AccountOut", "TaskOut"):
        assert {"division_code", "division_name"} <= set(schemas[schema]["properties"]), schema
