"""The diagram's paths through the real services, API and database.

Between steps the in-memory live cache is cleared, so every step deserializes the stored workflow, and
after every step the stored blob is restored and compared with the human_task read model.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import HumanTask, MonitoringPoint, ProcessInstance, Report, TaskState
from web.extensions import db

COUNTY_RESOLVE = {"decision": "resolve", "measures": "现场督促整改", "risk_level": "general", "quality_score": 4}
COUNTY_ESCALATE = {"decision": "escalate", "measures": "现场核查", "risk_level": "major", "quality_score": 5}
CITY = {"assessment_opinion": "研判意见", "risk_level": "significant", "quality_score": 3}
CENTER = {"risk_level": "major", "hazard_grade": "major", "assessment_summary": "重大隐患",
          "mitigation_measures": "专项排查", "quality_score": 5}
RECTIFY = {"rectification_result": "已整改", "rectified_on": "2026-11-28"}
CHECK_OK = {"decision": "confirm", "check_opinion": "整改到位"}
DIRECTOR = {"handling_arrangement": "停梯检修", "responsible_person": "张三", "handling_deadline": "2026-12-01"}


class Checked:
    """Wraps the conftest Api: forces deserialization and checks the projection after each step."""

    def __init__(self, api, app):
        self.api, self.app = api, app
        self.store = app.extensions["riskmon.store"]

    def submit(self, user, **fields):
        report = self.api.submit(user, **fields)
        self.check(report["id"])
        return report

    def complete(self, user, report_id, element_id, data):
        self.store.live.clear()
        result = self.api.complete(user, report_id, element_id, data)
        self.check(report_id)
        return result

    def check(self, report_id) -> list[str]:
        """The stored workflow restores and its open user tasks are exactly the open human_task rows."""
        with self.app.app_context():
            instance = db.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == report_id))
            bundle = self.store.bundle_for(db.session, instance.process_version_id)
            workflow = self.store.serializer.loads(instance.workflow_state, bundle)
            snap = self.store.runtime.snapshot(workflow)
            rows = db.session.scalars(select(HumanTask).where(HumanTask.report_id == report_id,
                                                              HumanTask.state == TaskState.OPEN)).all()
            assert sorted((t.id, t.element_id) for t in snap.open_tasks) == sorted((r.id, r.element_id) for r in rows)
            assert instance.error_element is None, instance.error_message
            return sorted(r.element_id for r in rows)

    def open_elements(self, report_id):
        return self.check(report_id)

    def detail(self, user, report_id):
        res = self.api.get(f"/reports/{report_id}", user)
        assert res.status_code == 200, res.get_json()
        return res.get_json()


@pytest.fixture
def flow(api, app):
    return Checked(api, app)


def center_round(flow, rid):
    """The centre's joint assessment with a panel of one (the organising expert)."""
    flow.complete("center", rid, "center_select_panel", {"panel": ""})
    flow.complete("center", rid, "center_assessment", CENTER)
    flow.complete("center", rid, "center_consolidation", {"decision": "to_province", "consolidated_opinion": "同意"})


def test_agency_report_goes_to_its_county_and_is_resolved(flow):
    report = flow.submit("reporter.agency")
    rid = report["id"]
    task = flow.api.task("county.610113", rid, "county_disposal")
    assert task["candidate_group"] == "county_officer" and task["division_code"] == "610113"
    assert task["due_at"] is not None
    assert {f["id"] for f in task["form"]["fields"]} >= {"decision", "measures", "risk_level", "quality_score"}
    assert flow.open_elements(rid) == ["county_disposal"]
    flow.complete("county.610113", rid, "county_disposal", COUNTY_RESOLVE)
    detail = flow.detail("reporter.agency", rid)
    assert detail["status"] == "closed" and detail["entry_tier"] == "county"
    assert detail["risk_level"] == "general"
    assert detail["instance"]["status"] == "completed"
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds[0] == "submitted" and kinds[-1] == "closed"
    assert "director_notified" not in kinds
    assert flow.open_elements(rid) == []


def test_escalated_to_city_and_resolved(flow):
    rid = flow.submit("reporter.agency")["id"]
    flow.complete("county.610113", rid, "county_disposal", COUNTY_ESCALATE)
    assert flow.open_elements(rid) == ["city_assessment"]
    assert flow.detail("reporter.agency", rid)["current_tier"] == "city"
    flow.complete("city.610100", rid, "city_assessment", {**CITY, "decision": "resolve"})
    detail = flow.detail("reporter.agency", rid)
    assert detail["status"] == "closed"
    with flow.app.app_context():
        report = db.session.get(Report, rid)
        assert report.resolved_tier.value == "city" and report.quality_score == 3


def test_city_consults_inspection_then_resolves(flow):
    rid = flow.submit("reporter.agency")["id"]
    flow.complete("county.610113", rid, "county_disposal", COUNTY_ESCALATE)
    flow.complete("city.610100", rid, "city_assessment", {**CITY, "decision": "consult"})
    assert flow.open_elements(rid) == ["inspection_consultation"]
    flow.complete("inspect.610100", rid, "inspection_consultation", {"inspection_opinion": "建议更换门锁"})
    assert flow.open_elements(rid) == ["city_assessment"]
    flow.complete("city.610100", rid, "city_assessment", {**CITY, "decision": "resolve"})
    assert flow.detail("reporter.agency", rid)["status"] == "closed"


