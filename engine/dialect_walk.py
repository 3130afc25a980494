"""Walking a whole diagram against engine.dialect_table: every element, attribute and text is checked.

Processes that nothing executes (pools of other participants, not called by a call activity) are
drawing only: their BPMN elements are not checked, but scripts, Java delegates and listeners are
refused wherever they appear, and nothing of another namespace passes unlisted.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from . import timer_values
from .dialect_table import (
    COLOUR_NAMESPACES, COMMON_ATTRIBUTES, DRAWING_NAMESPACES, ELEMENTS, NAMESPACES, REFUSALS, qualified, refusal,
)
from .expressions import UnsafeExpression
from .timer_values import TimerValueError

ACCOUNT = re.compile(r"^[A-Za-z0-9._-]+$")
IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
FIELD_TYPES = ("string", "long", "boolean", "date", "enum")
CONSTRAINTS = {"required": False, "readonly": False, "minlength": True, "maxlength": True, "min": True, "max": True}
# what a form field may record (services/outcomes.py): the field type it needs and, for enums, the option
# ids the report can take (storage.models RiskLevel / HazardGrade; tests/test_outcomes_records.py checks)
RECORD_FIELDS = {"risk_level": ("enum", ("major", "significant", "general", "low")),
                 "hazard_grade": ("enum", ("general", "serious", "major")),
                 "quality_score": ("long", None), "measures": ("string", None), "opinion": ("string", None)}
RECORDS = tuple(RECORD_FIELDS)
FORM_PROPERTIES = {"widget": ("textarea",), "records": RECORDS}
RESERVED_FIELD_IDS = ("typename",)
ALWAYS_REFUSED = ("bpmn:scriptTask", "bpmn:script", "camunda:script", "camunda:class", "camunda:expression",
                  "camunda:delegateExpression", "camunda:executionListener", "camunda:taskListener",
                  "camunda:connector")
TIMER_KINDS = {"timer_duration": timer_values.DURATION, "timer_date": timer_values.DATE,
               "timer_cycle": timer_values.CYCLE, "due_date": timer_values.DUE}


@dataclass
class Finding:
    """One problem: the element (or nearest ancestor) id and a Chinese message."""

    element_id: str | None
    message: str


@dataclass
class WalkContext:
    """What the checks need to know: registries, the expression check, ids in the file."""

    topics: frozenset
    roles: frozenset
    check_expression: Callable[[str], None]
    topic_parameters: Mapping[str, Mapping] | None = None
    ids: set = field(default_factory=set)
    process_ids: set = field(default_factory=set)
    error_ids: set = field(default_factory=set)
    executed: set = field(default_factory=set)
    element_checks: Mapping[str, Callable] = field(default_factory=dict)


def owner_id(el) -> str | None:
    """The id of the element the modeler can mark: `el` or its nearest BPMN ancestor with an id (form
    fields, extension elements and event definitions are reported on the task or event they belong to)."""
    node = el
    while node is not None:
        if node.get("id") and _markable(node):
            return node.get("id")
        node = node.getparent()
    return None


def _markable(node) -> bool:
    name = qualified(node.tag)
    if not name.startswith("bpmn:") or name.endswith("EventDefinition"):
        return False
    return not any(qualified(a.tag) == "bpmn:extensionElements" for a in node.iterancestors())


def _label(el) -> str:
    holder = el
    while holder is not None and holder.get("id") is None:
        holder = holder.getparent()
    if holder is None:
        return qualified(el.tag)
    return holder.get("name") or holder.get("label") or holder.get("id")


def host(el):
    """The parent that owns `el`, skipping bpmn:extensionElements."""
    parent = el.getparent()
    while parent is not None and qualified(parent.tag) == "bpmn:extensionElements":
        parent = parent.getparent()
    return parent


def walk(root, ctx: WalkContext) -> list[Finding]:
    """Every finding of the whole tree."""
    ctx.ids = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    procs = [el for el in root if qualified(el.tag) == "bpmn:process"]
    ctx.process_ids = {p.get("id") for p in procs}
    ctx.error_ids = {el.get("id") for el in root if qualified(el.tag) == "bpmn:error"}
    called = {el.get("calledElement") for el in root.iter(f"{{{_ns('bpmn')}}}callActivity")}
    ctx.executed = {p.get("id") for p in procs if p.get("isExecutable", "true") == "true" or p.get("id") in called}
    return list(_visit(root, ctx, drawing=False))


def _ns(prefix: str) -> str:
    return NAMESPACES[prefix]


def _visit(el, ctx: WalkContext, drawing: bool) -> Iterator[Finding]:
    if not isinstance(el.tag, str):
        return
    name = qualified(el.tag)
    prefix = name.split(":", 1)[0]
    if prefix in DRAWING_NAMESPACES:
        yield from _drawing_element(el)
        return
    if name == "bpmn:process" and el.get("id") not in ctx.executed:
        drawing = True
    row = ELEMENTS.get(name)
    if drawing and name not in ALWAYS_REFUSED and (row is not None or prefix == "bpmn"):
        yield from _drawing_attributes(el)
        for child in el:
            yield from _visit(child, ctx, drawing)
        return
    if row is None:
        yield Finding(owner_id(el), f"“{_label(el)}”：{refusal(name)}")
        return
    parent = host(el)
    if row.within and (parent is None or qualified(parent.tag) not in row.within):
        where = "、".join(row.within)
        yield Finding(owner_id(el), f"“{_label(el)}”：{name} 只能用在 {where} 中。{REFUSALS.get(name, '')}".rstrip("。")
                      + "。")
        return
    yield from _attributes(el, row, ctx)
    if row.text:
        yield from _value(ctx, row.text, el.text or "", el, "内容")
    yield from ctx.element_checks.get(row.check, _nothing)(ctx, el)
    for child in el:
        yield from _visit(child, ctx, drawing)


def _drawing_element(el) -> Iterator[Finding]:
    for node in el.iter():
        if isinstance(node.tag, str):
            yield from _drawing_attributes(node)


def _drawing_attributes(el) -> Iterator[Finding]:
    for attr in el.attrib:
        name = qualified(attr)
        prefix = name.split(":", 1)[0] if attr.startswith("{") else ""
        if prefix and prefix not in COLOUR_NAMESPACES + ("xsi",) or name in ALWAYS_REFUSED:
            yield Finding(owner_id(el), f"“{_label(el)}”的属性 {name}：{refusal(name)}")


def _attributes(el, row, ctx) -> Iterator[Finding]:
    for attr, value in el.attrib.items():
        name = qualified(attr)
        check = row.attributes.get(name) or COMMON_ATTRIBUTES.get(name)
        if check is None:
            yield Finding(owner_id(el), f"“{_label(el)}”的属性 {name}：{refusal(name)}")
        else:
            yield from _value(ctx, check, value, el, name)


def _value(ctx: WalkContext, check: str, value: str, el, what: str) -> Iterator[Finding]:
    problem = VALUE_CHECKS.get(check, _no_value_check)(ctx, value, el)
    if problem:
        owner = _event_owner(el)
        yield Finding(owner_id(owner), f"“{_label(owner)}”的 {what}“{value.strip()[:80]}”：{problem}")


def _event_owner(el):
    """Timer values are reported on their event (a shape the modeler can mark), not on the definition."""
    name = qualified(el.tag)
    if name in ("bpmn:timeDuration", "bpmn:timeDate", "bpmn:timeCycle"):
        return el.getparent().getparent()
    return el


# -- value checks: (context, value, element) → a Chinese problem or None ---------------------------
def _no_value_check(ctx, value, el):
    return None


def _expression(ctx, value, el):
    try:
        ctx.check_expression(value)
    except UnsafeExpression as exc:
        return f"不安全或不合法：{exc}"
    return None


def _condition(ctx, value, el):
    if not value.strip():
        return "条件为空"
    return _expression(ctx, value, el)


def _timer(kind):
    def check(ctx, value, el):
        if not value.strip():
            return "定时值为空"
        try:
            timer_values.check(kind, value, ctx.check_expression)
        except (TimerValueError, UnsafeExpression) as exc:
            return f"不安全或不合法：{exc}"
        return None
    return check


def _roles(ctx, value, el):
    groups = [g.strip() for g in value.split(",") if g.strip()]
    unknown = [g for g in groups if g not in ctx.roles]
    if unknown:
        return f"未知的候选组“{'、'.join(unknown)}”，可用角色：{'、'.join(sorted(ctx.roles))}"
    return None


VARIABLE_REFERENCE = re.compile(r"^\$\{\s*[A-Za-z][A-Za-z0-9_]*\s*\}$")


def _accounts(ctx, value, el):
    if VARIABLE_REFERENCE.match(value.strip()):
        return None
    names = [n.strip() for n in value.split(",")]
    if not value.strip() or not all(ACCOUNT.match(n) for n in names):
        return "只能填写账号名（字母、数字、点、下划线、连字符，多个用逗号分隔），或一个 ${变量名}"
    return None


def _account(ctx, value, el):
    if VARIABLE_REFERENCE.match(value.strip()):
        return None
    if not ACCOUNT.match(value.strip()):
        return "只能填写一个账号名（字母、数字、点、下划线、连字符），或一个 ${变量名}"
    return None


def _topic(ctx, value, el):
    if value not in ctx.topics:
        return f"未知的服务主题“{value}”，可用主题：{'、'.join(sorted(ctx.topics))}"
    return None


def _literal(ctx, value, el):
    if "${" in value or "#{" in value:
        return "只能是字面值，不能使用表达式（${…}、#{…}）"
    return None


def _one_of(options: Iterable[str], what: str):
    allowed = tuple(options)

    def check(ctx, value, el):
        return None if value in allowed else f"{what}只能是 {'、'.join(allowed)}"
    return check


def _priority(ctx, value, el):
    text = value.strip()
    if not text.isdigit() or not 0 <= int(text) <= 100:
        return "优先级须为 0 到 100 的整数"
    return None


def _identifier(ctx, value, el):
    return None if value.strip() else "标识不能为空"


def _variable(ctx, value, el):
    return None if IDENTIFIER.match(value) else "须为字母开头的标识符（字母、数字、下划线）"


def _field_id(ctx, value, el):
    if not IDENTIFIER.match(value) or value in RESERVED_FIELD_IDS:
        return "表单字段标识不合法（须为字母开头的标识符，且不能是保留字 typename）"
    return None


def _field_type(ctx, value, el):
    if value not in FIELD_TYPES:
        return f"表单字段类型不受支持（可用：{'、'.join(FIELD_TYPES)}）"
    return None


def _constraint_config(ctx, value, el):
    return None if value.strip().lstrip("-").isdigit() else "校验规则的界限须为整数"


def _form_property(ctx, value, el):
    return None if value in FORM_PROPERTIES else f"表单字段的扩展属性只能是 {'、'.join(FORM_PROPERTIES)}"


def _called_process(ctx, value, el):
    if value not in ctx.process_ids:
        known = "、".join(sorted(ctx.process_ids))
        return f"调用的流程“{value}”不在本文件中（本文件的流程：{known}）"
    return None


def _parameter(ctx, value, el):
    if not IDENTIFIER.match(value):
        return "参数名须为字母开头的标识符"
    task = host(host(el))
    topic = task.get(f"{{{_ns('camunda')}}}topic") if task is not None else None
    accepted = (ctx.topic_parameters or {}).get(topic)
    if ctx.topic_parameters is not None and topic in ctx.topic_parameters and value not in accepted:
        return f"主题“{topic}”不接受参数“{value}”（可用：{'、'.join(accepted) or '无'}）"
    return None


def _reference(ctx, value, el):
    return None if value.strip() in ctx.ids else f"引用的元素“{value.strip()}”不存在"


def _error_ref(ctx, value, el):
    return None if value in ctx.error_ids else f"引用的错误定义“{value}”不存在（须为本文件中的 bpmn:error）"


VALUE_CHECKS = {
    "safe_expression": _expression, "condition": _condition, "known_roles": _roles, "accounts": _accounts,
    "account": _account, "known_topic": _topic, "literal": _literal, "priority": _priority,
    "identifier": _identifier, "variable": _variable, "field_id": _field_id, "field_type": _field_type,
    "constraint": _one_of(CONSTRAINTS, "校验规则"), "constraint_config": _constraint_config,
    "form_property": _form_property, "called_process": _called_process, "parameter": _parameter,
    "reference": _reference, "error_ref": _error_ref,
    "boolean": _one_of(("true", "false"), "取值"), "external": _one_of(("external",), "实现方式"),
    "implementation": _one_of(("##unspecified", "##WebService"), "implementation "),
    "condition_language": lambda ctx, value, el: None if value in ("", "python") else
    "条件语言只能留空或写 python（不支持 FEEL、JUEL、JavaScript 等）",
    "formal_expression": _one_of(("bpmn:tFormalExpression", "tFormalExpression"), "xsi:type "),
    **{check: _timer(kind) for check, kind in TIMER_KINDS.items()},
}


def _nothing(ctx, el) -> Iterator[Finding]:
    return iter(())


