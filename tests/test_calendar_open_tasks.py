"""What a calendar change does to tasks already running (the attacker's pass over the calendar admin page).

A county task's deadline is workdays(5) from its creation, turned into a fixed time when the task starts: the
human_task row's due_at and the engine's timer. An admin who then declares the due day a holiday used to leave
that deadline on a day nobody works; 民法典第二百零三条 ends the period on the next working day instead. Now a
calendar change (one day, a deletion or a year import) recomputes, in the same transaction as the change, the open tasks'
due_at and the engine's pending workdays(n) timers. Since the recomputation moved to the scheduler, the change's
request only records "deadlines from day D onward" (services.calendar.mark_deadlines_for_recompute) and the
job recompute_deadlines_batch works through the instances in batches; these tests run the queue before checking.
Chosen rule:
a deadline only ever moves later; a make-up working day never shortens a period already announced.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from conftest import Api
from engine import shift_pending_timers, timer_events
from services import calendar as work_calendar
from services.calendar import CHINA_TZ, WorkCalendar, load_days
from services.timers import fire_due_timers
from storage.models import HumanTask, InstanceEvent, ProcessInstance, SystemSetting

from pages_helpers import signed_in


def _county_task(env, report_id: int) -> HumanTask:
    env.session.rollback()
    return env.session.scalar(select(HumanTask).where(HumanTask.report_id == report_id,
                                                      HumanTask.element_id == "county_disposal"))


def _due_day(task: HumanTask):
    """The local (Beijing) working day a deadline ends with: due_at is 24:00 after it plus a little drift (the
    duration is rounded up to the second and added to a later "now": over a second on a busy CI machine)."""
    return (task.due_at.replace(tzinfo=task.due_at.tzinfo or CHINA_TZ.utc) - timedelta(minutes=30)).astimezone(
        CHINA_TZ).date()


def _declare_holiday(api, env, day, run_queue: bool = True) -> None:
    """The admin's change, then (as the scheduler would) the whole pending recomputation."""
    res = api.call("PUT", f"/calendar/{day.isoformat()}", "admin", json={"kind": "holiday", "name": "临时放假"})
    assert res.status_code == 200, res.get_json()
    if run_queue:
        _run_queue(env)


def _run_queue(env) -> int:
    env.session.rollback()
    return work_calendar.drain_deadline_recompute(env)


def test_a_holiday_declared_on_an_open_tasks_due_day_leaves_the_pages_working(api, app, env):
    report = api.submit()
    task = _county_task(env, report["id"])
    due_day = _due_day(task)
    assert due_day > task.created_at.date() and due_day.weekday() < 5  # a working day after the start
    _declare_holiday(api, env, due_day)
    assert api.get(f"/calendar?year={due_day.year}", "county.610113").get_json()["items"]
    listed = api.task("county.610113", report["id"], "county_disposal")
    assert listed["due_at"]  # still shown, still a time
    inbox = signed_in(app, "county.610113").get("/tasks")
    assert inbox.status_code == 200
    assert api.complete("county.610113", report["id"], "county_disposal", {
        "decision": "escalate", "measures": "现场核查", "risk_level": "major", "quality_score": 4})


def test_a_holiday_declared_on_an_open_tasks_due_day_moves_its_deadline(api, env):
    report = api.submit()
    before = _county_task(env, report["id"]).due_at
    _declare_holiday(api, env, _due_day(_county_task(env, report["id"])))
    after = _county_task(env, report["id"]).due_at
    assert after > before


# -- what moves, what does not, and the engine's timer (the fix) -------------------------------------------
def _instance(env, report_id: int) -> ProcessInstance:
    env.session.rollback()
    return env.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == report_id))


def _timers(env, report_id: int) -> dict[str, datetime]:
    """The instance's pending engine timers as stored: element id → fire time."""
    instance = _instance(env, report_id)
    workflow = env.store.serializer.loads(instance.workflow_state,
                                          env.store.bundle_for(env.session, instance.process_version_id))
    return dict(env.store.runtime.snapshot(workflow).timers)


def _events(env, report_id: int, kind: str) -> list[InstanceEvent]:
    env.session.rollback()
    return list(env.session.scalars(select(InstanceEvent).where(InstanceEvent.report_id == report_id,
                                                                InstanceEvent.kind == kind)))


