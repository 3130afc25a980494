"""Running workflows in memory: engine steps with handler dispatch, user-task completion, timers."""
from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import TaskState

from . import timer_values
from .dialect import HandlerFailed, SafeScriptEngine, TopicServiceTask
from .event_subprocess import settle
from .expressions import ExpressionEnvironment
from .specs import SpecBundle
from .timer_events import pending_due, timer_failures

MAX_RUN_ROUNDS = 200


class TaskNotOpen(LookupError):
    """The user task is not (or no longer) waiting for a person."""


@dataclass
class StepError:
    """A task that failed while the engine ran."""

    element_id: str
    message: str
    traceback: str


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
            "options": [{"id": o.id, "name": o.name} for o in getattr(f, "options", [])],
        })
    return {"fields": fields}


class Runtime:
    """Creates, steps and inspects workflows; knows nothing of the database."""

    def __init__(self, expressions: ExpressionEnvironment | None = None):
        self.expressions = expressions or ExpressionEnvironment()

    def create(self, bundle: SpecBundle, data: dict | None = None) -> BpmnWorkflow:
        """A new workflow for the bundle, with initial data on its start task."""
        workflow = BpmnWorkflow(bundle.spec, bundle.subprocess_specs)
        if data:
            workflow.get_tasks(state=TaskState.READY)[0].data.update(data)
        return workflow

    def attach(self, workflow: BpmnWorkflow, call_topic=None) -> None:
        """Attach a fresh script engine; SpiffWorkflow never serializes it."""
        workflow.script_engine = SafeScriptEngine(self.expressions, call_topic)

    def run(self, workflow: BpmnWorkflow, call_topic=None, on_completed=None) -> list[StepError]:
        """Run engine tasks until only people or timers are awaited; failures are collected, not raised."""
        self.attach(workflow, call_topic)
        errors: list[StepError] = []
        current: list = [None]

        def will_run(task):
            current[0] = task

        for _ in range(MAX_RUN_ROUNDS):
            current[0] = None
            try:
                workflow.do_engine_steps(will_complete_task=will_run, did_complete_task=on_completed)
            except Exception as exc:  # noqa: BLE001 - every failure is recorded on the instance
                task = current[0]
                errors.append(_step_error(task, exc))
                if task is None or not task.has_state(TaskState.ERROR):
                    break
                continue
            errors.extend(StepError(element, message, "") for element, message in timer_failures(workflow))
            if not settle(workflow) and not _engine_ready(workflow):
                break
        return errors

    def complete_user_task(self, workflow: BpmnWorkflow, task_id: str, data: dict) -> str:
        """Merge form data into an open user task and complete it; returns its element id."""
        task = self.open_user_task(workflow, task_id)
        task.data.update(data)
        self.attach(workflow)
        task.run()
        return task.task_spec.bpmn_id

    def open_user_task(self, workflow: BpmnWorkflow, task_id: str):
        """The READY user task with this id, or TaskNotOpen."""
        try:
            task = workflow.get_task_from_id(UUID(str(task_id)))
        except (ValueError, KeyError, TypeError, TaskNotFoundException):
            task = None
        if task is None or not task.task_spec.manual or not task.has_state(TaskState.READY):
            raise TaskNotOpen(task_id)
        return task

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

    def snapshot(self, workflow: BpmnWorkflow) -> Snapshot:
        """Open user tasks, pending timers and failures of the workflow as it is now."""
        snap = Snapshot(completed=workflow.is_completed())
        for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.ERROR):
            spec = task.task_spec
            if task.has_state(TaskState.ERROR):
                snap.error_elements.append(spec.bpmn_id)
            elif task.has_state(TaskState.READY) and spec.manual:
                snap.open_tasks.append(self._view(task))
            elif task.has_state(TaskState.WAITING) and isinstance(
                    getattr(spec, "event_definition", None), TimerEventDefinition):
                due = pending_due(task)
                if due is not None:
                    snap.timers.append((spec.bpmn_id, due))
        return snap

    def _view(self, task) -> UserTaskView:
        ext = getattr(task.task_spec, "extensions", {}) or {}
        try:
            priority = int(ext.get("priority") or 50)
        except ValueError:
            priority = 50
        return UserTaskView(
            id=str(task.id), element_id=task.task_spec.bpmn_id,
            name=task.task_spec.bpmn_name or task.task_spec.bpmn_id,
            candidate_group=(ext.get("candidateGroups") or "").split(",")[0].strip(),
            due=self._due_expression(task, ext.get("dueDate")), priority=priority,
            form=form_to_dict(getattr(task.task_spec, "form", None)))

    def _due_expression(self, task, expression: str | None) -> str | None:
        if not expression:
            return None
        if timer_values.literal_text(expression) is not None:  # `2026-12-31` is a date, not a subtraction
            return timer_values.literal_text(expression)
        value = self.expressions.evaluate(expression, task.data)
        return str(value) if value is not None else None


def _engine_ready(workflow: BpmnWorkflow) -> bool:
    return any(not t.task_spec.manual for t in workflow.get_tasks(state=TaskState.READY))


def _step_error(task, exc: BaseException) -> StepError:
    original = exc.error if isinstance(exc, HandlerFailed) else exc
    element = task.task_spec.bpmn_id if task is not None else "?"
    message = str(exc) if isinstance(exc, HandlerFailed) else f"{element} 执行失败：{original}"
    tb = "".join(traceback.format_exception(type(original), original, original.__traceback__))
    return StepError(element_id=element, message=message, traceback=tb)


def is_service_task(task) -> bool:
    """True for our topic service tasks."""
    return isinstance(task.task_spec, TopicServiceTask)
