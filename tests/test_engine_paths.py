"""Every path of processes/risk_disposal.bpmn at engine level, serialized and restored between steps.

No database: engine.Runtime runs the real diagram, a fake `call_topic` sets what the handlers would set,
and the workflow is dumped to bytes and loaded back before every user task is worked.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import Runtime, parse_bundle
from engine.runtime import TaskNotOpen
from engine.serializer import InstanceSerializer

DIAGRAM = Path(__file__).resolve().parent.parent / "processes" / "risk_disposal.bpmn"

COUNTY_RESOLVE = {"decision": "resolve", "measures": "现场督促整改", "risk_level": "general", "quality_score": 4}
COUNTY_ESCALATE = {"decision": "escalate", "measures": "现场核查", "risk_level": "major", "quality_score": 5}
CITY = {"assessment_opinion": "研判意见", "risk_level": "significant", "quality_score": 4}
CENTER = {"risk_level": "major", "hazard_grade": "major", "assessment_summary": "重大隐患",
          "mitigation_measures": "专项排查", "quality_score": 5}
PROVINCE = {"measures_approved": True, "guidance": "督促整改"}
RECTIFY = {"rectification_result": "已整改", "rectified_on": "2026-11-28"}
DIRECTOR = {"handling_arrangement": "停梯检修", "responsible_person": "张三", "handling_deadline": "2026-12-01"}


@pytest.fixture(scope="module")
def bundle():
    return parse_bundle(DIAGRAM.read_text(encoding="utf-8"))


class Harness:
    """Drives one workflow like ProcessStore does, minus the database, round-tripping every step."""

    def __init__(self, bundle, entry_tier="county", is_enterprise=False):
        self.bundle = bundle
        self.runtime = Runtime()
        self.serializer = InstanceSerializer()
        self.entry_tier, self.is_enterprise = entry_tier, is_enterprise
        self.topics: list[str] = []
        self.round_trips = 0
        self.workflow = self.runtime.create(bundle, {"report_id": 1})
        self._run()

    def call_topic(self, task, topic, params):
        self.topics.append(topic)
        if topic == "register_report":
            task.data.update(entry_tier=self.entry_tier, is_enterprise=self.is_enterprise,
                             tracking_no="SX-2026-000001")
        elif topic == "mark_overdue":
            task.data.update(overdue=True, decision="escalate")

    def _run(self):
        errors = self.runtime.run(self.workflow, self.call_topic)
        assert errors == [], errors
        self._round_trip()

    def _round_trip(self):
        blob = self.serializer.dumps(self.workflow)
        assert isinstance(blob, bytes) and blob
        self.workflow = self.serializer.loads(blob, self.bundle)
        self.round_trips += 1

    def open_elements(self) -> list[str]:
        return sorted(t.element_id for t in self.runtime.snapshot(self.workflow).open_tasks)

    def complete(self, element_id: str, data: dict) -> None:
        views = [t for t in self.runtime.snapshot(self.workflow).open_tasks if t.element_id == element_id]
        assert len(views) == 1, f"expected one open {element_id}, have {self.open_elements()}"
        assert self.runtime.complete_user_task(self.workflow, views[0].id, data) == element_id
        self._run()

    @property
    def completed(self) -> bool:
        return self.workflow.is_completed()

    def data(self) -> dict:
        return self.workflow.last_task.data if self.workflow.last_task else {}


def test_resolved_at_county(bundle):
    h = Harness(bundle)
    assert h.open_elements() == ["county_disposal"]
    h.complete("county_disposal", COUNTY_RESOLVE)
    assert h.completed
    assert h.topics == ["register_report", "close_report"]
    assert "notify_safety_director" not in h.topics


def test_county_task_offers_its_form_and_timers(bundle):
    h = Harness(bundle)
    snap = h.runtime.snapshot(h.workflow)
    (view,) = snap.open_tasks
    assert view.candidate_group == "county_officer" and view.due == "P7D"
    fields = {f["id"]: f for f in view.form["fields"]}
    assert [o["id"] for o in fields["decision"]["options"]] == ["resolve", "escalate"]
    assert fields["decision"]["required"] and not fields["hazard_grade"]["required"]
    assert sorted(name for name, _ in snap.timers) == ["county_deadline", "county_reminder"]
    reminder = dict(snap.timers)["county_reminder"]
    deadline = dict(snap.timers)["county_deadline"]
    assert (deadline - reminder).days == 4


def test_escalated_to_city_and_resolved(bundle):
    h = Harness(bundle)
    h.complete("county_disposal", COUNTY_ESCALATE)
    assert h.open_elements() == ["city_assessment"]
    # the county's boundary timers are gone once the county task is done
    assert h.runtime.snapshot(h.workflow).timers == []
    h.complete("city_assessment", {**CITY, "decision": "resolve"})
    assert h.completed
    assert h.topics == ["register_report", "close_report"]


def test_city_consults_inspection_institution_then_resolves(bundle):
    h = Harness(bundle)
    h.complete("county_disposal", COUNTY_ESCALATE)
    h.complete("city_assessment", {**CITY, "decision": "consult"})
    assert h.open_elements() == ["inspection_consultation"]
    h.complete("inspection_consultation", {"inspection_opinion": "建议更换门锁"})
    assert h.open_elements() == ["city_assessment"]
    assert not h.completed
    h.complete("city_assessment", {**CITY, "decision": "resolve"})
    assert h.completed
    assert h.data()["inspection_opinion"] == "建议更换门锁"


def test_escalated_to_province_with_rework_loop_then_close(bundle):
    h = Harness(bundle)
    h.complete("county_disposal", COUNTY_ESCALATE)
    h.complete("city_assessment", {**CITY, "decision": "escalate"})
    assert h.open_elements() == ["center_assessment"]
    h.complete("center_assessment", CENTER)
    assert h.open_elements() == ["province_decision"]
    h.complete("province_decision", PROVINCE)
    assert h.topics[-1] == "dispatch_guidance"
    assert h.open_elements() == ["local_rectification"]
    h.complete("local_rectification", RECTIFY)
    h.complete("province_verification", {"decision": "rework", "verification_opinion": "未整改到位"})
    assert h.open_elements() == ["local_rectification"]
    assert h.topics.count("dispatch_guidance") == 1  # rework goes back to rectification, not dispatch
    h.complete("local_rectification", {**RECTIFY, "rectification_result": "二次整改完成"})
    assert h.open_elements() == ["province_verification"]
    assert not h.completed
    h.complete("province_verification", {"decision": "close", "verification_opinion": "同意销号"})
    assert h.completed
    assert h.topics == ["register_report", "dispatch_guidance", "close_report"]
    assert h.data()["rectification_result"] == "二次整改完成"


def test_enterprise_report_waits_for_director_before_close(bundle):
    h = Harness(bundle, is_enterprise=True)
    assert h.topics == ["register_report", "notify_safety_director"]
    assert h.open_elements() == ["county_disposal", "director_acknowledge"]
    h.complete("county_disposal", COUNTY_RESOLVE)
    # the chain is done, but the parallel join still waits for the director's branch
    assert not h.completed
    assert "close_report" not in h.topics
    assert h.open_elements() == ["director_acknowledge"]
    h.complete("director_acknowledge", DIRECTOR)
    assert h.completed
    assert h.topics[-1] == "close_report" and h.topics.count("close_report") == 1


def test_enterprise_director_first_then_escalated_chain(bundle):
    h = Harness(bundle, is_enterprise=True)
    h.complete("director_acknowledge", DIRECTOR)
    assert h.open_elements() == ["county_disposal"]
    assert not h.completed
    h.complete("county_disposal", COUNTY_ESCALATE)
    h.complete("city_assessment", {**CITY, "decision": "resolve"})
    assert h.completed
    assert h.topics.count("close_report") == 1


def test_non_enterprise_skips_director_branch(bundle):
    h = Harness(bundle, is_enterprise=False)
    assert "director_acknowledge" not in h.open_elements()
    assert "notify_safety_director" not in h.topics
    h.complete("county_disposal", COUNTY_RESOLVE)
    assert h.completed


def test_city_level_point_enters_at_city(bundle):
    h = Harness(bundle, entry_tier="city")
    assert h.open_elements() == ["city_assessment"]
    assert all(name != "county_deadline" for name, _ in h.runtime.snapshot(h.workflow).timers)
    h.complete("city_assessment", {**CITY, "decision": "resolve"})
    assert h.completed


def test_province_entry_goes_to_center(bundle):
    h = Harness(bundle, entry_tier="province")
    assert h.open_elements() == ["center_assessment"]
    h.complete("center_assessment", CENTER)
    h.complete("province_decision", PROVINCE)
    h.complete("local_rectification", RECTIFY)
    h.complete("province_verification", {"decision": "close", "verification_opinion": "同意"})
    assert h.completed


def test_completed_task_cannot_be_completed_again(bundle):
    h = Harness(bundle)
    (view,) = h.runtime.snapshot(h.workflow).open_tasks
    h.runtime.complete_user_task(h.workflow, view.id, COUNTY_ESCALATE)
    h.runtime.run(h.workflow, h.call_topic)
    with pytest.raises(TaskNotOpen):
        h.runtime.complete_user_task(h.workflow, view.id, COUNTY_RESOLVE)
    with pytest.raises(TaskNotOpen):
        h.runtime.complete_user_task(h.workflow, "not-a-uuid", COUNTY_RESOLVE)


def test_serialized_state_does_not_embed_the_spec(bundle):
    h = Harness(bundle)
    import json
    import zlib

    text = zlib.decompress(InstanceSerializer().dumps(h.workflow)).decode("utf-8")
    assert "county_disposal" in text
    assert "spec" not in json.loads(text) or not json.loads(text).get("spec")
    assert len(text) < 19_000


def test_many_rework_loops_still_close(bundle):
    """Each loop deepens the task tree; a realistic number of reworks must stay well within limits."""
    h = Harness(bundle, entry_tier="province")
    h.complete("center_assessment", CENTER)
    h.complete("province_decision", PROVINCE)
    for i in range(25):
        h.complete("local_rectification", {**RECTIFY, "rectification_result": f"第 {i + 1} 次整改"})
        h.complete("province_verification", {"decision": "rework", "verification_opinion": "仍未到位"})
        assert h.open_elements() == ["local_rectification"]
    h.complete("local_rectification", RECTIFY)
    h.complete("province_verification", {"decision": "close", "verification_opinion": "同意"})
    assert h.completed and h.topics.count("close_report") == 1