def test_the_task_deadline_and_the_engine_timers_move_to_the_next_working_day(api, env):
    report = api.submit()
    task = _county_task(env, report["id"])
    before_due, due_day = task.due_at, _due_day(task)
    timers = _timers(env, report["id"])
    assert abs((timers["county_deadline"] - before_due).total_seconds()) < 5  # both workdays(5)
    _declare_holiday(api, env, due_day)

    after = _county_task(env, report["id"])
    calendar = WorkCalendar.from_days(load_days(env.session))
    next_working = calendar.add_working_days(due_day, 1)
    assert _due_day(after) == next_working and after.due_at - before_due > timedelta(hours=23)
    moved = _timers(env, report["id"])
    assert moved["county_deadline"] == after.due_at  # the engine's deadline moved with the task's
    assert moved["county_reminder"] == timers["county_reminder"]  # workdays(3) ends before the holiday
    assert _instance(env, report["id"]).next_timer_at == min(moved.values())
    messages = [e.message for e in _events(env, report["id"], "deadline_moved")]
    assert len(messages) == 2 and all("顺延至 " + next_working.isoformat() in m for m in messages)
    assert any("县级处置" in m and "办理期限" in m for m in messages)
    timeline = api.get(f"/reports/{report['id']}", "reporter.agency").get_json()["timeline"]
    assert "deadline_moved" in [e["kind"] for e in timeline]
    # declaring the same holiday again moves nothing further
    _declare_holiday(api, env, due_day)
    assert _county_task(env, report["id"]).due_at == after.due_at
    assert len(_events(env, report["id"], "deadline_moved")) == 2


def test_a_make_up_working_day_never_moves_a_deadline_earlier(api, env):
    """Chosen rule: a deadline once announced is not shortened. A make-up working day (or a holiday taken
    back) inside a running period leaves its due date and timers where they are."""
    report = api.submit()
    task = _county_task(env, report["id"])
    before_due, timers = task.due_at, _timers(env, report["id"])
    start = task.created_at.astimezone(CHINA_TZ).date()
    weekend = next(start + timedelta(days=i) for i in range(1, 8) if (start + timedelta(days=i)).weekday() == 5)
    assert weekend < _due_day(task)
    res = api.call("PUT", f"/calendar/{weekend.isoformat()}", "admin", json={"kind": "workday", "name": "调休上班"})
    assert res.status_code == 200, res.get_json()
    _run_queue(env)
    assert _county_task(env, report["id"]).due_at == before_due
    assert _timers(env, report["id"]) == timers
    assert _events(env, report["id"], "deadline_moved") == []
    # with the make-up day taken back, a holiday on the due day moves the deadline; deleting that holiday
    # again does not shorten the moved deadline
    assert api.call("DELETE", f"/calendar/{weekend.isoformat()}", "admin").status_code in (200, 204)
    _run_queue(env)
    assert _county_task(env, report["id"]).due_at == before_due
    due_day = _due_day(task)
    _declare_holiday(api, env, due_day)
    moved = _county_task(env, report["id"]).due_at
    assert moved > before_due
    assert api.call("DELETE", f"/calendar/{due_day.isoformat()}", "admin").status_code in (200, 204)
    _run_queue(env)
    assert _county_task(env, report["id"]).due_at == moved


def test_the_engine_deadline_fires_on_the_new_day_not_the_old_one(api, env, monkeypatch):
    report = api.submit()
    task = _county_task(env, report["id"])
    old_due = task.due_at
    _declare_holiday(api, env, _due_day(task))
    new_due = _county_task(env, report["id"]).due_at
    assert new_due > old_due

    clock = {"now": old_due + timedelta(minutes=1)}
    monkeypatch.setattr(timer_events, "_now", lambda: clock["now"])
    fire_due_timers(env, clock["now"])  # the reminder (due before) fires; the deadline must not
    assert _events(env, report["id"], "overdue") == []
    assert _county_task(env, report["id"]).overdue_at is None
    assert _instance(env, report["id"]).next_timer_at == new_due

    clock["now"] = new_due + timedelta(minutes=1)
    assert fire_due_timers(env, clock["now"]) == 1
    assert len(_events(env, report["id"], "overdue")) == 1
    assert _county_task(env, report["id"]).overdue_at is not None
    assert fire_due_timers(env, clock["now"]) == 0  # exactly once


