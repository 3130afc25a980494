"""Element-level rules of the dialect (the `check` column of engine.dialect_table for elements).

Each rule takes the walk context and the element and yields findings about the element as a whole:
required attributes, which event definitions an event may carry where, event sub-process shape.
"""
from __future__ import annotations

from collections.abc import Iterator

from .dialect_table import NAMESPACES, qualified
from .dialect_walk import CONSTRAINTS, FORM_PROPERTIES, RECORD_FIELDS, Finding, WalkContext, host, owner_id

CAMUNDA = NAMESPACES["camunda"]
TIMER, ERROR, TERMINATE = "bpmn:timerEventDefinition", "bpmn:errorEventDefinition", "bpmn:terminateEventDefinition"
SIGNAL = "bpmn:signalEventDefinition"
LABELS = {TIMER: "定时器", ERROR: "错误", TERMINATE: "终止", SIGNAL: "信号"}


def _c(name: str) -> str:
    return f"{{{CAMUNDA}}}{name}"


def _name(el) -> str:
    return el.get("name") or el.get("id") or qualified(el.tag)


def _user_task(ctx: WalkContext, el) -> Iterator[Finding]:
    if not (el.get(_c("candidateGroups")) or "").strip():
        yield Finding(el.get("id"), "用户任务缺少候选组（camunda:candidateGroups）")


def _service_task(ctx: WalkContext, el) -> Iterator[Finding]:
    if not el.get(_c("topic")) or el.get(_c("type")) != "external":
        yield Finding(el.get("id"), "服务任务缺少 camunda:topic（请选择实现方式 External，并填写主题）")


def _in_event_subprocess(el) -> bool:
    parent = el.getparent()
    return qualified(parent.tag) == "bpmn:subProcess" and parent.get("triggeredByEvent") == "true"


def _allowed_definitions(ctx: WalkContext, el) -> set[str]:
    kind = qualified(el.tag)
    if kind == "bpmn:startEvent":
        return {TIMER, ERROR} if _in_event_subprocess(el) else set()
    if kind == "bpmn:endEvent":
        return {ERROR, TERMINATE}
    if kind == "bpmn:intermediateCatchEvent":
        return {TIMER}
    if kind == "bpmn:boundaryEvent":
        attached = el.getparent().find(f".//*[@id='{el.get('attachedToRef')}']") if el.get("attachedToRef") else None
        host_kind = qualified(attached.tag) if attached is not None else ""
        if host_kind in ("bpmn:subProcess", "bpmn:callActivity"):
            return {TIMER, ERROR}
        # a take-over (提级办理) signal may only interrupt a user task; nothing in a diagram throws signals
        return {TIMER, SIGNAL} if host_kind == "bpmn:userTask" and el.get("cancelActivity", "true") == "true" else {TIMER}
    return set()


def _event(ctx: WalkContext, el) -> Iterator[Finding]:
    definitions = [qualified(c.tag) for c in el if isinstance(c.tag, str) and c.tag.endswith("EventDefinition")]
    allowed = _allowed_definitions(ctx, el)
    for definition in definitions:
        if definition in LABELS and definition not in allowed:
            where = "、".join(LABELS[d] for d in sorted(allowed)) or "只能是空事件"
            yield Finding(el.get("id"), f"“{_name(el)}”不能使用{LABELS[definition]}事件定义（这里允许：{where}）")
    if len(definitions) > 1:
        yield Finding(el.get("id"), f"“{_name(el)}”有多个事件定义，本平台不支持多重事件")
    if not definitions and qualified(el.tag) in ("bpmn:boundaryEvent", "bpmn:intermediateCatchEvent"):
        yield Finding(el.get("id"), f"“{_name(el)}”缺少事件定义（定时器）")
    if qualified(el.tag) == "bpmn:startEvent" and _in_event_subprocess(el):
        yield from _event_subprocess_start(el, definitions)


def _event_subprocess_start(el, definitions) -> Iterator[Finding]:
    interrupting = el.get("isInterrupting", "true") == "true"
    if not definitions:
        yield Finding(el.get("id"), f"事件子流程的开始事件“{_name(el)}”须为定时器或错误开始事件")
    elif TIMER in definitions and interrupting:
        yield Finding(el.get("id"), f"“{_name(el)}”：中断型定时事件子流程本平台不按原样执行，请设为非中断"
                                    "（isInterrupting=\"false\"），或改用中断型定时边界事件")
    elif TIMER in definitions and el.find(f".//{{{NAMESPACES['bpmn']}}}timeCycle") is not None:
        yield Finding(el.get("id"), f"“{_name(el)}”：事件子流程的定时开始只接受 timeDuration 或 timeDate，"
                                    "循环提醒请用非中断定时边界事件")
    elif ERROR in definitions and not interrupting:
        yield Finding(el.get("id"), f"“{_name(el)}”：错误开始事件总是中断型，请删除 isInterrupting=\"false\"")


