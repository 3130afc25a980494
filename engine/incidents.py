"""Turning a failure during an engine run into an incident on the element that caused it.

SpiffWorkflow raises from places that are not a task's own run: a timer is computed while its
predecessor completes, timers are refreshed after all tasks ran, a gateway finds no flow to take.
The task whose work failed is then in no ERROR state, and the instance would look healthy while it
silently stopped. Here the failing task is found (the innermost SpiffWorkflow task on the traceback),
put into ERROR so that the projection saves the instance as `error`, and given a Chinese message.
"""
from __future__ import annotations

import re
import traceback
from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.task import Task, TaskState

from .dialect import HandlerFailed
from .expressions import UnsafeExpression

_TASK_LOCALS = ("my_task", "task", "last_child")
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


class RunawayProcess(RuntimeError):
    """The engine ran more tasks in one step than any real diagram needs: a loop without a person."""


@dataclass
class StepError:
    """A task that failed while the engine ran."""

    element_id: str
    message: str
    traceback: str


def culprit(exc: BaseException, current: Task | None) -> Task | None:
    """The task whose work raised: tagged by the script engine, else the innermost task on the stack."""
    tagged = getattr(exc, "riskmon_task", None)
    if isinstance(tagged, Task):
        return tagged
    found = None
    tb = exc.__traceback__
    while tb is not None:
        for name in _TASK_LOCALS:
            value = tb.tb_frame.f_locals.get(name)
            if isinstance(value, Task) and getattr(value.task_spec, "bpmn_id", None):
                found = value
                break
        tb = tb.tb_next
    return found or current


def mark_failed(task: Task | None) -> None:
    """Put the failed task into ERROR (if the library left it elsewhere) so the instance shows the incident."""
    if task is not None and not task.has_state(TaskState.ERROR | TaskState.COMPLETED | TaskState.CANCELLED):
        task._set_state(TaskState.ERROR)


def step_error(task: Task | None, exc: BaseException) -> StepError:
    """The incident record: element, Chinese message, traceback of the original error."""
    original = exc.error if isinstance(exc, HandlerFailed) else exc
    element = getattr(task.task_spec, "bpmn_id", None) if task is not None else None
    tb = "".join(traceback.format_exception(type(original), original, original.__traceback__))
    return StepError(element_id=element or "?", message=describe(task, exc), traceback=tb)


def describe(task: Task | None, exc: BaseException) -> str:
    """A Chinese message a workflow owner can act on."""
    if isinstance(exc, HandlerFailed):
        return str(exc)
    if task is None:
        return f"流程运行失败（无法确定出错的环节）：{exc}"
    spec = task.task_spec
    label = f"“{spec.bpmn_name or spec.bpmn_id}”"
    if isinstance(exc, UnsafeExpression):
        return f"{label}的表达式无法计算：{exc}"
    if isinstance(exc, RunawayProcess):
        return f"{label}：{exc}"
    if isinstance(getattr(spec, "event_definition", None), TimerEventDefinition):
        detail = f"（{exc}）" if _CHINESE.search(str(exc)) else ""
        return f"{label}的定时器取值无效{detail}，应为 ISO 8601 期限（如 P3D）或日期时间，请修正流程数据或流程图后重试"
    if isinstance(exc, WorkflowException) and "No conditions satisfied" in str(exc):
        return f"{label}没有满足条件的出口流向，请为网关设置默认流向或检查各流向的条件"
    if isinstance(exc, PermissionError):
        return f"{label}：{exc}"
    return f"{label}执行失败：{exc}"
