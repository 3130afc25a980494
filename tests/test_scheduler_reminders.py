"""Reminders and automatic escalation fired by the scheduler's timer job, as the diagram says."""
from __future__ import annotations

import time

from sqlalchemy import select

from conftest import PROJECT
from services.processes import deploy
from services.timers import fire_due_timers
from storage.models import HumanTask, Notification, TaskState, User


def diagram_with(**timers: str) -> str:
    """The shipped diagram with some boundary timers shortened (element id → ISO duration)."""
    xml = (PROJECT / "processes" / "risk_disposal.bpmn").read_text(encoding="utf-8")
    for element_id, duration in timers.items():
        start = xml.index(f'<bpmn:boundaryEvent id="{element_id}"')
        end = xml.index("</bpmn:boundaryEvent>", start)
        block = xml[start:end]
        changed = block.replace(">P1D<", f">{duration}<").replace(">P3D<", f">{duration}<").replace(
            ">P7D<", f">{duration}<")
        assert changed != block, element_id
        xml = xml[:start] + changed + xml[end:]
    return xml


def wait_and_fire(env, seconds: float) -> int:
    time.sleep(seconds)
    env.session.rollback()
    return fire_due_timers(env)


def notified(env, username: str, report_id: int) -> list[str]:
    env.session.rollback()
    user = env.session.scalar(select(User).where(User.username == username))
    return list(env.session.scalars(select(Notification.title).where(
        Notification.user_id == user.id, Notification.report_id == report_id, Notification.kind == "reminder")))


def test_unacknowledged_director_notice_reaches_responsible_person_and_county(api, env):
    deploy(env, diagram_with(director_reminder="PT2S"))
    ignored = api.submit("reporter.unit", title="叉车制动失灵")
    handled = api.submit("reporter.unit", title="电梯钢丝绳断股")
    api.complete("director.unit", handled["id"], "director_acknowledge", {
        "handling_arrangement": "停用并更换钢丝绳", "responsible_person": "陈志强", "handling_deadline": "2026-12-05"})

    assert wait_and_fire(env, 2.2) == 1  # only the unacknowledged report has a director timer
    title = f"安全总监尚未确认处置安排：{ignored['tracking_no']}"
    for username in ("manager.unit", "county.610113", "director.unit"):
        assert notified(env, username, ignored["id"]) == [title]
        assert notified(env, username, handled["id"]) == []
    director_task = env.session.scalar(select(HumanTask).where(
        HumanTask.report_id == ignored["id"], HumanTask.element_id == "director_acknowledge"))
    assert director_task.state == TaskState.OPEN  # a reminder does not take the task away
    timeline = api.get(f"/reports/{ignored['id']}", "county.610113").get_json()["timeline"]
    reminders = [e for e in timeline if e["kind"] == "reminder"]
    assert len(reminders) == 1 and "已发送办理提醒（3 人）" in reminders[0]["message"]
    assert wait_and_fire(env, 0) == 0  # fired once, not again


def test_timeline_shows_reminder_and_automatic_escalation(api, env):
    deploy(env, diagram_with(county_reminder="PT1S", county_deadline="PT2S"))
    report = api.submit()
    fired = wait_and_fire(env, 2.2)
    assert fired == 1
    detail = api.get(f"/reports/{report['id']}", "city.610100").get_json()
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds.count("reminder") == 1 and kinds.count("overdue_escalated") == 1
    assert kinds.index("reminder") < kinds.index("overdue_escalated")
    escalation = next(e for e in detail["timeline"] if e["kind"] == "overdue_escalated")
    assert escalation["message"] == "县级办理逾期，自动上报"
    assert detail["overdue"] is True
    assert notified(env, "county.610113", report["id"]) == [f"办理提醒：{report['tracking_no']} 即将到期"]
    api.task("city.610100", report["id"], "city_assessment")  # carried up to the city
    assert wait_and_fire(env, 0) == 0
