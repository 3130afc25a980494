"""Diagram edits made as plain text, the way a workflow owner's tool would save them (no Python)."""
from __future__ import annotations

import re
from pathlib import Path

PASSWORD = "Demo#2026"
BPMN = Path(__file__).resolve().parent.parent / "processes" / "risk_disposal.bpmn"


def seed_xml() -> str:
    """The shipped diagram (version 1)."""
    return BPMN.read_text(encoding="utf-8")


def replace_once(text: str, old: str, new: str) -> str:
    """Replace exactly one occurrence, so a changed seed diagram makes the test fail loudly."""
    assert text.count(old) == 1, f"expected exactly one {old!r}"
    return text.replace(old, new)


def with_double_check(xml: str) -> str:
    """Insert a user task county_double_check between county_disposal and its gateway."""
    xml = replace_once(
        xml, '<bpmn:sequenceFlow id="flow_county_decision" sourceRef="county_disposal" targetRef="gw_county_decision" />',
        '<bpmn:sequenceFlow id="flow_county_decision" sourceRef="county_disposal" targetRef="county_double_check" />\n'
        '    <bpmn:sequenceFlow id="flow_double_check_gateway" sourceRef="county_double_check" '
        'targetRef="gw_county_decision" />')
    xml = replace_once(
        xml, '<bpmn:flowNodeRef>gw_county_decision</bpmn:flowNodeRef>',
        '<bpmn:flowNodeRef>gw_county_decision</bpmn:flowNodeRef>\n'
        '        <bpmn:flowNodeRef>county_double_check</bpmn:flowNodeRef>')
    task = ('<bpmn:userTask id="county_double_check" name="县级复核" camunda:candidateGroups="county_officer" '
            'camunda:dueDate="P2D">\n'
            '      <bpmn:extensionElements><camunda:formData>'
            '<camunda:formField id="double_check_note" label="复核意见" type="string" />'
            '</camunda:formData></bpmn:extensionElements>\n'
            '    </bpmn:userTask>\n    ')
    xml = replace_once(xml, '<bpmn:exclusiveGateway id="gw_county_decision"',
                       task + '<bpmn:exclusiveGateway id="gw_county_decision"')
    shapes = ('<bpmndi:BPMNShape id="county_double_check_di" bpmnElement="county_double_check">\n'
              '        <dc:Bounds x="1745" y="800" width="100" height="80" />\n'
              '      </bpmndi:BPMNShape>\n'
              '      <bpmndi:BPMNEdge id="flow_double_check_gateway_di" bpmnElement="flow_double_check_gateway">\n'
              '        <di:waypoint x="1845" y="840" />\n'
              '        <di:waypoint x="1880" y="840" />\n'
              '        <di:waypoint x="1880" y="765" />\n'
              '      </bpmndi:BPMNEdge>\n      ')
    return replace_once(xml, '<bpmndi:BPMNEdge id="flow_county_decision_di"',
                        shapes + '<bpmndi:BPMNEdge id="flow_county_decision_di"')


def with_county_deadline(xml: str, duration: str, current: str = "${workdays(5)}") -> str:
    """Change the county deadline timer (boundary event county_deadline) from `current` to `duration`."""
    start = xml.index('<bpmn:boundaryEvent id="county_deadline"')
    end = xml.index("</bpmn:boundaryEvent>", start)
    block = xml[start:end]
    changed = block.replace(f">{current}</bpmn:timeDuration>", f">{duration}</bpmn:timeDuration>")
    assert changed != block
    return xml[:start] + changed + xml[end:]


def with_major_to_center(xml: str) -> str:
    """The county's gateway sends an escalated risk_level == "major" straight to the province's centre."""
    xml = replace_once(
        xml, '<bpmn:outgoing>flow_county_return_reporter</bpmn:outgoing>\n    </bpmn:exclusiveGateway>',
        '<bpmn:outgoing>flow_county_return_reporter</bpmn:outgoing>\n'
        '      <bpmn:outgoing>flow_county_major</bpmn:outgoing>\n    </bpmn:exclusiveGateway>')
    xml = replace_once(
        xml, '<bpmn:incoming>flow_city_escalate</bpmn:incoming>',
        '<bpmn:incoming>flow_city_escalate</bpmn:incoming>\n      <bpmn:incoming>flow_county_major</bpmn:incoming>')
    xml = replace_once(
        xml, '    <bpmn:sequenceFlow id="flow_county_resolve"',
        '    <bpmn:sequenceFlow id="flow_county_major" name="重大风险直报省级" sourceRef="gw_county_decision" '
        'targetRef="center_select_panel">\n'
        '      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">decision == "escalate" and '
        'risk_level == "major"</bpmn:conditionExpression>\n    </bpmn:sequenceFlow>\n'
        '    <bpmn:sequenceFlow id="flow_county_resolve"')
    edge = ('<bpmndi:BPMNEdge id="flow_county_major_di" bpmnElement="flow_county_major">\n'
            '        <di:waypoint x="1880" y="765" />\n'
            '        <di:waypoint x="1880" y="1280" />\n'
            '      </bpmndi:BPMNEdge>\n      ')
    return replace_once(xml, '<bpmndi:BPMNEdge id="flow_county_decision_di"',
                        edge + '<bpmndi:BPMNEdge id="flow_county_decision_di"')


def upload(api, xml: str | bytes, user: str = "owner", name: str = "risk_disposal.bpmn",
           decisions: tuple[str, ...] = ()):
    """POST the diagram (and .dmn decision tables) as multipart files; returns the response.

    The body is encoded here: werkzeug's test client spools a large multipart body to a temporary
    file it never closes, which `filterwarnings = error` turns into a failure.
    """
    boundary = "riskmon-owner-test-boundary"
    parts = [("file", name, xml)] + [("decisions", f"table_{i}.dmn", d) for i, d in enumerate(decisions)]
    body = b""
    for field, filename, content in parts:
        raw = content.encode("utf-8") if isinstance(content, str) else content
        body += (f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                 "Content-Type: application/xml\r\n\r\n").encode() + raw + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return api.post("/process-versions", user, data=body,
                    content_type=f"multipart/form-data; boundary={boundary}")