def test_an_instance_saved_before_the_record_existed_still_moves_and_completes(api, env):
    """Timers computed before this change carry no {n, start} record: a boundary timer takes the start of the
    open task it is attached to; a timer with neither keeps its time."""
    report = api.submit()
    instance = _instance(env, report["id"])
    workflow = env.store.load(env.session, instance)
    stripped = 0
    for waiting in workflow.get_tasks():
        stripped += waiting.internal_data.pop(timer_events.WORKDAYS_KEY, None) is not None
    assert stripped == 2  # the county reminder and deadline had the record
    calendar = WorkCalendar.from_days(load_days(env.session))
    assert env.store.runtime.recompute_workday_timers(workflow, calendar.deadline, {}) == []
    instance.workflow_state = env.store.serializer.dumps(workflow)
    env.store.live.discard(instance.id)
    env.session.commit()

    task = _county_task(env, report["id"])
    old_due = task.due_at
    _declare_holiday(api, env, _due_day(task))
    new_due = _county_task(env, report["id"]).due_at
    assert new_due > old_due
    assert _timers(env, report["id"])["county_deadline"] == new_due
    assert api.complete("county.610113", report["id"], "county_disposal", {
        "decision": "resolve", "measures": "现场核查", "risk_level": "low", "quality_score": 4})


@pytest.mark.postgres
def test_on_postgres_the_row_locked_recompute_moves_task_and_timers(pg_app):
    """The same on PostgreSQL, where every rescheduled instance is taken with its row lock (SELECT … FOR UPDATE)."""
    from web import env as make_env
    from web.extensions import db

    api = Api(pg_app.test_client())
    with pg_app.app_context():
        test_the_task_deadline_and_the_engine_timers_move_to_the_next_working_day(api, make_env())
        db.session.remove()


def test_an_unreadable_instance_does_not_block_the_calendar_or_the_others(api, env, monkeypatch):
    """The attacker's case: one instance's stored state cannot be loaded. The holiday is still saved (200, not
    a 500), the other instance's deadline moves, the broken one keeps its date."""
    broken, healthy = api.submit(), api.submit()
    instance = _instance(env, broken["id"])
    instance.workflow_state = b"\x00not a workflow"
    env.store.live.discard(instance.id)
    env.session.commit()
    logged = []  # (alembic's logging setup in the seeding disables existing loggers, so caplog sees nothing)
    monkeypatch.setattr(work_calendar.log, "exception", lambda message, iid, **kw: logged.append(iid))
    broken_due = _county_task(env, broken["id"]).due_at
    task = _county_task(env, healthy["id"])
    before = task.due_at
    _declare_holiday(api, env, _due_day(task))
    assert _county_task(env, healthy["id"]).due_at > before
    assert _county_task(env, broken["id"]).due_at == broken_due
    assert _events(env, broken["id"], "deadline_moved") == []
    assert logged == [instance.id]


def test_timers_dated_back_by_the_demo_keep_their_start_in_step(api, env):
    """shift_pending_timers (demo data dated in the past) moves the recorded start with the timer, so a later
    calendar change does not recompute it from the real creation time."""
    report = api.submit()
    workflow = env.store.load(env.session, _instance(env, report["id"]))
    before = dict(env.store.runtime.snapshot(workflow).timers)
    assert shift_pending_timers(workflow, -timedelta(days=14)) == 2
    calendar = WorkCalendar.from_days(load_days(env.session))
    assert env.store.runtime.recompute_workday_timers(workflow, calendar.deadline, {}) == []
    shifted = dict(env.store.runtime.snapshot(workflow).timers)
    assert shifted == {k: v - timedelta(days=14) for k, v in before.items()}
    env.session.rollback()


