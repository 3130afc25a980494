"""Running workflows in memory: engine steps with handler dispatch, user-task completion, timers."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import TaskState

from . import timer_values
from .dialect import SafeScriptEngine, TopicServiceTask
from .event_subprocess import settle
from .expressions import ExpressionEnvironment, UnsafeExpression
from .incidents import RunawayProcess, StepError, culprit, mark_failed, step_error
from .specs import SpecBundle
from .task_people import notice_of, people_of
from .timer_events import pending_due, recompute_workday_timers, timer_failures, workdays_count

MAX_RUN_ROUNDS = 200
TAKE_OVER_SIGNAL = "take_over"
# Far more engine tasks than one step of any real diagram runs; a loop of gateways and service tasks
# without a person in it would otherwise run until the task tree stalls (deeper than ~1000).
MAX_ENGINE_TASKS_PER_RUN = 500
# Which user tasks people have completed in a workflow: a new task of an element never completed has no
# earlier answers to prefill, so its step skips that query (engine/form_prefill.py).
_COMPLETED_ELEMENTS = "_riskmon_completed_elements"


class TaskNotOpen(LookupError):
    """The user task is not (or no longer) waiting for a person."""


class NoTakeOver(LookupError):
    """The diagram gives this user task no take-over (提级办理) boundary event."""


@dataclass
class UserTaskView:
    """An open user task as the read model needs it."""

    id: str
    element_id: str
    name: str
    candidate_group: str
    due: str | None
    priority: int
    form: dict
    candidate_groups: tuple[str, ...] = ()
    assignee: str | None = None
    candidate_users: tuple[str, ...] = ()
    brief: bool = False  # only id, element, name and groups: a task the read model already has (see snapshot)


@dataclass
class Snapshot:
    """Everything the projection needs to know about a workflow after a step."""

    open_tasks: list[UserTaskView] = field(default_factory=list)
    timers: list[tuple[str, datetime]] = field(default_factory=list)
    error_elements: list[str] = field(default_factory=list)
    completed: bool = False

    @property
    def next_timer_at(self) -> datetime | None:
        return min((due for _, due in self.timers), default=None)


def form_to_dict(form) -> dict:
    """The user task's generated form as plain JSON (field id, label, type, required, options)."""
    fields = []
    for f in getattr(form, "fields", []):
        props = {p.id: p.value for p in f.properties}
        fields.append({
            "id": f.id,
            "label": f.label or f.id,
            "type": f.type,
            "required": any(v.name == "required" for v in f.validation),
            "constraints": {v.name: v.config for v in f.validation if v.name != "required"},
            "default": f.default_value,
            "widget": props.get("widget"),
            "records": props.get("records"),
            "options": [{"id": o.id, "name": o.name} for o in getattr(f, "options", [])],
        })
    return {"fields": fields}