def _event_subprocess(ctx: WalkContext, el) -> Iterator[Finding]:
    if el.get("triggeredByEvent") != "true":
        return
    if qualified(el.getparent().tag) != "bpmn:process":
        yield Finding(el.get("id"), f"事件子流程“{_name(el)}”只能放在流程顶层，不能嵌在子流程中")
    starts = [c for c in el if qualified(c.tag) == "bpmn:startEvent"]
    if len(starts) != 1:
        yield Finding(el.get("id"), f"事件子流程“{_name(el)}”须有且只有一个开始事件")
    if any(qualified(c.tag) in ("bpmn:incoming", "bpmn:outgoing") for c in el):
        yield Finding(el.get("id"), f"事件子流程“{_name(el)}”不能有入口或出口连线")


def _called_process(ctx: WalkContext, el) -> Iterator[Finding]:
    if not el.get("calledElement"):
        yield Finding(el.get("id"), f"调用活动“{_name(el)}”缺少 calledElement（被调用流程的 id）")


def _form_property(ctx: WalkContext, el) -> Iterator[Finding]:
    allowed = FORM_PROPERTIES.get(el.get("id"))
    if allowed is not None and el.get("value") not in allowed:
        yield Finding(owner_id(el), f"表单字段扩展属性 {el.get('id')} 的值“{el.get('value')}”不受支持"
                                    f"（可用：{'、'.join(allowed)}）")
    elif el.get("id") == "records":
        yield from _records_fits(el)


def _records_fits(prop) -> Iterator[Finding]:
    """A field records a value once per form, with the type (and enum options) the report can take."""
    field, value = _field_of(prop), prop.get("value")
    if _recorded_before(prop):
        yield Finding(owner_id(prop), f"同一表单中已有字段记录“{value}”：每项结果只能由一个字段记录"
                                      f"（字段 {field.get('id')} 请删除 records 属性或改记其他结果）")
    kind, options = RECORD_FIELDS[value]
    if (field.get("type") or "string") != kind:
        yield Finding(owner_id(prop), f"字段 {field.get('id')} 记录“{value}”，类型须为 {kind}")
    elif options is not None:
        ns = f"{{{NAMESPACES['camunda']}}}value"
        extra = [v.get("id") for v in field.iter(ns) if v.get("id") not in options]
        if extra:
            yield Finding(owner_id(prop), f"字段 {field.get('id')} 记录“{value}”，选项只能是 {'、'.join(options)}"
                                          f"（不认识：{'、'.join(map(str, extra))}）")


def _field_of(prop):
    """The camunda:formField a camunda:property belongs to (property → properties → formField)."""
    properties = prop.getparent()
    return properties.getparent() if properties is not None else None


def _recorded_before(prop) -> bool:
    """An earlier field of the same form already declares this records value."""
    this = _field_of(prop)
    form = this.getparent() if this is not None else None
    if form is None:
        return False
    for other in form:
        if other is this:
            return False
        for candidate in other.iter(f"{{{NAMESPACES['camunda']}}}property"):
            if candidate.get("id") == "records" and candidate.get("value") == prop.get("value"):
                return True
    return False


def _constraint(ctx: WalkContext, el) -> Iterator[Finding]:
    name = el.get("name")
    if CONSTRAINTS.get(name) and el.get("config") is None:
        yield Finding(owner_id(el), f"校验规则 {name} 须填写界限（config）")
    if name in CONSTRAINTS and not CONSTRAINTS[name] and el.get("config") is not None:
        yield Finding(owner_id(el), f"校验规则 {name} 不需要界限（config），请删除")
    if name is None:
        yield Finding(owner_id(el), "校验规则缺少名称（name）")


def _message_flow(ctx: WalkContext, el) -> Iterator[Finding]:
    for end in ("sourceRef", "targetRef"):
        if not el.get(end):
            yield Finding(el.get("id"), f"消息流缺少 {end}")


def _timer_cycle(ctx: WalkContext, el) -> Iterator[Finding]:
    event = el.getparent().getparent()
    if qualified(event.tag) != "bpmn:boundaryEvent" or event.get("cancelActivity", "true") != "false":
        yield Finding(event.get("id"), f"“{_name(event)}”：循环定时器（timeCycle）只能用于非中断边界事件"
                                       "（cancelActivity=\"false\"）")


def _parameter(ctx: WalkContext, el) -> Iterator[Finding]:
    if not el.get("name"):
        yield Finding(owner_id(el), "输入参数缺少名称（name）")
    if len(el):
        yield Finding(owner_id(el), "输入参数只能是文字，不支持脚本、列表或映射")


def _field(ctx: WalkContext, el) -> Iterator[Finding]:
    if not el.get("id"):
        yield Finding(owner_id(el), "表单字段缺少标识（id）")
    if qualified(host(el).tag) != "camunda:formData":
        yield Finding(owner_id(el), "表单字段只能放在 camunda:formData 中")


ELEMENT_RULES = {
    "user_task": _user_task, "service_task": _service_task, "event_definition": _event,
    "event_subprocess": _event_subprocess, "called_process": _called_process, "form_property": _form_property,
    "constraint": _constraint, "message_flow": _message_flow, "timer_cycle": _timer_cycle,
    "parameter": _parameter, "field_id": _field,
}
