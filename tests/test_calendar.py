"""Working days: holiday weeks with make-up days, workdays() in diagrams, admin editing."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from engine.durations import due_from
from engine.expressions import ExpressionEnvironment
from services.calendar import (
    CHINA_TZ, CalendarCache, WorkCalendar, builtin_days, expression_functions,
)
from services.deadlines import deadline_state, overdue_counts
from services.processes import deploy, validate_diagram
from storage.models import HumanTask, ProcessInstance

from conftest import PROJECT

CAL = WorkCalendar.from_days(builtin_days())
PLAIN = WorkCalendar(frozenset(), frozenset())


def beijing(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA_TZ)


def test_national_day_week_with_make_up_saturday():
    start = date(2026, 9, 30)  # Wednesday before the 10月1日–7日 holiday; 10月10日 (Saturday) is worked
    days = [CAL.add_working_days(start, n) for n in range(1, 6)]
    assert days == [date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10), date(2026, 10, 12),
                    date(2026, 10, 13)]
    assert not CAL.is_working_day(date(2026, 10, 5)) and CAL.is_working_day(date(2026, 10, 10))
    assert PLAIN.add_working_days(start, 3) == date(2026, 10, 5)


def test_spring_festival_and_sunday_make_up_day():
    assert CAL.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)  # Saturday make-up day
    assert CAL.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)  # after 15日–23日
    assert CAL.add_working_days(date(2026, 2, 27), 1) == date(2026, 2, 28)
    assert CAL.add_working_days(date(2026, 9, 18), 1) == date(2026, 9, 20)  # Sunday make-up day


def test_deadline_on_a_fake_clock():
    now = beijing("2026-09-30T10:00:00")
    assert CAL.deadline(3, now) == datetime(2026, 10, 10, 16, 0, tzinfo=timezone.utc)  # 10月11日 0时
    assert CAL.deadline(5, now) == beijing("2026-10-14T00:00:00")
    assert CAL.deadline(0, now) == beijing("2026-10-01T00:00:00")
    late = beijing("2026-09-30T23:30:00").astimezone(timezone.utc)  # still 30 Sept in Beijing
    assert CAL.deadline(1, late) == beijing("2026-10-09T00:00:00")
    assert CAL.duration(0, beijing("2026-10-08T23:00:00")) == "PT3600S"
    assert CAL.duration(1, beijing("2026-10-08T23:00:00")) == "PT90000S"


def test_workdays_expression_with_fake_clock():
    now = beijing("2026-09-30T10:00:00")
    env = ExpressionEnvironment(expression_functions(CalendarCache(), clock=lambda: now))
    env.check("${workdays(5)}")
    value = env.evaluate("${workdays(5)}", {})
    assert value.startswith("PT") and due_from(value, now) == beijing("2026-10-14T00:00:00")
    assert env.evaluate("workdays(days)", {"days": 3}) == CAL.duration(3, now)
    for bad in ("workdays(-1)", "workdays(1.5)", "workdays(True)", "workdays(1000)"):
        with pytest.raises(ValueError, match="workdays"):
            env.evaluate(bad, {})


def test_deadline_state_colours():
    due = datetime(2026, 10, 13, 16, tzinfo=timezone.utc)
    assert deadline_state(due, due - timedelta(hours=30), 24) == "normal"
    assert deadline_state(due, due - timedelta(hours=3), 24) == "due_soon"
    assert deadline_state(due, due, 24) == "overdue"
    assert deadline_state(None, due, 24) == "normal"


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def seed_xml() -> str:
    return (PROJECT / "processes" / "risk_disposal.bpmn").read_text(encoding="utf-8")


def workdays_diagram() -> str:
    """The shipped diagram counts its county deadline in working days."""
    xml = seed_xml()
    assert 'camunda:candidateGroups="county_officer" camunda:dueDate="${workdays(5)}"' in xml
    return xml


ENTRY_TABLE = (PROJECT / "processes" / "entry_routing.dmn").read_text(encoding="utf-8")


def test_validator_accepts_workdays_and_rejects_unknown_calls(env):
    assert validate_diagram(env, workdays_diagram(), [ENTRY_TABLE]) == []
    bad = replace_once(workdays_diagram(), 'camunda:candidateGroups="county_officer" camunda:dueDate="${workdays(5)}"',
                       'camunda:candidateGroups="county_officer" camunda:dueDate="${holidays(5)}"')
    problems = validate_diagram(env, bad, [ENTRY_TABLE])
    assert [p.element_id for p in problems] == ["county_disposal"]
    assert "holidays" in problems[0].message


def test_workday_deadlines_run_through_the_engine(api, env):
    deploy(env, workdays_diagram())
    report = api.submit()
    env.session.rollback()
    task = env.session.scalar(select(HumanTask).where(HumanTask.report_id == report["id"],
                                                      HumanTask.element_id == "county_disposal"))
    deadline = CAL.deadline(5, task.created_at)
    assert abs((task.due_at - deadline).total_seconds()) <= 5
    instance = env.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == report["id"]))
    timers = dict(env.store.runtime.snapshot(env.store.load(env.session, instance)).timers)
    assert abs((timers["county_deadline"] - deadline).total_seconds()) <= 5
    assert timers["county_reminder"] < deadline  # workdays(3)
    assert overdue_counts(env.session, deadline - timedelta(seconds=10)) == {}
    assert overdue_counts(env.session, deadline + timedelta(seconds=10)) == {("county_officer", "610113"): 1}


def test_admin_edits_calendar_and_deadlines_follow(api):
    start = "2026-11-30T10:00:00%2B08:00"  # Monday
    res = api.get(f"/calendar/deadline?workdays=1&start={start}", "county.610113")
    assert res.status_code == 200 and res.get_json()["due_at"] == "2026-12-01T16:00:00+00:00"
    res = api.call("PUT", "/calendar/2026-12-01", "county.610113", json={"kind": "holiday", "name": "测试"})
    assert res.status_code == 403
    res = api.call("PUT", "/calendar/2026-12-01", "admin", json={"kind": "holiday", "name": "临时假日"})
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["kind_label"] == "放假"
    res = api.get(f"/calendar/deadline?workdays=1&start={start}", "county.610113")
    assert res.get_json()["due_at"] == "2026-12-02T16:00:00+00:00"
    items = api.get("/calendar?year=2026", "county.610113").get_json()["items"]
    by_day = {i["day"]: i for i in items}
    assert by_day["2026-12-01"]["name"] == "临时假日"
    assert by_day["2026-10-10"]["kind"] == "workday"  # the seed was kept when the first edit was made
    assert api.call("DELETE", "/calendar/2026-12-01", "admin").status_code == 204
    assert api.call("DELETE", "/calendar/2026-12-01", "admin").status_code == 404
    res = api.call("PUT", "/calendar/2026-13-01", "admin", json={"kind": "holiday"})
    assert res.status_code == 422
    res = api.call("PUT", "/calendar/2026-12-05", "admin", json={"kind": "vacation"})
    assert res.status_code == 422