class Runtime:
    """Creates, steps and inspects workflows; knows nothing of the database."""

    def __init__(self, expressions: ExpressionEnvironment | None = None,
                 pass_through: tuple[type[BaseException], ...] = ()):
        self.expressions = expressions or ExpressionEnvironment()
        self.pass_through = pass_through

    def create(self, bundle: SpecBundle, data: dict | None = None) -> BpmnWorkflow:
        """A new workflow for the bundle, with initial data on its start task."""
        workflow = BpmnWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=SafeScriptEngine(self.expressions))
        set_completed_elements(workflow, set())
        if data:
            workflow.get_tasks(state=TaskState.READY)[0].data.update(data)
        return workflow

    def attach(self, workflow: BpmnWorkflow, call_topic=None) -> None:
        """Attach a fresh script engine; SpiffWorkflow never serializes it."""
        workflow.script_engine = SafeScriptEngine(self.expressions, call_topic)

    def run(self, workflow: BpmnWorkflow, call_topic=None, on_completed=None) -> list[StepError]:
        """Run engine tasks until only people or timers are awaited; failures are collected, not raised.

        Every failure ends as an incident: the task that caused it is left in ERROR (see incidents.py).
        Exceptions of the types in `pass_through` (database errors) are never incidents: they propagate
        so that the caller rolls the whole step back.
        """
        self.attach(workflow, call_topic)
        errors: list[StepError] = _pending_errors(workflow, take=True)
        tracker = _Tracker(on_completed)
        failed: set = set()
        for _ in range(MAX_RUN_ROUNDS):
            tracker.current = None
            try:
                workflow.do_engine_steps(will_complete_task=tracker.will_run, did_complete_task=tracker.did_run)
            except self.pass_through:
                raise
            except Exception as exc:  # noqa: BLE001 - every failure is recorded on the instance
                task = culprit(exc, tracker.current)
                errors.append(step_error(task, exc))
                mark_failed(task)
                if task is None or task.id in failed or isinstance(exc, RunawayProcess):
                    break
                failed.add(task.id)
                continue
            errors.extend(StepError(element, message, "") for element, message in timer_failures(workflow))
            if not settle(workflow) and not _engine_ready(workflow):
                break
        errors.extend(self._check_due_dates(workflow))
        return errors

    def _check_due_dates(self, workflow: BpmnWorkflow) -> list[StepError]:
        """A user task whose camunda:dueDate cannot be computed is an incident, not a 500 when it is listed."""
        errors = []
        for task in workflow.get_tasks(state=TaskState.READY):
            expression = (getattr(task.task_spec, "extensions", None) or {}).get("dueDate")
            if not task.task_spec.manual or not expression:
                continue
            try:
                self.expressions.evaluate(expression, task.data)
            except UnsafeExpression as exc:
                errors.append(step_error(task, exc))
                mark_failed(task)
        return errors

    def complete_user_task(self, workflow: BpmnWorkflow, task_id: str, data: dict) -> str:
        """Merge form data into an open user task and complete it; returns its element id."""
        task = self.open_user_task(workflow, task_id)
        task.data.update(data)
        self.attach(workflow)
        try:
            task.run()
        except self.pass_through:
            raise
        except Exception as exc:
            if not task.has_state(TaskState.COMPLETED):
                raise
            # The person's work is done; what failed is the next element (a timer computed as it became
            # reachable). It becomes an incident when the engine runs next in this step.
            failed = culprit(exc, None)
            mark_failed(failed)
            _pending_errors(workflow).append(step_error(failed, exc))
        done = completed_elements(workflow)
        if done is not None:
            done.add(task.task_spec.bpmn_id)
        return task.task_spec.bpmn_id

    @staticmethod
    def may_have_run(workflow: BpmnWorkflow, element_id: str) -> bool:
        """False only when a person never completed this user task in this workflow (so it has no earlier
        answers); True when it did, or when the workflow predates the record (restored without it)."""
        done = completed_elements(workflow)
        return done is None or element_id in done

    def take_over(self, workflow: BpmnWorkflow, task_id: str) -> str:
        """Fire the interrupting `take_over` signal boundary event attached to an open user task."""
        task = self.open_user_task(workflow, task_id)
        for waiting in workflow.get_tasks(state=TaskState.WAITING):
            definition = getattr(waiting.task_spec, "event_definition", None)
            if (isinstance(definition, SignalEventDefinition) and definition.name == TAKE_OVER_SIGNAL
                    and waiting.parent is task.parent):
                self.attach(workflow)
                waiting.task_spec.catch(waiting, BpmnEvent(definition))
                waiting.task_spec._update(waiting)
                return waiting.task_spec.bpmn_id
        raise NoTakeOver(task.task_spec.bpmn_id)

    def can_take_over(self, workflow: BpmnWorkflow, task_id: str) -> bool:
        """True when the open user task has a take-over boundary event waiting."""
        try:
            task = self.open_user_task(workflow, task_id)
        except TaskNotOpen:
            return False
        return any(isinstance(getattr(w.task_spec, "event_definition", None), SignalEventDefinition)
                   and w.task_spec.event_definition.name == TAKE_OVER_SIGNAL and w.parent is task.parent
                   for w in workflow.get_tasks(state=TaskState.WAITING))

    def open_user_task(self, workflow: BpmnWorkflow, task_id: str):
        """The READY user task with this id, or TaskNotOpen."""
        try:
            task = workflow.get_task_from_id(UUID(str(task_id)))
        except (ValueError, KeyError, TypeError, TaskNotFoundException):
            task = None
        if task is None or not task.task_spec.manual or not task.has_state(TaskState.READY):
            raise TaskNotOpen(task_id)
        return task

    def postpone_task_timers(self, workflow: BpmnWorkflow, task_id: str, delta: timedelta) -> list[str]:
        """Move the pending timers attached to an open user task (its boundary events) by `delta`."""
        task = self.open_user_task(workflow, task_id)
        moved = []
        for sibling in task.parent.children if task.parent is not None else []:
            definition = getattr(sibling.task_spec, "event_definition", None)
            if sibling is task or not sibling.has_state(TaskState.WAITING) or \
                    not isinstance(definition, TimerEventDefinition):
                continue
            value = sibling._get_internal_data("event_value")
            if isinstance(value, str):
                sibling._set_internal_data(event_value=(TimerEventDefinition.get_datetime(value) + delta).isoformat())
            elif isinstance(value, dict) and isinstance(value.get("next"), str):
                value["next"] = (datetime.fromisoformat(value["next"]) + delta).isoformat()
            else:
                continue
            moved.append(sibling.task_spec.bpmn_id)
        return moved

    def due_workdays(self, workflow: BpmnWorkflow, task_id: str) -> int | None:
        """n when the open user task's camunda:dueDate is exactly `workdays(n)`, else None."""
        try:
            task = self.open_user_task(workflow, task_id)
        except TaskNotOpen:
            return None
        return workdays_count((getattr(task.task_spec, "extensions", None) or {}).get("dueDate"))

    @staticmethod
    def recompute_workday_timers(workflow: BpmnWorkflow, deadline, task_starts=None):
        """See engine.timer_events.recompute_workday_timers."""
        return recompute_workday_timers(workflow, deadline, task_starts)

    def task_completed(self, workflow: BpmnWorkflow, task_id: str) -> bool:
        """True when the task exists and finished normally (not cancelled)."""
        try:
            task = workflow.get_task_from_id(UUID(str(task_id)))
        except (ValueError, KeyError, TypeError, TaskNotFoundException):
            return False
        return task is not None and task.has_state(TaskState.COMPLETED)

    def reset_failed(self, workflow: BpmnWorkflow, element_id: str | None = None) -> list[str]:
        """Put failed tasks (all, or those of one element) back to READY; returns their element ids."""
        reset = []
        for task in workflow.get_tasks(state=TaskState.ERROR):
            if element_id in (None, task.task_spec.bpmn_id):
                workflow.reset_from_task_id(task.id)
                reset.append(task.task_spec.bpmn_id)
        return reset

    def skip_failed(self, workflow: BpmnWorkflow, element_id: str, data: dict) -> bool:
        """Mark a failed task complete with the given data, as if its handler had succeeded."""
        for task in workflow.get_tasks(state=TaskState.ERROR):
            if task.task_spec.bpmn_id == element_id:
                workflow.reset_from_task_id(task.id)
                task.data.update(data)
                task.complete()
                return True
        return False

    def snapshot(self, workflow: BpmnWorkflow, known: Collection[str] = ()) -> Snapshot:
        """Open user tasks, pending timers and failures of the workflow as it is now. The open tasks whose ids
        are in `known` (rows the read model already has) get brief views: their due date, form and people are
        not evaluated again."""
        snap = Snapshot(completed=workflow.is_completed())
        for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.ERROR):
            spec = task.task_spec
            if task.has_state(TaskState.ERROR):
                snap.error_elements.append(spec.bpmn_id)
            elif task.has_state(TaskState.READY) and spec.manual:
                task_id = str(task.id)
                snap.open_tasks.append(self._brief_view(task, task_id) if task_id in known else self._view(task))
            elif task.has_state(TaskState.WAITING) and isinstance(
                    getattr(spec, "event_definition", None), TimerEventDefinition):
                due = pending_due(task)
                if due is not None:
                    snap.timers.append((spec.bpmn_id, due))
        return snap

    @staticmethod
    def _brief_view(task, task_id: str) -> UserTaskView:
        groups = _groups_of(getattr(task.task_spec, "extensions", {}) or {})
        return UserTaskView(id=task_id, element_id=task.task_spec.bpmn_id,
                            name=task.task_spec.bpmn_name or task.task_spec.bpmn_id,
                            candidate_group=groups[0] if groups else "", due=None, priority=50, form={},
                            candidate_groups=groups, brief=True)

    def _view(self, task) -> UserTaskView:
        ext = getattr(task.task_spec, "extensions", {}) or {}
        try:
            priority = int(ext.get("priority") or 50)
        except ValueError:
            priority = 50
        groups = _groups_of(ext)
        assignee, users = people_of(self.expressions, ext, task.data)
        form = form_to_dict(getattr(task.task_spec, "form", None))
        notice = notice_of(task.data)
        if notice:
            form["notice"] = notice
        return UserTaskView(
            id=str(task.id), element_id=task.task_spec.bpmn_id,
            name=task.task_spec.bpmn_name or task.task_spec.bpmn_id,
            candidate_group=groups[0] if groups else "",
            due=self._due_expression(task, ext.get("dueDate")), priority=priority,
            form=form, candidate_groups=groups, assignee=assignee, candidate_users=users)

    def _due_expression(self, task, expression: str | None) -> str | None:
        if not expression:
            return None
        if timer_values.literal_text(expression) is not None:  # `2026-12-31` is a date, not a subtraction
            return timer_values.literal_text(expression)
        value = self.expressions.evaluate(expression, task.data)
        return str(value) if value is not None else None


