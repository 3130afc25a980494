"""Event sub-processes (`subProcess triggeredByEvent="true"`) run as BPMN says.

SpiffWorkflow 3.2 runs them, but (1) an untriggered timer sub-process keeps the process open after its
main flow has ended, so a closed report would still be "waiting" and later be urged; and (2) an error
start does not interrupt the rest of the process. `settle` fixes both after every engine pass.
Only top-level event sub-processes with a non-interrupting timer start or an error start are
allowed by the validator (see engine.dialect_table).
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs.control import _EndJoin
from SpiffWorkflow.bpmn.specs.defaults import CallActivity, StartEvent
from SpiffWorkflow.bpmn.parser.task_parsers import SubprocessParser
from SpiffWorkflow.camunda.parser.task_spec import SubWorkflowParser
from SpiffWorkflow.task import TaskState

INTERRUPT_DONE = "interrupt_done"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


class EventSubprocessTask(CallActivity):
    """An event sub-process; `interrupting` when its start cancels the rest of the process."""

    def __init__(self, wf_spec, bpmn_id, subworkflow_spec, interrupting=False, **kwargs):
        super().__init__(wf_spec, bpmn_id, subworkflow_spec, **kwargs)
        self.interrupting = interrupting


class EventSubprocessParser(SubWorkflowParser):
    """subProcess elements; those triggered by an event become EventSubprocessTask."""

    def create_task(self):
        if self.node.get("triggeredByEvent") != "true":
            return super().create_task()
        subworkflow_spec = SubprocessParser.get_subprocess_spec(self)
        start = self.node.find(f"{{{BPMN}}}startEvent")
        interrupting = start is not None and start.get("isInterrupting", "true") == "true"
        return EventSubprocessTask(self.spec, self.bpmn_id, subworkflow_spec=subworkflow_spec,
                                   interrupting=interrupting, **self.bpmn_attributes)


def _plumbing(task) -> bool:
    return isinstance(task.task_spec, _EndJoin) or task.task_spec.name in ("End", "Start", "Root")


def _open_top_level(workflow) -> list:
    return [t for t in workflow.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]


def _start_fired(workflow, task) -> bool:
    sub = workflow.subprocesses.get(task.id)
    if sub is None:
        return False
    return any(isinstance(t.task_spec, StartEvent) and t.has_state(TaskState.COMPLETED) for t in sub.tasks.values())


def _cancel(workflow, task) -> None:
    sub = workflow.subprocesses.get(task.id)
    if sub is not None:
        workflow.cancel(sub)
    task.cancel()


def _wake_end_joins(workflow) -> None:
    for task in _open_top_level(workflow):
        if isinstance(task.task_spec, _EndJoin) and task.has_state(TaskState.WAITING):
            task.task_spec._update(task)


def _interrupt(workflow) -> bool:
    """An interrupting event sub-process has started: cancel everything else of the process, once."""
    changed = False
    for task in list(workflow.tasks.values()):
        spec = task.task_spec
        if not (isinstance(spec, EventSubprocessTask) and spec.interrupting and task.id in workflow.subprocesses):
            continue
        if task._get_internal_data(INTERRUPT_DONE):
            continue
        if not _start_fired(workflow, task):
            continue
        task._set_internal_data(**{INTERRUPT_DONE: True})
        for other in _open_top_level(workflow):
            if other is not task and not _plumbing(other) and not _is_descendant(other, task):
                _cancel(workflow, other)
        changed = True
    return changed


def _is_descendant(task, ancestor) -> bool:
    parent = task.parent
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.parent
    return False


def _close_idle(workflow) -> bool:
    """The main flow has ended: untriggered event sub-processes end with it."""
    open_tasks = [t for t in _open_top_level(workflow) if not _plumbing(t)]
    subs = [t for t in open_tasks if isinstance(t.task_spec, EventSubprocessTask)]
    if not subs or any(t not in subs and not any(_is_descendant(t, s) for s in subs) for t in open_tasks):
        return False
    idle = [t for t in subs if not _start_fired(workflow, t)]
    if len(idle) != len(subs):
        return False
    for task in idle:
        _cancel(workflow, task)
    return True


def settle(workflow) -> bool:
    """Apply interruptions and close idle event sub-processes; True when the engine should run again."""
    changed = _interrupt(workflow) | _close_idle(workflow)
    if changed:
        _wake_end_joins(workflow)
    return changed
