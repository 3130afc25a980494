"""The JSON timeline of a report gives each step's own labels beside the raw ids, as the report page shows them."""
from __future__ import annotations

COUNTY = "county.610113"
CITY = "city.610100"


def test_the_api_timeline_gives_each_steps_own_labels(api):
    rid = api.submit()["id"]
    api.complete(COUNTY, rid, "county_disposal", {"decision": "escalate", "measures": "现场核查",
                                                  "risk_level": "major", "quality_score": 5})
    api.complete(CITY, rid, "city_assessment", {"decision": "escalate", "assessment_opinion": "报省级",
                                                "risk_level": "major", "quality_score": 4})
    timeline = api.get(f"/reports/{rid}", "province").get_json()["timeline"]
    done = {e["element_id"]: e for e in timeline if e["kind"] == "task_completed"}
    county, city = done["county_disposal"], done["city_assessment"]
    assert county["data"]["decision"] == "escalate" and city["data"]["decision"] == "escalate"  # ids kept
    assert county["data_labels"]["decision"] == {"label": "处置结论", "value_label": "上报市级"}
    assert city["data_labels"]["decision"] == {"label": "研判结论", "value_label": "上报省级"}
    assert county["data_labels"]["risk_level"] == {"label": "风险等级", "value_label": "重大"}
    assert county["data_labels"]["quality_score"]["value_label"] == "5"
    assert all(e["data_labels"] == {} for e in timeline if e["kind"] != "task_completed")
    schemas = api.get("/openapi.json").get_json()["components"]["schemas"]
    detail = schemas["ReportDetailOut"]["properties"]["timeline"]["items"]["$ref"].rsplit("/", 1)[1]
    described = schemas[detail]["properties"]
    assert "data" in described and "data_labels" in described and "中文" in described["data_labels"]["description"]