"""Publish-time validation of diagrams: each problem names the element the modeler should mark."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import ExpressionEnvironment
from engine.validation import DiagramValidator
from services.calendar import CalendarCache, expression_functions
from handlers import HANDLERS
from storage.models import Role

PROCESSES = Path(__file__).resolve().parent.parent / "processes"
DIAGRAM = (PROCESSES / "risk_disposal.bpmn").read_text(encoding="utf-8")
TABLE = (PROCESSES / "entry_routing.dmn").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def validator():
    # the installation's expression functions: the shipped diagram counts working days (workdays(n))
    return DiagramValidator(HANDLERS, [r.value for r in Role], ExpressionEnvironment(expression_functions(CalendarCache())))


def problems(validator, text):
    return [(p.element_id, p.message) for p in validator.validate(text, 2 * 1024 * 1024, [TABLE])]


def variant(old: str, new: str) -> str:
    assert DIAGRAM.count(old) >= 1, old
    return DIAGRAM.replace(old, new, 1)


def test_real_diagram_is_valid(validator):
    assert problems(validator, DIAGRAM) == []


def test_typename_form_field_is_refused(validator):
    # SpiffWorkflow 3.2 cannot deserialize task data with a `typename` key
    text = variant('<camunda:formField id="inspection_opinion"', '<camunda:formField id="typename"')
    found = problems(validator, text)
    assert [e for e, _ in found] == ["inspection_consultation"]
    assert "typename" in found[0][1]


@pytest.mark.parametrize("field_id", ["__class__", "1abc", "a-b", "_x"])
def test_bad_form_field_ids_are_refused(validator, field_id):
    text = variant('<camunda:formField id="inspection_opinion"', f'<camunda:formField id="{field_id}"')
    assert [e for e, _ in problems(validator, text)] == ["inspection_consultation"]


def test_unknown_form_field_type_is_refused(validator):
    text = variant('<camunda:formField id="inspection_opinion" label="技术意见" type="string">',
                   '<camunda:formField id="inspection_opinion" label="技术意见" type="file">')
    found = problems(validator, text)
    # the field also declares records=opinion, which needs a string field: refused twice, both on the same task
    assert {e for e, _ in found} == {"inspection_consultation"}
    assert any("type“file”" in m and "不受支持" in m for _, m in found)
    assert any("记录“opinion”" in m for _, m in found)


def test_unknown_candidate_group_is_refused(validator):
    text = variant('camunda:candidateGroups="inspection_officer"', 'camunda:candidateGroups="mayor"')
    found = problems(validator, text)
    assert [e for e, _ in found] == ["inspection_consultation"] and "mayor" in found[0][1]


def test_user_task_without_candidate_group_is_refused(validator):
    text = variant(' camunda:candidateGroups="inspection_officer"', "")
    assert [e for e, _ in problems(validator, text)] == ["inspection_consultation"]


def test_gateway_without_default_or_conditions_is_refused(validator):
    text = variant('<bpmn:exclusiveGateway id="gw_county_decision" name="县级处置结论" default="flow_county_escalate">',
                   '<bpmn:exclusiveGateway id="gw_county_decision" name="县级处置结论">')
    assert [e for e, _ in problems(validator, text)] == ["gw_county_decision"]


def test_unsafe_due_date_is_refused(validator):
    text = variant('camunda:candidateGroups="city_officer" camunda:dueDate="${workdays(5)}"',
                   'camunda:candidateGroups="city_officer" camunda:dueDate="__import__(\'os\')"')
    found = problems(validator, text)
    assert len(found) == 1 and found[0][0] == "city_assessment"


def test_service_task_without_topic_is_refused(validator):
    text = variant(' camunda:type="external" camunda:topic="dispatch_guidance"', "")
    assert [e for e, _ in problems(validator, text)] == ["dispatch_guidance"]


@pytest.mark.parametrize("text", [
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    "<bpmn:definitions",
    "",
    '<?xml version="1.0"?><html/>',
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"/>',
])
def test_garbage_and_xml_attacks_are_refused(validator, text):
    found = problems(validator, text)
    assert found and found[0][0] is None


def test_oversize_diagram_is_refused(validator):
    found = [(p.element_id, p.message) for p in validator.validate(DIAGRAM, 1000)]
    assert found and "过大" in found[0][1]


def test_element_missing_from_drawing_is_refused(validator):
    text = variant('<bpmndi:BPMNShape id="inspection_consultation_di" bpmnElement="inspection_consultation">',
                   '<bpmndi:BPMNShape id="inspection_consultation_di" bpmnElement="nothing_here">')
    assert [e for e, _ in problems(validator, text)] == ["inspection_consultation"]
