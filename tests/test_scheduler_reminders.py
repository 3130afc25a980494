"""Reminders and automatic escalation fired by the scheduler's timer job, as the diagram says."""
from __future__ import annotations

import re
import time

from sqlalchemy import select

from conftest import PROJECT
from services.processes import deploy
from services.timers import fire_due_timers
from storage.models import HumanTask, Notification, TaskState, User


def diagram_with(**timers: str) -> str:
    """The shipped diagram with some boundary timers shortened (element id → ISO duration or cycle)."""
    xml = (PROJECT / "processes" / "risk_disposal.bpmn").read_text(encoding="utf-8")
    for element_id, duration in timers.items():
        start = xml.index(f'<bpmn:boundaryEvent id="{element_id}"')
        end = xml.index("</bpmn:boundaryEvent>", start)
        changed = re.sub(r'(<bpmn:time(?:Duration|Cycle) xsi:type="bpmn:tFormalExpression">)[^<]*(<)',
                         lambda m: m.group(1) + duration + m.group(2), xml[start:end])
        assert changed != xml[start:end], element_id
        xml = xml[:start] + changed + xml[end:]
    return xml


def wait_and_fire(env, seconds: float) -> int:
    time.sleep(seconds)
    env.session.rollback()
    return fire_due_timers(env)


def notified(env, username: str, report_id: int, kind: str = "reminder") -> list[str]:
    env.session.rollback()
    user = env.session.scalar(select(User).where(User.username == username))
    return list(env.session.scalars(select(Notification.title).where(
        Notification.user_id == user.id, Notification.report_id == report_id, Notification.kind == kind)))


def test_unacknowledged_director_is_reminded_then_responsible_person_and_county_are_told(api, env):
    """Issue 13.3: the director is reminded repeatedly; past the deadline the unit's 主要负责人 and the
    county are told (before, one reminder went to all three at once)."""
    deploy(env, diagram_with(director_reminder='"R30/PT2S"', director_deadline="PT3S"))
    ignored = api.submit("reporter.unit", title="叉车制动失灵")
    handled = api.submit("reporter.unit", title="电梯钢丝绳断股")
    api.complete("director.unit", handled["id"], "director_acknowledge", {
        "handling_arrangement": "停用并更换钢丝绳", "responsible_person": "陈志强", "handling_deadline": "2026-12-05"})

    assert wait_and_fire(env, 2.2) == 1  # only the unacknowledged report has director timers
    title = f"请尽快确认处置安排：{ignored['tracking_no']}"
    first = notified(env, "director.unit", ignored["id"])
    assert first and set(first) == {title}  # (a slow machine may already have passed two cycles)
    assert notified(env, "director.unit", handled["id"]) == []
    for username in ("principal.unit", "county.610113"):
        assert notified(env, username, ignored["id"]) == []
    assert wait_and_fire(env, 2.2) == 1
    assert len(notified(env, "director.unit", ignored["id"])) > len(first)  # again, not once
    overdue = f"安全总监逾期未确认处置安排：{ignored['tracking_no']}"
    for username in ("principal.unit", "county.610113"):  # the unit's 主要负责人, not the point manager
        assert notified(env, username, ignored["id"], "director_overdue") == [overdue]
        assert notified(env, username, handled["id"], "director_overdue") == []
    director_task = env.session.scalar(select(HumanTask).where(
        HumanTask.report_id == ignored["id"], HumanTask.element_id == "director_acknowledge"))
    assert director_task.state == TaskState.OPEN  # a reminder does not take the task away
    detail = api.get(f"/reports/{ignored['id']}", "county.610113").get_json()
    assert detail["director_ack"] == "overdue"
    assert "director_overdue" in [e["kind"] for e in detail["timeline"]]


def test_timeline_shows_reminder_then_overdue_without_escalation(api, env):
    """Issue 13.1: the county deadline marks the task overdue and tells the city; it no longer escalates."""
    deploy(env, diagram_with(county_reminder="PT1S", county_deadline="PT2S"))
    report = api.submit()
    fired = wait_and_fire(env, 2.2)
    assert fired == 1
    detail = api.get(f"/reports/{report['id']}", "city.610100").get_json()
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds.count("reminder") == 1 and kinds.count("overdue") == 1
    assert kinds.index("reminder") < kinds.index("overdue")
    overdue = next(e for e in detail["timeline"] if e["kind"] == "overdue")
    assert overdue["message"] == "县级办理逾期，已通知市级督办（仍由县级办理）"
    assert detail["overdue"] is True and detail["current_tier"] == "county"
    assert notified(env, "county.610113", report["id"]) == [f"办理提醒：{report['tracking_no']} 即将到期"]
    assert notified(env, "city.610100", report["id"], "overdue")[0].startswith("逾期督办：")
    assert api.task("county.610113", report["id"], "county_disposal")["overdue"] is True  # it stays
    assert wait_and_fire(env, 0) == 0
