"""Instance state without the spec: the spec is stored once per process version.

SpiffWorkflow's stock serializer embeds ~19 kB of spec in every instance. Our workflow converter
leaves the spec out and takes it from the version's cached bundle when restoring.

A step re-serializes the whole task tree, most of which has not changed since the last step: the JSON text of
a finished (completed or cancelled) task is kept on the task object and reused while the task, its children
and its parent are unchanged (its saved data is a delta against its parent's). So is that of a task with no
data of its own (the predicted tasks ahead), while it and its children are unchanged and its parent's data has
the same names.
"""
from __future__ import annotations

import functools
import json
import zlib
from copy import copy
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.task import TaskState

from .dialect import SafeScriptEngine
from .expressions import ExpressionEnvironment
from .runtime import completed_elements, set_completed_elements
from .specs import SpecBundle

FORMAT = 1
_FINAL = TaskState.COMPLETED | TaskState.CANCELLED
_TEXT_KEY = "_riskmon_json"


class SpecByReferenceConverter(BpmnWorkflowConverter):
    """Converts a top-level workflow without its spec; restores it against a given bundle."""

    def to_dict(self, workflow, with_tasks: bool = True):
        if with_tasks:
            dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        else:  # WorkflowConverter.to_dict of SpiffWorkflow 3.2 without the task mapping (dumps writes it)
            dct = {"data": self.registry.convert(self.registry.clean(workflow.data)),
                   "correlations": workflow.correlations,
                   "last_task": str(workflow.last_task.id) if workflow.last_task is not None else None,
                   "success": workflow.success, "completed": workflow.completed, "root": str(workflow.task_tree.id)}
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        done = completed_elements(workflow)
        if done is not None:
            dct["completed_elements"] = sorted(done)
        return dct

    def restore_with_spec(self, dct, bundle: SpecBundle) -> BpmnWorkflow:
        # Never the library's default engine (plain eval), even before the runtime attaches its own.
        workflow = self.target_class(bundle.spec, bundle.subprocess_specs, deserializing=True,
                                     script_engine=SafeScriptEngine(ExpressionEnvironment()))
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        done = dct.pop("completed_elements", None)  # absent in states saved before it was recorded
        set_completed_elements(workflow, set(done) if done is not None else None)
        return workflow


class InstanceSerializer:
    """Dumps and loads workflow state as compressed JSON bytes."""

    def __init__(self):
        config = copy(CAMUNDA_CONFIG)
        config.pop(BpmnWorkflow)
        self.registry = BpmnWorkflowSerializer.configure(config)
        self.converter = SpecByReferenceConverter(BpmnWorkflow, self.registry)
        self._spec_texts: dict[str, str] = {}
        self._type_texts: dict[type, str] = {}

    def dumps(self, workflow: BpmnWorkflow) -> bytes:
        """Serialize the instance (task tree and data, no spec)."""
        dct = self.converter.to_dict(workflow, with_tasks=False)
        dct["format"] = FORMAT
        tasks = ",".join(self._task_entry(key, task) for key, task in workflow.tasks.items())
        text = f'{_dump(dct)[:-1]},"tasks":{{{tasks}}}}}'
        return zlib.compress(text.encode("utf-8"), 1)

    def _task_entry(self, key, task) -> str:
        """`"<id>":<task JSON>`, reused from the task object while what it is written from is unchanged."""
        parent = task.parent
        if task._state & _FINAL:
            mark = (task._state, task.last_state_change, tuple(task._children), task.triggered,
                    None if parent is None else (parent._state, parent.last_state_change))
            names = None
        elif parent is not None and not task.data and not task.internal_data:
            # A predicted (or waiting) task with no data of its own: its delta lists only the names of its
            # parent's data as deletions, so its text changes only with its state, children and those names;
            # it is written from a template (the engine re-creates many such tasks at every step).
            names = tuple(parent.data)
            mark = (task._state, task.last_state_change, tuple(task._children), task.triggered, names)
        else:
            return f'"{key}":{_dump(self.registry.convert(task))}'
        cached = task.__dict__.get(_TEXT_KEY)
        if cached is not None and cached[0] == mark:
            return cached[1]
        text = self._plain_text(task, names) if names is not None else _dump(self.registry.convert(task))
        entry = f'"{key}":{text}'
        task.__dict__[_TEXT_KEY] = (mark, entry)
        return entry

    def _plain_text(self, task, names: tuple) -> str:
        """What `_dump(self.registry.convert(task))` writes for a task with a parent, no data and no internal
        data (SpiffWorkflow 3's TaskConverter: the data is a delta whose deletions are the parent's names)."""
        spec = self._spec_texts.get(task.task_spec.name)
        if spec is None:
            spec = self._spec_texts[task.task_spec.name] = _dump(task.task_spec.name)
        kind = self._type_texts.get(task.__class__)
        if kind is None:
            kind = self._type_texts[task.__class__] = _dump(self.registry.typenames[task.__class__])
        changed = task.last_state_change
        changed = repr(changed) if type(changed) in (int, float) else _dump(changed)
        children = ",".join(f'"{child}"' for child in task._children)
        return (f'{{"id":"{task.id}","parent":"{task._parent}","children":[{children}],'
                f'"last_state_change":{changed},"state":{task._state:d},"task_spec":{spec},'
                f'"triggered":{"true" if task.triggered else "false"},"internal_data":{{}},"data":{{}},'
                f'"delta":{{"updates":{{}},"deletions":{_names_text(names)}}},"typename":{kind}}}')

    def loads(self, blob: bytes, bundle: SpecBundle) -> BpmnWorkflow:
        """Restore an instance against its version's spec."""
        dct = json.loads(zlib.decompress(blob))
        dct.pop("format", None)
        return self.converter.restore_with_spec(dct, bundle)


@functools.lru_cache(maxsize=1024)
def _names_text(names: tuple) -> str:
    return _dump(list(names))


def _dump(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def _json_default(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"任务数据中含有无法保存的值：{type(value).__name__}")
