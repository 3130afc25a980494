"""Timer event definitions whose values come from engine.timer_values, and the parser mixin creating them.

SpiffWorkflow's stock timers hand the evaluated text to its own parsers (naive dates in the server's
zone, unbounded cycles) and, when that fails, raise from deep inside a refresh: the instance's timers
disappear without a trace. Ours compute the value once, and a value that cannot be computed marks
the event so that the runtime turns it into an error on the element (see `timer_failures`).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from SpiffWorkflow.bpmn.parser.event_parsers import (
    CONDITIONAL_EVENT_XPATH, ERROR_EVENT_XPATH, MESSAGE_EVENT_XPATH, SIGNAL_EVENT_XPATH, TIMER_EVENT_XPATH,
)
from SpiffWorkflow.bpmn.parser.util import first
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition, DurationTimerEventDefinition, TimeDateEventDefinition, TimerEventDefinition,
)
from SpiffWorkflow.camunda.parser.event_parsers import (
    CamundaBoundaryEventParser, CamundaIntermediateCatchEventParser, CamundaStartEventParser,
)
from SpiffWorkflow.task import TaskState

from . import timer_values
from .expressions import normalize
from .timer_values import TimerValueError

ERROR_KEY = "timer_error"
# What a `workdays(n)` timer was computed from, so that a calendar change can compute it again:
# {"n": n, "start": ISO instant}. Timers computed before this record existed have none.
WORKDAYS_KEY = "workdays"
_WORKDAYS = re.compile(r"^workdays\(\s*(\d+)\s*\)$")
# A recomputed time must be later than the stored one by more than this to count as moved: the stored one
# is the duration's end rounded up to the second, a little after the exact midnight recomputed.
MOVE_THRESHOLD = timedelta(minutes=30)


def workdays_count(expression: str | None) -> int | None:
    """n when the expression is exactly `workdays(n)` (with or without `${}`), else None."""
    match = _WORKDAYS.match(normalize(expression or ""))
    return int(match.group(1)) if match else None


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _compute(definition, my_task, kind, now: datetime | None = None):
    """The timer's value, computed once; None (and the reason kept on the task) when it cannot be."""
    def evaluate(text):
        return my_task.workflow.script_engine.evaluate(my_task, text)
    try:
        return timer_values.compute(kind, definition.expression, evaluate, now or _now())
    except Exception as exc:  # noqa: BLE001 - any failure becomes an error on the element, never a lost timer
        reason = str(exc) if isinstance(exc, TimerValueError) else f"{type(exc).__name__}: {exc}"
        my_task._set_internal_data(**{ERROR_KEY: f"定时器“{definition.name}”的值无法计算：{reason}"})
        return None


class _InstantTimer:
    """Shared by duration and date timers: the due instant is stored as an ISO string (UTC)."""

    KIND = timer_values.DURATION

    def has_fired(self, my_task):
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            now = _now()
            due = _compute(self, my_task, self.KIND, now)
            if due is None:
                return False
            event_value = due.isoformat()
            my_task._set_internal_data(event_value=event_value)
            count = workdays_count(self.expression) if self.KIND == timer_values.DURATION else None
            if count is not None:
                my_task._set_internal_data(**{WORKDAYS_KEY: {"n": count, "start": now.isoformat()}})
        if TimerEventDefinition.get_datetime(event_value) < _now():
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)


class DialectDurationTimerEventDefinition(_InstantTimer, DurationTimerEventDefinition):
    """timeDuration: ISO-8601 duration, workdays(n) or a safe expression yielding a duration."""

    KIND = timer_values.DURATION


class DialectDateTimerEventDefinition(_InstantTimer, TimeDateEventDefinition):
    """timeDate: ISO date or date-time (Beijing time when no zone is given)."""

    KIND = timer_values.DATE


class DialectCycleTimerEventDefinition(CycleTimerEventDefinition):
    """timeCycle: `R<n>/[start/]interval`, at most timer_values.MAX_REPETITIONS firings."""

    def cycle_complete(self, my_task):
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            cycle = _compute(self, my_task, timer_values.CYCLE)
            if cycle is None:
                return False
            now = _now()
            first_at = cycle.start or now + timer_values.parse_duration(cycle.interval, now)
            span = timer_values.parse_duration(cycle.interval, first_at)
            event_value = {"cycles": cycle.repetitions, "next": first_at.isoformat(),
                           "duration": span.total_seconds()}
        ready = False
        if event_value["cycles"] > 0:
            next_event = datetime.fromisoformat(event_value["next"])
            if next_event < _now():
                event_value["next"] = (next_event + timedelta(seconds=event_value["duration"])).isoformat()
                event_value["cycles"] -= 1
                ready = True
        else:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
            return False
        my_task._set_internal_data(event_value=event_value)
        return ready


TIMER_CLASSES = (("timeDate", DialectDateTimerEventDefinition), ("timeDuration", DialectDurationTimerEventDefinition),
                 ("timeCycle", DialectCycleTimerEventDefinition))


class _TimerParsing:
    """Creates our timer definitions instead of SpiffWorkflow's."""

    def parse_timer_event(self, event):
        name = self.node.get("name", self.node.get("id"))
        description = self.get_event_description(event)
        for tag, cls in TIMER_CLASSES:
            node = first(self.xpath(f".//bpmn:{tag}"))
            if node is not None:
                return cls(name, node.text or "", description=description)
        raise ValidationException("定时器缺少 timeDate、timeDuration 或 timeCycle", node=self.node,
                                  file_name=self.filename)


