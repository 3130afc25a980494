"""Timer event definitions whose values come from engine.timer_values, and the parser mixin creating them.

SpiffWorkflow's stock timers hand the evaluated text to its own parsers (naive dates in the server's
zone, unbounded cycles) and, when that fails, raise from deep inside a refresh: the instance's timers
disappear without a trace. Ours compute the value once, and a value that cannot be computed marks
the event so that the runtime turns it into an error on the element (see `timer_failures`).
"""
from __future__ import annotations

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
from .timer_values import TimerValueError

ERROR_KEY = "timer_error"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _compute(definition, my_task, kind):
    """The timer's value, computed once; None (and the reason kept on the task) when it cannot be."""
    def evaluate(text):
        return my_task.workflow.script_engine.evaluate(my_task, text)
    try:
        return timer_values.compute(kind, definition.expression, evaluate, _now())
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
            due = _compute(self, my_task, self.KIND)
            if due is None:
                return False
            event_value = due.isoformat()
            my_task._set_internal_data(event_value=event_value)
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
        moved += 1
    return moved
