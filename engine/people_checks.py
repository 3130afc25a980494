"""Publish-time checks for who works a task and multi-instance loops (会签), in the safe expression subset.

camunda:collection and camunda:elementVariable must be plain variable names; loopCardinality and
completionCondition are expressions and go through the same whitelist as gateway conditions.
"""
from __future__ import annotations

from collections.abc import Iterator

from .expressions import ExpressionEnvironment, UnsafeExpression
from .task_people import check_people

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"


def _name_problem(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    if not value.isidentifier() or value.startswith("_"):
        return f"{what}“{value[:60]}”须为变量名（字母开头，不能以下划线开头）"
    return None


def _expression_problem(expressions: ExpressionEnvironment, text: str | None, what: str) -> str | None:
    if text is None:
        return None
    try:
        expressions.check(text)
    except UnsafeExpression as exc:
        return f"{what}“{text.strip()[:80]}”不安全或不合法：{exc}"
    return None


def _loop_problems(loop, expressions: ExpressionEnvironment) -> Iterator[str]:
    collection = loop.get(f"{{{CAMUNDA_NS}}}collection")
    cardinality = loop.find(f"{{{BPMN_NS}}}loopCardinality")
    condition = loop.find(f"{{{BPMN_NS}}}completionCondition")
    if collection is None and cardinality is None:
        yield "多实例（会签）须设置集合（camunda:collection）或实例数（loopCardinality）"
    found = [
        _name_problem(collection, "多实例集合"),
        _name_problem(loop.get(f"{{{CAMUNDA_NS}}}elementVariable"), "多实例元素变量"),
        _expression_problem(expressions, cardinality.text if cardinality is not None else None, "多实例实例数"),
        _expression_problem(expressions, condition.text if condition is not None else None, "多实例完成条件"),
    ]
    yield from (p for p in found if p)


def people_and_loop_problems(root, expressions: ExpressionEnvironment) -> Iterator[tuple[str | None, str]]:
    """(element id, message) for bad assignee / candidateUsers values and multi-instance settings."""
    for task in root.iter(f"{{{BPMN_NS}}}userTask"):
        for attr, label in (("assignee", "办理人"), ("candidateUsers", "候选用户")):
            value = task.get(f"{{{CAMUNDA_NS}}}{attr}")
            problem = check_people(expressions, value) if value else None
            if problem:
                yield task.get("id"), f"{label}（camunda:{attr}）{problem}"
    for loop in root.iter(f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics"):
        owner = loop.getparent().get("id")
        for message in _loop_problems(loop, expressions):
            yield owner, message
