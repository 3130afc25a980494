"""Decision tables (DMN) that diagrams call through business rule tasks (camunda:decisionRef).

SpiffWorkflow's DMN engine evaluates every input expression, input entry and output entry with the
workflow's script engine, i.e. our safe-expression environment; the same subset is checked here at
save time so that an owner sees a bad cell before publishing, tied to the business rule task.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .expressions import MAX_EXPRESSION_LENGTH, ExpressionEnvironment, UnsafeExpression
from .xml_safety import UnsafeXml, parse_untrusted_xml

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
DMN_NAMESPACES = ("https://www.omg.org/spec/DMN/20191111/MODEL/", "http://www.omg.org/spec/DMN/20180521/MODEL/",
                  "http://www.omg.org/spec/DMN/20151101/dmn.xsd")
MAX_DMN_BYTES = 1024 * 1024
SUPPORTED_HIT_POLICIES = ("UNIQUE", "FIRST", "COLLECT")


@dataclass(frozen=True)
class DecisionInfo:
    """What the storage and the UI need to know about one DMN document."""

    decision_id: str
    name: str


@dataclass(frozen=True)
class DecisionProblem:
    """A finding in a decision table; `element_id` is the business rule task that calls it, if any."""

    element_id: str | None
    message: str


def _dmn_root(dmn_xml: str | bytes):
    root = parse_untrusted_xml(dmn_xml, MAX_DMN_BYTES)
    ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if ns not in DMN_NAMESPACES or root.tag.rsplit("}", 1)[-1] != "definitions":
        raise UnsafeXml("不是 DMN 决策表文件（根元素应为 dmn:definitions）")
    return root, ns


def describe(dmn_xml: str | bytes) -> DecisionInfo:
    """The single decision a DMN document defines (our engine supports one table per document)."""
    root, ns = _dmn_root(dmn_xml)
    decisions = root.findall(f"{{{ns}}}decision")
    if len(decisions) != 1 or not decisions[0].get("id"):
        raise UnsafeXml("每个 DMN 文件须且只能包含一个带 id 的决策（decision）")
    decision = decisions[0]
    if decision.find(f"{{{ns}}}decisionTable") is None:
        raise UnsafeXml(f"决策“{decision.get('id')}”不是决策表（decisionTable）")
    return DecisionInfo(decision.get("id"), decision.get("name") or decision.get("id"))


def add_to_parser(parser, dmn_xmls: Iterable[str]) -> None:
    """Parse each DMN safely and hand it to the (BpmnDmn) parser."""
    for index, dmn_xml in enumerate(dmn_xmls):
        root, _ = _dmn_root(dmn_xml)
        parser.add_dmn_xml(root, filename=f"decision_{index}.dmn")


def check_decisions(bpmn_root, dmn_xmls: Iterable[str],
                    expressions: ExpressionEnvironment) -> list[DecisionProblem]:
    """Every DMN is safe and in the expression subset; every decisionRef names a given decision."""
    problems: list[DecisionProblem] = []
    callers: dict[str, list[str]] = {}
    for task in bpmn_root.iter(f"{{{BPMN_NS}}}businessRuleTask"):
        ref = task.get(f"{{{CAMUNDA_NS}}}decisionRef")
        if not ref:
            problems.append(DecisionProblem(task.get("id"), "业务规则任务缺少决策表引用（camunda:decisionRef）"))
        else:
            callers.setdefault(ref, []).append(task.get("id"))
    known = set()
    for dmn_xml in dmn_xmls:
        try:
            info = describe(dmn_xml)
        except UnsafeXml as exc:
            problems.append(DecisionProblem(None, f"决策表文件不合法：{exc}"))
            continue
        known.add(info.decision_id)
        owner = (callers.get(info.decision_id) or [None])[0]
        problems.extend(DecisionProblem(owner, f"决策表“{info.name}”：{m}")
                        for m in _cell_problems(dmn_xml, expressions))
    for ref, task_ids in callers.items():
        if ref not in known:
            names = "、".join(sorted(known)) or "（本版本没有决策表）"
            problems.extend(DecisionProblem(t, f"找不到决策表“{ref}”，可用：{names}") for t in task_ids)
    return problems


def _cell_problems(dmn_xml: str, expressions: ExpressionEnvironment) -> list[str]:
    root, ns = _dmn_root(dmn_xml)
    found = []
    for table in root.iter(f"{{{ns}}}decisionTable"):
        policy = (table.get("hitPolicy") or "UNIQUE").upper()
        if policy not in SUPPORTED_HIT_POLICIES:
            found.append(f"命中策略“{policy}”不受支持（可用：{'、'.join(SUPPORTED_HIT_POLICIES)}）")
    columns = [_text(expr, ns) for expr in root.iter(f"{{{ns}}}inputExpression")]
    found.extend(m for text in columns for m in _check(expressions, text, "输入表达式"))
    for row, rule in enumerate(root.iter(f"{{{ns}}}rule"), start=1):
        for column, entry in zip(columns + [""] * 64, rule.findall(f"{{{ns}}}inputEntry")):
            text = _text(entry, ns)
            if text not in ("", "-"):
                found.extend(_check_entry(expressions, text, row))
                found.extend(_joined_length(column, text, row))
        for entry in rule.findall(f"{{{ns}}}outputEntry"):
            text = _text(entry, ns)
            if text:
                found.extend(_check(expressions, text, f"第 {row} 行输出"))
    return found


def _joined_length(column: str, text: str, row: int) -> list[str]:
    """At run time a cell is evaluated joined to its column's input: `(input) == (cell)`."""
    if len(column) + len(text) + 8 > MAX_EXPRESSION_LENGTH:
        return [f"第 {row} 行条件与其输入表达式合计过长（不能超过 {MAX_EXPRESSION_LENGTH - 8} 个字符）"]
    return []


def _text(el, ns) -> str:
    node = el.find(f"{{{ns}}}text")
    return (node.text or "").strip() if node is not None else ""


def _check(expressions: ExpressionEnvironment, text: str, what: str) -> list[str]:
    if not text:
        return [f"{what}为空"]
    try:
        expressions.check(text)
    except UnsafeExpression as exc:
        return [f"{what}“{text[:80]}”不合法：{exc}"]
    return []


def _check_entry(expressions: ExpressionEnvironment, text: str, row: int) -> list[str]:
    """An input cell is either a value (compared with ==) or an operator tail such as `> 3`."""
    try:
        expressions.check(text)
        return []
    except UnsafeExpression as exc:
        if not str(exc).startswith("表达式语法错误"):
            return [f"第 {row} 行条件“{text[:80]}”不合法：{exc}"]
    return _check(expressions, f"v {text}", f"第 {row} 行条件")
