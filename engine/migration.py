"""Moving a running workflow onto another version of its diagram (SpiffWorkflow's diff/migrate).

`SpiffWorkflow.bpmn.util.diff` aligns the old and new task specs by BPMN id; `migrate_workflow`
points each task at its new spec and re-predicts the READY/WAITING branches (a waiting timer starts
counting again from the migration). A task whose element no longer exists cannot be pointed
anywhere — even a completed one, since restoring the instance looks every task's spec up by id — so
such instances are refused with the reason instead of being half-migrated.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from copy import copy

from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.task import TaskState

from .dialect import SafeScriptEngine, TopicServiceTask
from .event_subprocess import EventSubprocessTask
from .timer_events import (
    DialectCycleTimerEventDefinition, DialectDateTimerEventDefinition, DialectDurationTimerEventDefinition,
    timer_errors,
)
from .specs import SpecBundle

DIALECT_SUBCLASSES = (EventSubprocessTask, DialectCycleTimerEventDefinition, DialectDateTimerEventDefinition,
                      DialectDurationTimerEventDefinition)
LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


@dataclass
class MigrationCheck:
    """Whether a workflow can move to a version; reasons when not, notes on what will change."""

    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    at_elements: list[str] = field(default_factory=list)

    @property
    def possible(self) -> bool:
        return not self.reasons


def _name(spec) -> str:
    return getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name


def _is_waiting_point(spec) -> bool:
    return _is_element(spec) and (spec.manual or getattr(spec, "event_definition", None) is not None)


def _is_element(spec) -> bool:
    return bool(getattr(spec, "bpmn_id", None))


class TopicServiceTaskConverter(BpmnTaskSpecConverter):
    """Lets SpecDiff compare our service tasks (topic and input parameters count as changes)."""

    def to_dict(self, spec):
        dct = self.get_default_attributes(spec)
        dct.update(topic=spec.topic, input_parameters=dict(spec.input_parameters))
        return dct


def spec_registry():
    """A serializer registry that can convert every task spec of our dialect (a copy of Camunda's)."""
    config = copy(CAMUNDA_CONFIG)
    config[TopicServiceTask] = TopicServiceTaskConverter
    for ours in DIALECT_SUBCLASSES:  # our timers and event sub-processes compare like their library parents
        config[ours] = CAMUNDA_CONFIG[next(c for c in ours.__mro__[1:] if c in CAMUNDA_CONFIG)]
    return BpmnWorkflowSerializer.configure(config)


class Migrator:
    """Checks and performs migrations of workflows between versions of their diagram."""

    def __init__(self, registry=None):
        self.registry = registry or spec_registry()

    def _diff(self, workflow, bundle: SpecBundle):
        return diff_workflow(self.registry, workflow, bundle.spec, bundle.subprocess_specs)

    def check(self, workflow, bundle: SpecBundle, trial_copy=None) -> MigrationCheck:
        """Can this workflow run on `bundle`? Never changes the workflow.

        `trial_copy()` returns an independent copy of the workflow; when given, the migration is tried
        on it, because re-predicting the waiting branches evaluates the new version's expressions (a
        timer may need data this instance never collected).
        """
        result = MigrationCheck()
        live = workflow.get_tasks(state=LIVE)
        result.at_elements = sorted({_name(t.task_spec) for t in live if _is_waiting_point(t.task_spec)})
        for task in workflow.get_tasks(state=TaskState.ERROR):
            result.reasons.append(f"“{_name(task.task_spec)}”处于出错状态，请先在管理页修复后再迁移")
        try:
            top, subprocesses = self._diff(workflow, bundle)
        except Exception as exc:  # noqa: BLE001 - an unalignable tree is a reason, not a crash
            result.reasons.append(f"两个版本无法比对：{exc}")
            return result
        self._explain(result, top, subprocesses, live)
        if trial_copy is not None and result.possible:
            try:
                trial = trial_copy()
                self.migrate(trial, bundle)
                failed = timer_errors(trial)
                if failed:
                    raise RuntimeError(failed[0])
            except Exception as exc:  # noqa: BLE001 - the trial's failure is the reason to refuse
                result.reasons.append(f"按目标版本重新计算当前环节失败（{type(exc).__name__}: {exc}），"
                                      "目标版本可能依赖本实例尚未产生的数据")
        return result

    @staticmethod
    def _explain(result: MigrationCheck, top, subprocesses, live) -> None:
        for sp_id, sp_diff in subprocesses.items():
            if sp_diff is None:
                result.reasons.append(f"子流程 {sp_id} 在目标版本中不存在")
        removed = {task.task_spec for task in top.removed}
        for spec in sorted(removed, key=lambda s: s.name):
            where = "当前所在环节" if any(t.task_spec is spec for t in live) else "已经过的环节"
            result.reasons.append(f"{where}“{_name(spec)}”在目标版本中已删除")
        for task in top.changed:
            if task.has_state(TaskState.READY | TaskState.WAITING) and _is_element(task.task_spec):
                result.notes.append(f"当前环节“{_name(task.task_spec)}”在目标版本中有修改，将按新定义继续")
        if any(t.has_state(TaskState.WAITING) for t in live):
            result.notes.append("等待中的定时器将从迁移时起重新计时")

    def migrate(self, workflow, bundle: SpecBundle) -> None:
        """Point the workflow at the new spec; call only after `check(...).possible`.

        Re-predicting evaluates timer expressions, so the workflow must carry our safe script engine
        (a freshly deserialized workflow has SpiffWorkflow's default, which is plain `eval`).
        """
        if not isinstance(workflow.script_engine, SafeScriptEngine):
            raise RuntimeError("迁移前须为流程实例挂接安全表达式引擎（Runtime.attach）")
        top, _ = self._diff(workflow, bundle)
        migrate_workflow(top, workflow, bundle.spec)
        workflow.subprocess_specs = bundle.subprocess_specs
