"""Working days: weekends, public holidays and make-up working days (调休), and deadlines counted in them.

A deadline of n working days ends at midnight (Beijing time) after the n-th working day following
today; the day the period starts is not counted (民法典第二百零一条：按照年、月、日计算期间的，开始的当日不计入).
"""
from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time as dtime, timedelta, timezone

from sqlalchemy import or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, PendingRollbackError
from sqlalchemy.orm import Session

from engine import InstanceFrozen
from engine.expressions import DEFAULT_FUNCTIONS
from storage.database import begin_write
from storage.models import (
    CALENDAR_DAY_KIND_LABELS, CalendarDay, CalendarDayKind, HumanTask, InstanceStatus, ProcessInstance, TaskState,
    SystemSetting, User, utcnow,
)
from storage.repositories import add_event, instance_for_update, setting_row_for_update

from .context import Env
from .errors import Forbidden, Invalid, NotFound

log = logging.getLogger(__name__)

# China has kept UTC+8 without daylight saving since 1991; a fixed offset needs no tz database.
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
MAX_WORKDAYS = 366


def _days(first: str, last: str) -> list[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# 2026 holidays and make-up working days, from 《国务院办公厅关于2026年部分节假日安排的通知》
# (dated 2025-11-04, published by Xinhua); checked against the notice's text. Later years are entered by
# admins under /api/v1/calendar when the State Council publishes them.
_SEED_2026 = [
    ("元旦", ("2026-01-01", "2026-01-03"), ["2026-01-04"]),
    ("春节", ("2026-02-15", "2026-02-23"), ["2026-02-14", "2026-02-28"]),
    ("清明节", ("2026-04-04", "2026-04-06"), []),
    ("劳动节", ("2026-05-01", "2026-05-05"), ["2026-05-09"]),
    ("端午节", ("2026-06-19", "2026-06-21"), []),
    ("中秋节", ("2026-09-25", "2026-09-27"), []),
    ("国庆节", ("2026-10-01", "2026-10-07"), ["2026-09-20", "2026-10-10"]),
]


def builtin_days() -> dict[date, tuple[CalendarDayKind, str]]:
    """The seeded exceptions: day → (holiday | workday, name)."""
    days: dict[date, tuple[CalendarDayKind, str]] = {}
    for name, (first, last), makeups in _SEED_2026:
        for day in _days(first, last):
            days[day] = (CalendarDayKind.HOLIDAY, name)
        for day in makeups:
            days[date.fromisoformat(day)] = (CalendarDayKind.WORKDAY, f"{name}调休上班")
    return days


@dataclass(frozen=True)
class WorkCalendar:
    """An immutable view of the calendar: which dates are working days."""

    holidays: frozenset[date]
    workdays: frozenset[date]

    @classmethod
    def from_days(cls, days: dict[date, tuple[CalendarDayKind, str]]) -> "WorkCalendar":
        return cls(frozenset(d for d, (k, _) in days.items() if k == CalendarDayKind.HOLIDAY),
                   frozenset(d for d, (k, _) in days.items() if k == CalendarDayKind.WORKDAY))

    def is_working_day(self, day: date) -> bool:
        """Make-up working days work, holidays do not, otherwise Monday to Friday."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (`start` itself is not counted); n=0 gives `start`."""
        day, counted = start, 0
        while counted < n:
            day += timedelta(days=1)
            counted += self.is_working_day(day)
        return day

    def deadline(self, n: int, now: datetime) -> datetime:
        """The end (24:00 Beijing time) of the n-th working day after `now`'s date, in UTC."""
        _check_count(n)
        last = self.add_working_days(now.astimezone(CHINA_TZ).date(), n)
        return datetime.combine(last + timedelta(days=1), dtime(0), CHINA_TZ).astimezone(timezone.utc)

    def duration(self, n: int, now: datetime) -> str:
        """The ISO-8601 duration from `now` to the deadline, whole seconds (PT…S)."""
        seconds = max(0, math.ceil((self.deadline(n, now) - now).total_seconds()))
        return f"PT{seconds}S"


def _check_count(n) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_WORKDAYS:
        raise ValueError(f"workdays() 的参数须为 0 到 {MAX_WORKDAYS} 之间的整数，当前为 {n!r}")


def load_days(session: Session) -> dict[date, tuple[CalendarDayKind, str]]:
    """Exceptions from the database; an empty table means the built-in seed."""
    rows = session.execute(select(CalendarDay.day, CalendarDay.kind, CalendarDay.name)).all()
    if not rows:
        return builtin_days()
    return {day: (kind, name) for day, kind, name in rows}


class CalendarCache:
    """The calendar held in memory, reloaded from the database when older than `ttl_seconds`.

    The workdays() expression function runs deep inside an engine step without a session, so it reads
    this cache; the loader uses a short read on its own connection. Edits made through this process call
    `invalidate()`; other processes see them within `ttl_seconds`.
    """

    def __init__(self, engine: Engine | None = None, ttl_seconds: float = 300.0):
        self.engine = engine
        self.ttl_seconds = ttl_seconds
        self._calendar = WorkCalendar.from_days(builtin_days())
        self._loaded_at: float | None = None
        self._lock = threading.Lock()

    def bind(self, engine: Engine) -> None:
        """Load from this database from now on."""
        self.engine = engine
        self.invalidate()

    def invalidate(self) -> None:
        """Reload on the next read."""
        self._loaded_at = None

    def get(self) -> WorkCalendar:
        """The current calendar, refreshed if stale; on a database error the last good one."""
        fresh = self._loaded_at is not None and time.monotonic() - self._loaded_at < self.ttl_seconds
        if fresh or self.engine is None:
            return self._calendar
        with self._lock:
            try:
                with Session(self.engine) as session:
                    self._calendar = WorkCalendar.from_days(load_days(session))
            except Exception:  # noqa: BLE001 - e.g. table not migrated yet: keep the built-in calendar
                log.warning("读取工作日历失败，继续使用内存中的日历", exc_info=True)
            self._loaded_at = time.monotonic()
        return self._calendar

    def refresh(self, env: Env | None = None) -> WorkCalendar:
        """Reload now (also usable as a scheduler job)."""
        self.invalidate()
        return self.get()


def workdays_function(cache: CalendarCache, clock: Callable[[], datetime] = utcnow) -> Callable[[int], str]:
    """The whitelisted expression function: `workdays(5)` → ISO-8601 duration to the 5th working day's end."""

    def workdays(n: int) -> str:
        return cache.get().duration(n, clock())

    return workdays


def expression_functions(cache: CalendarCache, clock: Callable[[], datetime] = utcnow) -> dict[str, Callable]:
    """The default expression functions plus workdays()."""
    return {**DEFAULT_FUNCTIONS, "workdays": workdays_function(cache, clock)}


# -- admin editing ---------------------------------------------------------------------------------
def list_days(env: Env, year: int | None = None) -> list[dict]:
    """The calendar's exceptions (one year or all), oldest first."""
    days = load_days(env.session)
    return [{"day": d.isoformat(), "kind": k.value, "kind_label": CALENDAR_DAY_KIND_LABELS[k], "name": n,
              "weekday": "一二三四五六日"[d.weekday()]}
            for d, (k, n) in sorted(days.items()) if year is None or d.year == year]


def set_day(env: Env, user: User, day: date, kind: str, name: str, cache: CalendarCache | None = None) -> dict:
    """Admin: mark a date as holiday or make-up working day (replacing what it was)."""
    require_calendar_admin(user)
    try:
        kind_value = CalendarDayKind(kind)
    except ValueError:
        raise Invalid("kind 须为 holiday（放假）或 workday（调休上班）") from None
    begin_write(env.session)
    materialize_seed(env.session, user)
    row = env.session.get(CalendarDay, day) or CalendarDay(day=day)
    row.kind, row.name = kind_value, (name or "").strip()[:64]
    row.updated_by_id, row.updated_at = user.id, utcnow()
    env.session.add(row)
    env.session.flush()
    mark_deadlines_for_recompute(env.session, day, user.id)
    env.session.commit()
    if cache is not None:
        cache.invalidate()
    return {"day": day.isoformat(), "kind": kind_value.value, "kind_label": CALENDAR_DAY_KIND_LABELS[kind_value],
            "name": row.name}


def delete_day(env: Env, user: User, day: date, cache: CalendarCache | None = None) -> None:
    """Admin: the date follows the Monday–Friday rule again."""
    require_calendar_admin(user)
    begin_write(env.session)
    materialize_seed(env.session, user)
    row = env.session.get(CalendarDay, day)
    if row is None:
        env.session.rollback()
        raise NotFound(f"{day.isoformat()} 不是日历中的特殊日期")
    env.session.delete(row)
    env.session.flush()
    mark_deadlines_for_recompute(env.session, day, user.id)  # deadlines are never shortened: nothing moves earlier
    env.session.commit()
    if cache is not None:
        cache.invalidate()


# -- running deadlines after a calendar change -------------------------------------------------------
# 民法典第二百零三条: a period whose last day is a holiday ends on the next working day. When admins change
# the calendar, open tasks' due_at and the engine's pending workdays(n) timers are computed again from their
# start with the new calendar. The change's transaction only records "deadlines from day D onward must be
# recomputed" (two system_setting rows: the day and the id cursor); the scheduler's job then works through
# the instances in id order, one batch per transaction, and clears the record when it reaches the end. A deadline only ever moves later:
# a make-up working day (or a holiday taken back) does not shorten a period already announced to the people
# working it (the Chinese practice: 期限公布后不提前).
RESCHEDULED_STATUSES = (InstanceStatus.WAITING, InstanceStatus.USER_INPUT_REQUIRED, InstanceStatus.ERROR)
MOVE_THRESHOLD = timedelta(minutes=30)  # due_at is the duration's end rounded up, a little after midnight


class _NothingMoved(Exception):
    """Raised inside a step's action so that an instance with nothing to move is not saved again."""


def _local_day(moment: datetime) -> str:
    """The local day a deadline ends with. A deadline is local midnight plus a little drift (the duration is
    rounded up to the second and added to a slightly later "now", more than a second later on a busy machine),
    so step back by MOVE_THRESHOLD rather than by one second."""
    return (moment - MOVE_THRESHOLD).astimezone(CHINA_TZ).strftime("%Y-%m-%d")


RECOMPUTE_SINCE_KEY = "calendar.recompute_since"  # ISO date D; no row: nothing pending
RECOMPUTE_CURSOR_KEY = "calendar.recompute_cursor"  # the last instance id done in the current pass
RECOMPUTE_BATCH = 50
RECOMPUTE_SECONDS = 30
RECOMPUTE_BUDGET_SECONDS = 20.0  # one job run keeps taking batches for this long (below the 30 s interval)


def mark_deadlines_for_recompute(session: Session, since: date, actor_id: int | None = None) -> None:
    """In the calendar change's transaction: deadlines ending on or after `since` must be recomputed.

    The earliest day pending wins; the cursor always restarts, because instances already passed were computed
    with the calendar as it was before this change. The rows are taken FOR UPDATE, so a running batch (which
    holds them) finishes first and its next batch sees the new day and cursor.
    """
    now = utcnow()
    since_row = setting_row_for_update(session, RECOMPUTE_SINCE_KEY, actor_id)
    cursor_row = setting_row_for_update(session, RECOMPUTE_CURSOR_KEY, actor_id)
    pending = _parse_day(since_row.value)
    if pending is None or since < pending:
        since_row.value = since.isoformat()
    since_row.updated_by_id, since_row.updated_at = actor_id, now
    cursor_row.value, cursor_row.updated_by_id, cursor_row.updated_at = "0", actor_id, now
    session.flush()


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def deadline_recompute_pending(env: Env) -> date | None:
    """The earliest day whose deadlines still wait to be recomputed (None when nothing is pending)."""
    row = env.session.get(SystemSetting, RECOMPUTE_SINCE_KEY)
    return _parse_day(row.value) if row is not None else None


def recompute_deadlines_batch(env: Env, batch: int = RECOMPUTE_BATCH) -> int:
    """One batch of the pending recomputation in its own transaction; returns how many
    deadlines moved. Another scheduler running the job at the same time waits on the marker rows' lock and
    then continues from the cursor; each instance is still locked and version-checked by the normal step, and
    running a pass twice moves nothing more (deadlines only move later)."""
    try:
        begin_write(env.session)
        since_row = env.session.get(SystemSetting, RECOMPUTE_SINCE_KEY, with_for_update=True)
        if since_row is None:
            env.session.rollback()
            return 0
        since = _parse_day(since_row.value)
        cursor_row = env.session.get(SystemSetting, RECOMPUTE_CURSOR_KEY, with_for_update=True)
        try:
            after = int(cursor_row.value) if cursor_row is not None else 0
        except ValueError:
            after = 0
        if since is None:  # unreadable marker (written by hand): nothing sensible to recompute
            env.session.delete(since_row)
            env.session.commit()
            return 0
        moved, last_id, done = _reschedule(env, since, since_row.updated_by_id, after, batch)
        if done:
            env.session.delete(since_row)
            if cursor_row is not None:
                env.session.delete(cursor_row)
        else:
            if cursor_row is None:
                cursor_row = SystemSetting(key=RECOMPUTE_CURSOR_KEY)
                env.session.add(cursor_row)
            cursor_row.value, cursor_row.updated_at = str(last_id), utcnow()
        env.session.commit()
        return moved
    except Exception:
        env.session.rollback()
        raise


def recompute_deadlines_job(env: Env, budget: float = RECOMPUTE_BUDGET_SECONDS,
                            batch: int = RECOMPUTE_BATCH) -> int:
    """The scheduler's job: batches (each its own transaction) until nothing is pending or `budget` seconds are
    spent, so a large recomputation is not paced by the job's interval; returns how many deadlines moved."""
    moved, started = 0, time.monotonic()
    while deadline_recompute_pending(env) is not None and time.monotonic() - started < budget:
        env.session.rollback()
        moved += recompute_deadlines_batch(env, batch)
    env.session.rollback()
    return moved


def drain_deadline_recompute(env: Env, batch: int = RECOMPUTE_BATCH) -> int:
    """Run the whole pending recomputation now (tests, the CLI, benches); returns how many deadlines moved."""
    moved = 0
    while deadline_recompute_pending(env) is not None:
        env.session.rollback()
        moved += recompute_deadlines_batch(env, batch)
    env.session.rollback()
    return moved


def _reschedule(env: Env, since: date, actor_id: int | None, after: int, limit: int | None) -> tuple[int, int, bool]:
    """Recompute the deadlines ending on or after `since` (the earliest changed day) with the calendar as
    this transaction now has it, for at most `limit` instances with an id above `after`; returns how many
    deadlines (task due dates and engine timers) moved, the last instance id looked at, and whether the pass
    reached the end.

    Every instance with an open task due after `since` or a pending timer is locked and stepped through the
    engine's normal path (version check, next_timer_at read model); one with nothing to move is not saved.
    Suspended instances are left as they are.
    """
    calendar = WorkCalendar.from_days(load_days(env.session))
    cutoff = datetime.combine(since, dtime(0), CHINA_TZ).astimezone(timezone.utc)
    open_due = select(HumanTask.instance_id).where(HumanTask.state == TaskState.OPEN, HumanTask.due_at > cutoff)
    query = (select(ProcessInstance.id).where(ProcessInstance.id > after,
                                              ProcessInstance.status.in_(RESCHEDULED_STATUSES),
                                              or_(ProcessInstance.next_timer_at.isnot(None),
                                                  ProcessInstance.id.in_(open_due)))
             .order_by(ProcessInstance.id))
    if limit is not None:
        query = query.limit(limit)
    ids = list(env.session.scalars(query))
    moved = 0
    for instance_id in ids:
        moved += _reschedule_instance(env, calendar, instance_id, cutoff, actor_id)
    return moved, (ids[-1] if ids else after), limit is None or len(ids) < limit


def _reschedule_instance(env: Env, calendar: WorkCalendar, instance_id: int, cutoff: datetime,
                         actor_id: int | None) -> int:
    instance = instance_for_update(env.session, instance_id)
    if instance is None:
        return 0
    env.session.refresh(instance)
    if instance.status not in RESCHEDULED_STATUSES:
        return 0
    tasks = list(env.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                             HumanTask.state == TaskState.OPEN)))
    task_moves: list[tuple[HumanTask, datetime]] = []
    timer_moves: list = []
    action = _recompute_action(env.store.runtime, calendar, tasks, cutoff, task_moves, timer_moves)
    try:
        with env.session.begin_nested():  # an instance that cannot be loaded must not block the calendar
            env.store.step(env.session, instance, action, actor_id)
    except (_NothingMoved, InstanceFrozen):
        return 0
    except (DBAPIError, PendingRollbackError):
        raise
    except Exception:  # noqa: BLE001 - logged; its deadlines keep their dates, the others still move
        log.exception("工作日历调整后重新计算流程实例 %s 的期限失败", instance_id)
        return 0
    _record_moves(env, instance, task_moves, timer_moves, actor_id)
    return len(task_moves) + len(timer_moves)


