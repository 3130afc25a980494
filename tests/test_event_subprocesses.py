"""Event sub-processes run as drawn: a non-interrupting timer 催办 and an interrupting error 撤回 branch,
owner-style edits of the shipped diagram, uploaded, published and driven through POST /reports."""
from __future__ import annotations

import time

from legacy_diagrams import replace_once, seed_xml, upload, upload_and_publish
from sqlalchemy import select

from services.timers import fire_due_timers
from storage.models import HumanTask, InstanceEvent, Notification, ProcessInstance, TaskState, User

COUNTY = "county.610113"
COUNTY_DATA = {"decision": "resolve", "measures": "已现场处置", "risk_level": "low", "quality_score": 4}


def _shape(element_id: str, x: int, y: int, w: int = 100, h: int = 80) -> str:
    return (f'<bpmndi:BPMNShape id="{element_id}_di" bpmnElement="{element_id}">'
            f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}" /></bpmndi:BPMNShape>\n      ')


def _edge(flow_id: str, points: tuple) -> str:
    waypoints = "".join(f'<di:waypoint x="{x}" y="{y}" />' for x, y in points)
    return f'<bpmndi:BPMNEdge id="{flow_id}_di" bpmnElement="{flow_id}">{waypoints}</bpmndi:BPMNEdge>\n      '


URGE = '''<bpmn:subProcess id="urge_county" name="催办" triggeredByEvent="true">
      <bpmn:startEvent id="urge_start" name="{duration}未办结" isInterrupting="false">
        <bpmn:outgoing>flow_urge_send</bpmn:outgoing>
        <bpmn:timerEventDefinition id="TimerEventDefinition_urge"><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{duration}</bpmn:timeDuration></bpmn:timerEventDefinition>
      </bpmn:startEvent>
      <bpmn:serviceTask id="urge_send" name="催办县级" camunda:type="external" camunda:topic="send_reminder">
        <bpmn:extensionElements><camunda:inputOutput><camunda:inputParameter name="target">county</camunda:inputParameter></camunda:inputOutput></bpmn:extensionElements>
        <bpmn:incoming>flow_urge_send</bpmn:incoming>
        <bpmn:outgoing>flow_urge_end</bpmn:outgoing>
      </bpmn:serviceTask>
      <bpmn:endEvent id="urge_end" name="已催办"><bpmn:incoming>flow_urge_end</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="flow_urge_send" sourceRef="urge_start" targetRef="urge_send" />
      <bpmn:sequenceFlow id="flow_urge_end" sourceRef="urge_send" targetRef="urge_end" />
    </bpmn:subProcess>
    <bpmn:subProcess id="withdraw_handling" name="撤回处理" triggeredByEvent="true">
      <bpmn:startEvent id="withdraw_start" name="已撤回">
        <bpmn:outgoing>flow_withdraw_notify</bpmn:outgoing>
        <bpmn:errorEventDefinition id="ErrorEventDefinition_withdraw" errorRef="err_withdrawn" />
      </bpmn:startEvent>
      <bpmn:serviceTask id="withdraw_notify" name="告知市级已撤回" camunda:type="external" camunda:topic="send_reminder">
        <bpmn:extensionElements><camunda:inputOutput><camunda:inputParameter name="target">city</camunda:inputParameter></camunda:inputOutput></bpmn:extensionElements>
        <bpmn:incoming>flow_withdraw_notify</bpmn:incoming>
        <bpmn:outgoing>flow_withdraw_end</bpmn:outgoing>
      </bpmn:serviceTask>
      <bpmn:endEvent id="withdraw_end" name="撤回完毕"><bpmn:incoming>flow_withdraw_end</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="flow_withdraw_notify" sourceRef="withdraw_start" targetRef="withdraw_notify" />
      <bpmn:sequenceFlow id="flow_withdraw_end" sourceRef="withdraw_notify" targetRef="withdraw_end" />
    </bpmn:subProcess>
    <bpmn:endEvent id="withdrawn_end" name="撤回">
      <bpmn:incoming>flow_county_withdraw</bpmn:incoming>
      <bpmn:errorEventDefinition id="ErrorEventDefinition_withdrawn" errorRef="err_withdrawn" />
    </bpmn:endEvent>
    '''


