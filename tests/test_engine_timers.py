"""Timers fire through services.timers: a PT1S county deadline marks the county task overdue (red), tells
the city to urge it, and leaves it with the county (issue 13.1; it used to escalate by itself)."""
from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import ExpressionEnvironment, Runtime, parse_bundle
from engine.serializer import InstanceSerializer
from services import processes
from services.calendar import CalendarCache, WorkCalendar, builtin_days, expression_functions
from services.timers import fire_due_timers, fire_instance_timers
from storage.models import HumanTask, Notification, ProcessInstance, Report, TaskState, User, utcnow

DIAGRAM = (Path(__file__).resolve().parent.parent / "processes" / "risk_disposal.bpmn").read_text(encoding="utf-8")
TABLE = (Path(__file__).resolve().parent.parent / "processes" / "entry_routing.dmn").read_text(encoding="utf-8")
DEADLINE = '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">${workdays(5)}</bpmn:timeDuration>'


def with_deadline(expression: str) -> str:
    """The real diagram with the county deadline replaced (only the timer, not the task's dueDate)."""
    start = DIAGRAM.index('<bpmn:boundaryEvent id="county_deadline"')
    end = DIAGRAM.index("</bpmn:boundaryEvent>", start)
    block = DIAGRAM[start:end]
    assert block.count(DEADLINE) == 1
    return DIAGRAM[:start] + block.replace(DEADLINE, DEADLINE.replace(">${workdays(5)}<", f">{expression}<")) \
        + DIAGRAM[end:]


def instance_of(env, report_id) -> ProcessInstance:
    env.session.expire_all()
    return env.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == report_id))


@pytest.mark.parametrize("expression", ["PT3S", '"PT3S"', "${PT3S}", "'PT3S'"])
def test_short_county_deadline_marks_the_county_task_overdue_and_tells_the_city(api, env, expression):
    for user in ("reporter.agency", "county.610113"):
        api.token(user)  # sign in first: on a loaded machine an argon2 sign-in must not eat the 3-second window
    # 3 s, not 1: a loaded CI machine must still see the timer "not yet due" right after submitting
    version = processes.deploy(env, with_deadline(expression), note="测试：3 秒期限")
    assert version.state.value == "published"
    assert processes.current_version(env).id == version.id
    rid = api.submit("reporter.agency")["id"]
    instance = instance_of(env, rid)
    assert instance.process_version_id == version.id
    assert instance.next_timer_at is not None
    assert instance.next_timer_at <= utcnow() + timedelta(seconds=4)
    county = api.task("county.610113", rid, "county_disposal")
    # the task's own due date still comes from camunda:dueDate="${workdays(5)}"
    assert county["due_at"] > (utcnow() + timedelta(days=5)).isoformat()
    assert county["overdue"] is False

    assert fire_due_timers(env) == 0  # not yet due
    time.sleep(3.5)
    assert fire_due_timers(env) == 1
    assert fire_due_timers(env) == 0  # fired once only

    still = api.task("county.610113", rid, "county_disposal")
    assert still["id"] == county["id"] and still["overdue"] is True and still["overdue_at"]
    assert api.get(f"/tasks?report_id={rid}", "city.610100").get_json()["items"] == []
    env.session.expire_all()
    assert env.session.get(Report, rid).overdue is True
    assert env.session.get(HumanTask, county["id"]).state == TaskState.OPEN
    city_user = env.session.scalar(select(User).where(User.username == "city.610100"))
    notes = env.session.scalars(select(Notification).where(Notification.report_id == rid,
                                                           Notification.kind == "overdue")).all()
    assert [n.user_id for n in notes] == [city_user.id] and "逾期督办" in notes[0].title
    detail = api.get(f"/reports/{rid}", "reporter.agency").get_json()
    kinds = [e["kind"] for e in detail["timeline"]]
    assert "overdue" in kinds and "timer_fired" in kinds and "task_cancelled" not in kinds
    assert detail["overdue"] is True and detail["current_tier"] == "county"
    # the county still completes its task after the deadline
    api.complete("county.610113", rid, "county_disposal", {
        "decision": "resolve", "measures": "迟到的处置", "risk_level": "low", "quality_score": 3})
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
    assert [e["kind"] for e in detail["timeline"]].count("overdue") == 1


def test_default_diagram_does_not_fire_early(api, env):
    rid = api.submit("reporter.agency")["id"]
    instance = instance_of(env, rid)
    reminder_due = instance.next_timer_at
    expected = WorkCalendar.from_days(builtin_days()).deadline(3, utcnow())  # workdays(3)
    assert abs((reminder_due - expected).total_seconds()) < 60
    assert fire_due_timers(env) == 0
    assert fire_due_timers(env, utcnow() + timedelta(days=2)) == 0
    api.task("county.610113", rid, "county_disposal")


def test_claiming_before_the_engine_agrees_does_not_lose_the_timer(api, env):
    """A scheduler whose clock runs ahead claims the instance; the engine (real clock) fires nothing and
    the timer is scheduled again, so it still fires later."""
    rid = api.submit("reporter.agency")["id"]
    before = instance_of(env, rid).next_timer_at
    assert fire_due_timers(env, before + timedelta(minutes=1)) == 1
    instance = instance_of(env, rid)
    assert instance.next_timer_at == before
    assert instance.status.value == "user_input_required"
    api.task("county.610113", rid, "county_disposal")
    kinds = [e["kind"] for e in api.get(f"/reports/{rid}", "reporter.agency").get_json()["timeline"]]
    assert "timer_fired" not in kinds and "overdue" not in kinds


@pytest.mark.parametrize("expression", ["PT1S", '"PT1S"'])
def test_quoted_and_unquoted_durations_at_engine_level(expression):
    bundle = parse_bundle(with_deadline(expression), decisions=(TABLE,))
    runtime, serializer = Runtime(ExpressionEnvironment(expression_functions(CalendarCache()))), InstanceSerializer()
    calls = []

    def call_topic(task, topic, params):
        calls.append((topic, dict(params)))
        if topic == "register_report":
            task.data.update(report_kind="risk_hazard", domain="use", point_tier="county", is_enterprise=False)

    workflow = runtime.create(bundle, {"report_id": 1})
    assert runtime.run(workflow, call_topic) == []
    workflow = serializer.loads(serializer.dumps(workflow), bundle)
    timers = dict(runtime.snapshot(workflow).timers)
    assert timers["county_deadline"] - utcnow() < timedelta(seconds=2)
    time.sleep(1.2)
    workflow.refresh_timers()
    assert runtime.run(workflow, call_topic) == []
    assert ("mark_overdue", {"tier": "county", "element": "county_disposal"}) in calls
    assert [t.element_id for t in runtime.snapshot(workflow).open_tasks] == ["county_disposal"]


@pytest.mark.parametrize("expression", ["__import__('os').getcwd()", "P7D; 1", "days(7)", "().__class__"])
def test_bad_timer_expression_is_refused_at_publish(env, expression):
    from services.errors import Invalid

    with pytest.raises(Invalid) as info:
        processes.deploy(env, with_deadline(expression))
    assert any(d["element_id"] == "county_deadline" for d in info.value.details), info.value.details


def test_timers_still_fire_while_another_branch_is_in_error(api, env):
    """An enterprise report whose director notice failed: the county deadline still fires."""
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
    assert api.task("county.610113", rid, "county_disposal")["overdue"] is True
    instance = instance_of(env, rid)
    assert instance.status.value == "error" and instance.error_element == "notify_safety_director"
    assert env.session.get(Report, rid).overdue is True