def _recompute_action(runtime, calendar: WorkCalendar, tasks: list[HumanTask], cutoff: datetime,
                      task_moves: list, timer_moves: list):
    """The step's action: collect the open tasks' new due dates, move the engine's workdays timers."""
    def action(workflow):
        for task in tasks:
            count = runtime.due_workdays(workflow, task.id)
            if count is None or task.due_at is None or task.due_at <= cutoff:
                continue
            new = calendar.deadline(count, task.created_at)
            if new - task.due_at > MOVE_THRESHOLD:
                task_moves.append((task, new))
        starts = {task.id: task.created_at for task in tasks}
        timer_moves.extend(runtime.recompute_workday_timers(workflow, calendar.deadline, starts))
        if not task_moves and not timer_moves:
            raise _NothingMoved
    return action


def _record_moves(env: Env, instance: ProcessInstance, task_moves, timer_moves, actor_id: int | None) -> None:
    """Write the new due dates and one timeline event per moved deadline."""
    for task, new in task_moves:
        old, task.due_at = task.due_at, new
        add_event(env.session, "deadline_moved",
                  f"工作日历调整：“{task.name}”的办理期限由 {_local_day(old)} 顺延至 {_local_day(new)}",
                  instance_id=instance.id, report_id=task.report_id, element_id=task.element_id, actor_id=actor_id,
                  data={"task_id": task.id, "old_due_at": old.isoformat(), "new_due_at": new.isoformat()})
    for element_id, name, old, new in timer_moves:
        add_event(env.session, "deadline_moved",
                  f"工作日历调整：定时器“{name}”由 {_local_day(old)} 顺延至 {_local_day(new)}",
                  instance_id=instance.id, report_id=instance.report_id, element_id=element_id, actor_id=actor_id,
                  data={"timer": element_id, "old_at": old.isoformat(), "new_at": new.isoformat()})


def materialize_seed(session: Session, user: User) -> None:
    """The first edit copies the built-in seed into the table, so later edits change real rows."""
    if session.scalar(select(CalendarDay.day).limit(1)) is not None:
        return
    now = utcnow()
    session.add_all(CalendarDay(day=d, kind=k, name=n, updated_by_id=user.id, updated_at=now)
                    for d, (k, n) in builtin_days().items())
    session.flush()


def require_calendar_admin(user: User) -> None:
    """Only admins edit the calendar."""
    if not user.has_role("admin"):
        raise Forbidden("只有系统管理员可以修改工作日历")