class DialectStartEventParser(_TimerParsing, CamundaStartEventParser):
    """Start events with our timers; in an event sub-process an error start is an error start too
    (SpiffWorkflow 3.2 reads it as a plain start, so the sub-process would run at once)."""

    def create_task(self):
        xpaths = [MESSAGE_EVENT_XPATH, SIGNAL_EVENT_XPATH, TIMER_EVENT_XPATH, CONDITIONAL_EVENT_XPATH]
        if self.node.getparent().get("triggeredByEvent") == "true":
            xpaths.append(ERROR_EVENT_XPATH)
        task = self._create_task(self.get_event_definition(xpaths))
        self.spec.start.connect(task)
        return task


class DialectCatchEventParser(_TimerParsing, CamundaIntermediateCatchEventParser):
    """Intermediate timer catch events with our timers."""


class DialectBoundaryEventParser(_TimerParsing, CamundaBoundaryEventParser):
    """Boundary timer events with our timers."""


def pending_due(task) -> datetime | None:
    """When a waiting timer task fires next (None when it has no computed value)."""
    value = task._get_internal_data("event_value")
    if isinstance(value, str):
        return TimerEventDefinition.get_datetime(value)
    if isinstance(value, dict) and value.get("cycles", 0) > 0:
        return datetime.fromisoformat(value["next"])
    return None


def timer_errors(workflow) -> list[str]:
    """Messages of waiting timers whose value could not be computed (the workflow is not changed)."""
    return [t._get_internal_data(ERROR_KEY) for t in workflow.get_tasks(state=TaskState.WAITING)
            if t._get_internal_data(ERROR_KEY)]


def timer_failures(workflow) -> list[tuple[str, str]]:
    """Waiting timers whose value could not be computed, moved to ERROR: [(element id, message)]."""
    failed = []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        message = task._get_internal_data(ERROR_KEY)
        if message and isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition):
            task.workflow.top_workflow.event_manager.remove_task(task)
            task._set_state(TaskState.ERROR)
            failed.append((task.task_spec.bpmn_id, message))
    return failed


def shift_pending_timers(workflow, delta: timedelta) -> int:
    """Move every waiting timer's due instant by `delta`; returns how many moved.

    For data dated in the past (the demo): a report whose rows say it was submitted 20 days ago gets
    timers due when they would have been, so the next run fires the overdue ones as a scheduler would.
    """
    moved = 0
    for task in workflow.get_tasks(state=TaskState.WAITING):
        value = task._get_internal_data("event_value")
        if isinstance(value, str):
            value = (TimerEventDefinition.get_datetime(value) + delta).isoformat()
        elif isinstance(value, dict) and isinstance(value.get("next"), str):
            value = dict(value, next=(datetime.fromisoformat(value["next"]) + delta).isoformat())
        else:
            continue
        task._set_internal_data(event_value=value)
        record = task._get_internal_data(WORKDAYS_KEY)
        if isinstance(record, dict) and isinstance(record.get("start"), str):  # dated back with the timer
            start = (datetime.fromisoformat(record["start"]) + delta).isoformat()
            task._set_internal_data(**{WORKDAYS_KEY: dict(record, start=start)})
        moved += 1
    return moved


def recompute_workday_timers(workflow, deadline: Callable[[int, datetime], datetime],
                             task_starts: dict[str, datetime] | None = None) -> list[tuple[str, str, datetime, datetime]]:
    """After a calendar change: compute every waiting `workdays(n)` duration timer again from its start with
    `deadline(n, start)` and move it when the new time is later; returns [(element id, name, old, new)].

    A timer is never moved earlier (a deadline once announced is not shortened, e.g. by a make-up working
    day). A timer computed before the start was recorded takes the creation time of the open user task it is
    attached to from `task_starts` (task id → start); without either it keeps its time.
    """
    moved = []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        value = task._get_internal_data("event_value")
        if not isinstance(definition, DurationTimerEventDefinition) or not isinstance(value, str) \
                or task._get_internal_data("event_fired"):
            continue
        record = task._get_internal_data(WORKDAYS_KEY)
        if isinstance(record, dict):
            count, start = record.get("n"), datetime.fromisoformat(record.get("start"))
        else:
            count, start = workdays_count(definition.expression), _attached_start(task, task_starts or {})
        if not isinstance(count, int) or start is None:
            continue
        old, new = TimerEventDefinition.get_datetime(value), deadline(count, start)
        if new - old > MOVE_THRESHOLD:
            task._set_internal_data(event_value=new.isoformat())
            moved.append((task.task_spec.bpmn_id, task.task_spec.bpmn_name or task.task_spec.bpmn_id, old, new))
    return moved


def _attached_start(task, task_starts: dict[str, datetime]) -> datetime | None:
    """The start of the open user task a boundary timer is attached to (its sibling under the same parent)."""
    if task.parent is None:
        return None
    for sibling in task.parent.children:  # SpiffWorkflow: the task and its boundary events share a parent
        if sibling is not task and sibling.task_spec.manual and str(sibling.id) in task_starts:
            return task_starts[str(sibling.id)]
    return None