def _groups_of(ext: dict) -> tuple[str, ...]:
    return tuple(g.strip() for g in (ext.get("candidateGroups") or "").split(",") if g.strip())


def _engine_ready(workflow: BpmnWorkflow) -> bool:
    return any(not t.task_spec.manual for t in workflow.get_tasks(state=TaskState.READY))


def completed_elements(workflow: BpmnWorkflow) -> set[str] | None:
    """Element ids of the user tasks people completed in this workflow (None: not recorded for it)."""
    return workflow.__dict__.get(_COMPLETED_ELEMENTS)


def set_completed_elements(workflow: BpmnWorkflow, elements: set[str] | None) -> None:
    """Start (a set) or forget (None) the record of completed user tasks (kept in the serialized state)."""
    workflow.__dict__[_COMPLETED_ELEMENTS] = elements


def _pending_errors(workflow: BpmnWorkflow, take: bool = False) -> list[StepError]:
    """Incidents found outside `run` (while completing a user task), kept on the in-memory workflow."""
    pending = workflow.__dict__.setdefault("_riskmon_pending_errors", [])
    if take:
        workflow.__dict__["_riskmon_pending_errors"] = []
    return pending


class _Tracker:
    """Knows which task the engine is running, and stops a run that never reaches a person or a timer."""

    def __init__(self, on_completed=None):
        self.on_completed = on_completed
        self.current = None
        self.count = 0

    def will_run(self, task) -> None:
        self.current = task
        self.count += 1
        if self.count > MAX_ENGINE_TASKS_PER_RUN:
            raise RunawayProcess(f"一次运行中引擎任务超过 {MAX_ENGINE_TASKS_PER_RUN} 个，流程可能在没有人工环节的循环中"
                                 "空转，已停止；请检查网关条件")

    def did_run(self, task) -> None:
        self.current = None
        if self.on_completed is not None:
            self.on_completed(task)


def is_service_task(task) -> bool:
    """True for our topic service tasks."""
    return isinstance(task.task_spec, TopicServiceTask)
