"""Every path of processes/risk_disposal.bpmn at engine level, serialized and restored between steps.

No database: engine.Runtime runs the real diagram with its entry table (processes/entry_routing.dmn), a
fake `call_topic` sets what the handlers would set, and the workflow is dumped to bytes and loaded back
before every user task is worked.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from engine import ExpressionEnvironment, Runtime, parse_bundle
from engine.runtime import NoTakeOver, TaskNotOpen
from engine.serializer import InstanceSerializer
from services.calendar import CalendarCache, expression_functions

PROCESSES = Path(__file__).resolve().parent.parent / "processes"
DIAGRAM = PROCESSES / "risk_disposal.bpmn"
TABLE = (PROCESSES / "entry_routing.dmn").read_text(encoding="utf-8")

COUNTY_RESOLVE = {"decision": "resolve", "measures": "现场督促整改", "risk_level": "general", "quality_score": 4}
COUNTY_ESCALATE = {"decision": "escalate", "measures": "现场核查", "risk_level": "major", "quality_score": 5}
CITY = {"assessment_opinion": "研判意见", "risk_level": "significant", "quality_score": 4}
CENTER = {"risk_level": "major", "hazard_grade": "major", "assessment_summary": "重大隐患",
          "mitigation_measures": "专项排查", "quality_score": 5}
CONSOLIDATE = {"decision": "to_province", "consolidated_opinion": "同意"}
PROVINCE = {"decision": "guide", "measures_approved": True, "guidance": "督促整改"}
RECTIFY = {"rectification_result": "已整改", "rectified_on": "2026-11-28"}
CHECK_OK = {"decision": "confirm", "check_opinion": "整改到位"}
DIRECTOR = {"handling_arrangement": "停梯检修", "responsible_person": "张三", "handling_deadline": "2026-12-01"}


def make_runtime() -> Runtime:
    return Runtime(ExpressionEnvironment(expression_functions(CalendarCache())))


@pytest.fixture(scope="module")
def bundle():
    return parse_bundle(DIAGRAM.read_text(encoding="utf-8"), decisions=(TABLE,))


class Harness:
    """Drives one workflow like ProcessStore does, minus the database, round-tripping every step."""

    def __init__(self, bundle, point_tier="county", is_enterprise=False, kind="risk_hazard", domain="use",
                 panel=("center",)):
        self.bundle = bundle
        self.runtime = make_runtime()
        self.serializer = InstanceSerializer()
        self.variables = dict(report_kind=kind, domain=domain, point_tier=point_tier, entry_tier=point_tier,
                              is_enterprise=is_enterprise,
                              tracking_no="SX-2026-000001")
        self.panel = list(panel)
        self.topics: list[str] = []
        self.calls: list[tuple[str, dict]] = []
        self.workflow = self.runtime.create(bundle, {"report_id": 1})
        self._run()

    def call_topic(self, task, topic, params):
        self.topics.append(topic)
        self.calls.append((topic, dict(params)))
        if topic == "register_report":
            task.data.update(self.variables)
        elif topic == "prepare_panel":
            task.data.update(center_panel=list(self.panel), center_lead=self.panel[0])

    def _run(self):
        errors = self.runtime.run(self.workflow, self.call_topic)
        assert errors == [], errors
        self._round_trip()

    def _round_trip(self):
        blob = self.serializer.dumps(self.workflow)
        assert isinstance(blob, bytes) and blob
        self.workflow = self.serializer.loads(blob, self.bundle)

    def views(self, element_id=None):
        return [t for t in self.runtime.snapshot(self.workflow).open_tasks
                if element_id is None or t.element_id == element_id]

    def open_elements(self) -> list[str]:
        return sorted(t.element_id for t in self.views())

    def complete(self, element_id: str, data: dict, assignee: str | None = None) -> None:
        views = [v for v in self.views(element_id) if assignee is None or v.assignee == assignee]
        assert len(views) == 1, f"expected one open {element_id}, have {self.open_elements()}"
        assert self.runtime.complete_user_task(self.workflow, views[0].id, data) == element_id
        self._run()

    def fire_timers(self):
        self.workflow.refresh_timers()
        self._run()

    @property
    def completed(self) -> bool:
        return self.workflow.is_completed()

    def data(self) -> dict:
        return self.workflow.last_task.data if self.workflow.last_task else {}


def to_center(h):
    h.complete("county_disposal", COUNTY_ESCALATE)
    h.complete("city_assessment", {**CITY, "decision": "escalate"})
    assert h.open_elements() == ["center_select_panel"]


def center_round(h, experts=("center",)):
    h.complete("center_select_panel", {"panel": ""})
    for expert in experts:
        h.complete("center_assessment", CENTER, assignee=expert)
    h.complete("center_consolidation", CONSOLIDATE)


def test_resolved_at_county(bundle):
    h = Harness(bundle)
    assert h.open_elements() == ["county_disposal"]
    h.complete("county_disposal", COUNTY_RESOLVE)
    assert h.completed
    assert h.topics == ["register_report", "close_report"]


def test_county_task_offers_its_form_and_working_day_timers(bundle):
    h = Harness(bundle)
    snap = h.runtime.snapshot(h.workflow)
    (view,) = snap.open_tasks
    assert view.candidate_group == "county_officer" and view.due.startswith("PT")
    assert view.candidate_groups == ("county_officer",) and view.assignee is None
    fields = {f["id"]: f for f in view.form["fields"]}
    assert [o["id"] for o in fields["decision"]["options"]] == ["resolve", "escalate", "return_to_reporter"]
    assert fields["decision"]["required"] and not fields["hazard_grade"]["required"]
    assert fields["quality_score"]["label"] == "信息质量评分（1～5分）"
    assert sorted(name for name, _ in snap.timers) == ["county_deadline", "county_reminder"]
    timers = dict(snap.timers)
    assert timers["county_deadline"] > timers["county_reminder"]  # the reminder comes before the deadline


def test_unknown_decisions_take_the_cautious_path(bundle):
    """The defaults escalate or send back to rework; they never close a report."""
    h = Harness(bundle)
    h.complete("county_disposal", {**COUNTY_RESOLVE, "decision": "??"})
    assert h.open_elements() == ["city_assessment"]
    h.complete("city_assessment", {**CITY, "decision": "??"})
    assert h.open_elements() == ["center_select_panel"]
    center_round(h)
    h.complete("province_decision", PROVINCE)
    h.complete("local_rectification", RECTIFY)
    h.complete("city_rectification_check", {"decision": "??", "check_opinion": "未说明"})
    assert h.open_elements() == ["local_rectification"]
    h.complete("local_rectification", RECTIFY)
    h.complete("city_rectification_check", CHECK_OK)
    h.complete("province_verification", {"decision": "??", "verification_opinion": "未说明"})
    assert h.open_elements() == ["local_rectification"] and not h.completed


def test_escalated_to_city_and_resolved(bundle):
    h = Harness(bundle)
    h.complete("county_disposal", COUNTY_ESCALATE)
    assert h.open_elements() == ["city_assessment"]
    assert sorted(n for n, _ in h.runtime.snapshot(h.workflow).timers) == ["city_deadline", "city_reminder"]
    h.complete("city_assessment", {**CITY, "decision": "resolve"})
    assert h.completed and h.topics == ["register_report", "close_report"]


def test_city_returns_to_county_with_the_reason_on_top(bundle):
    h = Harness(bundle)
    h.complete("county_disposal", COUNTY_ESCALATE)
    h.complete("city_assessment", {**CITY, "decision": "return", "return_reason": "未附现场照片"})
    (county,) = h.views("county_disposal")
    assert "未附现场照片" in county.form["notice"]
    h.complete("county_disposal", COUNTY_RESOLVE)
    assert h.completed


def test_county_returns_to_the_reporter_for_a_supplement(bundle):
    h = Harness(bundle)
    h.complete("county_disposal", {**COUNTY_ESCALATE, "decision": "return_to_reporter",
                                   "supplement_request": "请补充设备注册代码"})
    (supplement,) = h.views("reporter_supplement")
    assert supplement.candidate_group == "reporter" and "设备注册代码" in supplement.form["notice"]
    h.complete("reporter_supplement", {"supplement_text": "注册代码 31106101002019"})
    (county,) = h.views("county_disposal")
    assert "31106101002019" in county.form["notice"]
    h.complete("county_disposal", COUNTY_RESOLVE)
    assert h.completed


def test_city_consults_inspection_institution_then_resolves(bundle):
    h = Harness(bundle)
    h.complete("county_disposal", COUNTY_ESCALATE)
    h.complete("city_assessment", {**CITY, "decision": "consult"})
    assert h.open_elements() == ["inspection_consultation"]
    h.complete("inspection_consultation", {"inspection_opinion": "建议更换门锁"})
    assert h.open_elements() == ["city_assessment"]
    h.complete("city_assessment", {**CITY, "decision": "resolve"})
    assert h.completed and h.data()["inspection_opinion"] == "建议更换门锁"


def test_joint_assessment_one_task_per_expert_then_consolidation(bundle):
    h = Harness(bundle, panel=("center", "center.b", "center.c"))
    to_center(h)
    h.complete("center_select_panel", {"panel": "center.b,center.c"})
    experts = h.views("center_assessment")
    assert sorted(v.assignee for v in experts) == ["center", "center.b", "center.c"]
    assert len({v.id for v in experts}) == 3
    h.complete("center_assessment", CENTER, assignee="center.b")
    assert sorted(v.assignee for v in h.views("center_assessment")) == ["center", "center.c"]
    assert h.open_elements() == ["center_assessment", "center_assessment"]
    h.complete("center_assessment", CENTER, assignee="center.c")
    h.complete("center_assessment", CENTER, assignee="center")
    (lead,) = h.views("center_consolidation")
    assert lead.assignee == "center"
    h.complete("center_consolidation", CONSOLIDATE)
    assert h.open_elements() == ["province_decision"]


def test_center_and_province_return_to_the_tier_below(bundle):
    h = Harness(bundle)
    to_center(h)
    h.complete("center_select_panel", {"panel": ""})
    h.complete("center_assessment", CENTER, assignee="center")
    h.complete("center_consolidation", {"decision": "return", "consolidated_opinion": "材料不全",
                                        "return_reason": "请市级补充检验报告"})
    (city,) = h.views("city_assessment")
    assert "检验报告" in city.form["notice"]
    h.complete("city_assessment", {**CITY, "decision": "escalate"})
    center_round(h)
    h.complete("province_decision", {**PROVINCE, "decision": "return", "return_reason": "措施不具体"})
    assert h.open_elements() == ["center_select_panel"]
    assert "措施不具体" in h.views("center_select_panel")[0].form["notice"]


def test_escalated_to_province_city_checks_before_province_verifies(bundle):
    h = Harness(bundle)
    to_center(h)
    center_round(h)
    (decision,) = h.views("province_decision")
    assert decision.name == "省局研究提出措施意见并指导属地"
    h.complete("province_decision", PROVINCE)
    assert h.topics[-1] == "dispatch_guidance"
    assert h.open_elements() == ["local_rectification"]
    h.complete("local_rectification", RECTIFY)
    assert h.open_elements() == ["city_rectification_check"]
    h.complete("city_rectification_check", CHECK_OK)
    h.complete("province_verification", {"decision": "rework", "verification_opinion": "未整改到位"})
    assert h.open_elements() == ["local_rectification"]
    assert h.topics.count("dispatch_guidance") == 1
    h.complete("local_rectification", {**RECTIFY, "rectification_result": "二次整改完成"})
    h.complete("city_rectification_check", CHECK_OK)
    h.complete("province_verification", {"decision": "close", "verification_opinion": "同意销号"})
    assert h.completed
    assert h.topics == ["register_report", "prepare_panel", "dispatch_guidance", "close_report"]


def test_enterprise_report_closes_while_the_director_has_not_acknowledged(bundle):
    h = Harness(bundle, is_enterprise=True)
    assert h.topics == ["register_report", "notify_safety_director"]
    assert h.open_elements() == ["county_disposal", "director_acknowledge"]
    h.complete("county_disposal", COUNTY_RESOLVE)
    assert h.topics[-1] == "close_report"  # the chain closed the report
    assert h.open_elements() == ["director_acknowledge"] and not h.completed
    assert "director_reminder" in dict(h.runtime.snapshot(h.workflow).timers)
    h.complete("director_acknowledge", DIRECTOR)
    assert h.topics[-1] == "director_acknowledged" and h.completed
    assert h.topics.count("close_report") == 1


def test_non_enterprise_skips_director_branch(bundle):
    h = Harness(bundle, is_enterprise=False)
    assert "director_acknowledge" not in h.open_elements()
    h.complete("county_disposal", COUNTY_RESOLVE)
    assert h.completed and "notify_safety_director" not in h.topics


@pytest.mark.parametrize("variables, first", [
    ({"point_tier": "city"}, "city_assessment"),
    ({"point_tier": "province"}, "center_select_panel"),
    ({"kind": "suggestion"}, "center_summary"),
    ({"kind": "suggestion", "point_tier": "city"}, "center_summary"),
    ({"domain": "administrative_supervision"}, "city_assessment"),
    ({"domain": "administrative_supervision", "point_tier": "city"}, "center_select_panel"),
    ({"domain": "inspection_testing"}, "county_disposal"),
])
def test_entry_table_decides_where_a_report_enters(bundle, variables, first):
    h = Harness(bundle, **variables)
    assert h.open_elements() == [first]


def test_suggestion_is_summarised_by_the_centre_and_closes(bundle):
    h = Harness(bundle, kind="suggestion")
    (summary,) = h.views("center_summary")
    assert summary.candidate_group == "center_expert"
    h.complete("center_summary", {"summary_note": "纳入年度风险研判", "reply": "感谢建议"})
    assert h.completed and h.topics == ["register_report", "close_report"]


def test_take_over_moves_the_county_task_to_the_city(bundle):
    h = Harness(bundle)
    (county,) = h.views("county_disposal")
    assert h.runtime.can_take_over(h.workflow, county.id)
    assert h.runtime.take_over(h.workflow, county.id) == "county_take_over"
    h._run()
    assert h.open_elements() == ["city_assessment"]
    assert "county_deadline" not in dict(h.runtime.snapshot(h.workflow).timers)
    with pytest.raises(TaskNotOpen):
        h.runtime.complete_user_task(h.workflow, county.id, COUNTY_RESOLVE)
    (city,) = h.views("city_assessment")
    with pytest.raises(NoTakeOver):
        h.runtime.take_over(h.workflow, city.id)


def with_timer(xml: str, element: str, old: str, new: str) -> str:
    start = xml.index(f'<bpmn:boundaryEvent id="{element}"')
    end = xml.index("</bpmn:boundaryEvent>", start)
    block = xml[start:end]
    assert block.count(old) == 1, block
    return xml[:start] + block.replace(old, new) + xml[end:]


def test_county_deadline_marks_overdue_and_keeps_the_task(bundle):
    xml = with_timer(DIAGRAM.read_text(encoding="utf-8"), "county_deadline", "${workdays(5)}", "PT1S")
    h = Harness(parse_bundle(xml, decisions=(TABLE,)))
    (before,) = h.views("county_disposal")
    time.sleep(1.2)
    h.fire_timers()
    assert ("mark_overdue", {"tier": "county", "element": "county_disposal"}) in h.calls
    (after,) = h.views("county_disposal")
    assert after.id == before.id and h.open_elements() == ["county_disposal"]
    h.complete("county_disposal", COUNTY_RESOLVE)
    assert h.completed


def test_director_is_reminded_repeatedly(bundle):
    xml = with_timer(DIAGRAM.read_text(encoding="utf-8"), "director_reminder", '"R30/P1D"', '"R30/PT1S"')
    h = Harness(parse_bundle(xml, decisions=(TABLE,)), is_enterprise=True)
    for _ in range(3):
        time.sleep(1.1)
        h.fire_timers()
    reminders = [c for c in h.calls if c == ("send_reminder", {"target": "director"})]
    assert len(reminders) >= 2
    assert h.open_elements() == ["county_disposal", "director_acknowledge"]


def test_completed_task_cannot_be_completed_again(bundle):
    h = Harness(bundle)
    (view,) = h.views()
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
    assert len(text) < 40_000


def test_many_rework_loops_still_close(bundle):
    """Each loop deepens the task tree; a realistic number of reworks must stay well within limits."""
    h = Harness(bundle, point_tier="province")
    center_round(h)
    h.complete("province_decision", PROVINCE)
    for i in range(15):
        h.complete("local_rectification", {**RECTIFY, "rectification_result": f"第 {i + 1} 次整改"})
        h.complete("city_rectification_check", {"decision": "rework", "check_opinion": "仍未到位"})
        assert h.open_elements() == ["local_rectification"]
    h.complete("local_rectification", RECTIFY)
    h.complete("city_rectification_check", CHECK_OK)
    h.complete("province_verification", {"decision": "close", "verification_opinion": "同意"})
    assert h.completed and h.topics.count("close_report") == 1
