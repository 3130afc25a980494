"""Owner edits of the version-1 diagram (tests/fixtures/risk_disposal_v1.bpmn), as plain text.

The engine-level tests of the dialect, the dry run and incidents work on an owner's diagram; they keep
version 1 (the diagram shipped before the working-day deadlines, 会签 and DMN entry routing) as their
fixture so that they test the engine, not the current text of processes/risk_disposal.bpmn.
"""
from __future__ import annotations

from pathlib import Path

import owner_diagrams
from owner_diagrams import (  # noqa: F401 - the same text edits and API helpers work on version 1
    PASSWORD, deadline_dmn, replace_once, sign_in, upload, upload_and_publish, with_double_check, with_script_task,
)

BPMN = Path(__file__).resolve().parent / "fixtures" / "risk_disposal_v1.bpmn"


def seed_xml() -> str:
    """The version-1 diagram."""
    return BPMN.read_text(encoding="utf-8")


def with_county_deadline(xml: str, duration: str) -> str:
    """Change version 1's county deadline timer (P7D)."""
    return owner_diagrams.with_county_deadline(xml, duration, current="P7D")


def with_major_to_center(xml: str) -> str:
    """The county's gateway sends risk_level == "major" straight to the province's expert assessment."""
    xml = replace_once(
        xml, '<bpmn:outgoing>flow_county_resolve</bpmn:outgoing>\n    </bpmn:exclusiveGateway>',
        '<bpmn:outgoing>flow_county_resolve</bpmn:outgoing>\n'
        '      <bpmn:outgoing>flow_county_major</bpmn:outgoing>\n    </bpmn:exclusiveGateway>')
    xml = replace_once(
        xml, '<bpmn:incoming>flow_city_escalate</bpmn:incoming>',
        '<bpmn:incoming>flow_city_escalate</bpmn:incoming>\n      <bpmn:incoming>flow_county_major</bpmn:incoming>')
    xml = replace_once(
        xml, '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">decision == "escalate"</bpmn:conditionExpression>\n'
             '    </bpmn:sequenceFlow>\n    <bpmn:sequenceFlow id="flow_county_resolve"',
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">decision == "escalate" and risk_level != "major"'
        '</bpmn:conditionExpression>\n    </bpmn:sequenceFlow>\n'
        '    <bpmn:sequenceFlow id="flow_county_major" name="重大风险直报省级" sourceRef="gw_county_decision" '
        'targetRef="center_assessment">\n'
        '      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">risk_level == "major"'
        '</bpmn:conditionExpression>\n    </bpmn:sequenceFlow>\n    <bpmn:sequenceFlow id="flow_county_resolve"')
    edge = ('<bpmndi:BPMNEdge id="flow_county_major_di" bpmnElement="flow_county_major">\n'
            '        <di:waypoint x="1880" y="765" />\n'
            '        <di:waypoint x="1880" y="1280" />\n'
            '      </bpmndi:BPMNEdge>\n      ')
    return replace_once(xml, '<bpmndi:BPMNEdge id="flow_county_decision_di"',
                        edge + '<bpmndi:BPMNEdge id="flow_county_decision_di"')


def with_deadline_table(xml: str) -> str:
    """County reports pass a business rule task that looks the county deadline up in a DMN table."""
    xml = replace_once(xml, '<bpmn:sequenceFlow id="flow_entry_county" name="县级" sourceRef="gw_entry_tier" '
                            'targetRef="county_disposal" />',
                       '<bpmn:sequenceFlow id="flow_entry_county" name="县级" sourceRef="gw_entry_tier" '
                       'targetRef="decide_county_deadline" />\n'
                       '    <bpmn:sequenceFlow id="flow_deadline_county" sourceRef="decide_county_deadline" '
                       'targetRef="county_disposal" />')
    xml = replace_once(xml, '<bpmn:flowNodeRef>gw_entry_tier</bpmn:flowNodeRef>',
                       '<bpmn:flowNodeRef>gw_entry_tier</bpmn:flowNodeRef>\n'
                       '        <bpmn:flowNodeRef>decide_county_deadline</bpmn:flowNodeRef>')
    xml = replace_once(xml, '<bpmn:exclusiveGateway id="gw_enterprise"',
                       '<bpmn:businessRuleTask id="decide_county_deadline" name="查县级处置期限" '
                       'camunda:decisionRef="county_deadline" />\n    <bpmn:exclusiveGateway id="gw_enterprise"')
    xml = replace_once(xml, 'camunda:candidateGroups="county_officer" camunda:dueDate="P7D"',
                       'camunda:candidateGroups="county_officer" camunda:dueDate="${county_due}"')
    start = xml.index('<bpmn:boundaryEvent id="county_deadline"')
    end = xml.index("</bpmn:boundaryEvent>", start)
    xml = xml[:start] + xml[start:end].replace(">P7D</bpmn:timeDuration>", ">county_due</bpmn:timeDuration>") + xml[end:]
    shapes = ('<bpmndi:BPMNShape id="decide_county_deadline_di" bpmnElement="decide_county_deadline">\n'
              '        <dc:Bounds x="600" y="250" width="100" height="80" />\n'
              '      </bpmndi:BPMNShape>\n'
              '      <bpmndi:BPMNEdge id="flow_deadline_county_di" bpmnElement="flow_deadline_county">\n'
              '        <di:waypoint x="650" y="330" />\n'
              '        <di:waypoint x="650" y="740" />\n'
              '        <di:waypoint x="1630" y="740" />\n'
              '      </bpmndi:BPMNEdge>\n      ')
    return replace_once(xml, '<bpmndi:BPMNEdge id="flow_county_decision_di"',
                        shapes + '<bpmndi:BPMNEdge id="flow_county_decision_di"')