def test_importing_a_year_moves_running_deadlines_too(api, env):
    report = api.submit()
    task = _county_task(env, report["id"])
    before, due_day = task.due_at, _due_day(task)
    text = f"{due_day.isoformat()}，放假，临时放假"
    res = api.call("POST", "/calendar/import", "admin", json={"year": due_day.year, "text": text})
    assert res.status_code == 200, res.get_json()
    assert _county_task(env, report["id"]).due_at == before  # the request only records the pending recomputation
    _run_queue(env)
    after = _county_task(env, report["id"])
    assert after.due_at > before and _due_day(after) > due_day
    assert _timers(env, report["id"])["county_deadline"] == after.due_at


# -- the recomputation runs in the scheduler, in batches (not in the admin's request) -------------------------
def _settings(env) -> dict[str, str]:
    env.session.rollback()
    rows = env.session.scalars(select(SystemSetting).where(SystemSetting.key.in_(
        (work_calendar.RECOMPUTE_SINCE_KEY, work_calendar.RECOMPUTE_CURSOR_KEY))))
    return {row.key: row.value for row in rows}


def test_the_request_moves_nothing_and_records_the_day_then_the_job_moves_it(api, app, env):
    report = api.submit()
    task = _county_task(env, report["id"])
    before, due_day = task.due_at, _due_day(task)
    _declare_holiday(api, env, due_day, run_queue=False)
    assert _county_task(env, report["id"]).due_at == before
    assert _events(env, report["id"], "deadline_moved") == []
    assert _settings(env) == {work_calendar.RECOMPUTE_SINCE_KEY: due_day.isoformat(),
                              work_calendar.RECOMPUTE_CURSOR_KEY: "0"}
    page = signed_in(app, "admin").get(f"/admin/calendar?year={due_day.year}")
    assert "工作日历已调整，正在顺延受影响的办理期限" in page.get_data(as_text=True)

    env.session.rollback()
    assert work_calendar.recompute_deadlines_batch(env) == 2  # the task's due date and the engine's deadline
    assert _county_task(env, report["id"]).due_at > before
    assert _settings(env) == {}  # the marker is cleared
    page = signed_in(app, "admin").get(f"/admin/calendar?year={due_day.year}")
    assert "正在顺延" not in page.get_data(as_text=True)
    env.session.rollback()
    assert work_calendar.recompute_deadlines_batch(env) == 0  # nothing pending: the job does nothing


def test_more_instances_than_one_batch_take_several_runs_then_the_marker_clears(api, env):
    reports = [api.submit() for _ in range(3)]
    befores = {r["id"]: _county_task(env, r["id"]).due_at for r in reports}
    due_day = max(_due_day(_county_task(env, r["id"])) for r in reports)
    assert len({_due_day(_county_task(env, r["id"])) for r in reports}) == 1  # submitted the same day
    _declare_holiday(api, env, due_day, run_queue=False)
    env.session.rollback()
    assert work_calendar.recompute_deadlines_batch(env, batch=2) == 4  # two instances, two deadlines each
    pending = _settings(env)
    assert pending[work_calendar.RECOMPUTE_SINCE_KEY] == due_day.isoformat()
    assert int(pending[work_calendar.RECOMPUTE_CURSOR_KEY]) > 0
    moved = [r["id"] for r in reports if _county_task(env, r["id"]).due_at > befores[r["id"]]]
    assert len(moved) == 2
    env.session.rollback()
    assert work_calendar.recompute_deadlines_batch(env, batch=2) == 2
    assert _settings(env) == {}
    assert all(_county_task(env, r["id"]).due_at > befores[r["id"]] for r in reports)


def test_a_second_change_during_a_run_lowers_the_day_and_restarts_the_cursor(api, env):
    reports = [api.submit() for _ in range(3)]
    task = _county_task(env, reports[0]["id"])
    due_day = _due_day(task)
    _declare_holiday(api, env, due_day + timedelta(days=30), run_queue=False)
    env.session.rollback()
    work_calendar.recompute_deadlines_batch(env, batch=1)
    assert int(_settings(env)[work_calendar.RECOMPUTE_CURSOR_KEY]) > 0  # mid-run
    _declare_holiday(api, env, due_day, run_queue=False)  # earlier day: all three deadlines are reached
    assert _settings(env) == {work_calendar.RECOMPUTE_SINCE_KEY: due_day.isoformat(),
                              work_calendar.RECOMPUTE_CURSOR_KEY: "0"}
    _declare_holiday(api, env, due_day + timedelta(days=60), run_queue=False)  # a later day keeps the earliest
    assert _settings(env)[work_calendar.RECOMPUTE_SINCE_KEY] == due_day.isoformat()
    _run_queue(env)
    assert all(_due_day(_county_task(env, r["id"])) > due_day for r in reports)  # the first instance too


