"""Looking inside a workflow for admins: element states, task data, and the repairs that need the tree.

Kept apart from `runtime.py` (which runs workflows for people) because these functions reach into
tasks that are not waiting for anyone: completed ones to reset to, failed ones to inspect.
"""
from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import TaskState

from .dialect import TopicServiceTask
from .incidents import describe

SHOWN_STATES = TaskState.READY | TaskState.WAITING | TaskState.ERROR | TaskState.STARTED
STATE_LABELS = {TaskState.READY: "待办理", TaskState.WAITING: "等待中", TaskState.ERROR: "出错",
                TaskState.STARTED: "执行中", TaskState.COMPLETED: "已完成"}


class TaskNotFound(LookupError):
    """No task (or no task in the needed state) matches."""


class RetryFailed(RuntimeError):
    """Resetting a failed task failed again at once (its cause is not fixed yet); the message is Chinese."""


@dataclass
class ElementStates:
    """Diagram element ids by what happened to them, for colouring the diagram."""

    completed: list[str] = field(default_factory=list)
    active: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


@dataclass
class TaskDataView:
    """One live task of the workflow with the data it carries."""

    id: str
    element_id: str
    name: str
    state: str
    data: dict


def _is_element(task) -> bool:
    return bool(getattr(task.task_spec, "bpmn_id", None))


def element_states(workflow: BpmnWorkflow) -> ElementStates:
    """Which diagram elements completed, are active (waiting for people or timers) or failed."""
    states = ElementStates()
    buckets = ((TaskState.COMPLETED, states.completed), (TaskState.READY | TaskState.WAITING | TaskState.STARTED,
                                                          states.active), (TaskState.ERROR, states.failed))
    for mask, bucket in buckets:
        for task in workflow.get_tasks(state=mask):
            if _is_element(task) and task.task_spec.bpmn_id not in bucket:
                bucket.append(task.task_spec.bpmn_id)
    states.completed = [e for e in states.completed if e not in states.active and e not in states.failed]
    return states


def live_task_data(workflow: BpmnWorkflow) -> list[TaskDataView]:
    """Tasks that are waiting, running or failed, with their data (what an admin may view and edit)."""
    views = []
    for task in workflow.get_tasks(state=SHOWN_STATES):
        if not _is_element(task):
            continue
        spec = task.task_spec
        views.append(TaskDataView(id=str(task.id), element_id=spec.bpmn_id, name=spec.bpmn_name or spec.bpmn_id,
                                  state=STATE_LABELS.get(task.state, str(task.state)), data=_plain(task.data)))
    return views


def update_task_data(workflow: BpmnWorkflow, task_id: str, changes: dict, removed: list[str] = ()) -> dict:
    """Set (and remove) keys in one live task's data; returns the previous values of the touched keys."""
    task = _task(workflow, task_id)
    if task is None or not task.has_state(SHOWN_STATES):
        raise TaskNotFound(task_id)
    before = {key: task.data.get(key) for key in [*changes, *removed]}
    task.data.update(changes)
    for key in removed:
        task.data.pop(key, None)
    return before


def retry_failed(workflow: BpmnWorkflow, element_id: str | None = None) -> list[str]:
    """Put failed tasks (all, or one element's) back to READY keeping their data; returns their element ids.

    SpiffWorkflow's reset copies the parent's data into the task, which would drop what an admin edited on
    the failed task before retrying; so the task's own data is handed back to the reset.
    """
    reset = []
    for task in workflow.get_tasks(state=TaskState.ERROR):
        if element_id in (None, task.task_spec.bpmn_id):
            try:
                workflow.reset_from_task_id(task.id, data=deepcopy(task.data))
            except Exception as exc:  # noqa: BLE001 - e.g. a timer that still cannot be computed
                raise RetryFailed(describe(task, exc)) from exc
            reset.append(task.task_spec.bpmn_id)
    return reset


def resettable_elements(workflow: BpmnWorkflow) -> list[tuple[str, str]]:
    """Completed user and service tasks the instance may be reset to: (element id, name)."""
    seen: dict[str, str] = {}
    for task in workflow.get_tasks(state=TaskState.COMPLETED):
        spec = task.task_spec
        if _is_element(task) and (spec.manual or isinstance(spec, TopicServiceTask)):
            seen.setdefault(spec.bpmn_id, spec.bpmn_name or spec.bpmn_id)
    return list(seen.items())


def reset_to_element(workflow: BpmnWorkflow, element_id: str) -> tuple[str, str]:
    """Reset the workflow to the latest completed run of a user or service task: (task id, name).

    SpiffWorkflow keeps the task's id, so a user task comes back under the id of its old human_task row.
    """
    if element_id not in dict(resettable_elements(workflow)):
        raise TaskNotFound(element_id)
    candidates = [t for t in workflow.get_tasks(state=TaskState.COMPLETED) if t.task_spec.bpmn_id == element_id]
    task = max(candidates, key=lambda t: t.last_state_change)
    workflow.reset_from_task_id(task.id)
    return str(task.id), task.task_spec.bpmn_name or element_id


def _task(workflow: BpmnWorkflow, task_id: str):
    try:
        return workflow.get_task_from_id(UUID(str(task_id)))
    except (ValueError, KeyError, TypeError, TaskNotFoundException):
        return None


def _plain(data: dict) -> dict:
    """Task data as JSON-friendly values (anything else shown as its text)."""
    out = {}
    for key, value in data.items():
        out[key] = value if isinstance(value, (str, int, float, bool, type(None), list, dict)) else str(value)
    return out


def element_names(workflow: BpmnWorkflow) -> dict[str, str]:
    """Diagram element id → its Chinese name, for every element of the workflow's spec."""
    names = {}
    for spec in workflow.spec.task_specs.values():
        bpmn_id = getattr(spec, "bpmn_id", None)
        if bpmn_id:
            names[bpmn_id] = getattr(spec, "bpmn_name", None) or bpmn_id
    return names