def with_event_subprocesses(xml: str, duration: str = "P2D") -> str:
    """催办 after `duration` (non-interrupting timer start) and 撤回 (county decides withdraw → error end)."""
    xml = replace_once(xml, '<bpmn:collaboration id="Collaboration_risk">',
                       '<bpmn:error id="err_withdrawn" name="撤回" errorCode="withdrawn" />\n  '
                       '<bpmn:collaboration id="Collaboration_risk">')
    xml = replace_once(xml, '<camunda:value id="escalate" name="上报市级" />',
                       '<camunda:value id="escalate" name="上报市级" />\n            '
                       '<camunda:value id="withdraw" name="撤回（报送有误）" />')
    xml = replace_once(xml, '<bpmn:outgoing>flow_county_resolve</bpmn:outgoing>\n    </bpmn:exclusiveGateway>',
                       '<bpmn:outgoing>flow_county_resolve</bpmn:outgoing>\n'
                       '      <bpmn:outgoing>flow_county_withdraw</bpmn:outgoing>\n    </bpmn:exclusiveGateway>')
    xml = replace_once(xml, '<bpmn:endEvent id="end_report" name="已办结">',
                       URGE.format(duration=duration) + '<bpmn:endEvent id="end_report" name="已办结">')
    xml = replace_once(xml, '<bpmn:sequenceFlow id="flow_county_resolve"',
                       '<bpmn:sequenceFlow id="flow_county_withdraw" name="撤回" sourceRef="gw_county_decision" '
                       'targetRef="withdrawn_end">\n      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
                       'decision == "withdraw"</bpmn:conditionExpression>\n    </bpmn:sequenceFlow>\n    '
                       '<bpmn:sequenceFlow id="flow_county_resolve"')
    drawing = (_shape("urge_county", 1500, 1500, 420, 160) + _shape("urge_start", 1530, 1562, 36, 36)
               + _shape("urge_send", 1640, 1540) + _shape("urge_end", 1820, 1562, 36, 36)
               + _edge("flow_urge_send", ((1566, 1580), (1640, 1580)))
               + _edge("flow_urge_end", ((1740, 1580), (1820, 1580)))
               + _shape("withdraw_handling", 2000, 1500, 420, 160) + _shape("withdraw_start", 2030, 1562, 36, 36)
               + _shape("withdraw_notify", 2140, 1540) + _shape("withdraw_end", 2320, 1562, 36, 36)
               + _edge("flow_withdraw_notify", ((2066, 1580), (2140, 1580)))
               + _edge("flow_withdraw_end", ((2240, 1580), (2320, 1580)))
               + _shape("withdrawn_end", 1862, 842, 36, 36)
               + _edge("flow_county_withdraw", ((1880, 765), (1880, 842))))
    return replace_once(xml, '<bpmndi:BPMNEdge id="flow_county_decision_di"',
                        drawing + '<bpmndi:BPMNEdge id="flow_county_decision_di"')


def instance_of(env, report_id) -> ProcessInstance:
    env.session.expire_all()
    return env.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == report_id))


def events(env, report_id) -> list[tuple[str, str | None]]:
    env.session.expire_all()
    return [(e.kind, e.element_id) for e in env.session.scalars(
        select(InstanceEvent).where(InstanceEvent.report_id == report_id).order_by(InstanceEvent.id))]


def reminders(env, username: str, report_id: int) -> list[str]:
    env.session.expire_all()
    user = env.session.scalar(select(User).where(User.username == username))
    return list(env.session.scalars(select(Notification.title).where(
        Notification.user_id == user.id, Notification.report_id == report_id, Notification.kind == "reminder")))


def test_shipped_diagram_with_event_subprocesses_passes_validation(api):
    res = upload(api, with_event_subprocesses(seed_xml()))
    assert res.status_code == 201, res.get_json()


def test_timer_event_subprocess_urges_without_interrupting(api, env):
    upload_and_publish(api, with_event_subprocesses(seed_xml(), "PT1S"))
    rid = api.submit()["id"]
    assert instance_of(env, rid).next_timer_at is not None
    time.sleep(1.3)
    env.session.rollback()
    assert fire_due_timers(env) == 1
    assert ("timer_fired", "urge_start") in events(env, rid)
    assert len(reminders(env, COUNTY, rid)) == 1
    county = api.task(COUNTY, rid, "county_disposal")  # non-interrupting: the county task is still open
    assert county["element_id"] == "county_disposal"
    api.complete(COUNTY, rid, "county_disposal", COUNTY_DATA)
    instance = instance_of(env, rid)
    assert instance.status.value == "completed", (instance.status, instance.error_message)


def test_untriggered_timer_subprocess_ends_with_the_process(api, env):
    """A report closed before the 催办 deadline: the instance completes, and is never urged later."""
    upload_and_publish(api, with_event_subprocesses(seed_xml(), "P2D"))
    rid = api.submit()["id"]
    api.complete(COUNTY, rid, "county_disposal", COUNTY_DATA)
    instance = instance_of(env, rid)
    assert instance.status.value == "completed" and instance.next_timer_at is None


def test_error_event_subprocess_interrupts_and_runs(api, env):
    upload_and_publish(api, with_event_subprocesses(seed_xml(), "P2D"))
    rid = api.submit("reporter.unit")["id"]  # enterprise report: the director branch runs in parallel
    director = api.task("director.unit", rid, "director_acknowledge")
    api.complete(COUNTY, rid, "county_disposal", {**COUNTY_DATA, "decision": "withdraw"})
    assert reminders(env, "city.610100", rid), events(env, rid)  # 撤回处理 told the city
    instance = instance_of(env, rid)
    assert instance.status.value == "completed", (instance.status, instance.error_message)
    assert env.session.get(HumanTask, director["id"]).state == TaskState.CANCELLED  # interrupted
    assert ("task_cancelled", "director_acknowledge") in events(env, rid)
