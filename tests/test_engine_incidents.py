"""Nothing fails silently at run time: every way an engine run can fail outside a handler ends as an incident
on the element that caused it — with a Chinese message, the instance saved as `error`, shown in /admin, and
retry working once the cause is fixed."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from engine import Runtime, parse_bundle
from engine.runtime import MAX_ENGINE_TASKS_PER_RUN
from hostile_diagrams import diagram
from legacy_diagrams import replace_once, seed_xml
from storage.models import ProcessVersion, VersionState, utcnow
from engine.specs import content_hash
from app_helpers import run

CHINESE = re.compile(r"[\u4e00-\u9fff]")
COUNTY = {"decision": "escalate", "measures": "现场核查", "risk_level": "major", "quality_score": 5}


def gateway(*conditions: str) -> str:
    flows = "".join(f'<bpmn:sequenceFlow id="c{i}" sourceRef="work" targetRef="end"><bpmn:conditionExpression>'
                    f'{c}</bpmn:conditionExpression></bpmn:sequenceFlow>' for i, c in enumerate(conditions))
    xml = diagram(f'<bpmn:exclusiveGateway id="work" name="判断"><bpmn:incoming>f1</bpmn:incoming>'
                  f'</bpmn:exclusiveGateway>{flows}')
    return xml.replace('<bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />', "")


TIMER = diagram('<bpmn:intermediateCatchEvent id="work" name="等待"><bpmn:incoming>f1</bpmn:incoming>'
                '<bpmn:outgoing>f2</bpmn:outgoing><bpmn:timerEventDefinition><bpmn:timeDuration>due'
                '</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>')
BOUNDARY = diagram('''<bpmn:userTask id="work" name="办理" camunda:candidateGroups="county_officer">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="remind" name="提醒" attachedToRef="work" cancelActivity="false">
      <bpmn:outgoing>f9</bpmn:outgoing><bpmn:timerEventDefinition><bpmn:timeDuration>due</bpmn:timeDuration>
      </bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f9" sourceRef="remind" targetRef="end2" />
    <bpmn:endEvent id="end2"><bpmn:incoming>f9</bpmn:incoming></bpmn:endEvent>''')
LOOP = diagram('''<bpmn:serviceTask id="work" name="循环" camunda:type="external" camunda:topic="noop">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>back</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="gw" />
    <bpmn:exclusiveGateway id="gw" name="再来" default="f2"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>back</bpmn:outgoing><bpmn:outgoing>f2</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="back" sourceRef="gw" targetRef="work"><bpmn:conditionExpression>True
    </bpmn:conditionExpression></bpmn:sequenceFlow>''', last="gw")

DUE = diagram('<bpmn:userTask id="work" name="办理" camunda:candidateGroups="county_officer" '
              'camunda:dueDate="${int(days)}"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>'
              '</bpmn:userTask>')

FAILURES = {
    "due_date_invalid": (DUE, {"days": "三"}, "work", "不是有效的整数"),
    "condition_raises": (gateway("int(text) &gt; 3"), {"text": "abc"}, "work", "不是有效的整数"),
    "no_flow_taken": (gateway("x == 1", "x == 2"), {"x": 3}, "work", "没有满足条件的出口"),
    "budget_exceeded": (gateway(" and ".join(["text == text"] * 20)), {"text": "a" * 200_000}, "work", "预算"),
    "result_too_large": (gateway("len(text + text) &gt; 0"), {"text": "a" * 60_000}, "work", "过长"),
    "timer_value_invalid": (TIMER, {"due": "三天"}, "work", "值无法计算"),
    "timer_value_missing": (TIMER, {}, "work", "值无法计算"),
    "boundary_timer_invalid": (BOUNDARY, {"due": 3}, "remind", "值无法计算"),
    "runaway_loop": (LOOP, {}, "work", f"超过 {MAX_ENGINE_TASKS_PER_RUN} 个"),
}


@pytest.mark.parametrize("kind", sorted(FAILURES))
def test_run_failure_is_an_incident_on_its_element(kind):
    xml, data, element, words = FAILURES[kind]
    runtime = Runtime()
    workflow = runtime.create(parse_bundle(xml), data)
    errors = runtime.run(workflow, lambda task, topic, params: None)
    assert [e.element_id for e in errors] == [element], errors
    assert words in errors[0].message and "None" not in errors[0].message, errors[0].message
    assert runtime.snapshot(workflow).error_elements == [element]
    if not kind.startswith(("timer", "boundary")):  # a timer value is checked, not raised: no traceback
        assert errors[0].traceback.startswith("Traceback")


# -- through the database: the instance is `error`, /admin shows it, retry heals it -------------------------
def store_published(app, xml: str) -> None:
    """A version published before today's publish checks existed: the engine alone must cope."""
    def go(env):
        session = env.session
        for old in session.scalars(select(ProcessVersion).where(ProcessVersion.state == VersionState.PUBLISHED)):
            old.state = VersionState.RETIRED
        number = session.scalar(select(func.max(ProcessVersion.version))) or 0
        session.add(ProcessVersion(process_id="risk_disposal", version=number + 1, bpmn_xml=xml,
                                   content_hash=content_hash(xml), state=VersionState.PUBLISHED,
                                   published_at=utcnow()))
        session.commit()
    run(app, go)