def test_running_the_queue_twice_moves_each_deadline_once(api, env):
    reports = [api.submit() for _ in range(2)]
    due_day = _due_day(_county_task(env, reports[0]["id"]))
    _declare_holiday(api, env, due_day, run_queue=False)
    assert _run_queue(env) == 4
    after = {r["id"]: _county_task(env, r["id"]).due_at for r in reports}
    # a second scheduler that read the marker before the first cleared it does the same pass again
    env.session.rollback()
    work_calendar.mark_deadlines_for_recompute(env.session, due_day)
    env.session.commit()
    assert _run_queue(env) == 0
    assert {r["id"]: _county_task(env, r["id"]).due_at for r in reports} == after
    assert all(len(_events(env, r["id"], "deadline_moved")) == 2 for r in reports)


def test_the_scheduled_job_takes_batches_until_done_within_its_budget(api, app, env):
    from web.scheduling import build_scheduler

    assert "recompute_deadlines" in {job.id for job in build_scheduler(app).get_jobs()}
    reports = [api.submit() for _ in range(3)]
    _declare_holiday(api, env, _due_day(_county_task(env, reports[0]["id"])), run_queue=False)
    env.session.rollback()
    assert work_calendar.recompute_deadlines_job(env, budget=0) == 0  # no time: nothing taken, still pending
    assert _settings(env)
    env.session.rollback()
    assert work_calendar.recompute_deadlines_job(env, batch=1) == 6  # three batches in one run
    assert _settings(env) == {}


@pytest.mark.postgres
def test_on_postgres_two_schedulers_at_once_move_each_deadline_once(pg_app):
    """Two scheduler processes run the job at the same moment: the marker rows' lock serializes the batches,
    the instances' row locks and version checks do the rest; every deadline moves once, the marker clears."""
    import threading

    from web import env as make_env
    from web.extensions import db

    api = Api(pg_app.test_client())
    with pg_app.app_context():
        e = make_env()
        reports = [api.submit() for _ in range(4)]
        _declare_holiday(api, e, _due_day(_county_task(e, reports[0]["id"])), run_queue=False)
        db.session.remove()
    results, errors = [], []

    def run():
        with pg_app.app_context():
            try:
                results.append(work_calendar.recompute_deadlines_job(make_env(), batch=1))
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and sum(results) == 8  # 4 reports × (task due date + engine deadline)
    with pg_app.app_context():
        e = make_env()
        assert _settings(e) == {}
        assert all(len(_events(e, r["id"], "deadline_moved")) == 2 for r in reports)
        db.session.remove()


def test_the_cli_runs_the_whole_queue_at_once(api, app, env):
    report = api.submit()
    before = _county_task(env, report["id"]).due_at
    _declare_holiday(api, env, _due_day(_county_task(env, report["id"])), run_queue=False)
    env.session.rollback()
    result = app.test_cli_runner().invoke(args=["calendar-recompute"])
    assert result.exit_code == 0, result.output
    assert "已顺延 2 个办理期限" in result.output
    assert _county_task(env, report["id"]).due_at > before
    assert _settings(env) == {}


def test_a_deadline_more_than_a_second_past_midnight_still_names_the_day_before():
    """A fresh-clone CI run computed a county deadline at 00:00:01.000163 (Beijing) on a busy machine: the day it
    ends with is still the day before, in the timeline's words as in this module's helper."""
    from services.calendar import _local_day

    midnight = datetime(2026, 12, 16, tzinfo=CHINA_TZ)
    for drift in (timedelta(0), timedelta(seconds=1, microseconds=163), timedelta(minutes=5)):
        assert _local_day(midnight + drift) == "2026-12-15"
    assert _local_day(midnight + timedelta(hours=12)) == "2026-12-16"