def upload_and_publish(api, xml: str, decisions: tuple[str, ...] = ()) -> dict:
    """Upload as the owner and publish; the new version is what new reports start on."""
    res = upload(api, xml, decisions=decisions)
    assert res.status_code == 201, res.get_json()
    version = res.get_json()
    res = api.post(f"/process-versions/{version['id']}/publish", "owner")
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def with_deadline_table(xml: str) -> str:
    """Every report passes a business rule task (after the entry table) that looks the county deadline up in a
    DMN table, so a report that reaches the county later (entered at the city, returned) has it too."""
    xml = replace_once(xml, '<bpmn:sequenceFlow id="flow_decide_fork" sourceRef="decide_entry" targetRef="fork_branches" />',
                       '<bpmn:sequenceFlow id="flow_decide_fork" sourceRef="decide_entry" '
                       'targetRef="decide_county_deadline" />\n'
                       '    <bpmn:sequenceFlow id="flow_deadline_fork" sourceRef="decide_county_deadline" '
                       'targetRef="fork_branches" />')
    xml = replace_once(xml, '<bpmn:flowNodeRef>gw_entry_tier</bpmn:flowNodeRef>',
                       '<bpmn:flowNodeRef>gw_entry_tier</bpmn:flowNodeRef>\n'
                       '        <bpmn:flowNodeRef>decide_county_deadline</bpmn:flowNodeRef>')
    xml = replace_once(xml, '<bpmn:exclusiveGateway id="gw_enterprise"',
                       '<bpmn:businessRuleTask id="decide_county_deadline" name="查县级处置期限" '
                       'camunda:decisionRef="county_deadline" />\n    <bpmn:exclusiveGateway id="gw_enterprise"')
    xml = replace_once(xml, 'camunda:candidateGroups="county_officer" camunda:dueDate="${workdays(5)}"',
                       'camunda:candidateGroups="county_officer" camunda:dueDate="${county_due}"')
    start = xml.index('<bpmn:boundaryEvent id="county_deadline"')
    end = xml.index("</bpmn:boundaryEvent>", start)
    xml = xml[:start] + xml[start:end].replace(">${workdays(5)}</bpmn:timeDuration>",
                                               ">county_due</bpmn:timeDuration>") + xml[end:]
    shapes = ('<bpmndi:BPMNShape id="decide_county_deadline_di" bpmnElement="decide_county_deadline">\n'
              '        <dc:Bounds x="600" y="250" width="100" height="80" />\n'
              '      </bpmndi:BPMNShape>\n'
              '      <bpmndi:BPMNEdge id="flow_deadline_fork_di" bpmnElement="flow_deadline_fork">\n'
              '        <di:waypoint x="650" y="250" />\n'
              '        <di:waypoint x="650" y="140" />\n'
              '      </bpmndi:BPMNEdge>\n      ')
    return replace_once(xml, '<bpmndi:BPMNEdge id="flow_county_decision_di"',
                        shapes + '<bpmndi:BPMNEdge id="flow_county_decision_di"')


def deadline_dmn(county: str = "P7D", other: str = "P10D", extra_rule: str = "") -> str:
    """The decision table county_deadline: entry tier → county_due (an ISO-8601 duration)."""
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" id="Definitions_county_deadline" name="县级处置期限" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="county_deadline" name="县级处置期限">
    <decisionTable id="DecisionTable_county_deadline" hitPolicy="UNIQUE">
      <input id="Input_tier" label="进入层级">
        <inputExpression id="InputExpression_tier" typeRef="string"><text>entry_tier</text></inputExpression>
      </input>
      <output id="Output_due" label="县级处置期限" name="county_due" typeRef="string" />
      <rule id="Rule_county">
        <inputEntry id="UnaryTests_county"><text>"county"</text></inputEntry>
        <outputEntry id="LiteralExpression_county"><text>"{county}"</text></outputEntry>
      </rule>{extra_rule}
      <rule id="Rule_other">
        <inputEntry id="UnaryTests_other"><text>-</text></inputEntry>
        <outputEntry id="LiteralExpression_other"><text>"{other}"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
  <dmndi:DMNDI>
    <dmndi:DMNDiagram id="DMNDiagram_county_deadline">
      <dmndi:DMNShape id="DMNShape_county_deadline" dmnElementRef="county_deadline">
        <dc:Bounds height="80" width="180" x="160" y="100" />
      </dmndi:DMNShape>
    </dmndi:DMNDiagram>
  </dmndi:DMNDI>
</definitions>
'''


def with_script_task(xml: str) -> str:
    return replace_once(xml, '<bpmn:serviceTask id="dispatch_guidance" name="下达指导意见" camunda:type="external" '
                             'camunda:topic="dispatch_guidance">',
                        '<bpmn:scriptTask id="dispatch_guidance" name="下达指导意见" scriptFormat="python">'
                        '<bpmn:script>import os</bpmn:script>').replace(
        '<bpmn:outgoing>flow_dispatch_rectification</bpmn:outgoing>\n    </bpmn:serviceTask>',
        '<bpmn:outgoing>flow_dispatch_rectification</bpmn:outgoing>\n    </bpmn:scriptTask>')


def sign_in(client, username: str) -> str:
    """Log in through the form; returns the CSRF token of the new session."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    res = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert res.status_code == 302, res.get_data(as_text=True)[:500]
    page = client.get("/account/password").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