def admin_instance(api, report_id) -> dict:
    inst = api.get(f"/reports/{report_id}", "admin").get_json()["instance"]
    return api.get(f"/admin/instances/{inst['id']}", "admin").get_json()


def test_failing_gateway_condition_is_an_error_in_admin_and_retry_heals_it(app, api):
    county_escalate = 'targetRef="city_assessment">\n      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
    xml = replace_once(seed_xml(), county_escalate + 'decision == "escalate"',
                       county_escalate + 'int(measure_count) &gt; 0 or decision == "escalate"')
    store_published(app, xml)
    report = api.submit("reporter.agency")
    api.complete("county.610113", report["id"], "county_disposal", COUNTY)
    detail = admin_instance(api, report["id"])
    assert detail["status"] == "error"
    assert detail["error_element"] == "gw_county_decision"
    assert "“int”只能用于数字，不能用于空值" in detail["error_message"], detail["error_message"]
    listed = api.get("/admin/instances?status=error", "admin").get_json()["items"]
    assert detail["id"] in [i["id"] for i in listed]

    failed = next(t for t in detail["task_data"] if t["element_id"] == "gw_county_decision")
    again = api.post(f"/admin/instances/{detail['id']}/retry", "admin", json={})  # cause not fixed yet
    assert again.status_code == 200 and again.get_json()["status"] == "error"
    res = api.post(f"/admin/instances/{detail['id']}/data", "admin",
                   json={"task_id": failed["id"], "changes": {"measure_count": "3"}, "reason": "补充措施数量"})
    assert res.status_code == 200, res.get_json()
    res = api.post(f"/admin/instances/{detail['id']}/retry", "admin", json={})
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["status"] == "user_input_required"
    assert api.task("city.610100", report["id"], "city_assessment")


def test_failing_boundary_timer_is_an_error_not_a_vanished_timer(app, api):
    start = seed_xml().index('<bpmn:boundaryEvent id="county_reminder"')
    end = seed_xml().index("</bpmn:boundaryEvent>", start)
    part = seed_xml()[start:end]
    duration = re.search(r">(P\d+D)</bpmn:timeDuration>", part).group(1)
    xml = seed_xml()[:start] + part.replace(f">{duration}</bpmn:timeDuration>",
                                            ">reminder_due</bpmn:timeDuration>") + seed_xml()[end:]
    store_published(app, xml)
    report = api.submit("reporter.agency")
    detail = admin_instance(api, report["id"])
    assert detail["status"] == "error", detail
    assert detail["error_element"] == "county_reminder"
    assert "值无法计算" in detail["error_message"]

    failed = next(t for t in detail["task_data"] if t["element_id"] == "county_reminder")
    again = api.post(f"/admin/instances/{detail['id']}/retry", "admin", json={})  # cause not fixed yet
    # the retry is tried and the timer fails again: either refused with the reason, or the instance is back in error
    if again.status_code == 409:
        assert "值无法计算" in again.get_json()["error"]["message"]
    else:
        assert again.status_code == 200 and admin_instance(api, report["id"])["status"] == "error"
    res = api.post(f"/admin/instances/{detail['id']}/data", "admin",
                   json={"task_id": failed["id"], "changes": {"reminder_due": duration}, "reason": "补充提醒期限"})
    assert res.status_code == 200, res.get_json()
    res = api.post(f"/admin/instances/{detail['id']}/retry", "admin", json={})
    assert res.status_code == 200, res.get_json()
    healed = admin_instance(api, report["id"])
    assert healed["status"] == "user_input_required" and healed["error_element"] is None
    assert api.task("county.610113", report["id"], "county_disposal")


AFTER_USER_TASK = diagram('''<bpmn:userTask id="work" name="办理" camunda:candidateGroups="county_officer">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait" name="等待复查"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:timerEventDefinition><bpmn:timeDuration>recheck</bpmn:timeDuration>
      </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>''', last="wait")


def test_timer_failing_as_a_user_task_completes_is_an_incident_not_a_crash():
    runtime = Runtime()
    workflow = runtime.create(parse_bundle(AFTER_USER_TASK), {})
    assert runtime.run(workflow) == []
    (view,) = runtime.snapshot(workflow).open_tasks
    assert runtime.complete_user_task(workflow, view.id, {"recheck": "下周"}) == "work"
    errors = runtime.run(workflow)
    assert [e.element_id for e in errors] == ["wait"] and "值无法计算" in errors[0].message
    assert runtime.snapshot(workflow).error_elements == ["wait"]
    assert runtime.run(workflow) == []  # reported once
