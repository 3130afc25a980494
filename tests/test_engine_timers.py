"""Timers fire through services.timers: a PT1S county deadline escalates to the city as overdue."""
from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import Runtime, parse_bundle
from engine.serializer import InstanceSerializer
from services import processes
from services.timers import fire_due_timers, fire_instance_timers
from storage.models import HumanTask, ProcessInstance, Report, TaskState, utcnow

DIAGRAM = (Path(__file__).resolve().parent.parent / "processes" / "risk_disposal.bpmn").read_text(encoding="utf-8")
DEADLINE = '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P7D</bpmn:timeDuration>'


def with_deadline(expression: str) -> str:
    """The real diagram with the county deadline replaced (only the timer, not the task's dueDate)."""
    assert DIAGRAM.count(DEADLINE) == 1
    return DIAGRAM.replace(DEADLINE, DEADLINE.replace(">P7D<", f">{expression}<"))


def instance_of(env, report_id) -> ProcessInstance:
    env.session.expire_all()
    return env.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == report_id))


@pytest.mark.parametrize("expression", ["PT1S", '"PT1S"', "${PT1S}", "'PT1S'"])
def test_short_county_deadline_escalates_to_city_as_overdue(api, env, expression):
    for user in ("reporter.agency", "county.610113"):
        api.token(user)  # sign in first: on a loaded machine an argon2 sign-in must not eat the 1-second window
    version = processes.deploy(env, with_deadline(expression), note="测试：1 秒期限")
    assert version.state.value == "published"
    assert processes.current_version(env).id == version.id
    rid = api.submit("reporter.agency")["id"]
    instance = instance_of(env, rid)
    assert instance.process_version_id == version.id
    assert instance.next_timer_at is not None
    assert instance.next_timer_at <= utcnow() + timedelta(seconds=2)
    county = api.task("county.610113", rid, "county_disposal")
    # the task's own due date still comes from camunda:dueDate="P7D"
    assert county["due_at"] > (utcnow() + timedelta(days=6)).isoformat()

    assert fire_due_timers(env) == 0  # not yet due
    time.sleep(1.5)
    assert fire_due_timers(env) == 1
    assert fire_due_timers(env) == 0  # fired once only

    city = api.task("city.610100", rid, "city_assessment")
    assert city["division_code"] == "610100"
    env.session.expire_all()
    assert env.session.get(Report, rid).overdue is True
    assert env.session.get(HumanTask, county["id"]).state == TaskState.CANCELLED
    res = api.post(f"/tasks/{county['id']}/complete", "county.610113", json={"data": {
        "decision": "resolve", "measures": "迟到的处置", "risk_level": "low", "quality_score": 3}})
    assert res.status_code in (404, 409), res.get_json()
    detail = api.get(f"/reports/{rid}", "reporter.agency").get_json()
    kinds = [e["kind"] for e in detail["timeline"]]
    assert "overdue_escalated" in kinds and "timer_fired" in kinds and "task_cancelled" in kinds
    assert detail["overdue"] is True and detail["current_tier"] == "city"
    instance = instance_of(env, rid)
    assert instance.status.value == "user_input_required" and instance.waiting_element == "city_assessment"
    # the rest of the chain works as usual after an overdue escalation
    api.complete("city.610100", rid, "city_assessment", {
        "decision": "resolve", "assessment_opinion": "已督促", "risk_level": "low", "quality_score": 3})
    assert api.get(f"/reports/{rid}", "reporter.agency").get_json()["status"] == "closed"


def test_a_second_scheduler_cannot_fire_the_same_instance(api, env):
    processes.deploy(env, with_deadline("PT1S"))
    rid = api.submit("reporter.agency")["id"]
    instance_id = instance_of(env, rid).id
    time.sleep(1.2)
    now = utcnow()
    assert fire_instance_timers(env, instance_id, now) is True
    assert fire_instance_timers(env, instance_id, now) is False
    detail = api.get(f"/reports/{rid}", "reporter.agency").get_json()
    assert [e["kind"] for e in detail["timeline"]].count("overdue_escalated") == 1