def test_province_path_with_rework_then_close(flow):
    rid = flow.submit("reporter.agency")["id"]
    flow.complete("county.610113", rid, "county_disposal", COUNTY_ESCALATE)
    flow.complete("city.610100", rid, "city_assessment", {**CITY, "decision": "escalate"})
    center_round(flow, rid)
    flow.complete("province", rid, "province_decision", {"decision": "guide", "guidance": "督促整改",
                                                          "measures_approved": True})
    detail = flow.detail("reporter.agency", rid)
    assert detail["status"] == "rectifying"
    assert "guidance_dispatched" in [e["kind"] for e in detail["timeline"]]
    # the locality that rectifies is the county the report came from
    task = flow.api.task("county.610113", rid, "local_rectification")
    assert task["division_code"] == "610113"
    flow.complete("county.610113", rid, "local_rectification", RECTIFY)
    flow.complete("city.610100", rid, "city_rectification_check", CHECK_OK)
    flow.complete("province", rid, "province_verification", {"decision": "rework", "verification_opinion": "不到位"})
    assert flow.open_elements(rid) == ["local_rectification"]
    flow.complete("county.610113", rid, "local_rectification", RECTIFY)
    flow.complete("city.610100", rid, "city_rectification_check", CHECK_OK)
    flow.complete("province", rid, "province_verification", {"decision": "close", "verification_opinion": "同意"})
    detail = flow.detail("reporter.agency", rid)
    assert detail["status"] == "closed" and detail["hazard_grade"] == "major"
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds.count("guidance_dispatched") == 1 and kinds[-1] == "closed"


def test_enterprise_report_closes_before_the_director_acknowledges(flow):
    """Issue 13.3 changed this: the director's acknowledgement is its own state and never holds the chain."""
    rid = flow.submit("reporter.unit")["id"]
    assert flow.open_elements(rid) == ["county_disposal", "director_acknowledge"]
    task = flow.api.task("director.unit", rid, "director_acknowledge")
    assert task["candidate_group"] == "safety_director" and task["division_code"] is None
    assert flow.detail("reporter.unit", rid)["director_ack"] == "pending"
    flow.complete("county.610113", rid, "county_disposal", COUNTY_RESOLVE)
    detail = flow.detail("reporter.unit", rid)
    assert detail["status"] == "closed" and detail["director_ack_label"] == "待确认"
    assert detail["instance"]["status"] == "user_input_required"  # the director task stays open
    flow.complete("director.unit", rid, "director_acknowledge", DIRECTOR)
    detail = flow.detail("reporter.unit", rid)
    assert detail["status"] == "closed" and detail["director_ack"] == "acknowledged"
    assert detail["instance"]["status"] == "completed"
    kinds = [e["kind"] for e in detail["timeline"]]
    assert "director_notified" in kinds and kinds.count("closed") == 1 and kinds[-1] == "director_acknowledged"


def test_enterprise_director_notified_in_app(flow, app):
    rid = flow.submit("reporter.unit")["id"]
    from storage.models import Notification, User

    with app.app_context():
        director = db.session.scalar(select(User).where(User.username == "director.unit"))
        notes = db.session.scalars(select(Notification).where(Notification.report_id == rid)).all()
        assert [n.user_id for n in notes if n.kind == "safety_director"] == [director.id]


def test_city_level_inspection_institution_enters_at_city(flow):
    rid = flow.submit("reporter.inspect")["id"]
    assert flow.open_elements(rid) == ["city_assessment"]
    task = flow.api.task("city.610100", rid, "city_assessment")
    assert task["division_code"] == "610100"
    detail = flow.detail("reporter.inspect", rid)
    assert detail["entry_tier"] == "city" and detail["county_code"] is None
    flow.complete("city.610100", rid, "city_assessment", {**CITY, "decision": "resolve"})
    assert flow.detail("reporter.inspect", rid)["status"] == "closed"


def test_province_level_point_enters_at_center(flow, app):
    from services.demo import create_user

    with app.app_context():
        point = db.session.scalar(select(MonitoringPoint).where(MonitoringPoint.division_code == "610000"))
        create_user(db.session, "reporter.province", "省局信息报送员", ["reporter"], "610000", point.id)
        db.session.commit()
    rid = flow.submit("reporter.province")["id"]
    assert flow.open_elements(rid) == ["center_select_panel"]
    assert flow.detail("reporter.province", rid)["entry_tier"] == "province"
    center_round(flow, rid)
    flow.complete("province", rid, "province_decision", {"decision": "guide", "guidance": "督促整改"})
    # no county or city: rectification falls to the province itself
    task = flow.api.task("province", rid, "local_rectification")
    assert task["candidate_group"] == "province_officer"
    flow.complete("province", rid, "local_rectification", RECTIFY)
    # no city either: the city check falls to the province as well
    flow.complete("province", rid, "city_rectification_check", CHECK_OK)
    flow.complete("province", rid, "province_verification", {"decision": "close", "verification_opinion": "同意"})
    assert flow.detail("reporter.province", rid)["status"] == "closed"
