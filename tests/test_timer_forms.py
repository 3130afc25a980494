"""timeDate and timeCycle run as what they are, end to end through POST /reports; a timer whose value
cannot be computed becomes an error on its element instead of vanishing."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from legacy_diagrams import seed_xml
from sqlalchemy import select

from engine import timer_values
from services.processes import deploy
from services.timers import fire_due_timers
from storage.models import InstanceEvent, ProcessInstance, Report

BEIJING = timezone(timedelta(hours=8))
DURATION = '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{}</bpmn:timeDuration>'


def with_timer(element_id: str, old: str, new_element: str) -> str:
    xml = seed_xml()
    start = xml.index(f'<bpmn:boundaryEvent id="{element_id}"')
    end = xml.index("</bpmn:boundaryEvent>", start)
    block = xml[start:end]
    changed = block.replace(DURATION.format(old), new_element)
    assert changed != block
    return xml[:start] + changed + xml[end:]


def instance_of(env, report_id) -> ProcessInstance:
    env.session.expire_all()
    return env.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == report_id))


def kinds(env, report_id) -> list[str]:
    env.session.expire_all()
    return list(env.session.scalars(select(InstanceEvent.kind).where(InstanceEvent.report_id == report_id)
                                    .order_by(InstanceEvent.id)))


def test_time_date_without_zone_is_beijing_time_and_fires(api, env):
    due = datetime.now(BEIJING).replace(microsecond=0) + timedelta(seconds=6)
    deploy(env, with_timer("county_deadline", "P7D",
                           f"<bpmn:timeDate>{due.replace(tzinfo=None).isoformat()}</bpmn:timeDate>"))
    rid = api.submit()["id"]
    assert instance_of(env, rid).next_timer_at == due.astimezone(timezone.utc)
    time.sleep(max(0.0, (due - datetime.now(BEIJING)).total_seconds()) + 0.3)
    env.session.rollback()
    assert fire_due_timers(env) == 1
    assert "overdue" in kinds(env, rid)
    assert env.session.get(Report, rid).overdue is True
    api.task("city.610100", rid, "city_assessment")


def test_date_only_time_date_is_midnight_beijing(api, env):
    deploy(env, with_timer("county_deadline", "P7D", "<bpmn:timeDate>2026-01-01</bpmn:timeDate>"))
    rid = api.submit()["id"]
    instance = instance_of(env, rid)
    # already past when the instance starts: the deadline fires in the same step, never lost
    assert "overdue" in kinds(env, rid) or instance.next_timer_at == datetime(
        2025, 12, 31, 16, 0, tzinfo=timezone.utc)
    if instance.next_timer_at is not None and instance.next_timer_at.year == 2025:
        assert fire_due_timers(env) == 1
    assert "overdue" in kinds(env, rid)


def test_time_cycle_fires_its_repetitions_and_stops(api, env):
    deploy(env, with_timer("county_reminder", "P3D", "<bpmn:timeCycle>R2/PT1S</bpmn:timeCycle>"))
    rid = api.submit()["id"]
    first = instance_of(env, rid).next_timer_at
    assert first is not None and first - datetime.now(timezone.utc) <= timedelta(seconds=1.5)
    for _ in range(2):
        time.sleep(1.2)
        env.session.rollback()
        assert fire_due_timers(env) == 1
    assert kinds(env, rid).count("reminder") == 2
    time.sleep(1.2)
    env.session.rollback()
    fire_due_timers(env)
    assert kinds(env, rid).count("reminder") == 2  # R2: two firings, then the cycle is done
    remaining = instance_of(env, rid).next_timer_at  # only the 7-day deadline is left
    assert remaining - datetime.now(timezone.utc) > timedelta(days=6)
    api.task("county.610113", rid, "county_disposal")


def test_timer_that_cannot_be_computed_is_refused_before_it_can_run(env):
    # `county_due` is a safe expression, but this diagram never sets it: the value would be None at run time.
    # The publish-time dry run finds it, so it never reaches a report (the run-time incident for a timer that
    # still fails is tested in test_engine_incidents.py).
    from services.errors import Invalid

    with pytest.raises(Invalid) as refused:
        deploy(env, with_timer("county_deadline", "P7D", DURATION.format("county_due")))
    assert any(d["element_id"] == "county_deadline" and "无法计算" in d["message"]
               for d in refused.value.details), refused.value.details


@pytest.mark.parametrize("kind,text", [
    (timer_values.CYCLE, "R/P1D"), (timer_values.CYCLE, "R0/PT1M"), (timer_values.CYCLE, "R101/PT1M"),
    (timer_values.CYCLE, "R3/PT0S"), (timer_values.DATE, "2026-02-30"), (timer_values.DURATION, "P99999999Y"),
    (timer_values.DURATION, "R3/PT10M"),
])
def test_bad_literals_are_refused(kind, text):
    with pytest.raises(timer_values.TimerValueError):
        timer_values.check(kind, text, lambda e: None)


@pytest.mark.parametrize("kind,text,expected", [
    (timer_values.DATE, "2026-12-31", datetime(2026, 12, 30, 16, tzinfo=timezone.utc)),
    (timer_values.DATE, "2026-12-31T08:00:00", datetime(2026, 12, 31, 0, tzinfo=timezone.utc)),
    (timer_values.DATE, "2026-12-31T08:00:00Z", datetime(2026, 12, 31, 8, tzinfo=timezone.utc)),
    (timer_values.DATE, "${2026-12-31T08:00:00+01:00}", datetime(2026, 12, 31, 7, tzinfo=timezone.utc)),
    (timer_values.CYCLE, "R3/PT10M", timer_values.Cycle(3, "PT10M")),
    (timer_values.CYCLE, "R3/2026-12-01T08:00:00+08:00/P1D",
     timer_values.Cycle(3, "P1D", datetime(2026, 12, 1, 0, tzinfo=timezone.utc))),
])
def test_literals_parse_as_what_they_are(kind, text, expected):
    assert timer_values.compute(kind, text, lambda e: pytest.fail("a literal is never evaluated")) == expected


def test_expression_result_is_parsed_by_kind():
    now = datetime(2026, 12, 2, tzinfo=timezone.utc)
    assert timer_values.compute(timer_values.DURATION, "due", lambda e: "P2D", now) == now + timedelta(days=2)
    with pytest.raises(timer_values.TimerValueError):
        timer_values.compute(timer_values.DURATION, "due", lambda e: 1983, now)
