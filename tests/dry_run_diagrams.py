"""Drafts that pass upload validation but must be refused by the publish dry run (plain text edits)."""
from __future__ import annotations

import re

from legacy_diagrams import replace_once


def with_dead_end_option(xml: str) -> str:
    """The city's gateway loses its default; the "resolve" option's condition has a typo: no way out."""
    xml = replace_once(xml, '<bpmn:exclusiveGateway id="gw_city_decision" name="市级研判结论" default="flow_city_resolve">',
                       '<bpmn:exclusiveGateway id="gw_city_decision" name="市级研判结论">')
    return replace_once(
        xml, '<bpmn:sequenceFlow id="flow_city_resolve" name="已消除隐患" sourceRef="gw_city_decision" '
             'targetRef="merge_chain_end" />',
        '<bpmn:sequenceFlow id="flow_city_resolve" name="已消除隐患" sourceRef="gw_city_decision" '
        'targetRef="merge_chain_end">\n      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
        'decision == "resolved"</bpmn:conditionExpression>\n    </bpmn:sequenceFlow>')


def with_group(xml: str, element_id: str, group: str) -> str:
    """Give a user task another candidate group (a real role that works no jurisdiction's tasks)."""
    start = xml.index(f'<bpmn:userTask id="{element_id}"')
    end = xml.index(">", start)
    head = re.sub(r'camunda:candidateGroups="[^"]*"', f'camunda:candidateGroups="{group}"', xml[start:end])
    return xml[:start] + head + xml[end:]


def with_manual_task(xml: str) -> str:
    """inspection_consultation becomes a manualTask: SpiffWorkflow runs it as a task with no group."""
    start = xml.index('<bpmn:userTask id="inspection_consultation"')
    end = xml.index("</bpmn:userTask>", start)
    block = xml[start:end + len("</bpmn:userTask>")]
    manual = ('<bpmn:manualTask id="inspection_consultation" name="综合检验机构意见">\n'
              '      <bpmn:incoming>flow_city_consult</bpmn:incoming>\n'
              '      <bpmn:outgoing>flow_consultation_back</bpmn:outgoing>\n    </bpmn:manualTask>')
    return xml.replace(block, manual)


def with_rework_due_garbage(xml: str) -> str:
    """The rectification deadline is fine on the first pass and garbage after a rework (退回整改)."""
    return replace_once(xml, 'camunda:candidateGroups="county_officer" camunda:dueDate="P15D"',
                        'camunda:candidateGroups="county_officer" '
                        'camunda:dueDate="${&quot;P15X&quot; if decision == &quot;rework&quot; else &quot;P15D&quot;}"')


def with_archive_loop(xml: str) -> str:
    """close_report → a gateway whose first condition is always true → close_report again, forever."""
    xml = replace_once(xml, '<bpmn:sequenceFlow id="flow_close_end" sourceRef="close_report" targetRef="end_report" />',
                       '<bpmn:sequenceFlow id="flow_close_end" sourceRef="close_report" targetRef="gw_archive_again" />\n'
                       '    <bpmn:sequenceFlow id="flow_archive_again" sourceRef="gw_archive_again" targetRef="close_report">'
                       '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">resolved_tier != ""'
                       '</bpmn:conditionExpression></bpmn:sequenceFlow>\n'
                       '    <bpmn:sequenceFlow id="flow_archive_done" sourceRef="gw_archive_again" targetRef="end_report">'
                       '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">resolved_tier == ""'
                       '</bpmn:conditionExpression></bpmn:sequenceFlow>')
    xml = replace_once(xml, '<bpmn:endEvent id="end_report" name="已办结">',
                       '<bpmn:exclusiveGateway id="gw_archive_again" name="再次归档？" />\n'
                       '    <bpmn:endEvent id="end_report" name="已办结">')
    shapes = ('<bpmndi:BPMNShape id="gw_archive_again_di" bpmnElement="gw_archive_again" isMarkerVisible="true">\n'
              '        <dc:Bounds x="100" y="100" width="50" height="50" />\n      </bpmndi:BPMNShape>\n'
              '      <bpmndi:BPMNEdge id="flow_archive_again_di" bpmnElement="flow_archive_again">\n'
              '        <di:waypoint x="125" y="100" />\n        <di:waypoint x="125" y="60" />\n'
              '      </bpmndi:BPMNEdge>\n'
              '      <bpmndi:BPMNEdge id="flow_archive_done_di" bpmnElement="flow_archive_done">\n'
              '        <di:waypoint x="150" y="125" />\n        <di:waypoint x="200" y="125" />\n'
              '      </bpmndi:BPMNEdge>\n      ')
    return replace_once(xml, '<bpmndi:BPMNEdge id="flow_county_decision_di"',
                        shapes + '<bpmndi:BPMNEdge id="flow_county_decision_di"')


def with_condition_failing_on_a_sample(xml: str) -> str:
    """The enterprise gateway divides by the handler's is_enterprise output: fails when it is False."""
    return replace_once(xml, ">is_enterprise == True<", ">1 / int(is_enterprise) &gt; 0<")


def with_element_renamed(xml: str, old: str, new: str) -> str:
    """Rename an element id everywhere (shape, flows, lanes), as a modeler's id field would."""
    return xml.replace(f'"{old}"', f'"{new}"').replace(f">{old}<", f">{new}<").replace(
        f'"{old}_di"', f'"{new}_di"')


ALIEN_RISK_DISPOSAL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_alien" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="risk_disposal" name="别的流程" isExecutable="true">
    <bpmn:startEvent id="Start_1" name="开始"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Activity_check" name="核查" camunda:candidateGroups="county_officer">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="End_1" name="结束"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Activity_check" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_check" targetRef="End_1" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="risk_disposal">
      <bpmndi:BPMNShape id="Start_1_di" bpmnElement="Start_1"><dc:Bounds x="100" y="100" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Activity_check_di" bpmnElement="Activity_check"><dc:Bounds x="200" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="End_1_di" bpmnElement="End_1"><dc:Bounds x="360" y="100" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_1_di" bpmnElement="Flow_1"><di:waypoint x="136" y="118" /><di:waypoint x="200" y="118" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_2_di" bpmnElement="Flow_2"><di:waypoint x="300" y="118" /><di:waypoint x="360" y="118" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
