"""Workflow owners change behaviour purely as data: edit the diagram text, upload, publish."""
from __future__ import annotations

import time

from services.timers import fire_due_timers
from storage.models import Report
from owner_diagrams import (
    seed_xml, upload_and_publish, with_county_deadline, with_double_check, with_major_to_center,
)

COUNTY = "county.610113"
COUNTY_DATA = {"decision": "escalate", "measures": "现场核查", "risk_level": "general", "quality_score": 4}


def open_elements(api, user, report_id) -> set[str]:
    res = api.get(f"/tasks?report_id={report_id}", user)
    assert res.status_code == 200, res.get_json()
    return {t["element_id"] for t in res.get_json()["items"]}


def test_new_step_applies_to_new_reports_only(api):
    before = api.submit()["id"]
    upload_and_publish(api, with_double_check(seed_xml()))
    after = api.submit()["id"]

    api.complete(COUNTY, before, "county_disposal", COUNTY_DATA)
    assert "county_double_check" not in open_elements(api, COUNTY, before)
    assert "city_assessment" in open_elements(api, "city.610100", before)

    api.complete(COUNTY, after, "county_disposal", COUNTY_DATA)
    assert open_elements(api, COUNTY, after) == {"county_double_check"}
    assert "city_assessment" not in open_elements(api, "city.610100", after)
    api.complete(COUNTY, after, "county_double_check", {"double_check_note": "复核无误"})
    assert "city_assessment" in open_elements(api, "city.610100", after)


def test_shorter_deadline_marks_overdue_without_moving_the_report(api, app):
    """Issue 13.1 changed this: an owner's shorter deadline makes the task overdue; it stays at the county."""
    from web import env as make_env

    upload_and_publish(api, with_county_deadline(seed_xml(), "PT2S"))
    rid = api.submit()["id"]
    assert open_elements(api, COUNTY, rid) == {"county_disposal"}
    time.sleep(2.5)
    with app.app_context():
        assert fire_due_timers(make_env()) >= 1
        assert make_env().session.get(Report, rid).overdue is True
    assert open_elements(api, COUNTY, rid) == {"county_disposal"}
    assert "city_assessment" not in open_elements(api, "city.610100", rid)
    timeline = api.get(f"/reports/{rid}", "reporter.agency").get_json()["timeline"]
    assert "overdue" in [e["kind"] for e in timeline]


def test_changed_condition_sends_major_risk_to_province(api):
    upload_and_publish(api, with_major_to_center(seed_xml()))
    major = api.submit()["id"]
    general = api.submit()["id"]

    api.complete(COUNTY, major, "county_disposal", dict(COUNTY_DATA, risk_level="major"))
    assert open_elements(api, "center", major) == {"center_select_panel"}
    assert "city_assessment" not in open_elements(api, "city.610100", major)

    api.complete(COUNTY, general, "county_disposal", COUNTY_DATA)
    assert "city_assessment" in open_elements(api, "city.610100", general)
    assert "center_select_panel" not in open_elements(api, "center", general)


def test_published_versions_are_listed_with_the_previous_one_retired(api):
    upload_and_publish(api, with_county_deadline(seed_xml(), "P10D"))
    items = api.get("/process-versions", "owner").get_json()["items"]
    states = [v["state"] for v in items]
    assert states.count("published") == 1 and "retired" in states