def test_default_diagram_does_not_fire_early(api, env):
    rid = api.submit("reporter.agency")["id"]
    instance = instance_of(env, rid)
    reminder_due = instance.next_timer_at
    assert timedelta(days=2, hours=23) < reminder_due - utcnow() <= timedelta(days=3)
    assert fire_due_timers(env) == 0
    assert fire_due_timers(env, utcnow() + timedelta(days=2)) == 0
    api.task("county.610113", rid, "county_disposal")


def test_claiming_before_the_engine_agrees_does_not_lose_the_timer(api, env):
    """A scheduler whose clock runs ahead claims the instance; the engine (real clock) fires nothing and
    the timer is scheduled again, so it still fires later."""
    rid = api.submit("reporter.agency")["id"]
    before = instance_of(env, rid).next_timer_at
    assert fire_due_timers(env, utcnow() + timedelta(days=3, minutes=1)) == 1
    instance = instance_of(env, rid)
    assert instance.next_timer_at == before
    assert instance.status.value == "user_input_required"
    api.task("county.610113", rid, "county_disposal")
    kinds = [e["kind"] for e in api.get(f"/reports/{rid}", "reporter.agency").get_json()["timeline"]]
    assert "timer_fired" not in kinds and "overdue_escalated" not in kinds


@pytest.mark.parametrize("expression", ["PT1S", '"PT1S"'])
def test_quoted_and_unquoted_durations_at_engine_level(expression):
    bundle = parse_bundle(with_deadline(expression))
    runtime, serializer = Runtime(), InstanceSerializer()
    calls = []

    def call_topic(task, topic, params):
        calls.append((topic, dict(params)))
        if topic == "register_report":
            task.data.update(entry_tier="county", is_enterprise=False)
        if topic == "mark_overdue":
            task.data.update(overdue=True, decision="escalate")

    workflow = runtime.create(bundle, {"report_id": 1})
    assert runtime.run(workflow, call_topic) == []
    workflow = serializer.loads(serializer.dumps(workflow), bundle)
    timers = dict(runtime.snapshot(workflow).timers)
    assert timers["county_deadline"] - utcnow() < timedelta(seconds=2)
    time.sleep(1.2)
    workflow.refresh_waiting_tasks()
    assert runtime.run(workflow, call_topic) == []
    assert ("mark_overdue", {"tier": "county"}) in calls
    assert [t.element_id for t in runtime.snapshot(workflow).open_tasks] == ["city_assessment"]


@pytest.mark.parametrize("expression", ["__import__('os').getcwd()", "P7D; 1", "days(7)", "().__class__"])
def test_bad_timer_expression_is_refused_at_publish(env, expression):
    from services.errors import Invalid

    with pytest.raises(Invalid) as info:
        processes.deploy(env, with_deadline(expression))
    assert any(d["element_id"] == "county_deadline" for d in info.value.details), info.value.details


def test_timers_still_fire_while_another_branch_is_in_error(api, env):
    """An enterprise report whose director notice failed: the county deadline still escalates."""
    from sqlalchemy import delete

    from storage.models import SafetyDirectorAssignment

    processes.deploy(env, with_deadline("PT1S"))
    point_id = api.get("/me", "reporter.unit").get_json()["monitoring_point_id"]
    env.session.execute(delete(SafetyDirectorAssignment).where(
        SafetyDirectorAssignment.monitoring_point_id == point_id))
    env.session.commit()
    rid = api.submit("reporter.unit")["id"]
    assert instance_of(env, rid).status.value == "error"
    time.sleep(1.5)
    assert fire_due_timers(env) == 1
    api.task("city.610100", rid, "city_assessment")
    instance = instance_of(env, rid)
    assert instance.status.value == "error" and instance.error_element == "notify_safety_director"
    assert env.session.get(Report, rid).overdue is True
