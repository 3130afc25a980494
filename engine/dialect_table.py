"""The diagram dialect as data: every element, attribute and extension the engine honours, with its check.

This table is the one source of truth. `engine.validation` walks the whole XML tree against it and
refuses everything not listed here (with the advice of `REFUSALS` when there is one); the README's
dialect section is generated from it (`python -m engine.dialect_table --markdown`) and a test checks
that the two agree. Rows name elements as `prefix:local` with the prefixes of `NAMESPACES`.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

NAMESPACES = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "modeler": "http://camunda.org/schema/modeler/1.0",
    "bioc": "http://bpmn.io/schema/bpmn/biocolor/1.0",
    "color": "http://www.omg.org/spec/BPMN/non-normative/color/1.0",
    "signavio": "http://www.signavio.com",
}
# Whole namespaces that only draw: any element and attribute in them is allowed and never executed.
DRAWING_NAMESPACES = ("bpmndi", "dc", "di")
# Attribute namespaces that only colour shapes (bpmn.io); allowed on drawing elements only.
COLOUR_NAMESPACES = ("bioc", "color")

CHECKS = {
    "drawing": "仅用于绘图或说明，不执行",
    "text": "文字，不执行",
    "identifier": "标识（id），不能为空",
    "variable": "变量名（字母开头的标识符）",
    "reference": "引用本文件中的元素 id",
    "boolean": "true 或 false",
    "literal": "字面值：不得含 ${…}、#{…} 表达式",
    "container": "容器：内容逐项检查",
    "safe_expression": "安全表达式子集（经 ExpressionEnvironment.check）",
    "condition": "条件：安全表达式子集；language 为空或 python",
    "condition_language": "空或 python（不支持 FEEL、JUEL、JavaScript 等）",
    "formal_expression": "bpmn:tFormalExpression",
    "timer_duration": "ISO-8601 时长（P5D、PT10M）、workdays(n) 或结果为时长的安全表达式",
    "timer_date": "ISO 日期（2026-12-31）或日期时间（可带时区，不带时为北京时间）",
    "timer_cycle": "ISO-8601 循环 R<次数>/<间隔> 或 R<次数>/<开始时间>/<间隔>，1–100 次，间隔不少于 1 秒；不允许无限重复 R/",
    "due_date": "ISO-8601 时长、日期或日期时间，workdays(n)，或安全表达式",
    "known_topic": "已注册的处理器主题",
    "known_roles": "逗号分隔的已知角色",
    "accounts": "逗号分隔的账号名（[A-Za-z0-9._-]+），或一个 ${变量名}（取流程数据中的账号名列表）",
    "account": "一个账号名（[A-Za-z0-9._-]+），或一个 ${变量名}（如多实例的元素变量）",
    "priority": "0–100 的整数",
    "external": "固定值 external",
    "implementation": "##unspecified 或 ##WebService（BPMN 默认值）",
    "decision_ref": "本版本中的决策表 id",
    "called_process": "本文件中另一个流程的 id",
    "field_id": "字母开头的标识符，不能是 typename",
    "field_type": "string、long、boolean、date、enum",
    "constraint": "required、minlength、maxlength、min、max、readonly",
    "constraint_config": "整数（minlength、maxlength、min、max 的界限）",
    "form_property": "widget（textarea）或 records（risk_level、hazard_grade、quality_score、measures、opinion）",
    "parameter": "所调用主题接受的参数名",
    "event_definition": "须符合所在事件（开始、结束、中间、边界事件各自允许的事件定义）",
    "user_task": "须有候选组（camunda:candidateGroups）",
    "service_task": "须为 camunda:type=\"external\" 且有 camunda:topic",
    "event_subprocess": "只能位于流程顶层；开始事件为非中断定时器或错误",
    "message_flow": "两端须是本文件中的元素；只用于绘图",
    "error_ref": "本文件中的 bpmn:error",
}


@dataclass(frozen=True)
class Element:
    """One element the engine honours: what it is, its check, attributes, text, and where it may stand."""

    name: str
    role: str
    check: str = "container"
    attributes: dict = field(default_factory=dict)
    text: str | None = None
    within: tuple = ()


ANY_TEXT = {"textFormat": "text"}


def _rows() -> list[Element]:
    e = Element
    return [
        e("bpmn:definitions", "根元素", attributes={
            "targetNamespace": "text", "exporter": "text", "exporterVersion": "text", "expressionLanguage": "text",
            "typeLanguage": "text", "xsi:schemaLocation": "text", "modeler:executionPlatform": "text",
            "modeler:executionPlatformVersion": "text"}),
        e("bpmn:process", "流程（isExecutable=\"true\" 的第一个流程被执行）", within=("bpmn:definitions",), attributes={
            "isExecutable": "boolean", "processType": "text", "isClosed": "boolean", "camunda:versionTag": "text",
            "camunda:historyTimeToLive": "text", "camunda:isStartableInTasklist": "boolean"}),
        e("bpmn:collaboration", "协作（泳池）：仅用于绘图", "drawing", {"isClosed": "boolean"}, within=("bpmn:definitions",)),
        e("bpmn:participant", "泳池：仅用于绘图", "drawing", {"processRef": "reference"}, within=("bpmn:collaboration",)),
        e("bpmn:messageFlow", "消息流：仅用于绘图（本平台不收发消息）", "message_flow",
          {"sourceRef": "reference", "targetRef": "reference", "messageRef": "reference"}, within=("bpmn:collaboration",)),
        e("bpmn:message", "消息定义：只供消息流标注，不被任何事件使用", "drawing", within=("bpmn:definitions",)),
        e("bpmn:error", "错误定义：错误结束事件抛出、错误开始/边界事件捕获", "text", {"errorCode": "literal"},
          within=("bpmn:definitions",)),
        e("bpmn:dataStore", "数据存储定义：仅用于绘图", "drawing",
          {"capacity": "text", "isUnlimited": "boolean", "itemSubjectRef": "reference"}, within=("bpmn:definitions",)),
        e("bpmn:itemDefinition", "类型定义：不执行", "drawing",
          {"structureRef": "text", "isCollection": "boolean", "itemKind": "text"}, within=("bpmn:definitions",)),
        e("bpmn:category", "分组类别：仅用于绘图", "drawing", within=("bpmn:definitions",)),
        e("bpmn:categoryValue", "分组类别值：仅用于绘图", "drawing", {"value": "text"}, within=("bpmn:category",)),
        e("bpmn:documentation", "说明文字", "text", ANY_TEXT, text="text"),
        e("bpmn:textAnnotation", "文字注释：仅用于绘图", "drawing", ANY_TEXT),
        e("bpmn:text", "文字注释的内容", "text", text="text", within=("bpmn:textAnnotation",)),
        e("bpmn:association", "关联线：仅用于绘图", "drawing",
          {"sourceRef": "reference", "targetRef": "reference", "associationDirection": "text"}),
        e("bpmn:group", "分组框：仅用于绘图", "drawing", {"categoryValueRef": "reference"}),
        e("bpmn:dataObject", "数据对象：仅用于绘图", "drawing", {"isCollection": "boolean", "itemSubjectRef": "reference"}),
        e("bpmn:dataObjectReference", "数据对象引用：仅用于绘图（不得有数据关联）", "drawing",
          {"dataObjectRef": "reference", "itemSubjectRef": "reference"}),
        e("bpmn:dataStoreReference", "数据存储引用：仅用于绘图（不得有数据关联）", "drawing",
          {"dataStoreRef": "reference", "itemSubjectRef": "reference"}),
        e("bpmn:laneSet", "泳道集：仅用于绘图", "drawing", within=("bpmn:process", "bpmn:subProcess", "bpmn:lane")),
        e("bpmn:lane", "泳道：仅用于绘图", "drawing", within=("bpmn:laneSet", "bpmn:childLaneSet")),
        e("bpmn:childLaneSet", "子泳道集：仅用于绘图", "drawing", within=("bpmn:lane",)),
        e("bpmn:flowNodeRef", "泳道包含的元素", "reference", text="reference", within=("bpmn:lane",)),
        e("bpmn:incoming", "入口连线", "reference", text="reference"),
        e("bpmn:outgoing", "出口连线", "reference", text="reference"),
        e("bpmn:extensionElements", "扩展元素容器：内容逐项检查"),
        e("bpmn:startEvent", "开始事件：流程顶层为空开始；事件子流程中为非中断定时器或错误开始", "event_definition",
          {"isInterrupting": "boolean"}),
        e("bpmn:endEvent", "结束事件：空、终止（terminate）或错误结束", "event_definition"),
        e("bpmn:intermediateCatchEvent", "中间捕获事件：只允许定时器", "event_definition"),
        e("bpmn:intermediateThrowEvent", "中间抛出事件：只允许空事件（里程碑）", "event_definition"),
        e("bpmn:boundaryEvent", "边界事件：定时器（任意任务），错误（子流程、调用活动）", "event_definition",
          {"attachedToRef": "reference", "cancelActivity": "boolean"}),
        e("bpmn:timerEventDefinition", "定时器", within=("bpmn:startEvent", "bpmn:intermediateCatchEvent",
                                                       "bpmn:boundaryEvent")),
        e("bpmn:timeDuration", "定时器时长", "timer_duration", {"xsi:type": "formal_expression"},
          text="timer_duration", within=("bpmn:timerEventDefinition",)),
        e("bpmn:timeDate", "定时器日期时间", "timer_date", {"xsi:type": "formal_expression"},
          text="timer_date", within=("bpmn:timerEventDefinition",)),
        e("bpmn:timeCycle", "定时器循环：只用于非中断边界事件", "timer_cycle", {"xsi:type": "formal_expression"},
          text="timer_cycle", within=("bpmn:timerEventDefinition",)),
        e("bpmn:errorEventDefinition", "错误事件定义", "error_ref", {"errorRef": "reference"},
          within=("bpmn:startEvent", "bpmn:endEvent", "bpmn:boundaryEvent")),
        e("bpmn:signal", "信号定义：只由平台的提级办理动作（take_over）发出", "text", within=("bpmn:definitions",)),
        e("bpmn:signalEventDefinition", "信号事件：只用于用户任务上的中断型边界事件，由上级的提级办理动作触发",
          "reference", {"signalRef": "reference"}, within=("bpmn:boundaryEvent",)),
        e("bpmn:terminateEventDefinition", "终止结束：结束整个流程实例", within=("bpmn:endEvent",)),
        e("bpmn:userTask", "用户任务：候选组的人员在待办中办理", "user_task", {
            "camunda:candidateGroups": "known_roles", "camunda:candidateUsers": "accounts",
            "camunda:assignee": "account", "camunda:dueDate": "due_date", "camunda:priority": "priority",
            "implementation": "implementation"}),
        e("bpmn:serviceTask", "服务任务：调用 handlers.HANDLERS[camunda:topic]", "service_task", {
            "camunda:type": "external", "camunda:topic": "known_topic", "implementation": "implementation"}),
        e("bpmn:businessRuleTask", "业务规则任务：查本版本的 DMN 决策表", "decision_ref",
          {"camunda:decisionRef": "decision_ref", "implementation": "implementation"}),
        e("bpmn:subProcess", "子流程；triggeredByEvent=\"true\" 为事件子流程", "event_subprocess",
          {"triggeredByEvent": "boolean"}),
        e("bpmn:callActivity", "调用活动：调用本文件中的另一个流程，传入并带回全部流程数据", "called_process",
          {"calledElement": "called_process"}),
        e("bpmn:exclusiveGateway", "排他网关：出口全部有条件，或有一条默认流", "container",
          {"default": "reference", "gatewayDirection": "text"}),
        e("bpmn:inclusiveGateway", "包容网关", "container", {"default": "reference", "gatewayDirection": "text"}),
        e("bpmn:parallelGateway", "并行网关", "container", {"gatewayDirection": "text"}),
        e("bpmn:sequenceFlow", "连线", "container",
          {"sourceRef": "reference", "targetRef": "reference", "isImmediate": "boolean"}),
        e("bpmn:conditionExpression", "连线条件", "condition",
          {"xsi:type": "formal_expression", "language": "condition_language"}, text="condition",
          within=("bpmn:sequenceFlow",)),
        e("bpmn:multiInstanceLoopCharacteristics", "多实例（会签）：只用于用户任务", "container", {
            "isSequential": "boolean", "camunda:collection": "safe_expression",
            "camunda:elementVariable": "variable"}, within=("bpmn:userTask",)),
        e("bpmn:loopCardinality", "多实例个数", "safe_expression", {"xsi:type": "formal_expression"},
          text="safe_expression", within=("bpmn:multiInstanceLoopCharacteristics",)),
        e("bpmn:completionCondition", "多实例完成条件", "safe_expression", {"xsi:type": "formal_expression"},
          text="safe_expression", within=("bpmn:multiInstanceLoopCharacteristics",)),
        e("camunda:formData", "用户任务的表单", within=("bpmn:userTask",)),
        e("camunda:formField", "表单字段", "field_id", {
            "id": "field_id", "label": "text", "type": "field_type", "defaultValue": "literal"},
          within=("camunda:formData",)),
        e("camunda:value", "枚举选项", "text", {"id": "identifier", "name": "text"}, within=("camunda:formField",)),
        e("camunda:validation", "字段校验", within=("camunda:formField",)),
        e("camunda:constraint", "校验规则", "constraint", {"name": "constraint", "config": "constraint_config"},
          within=("camunda:validation",)),
        e("camunda:properties", "表单字段的扩展属性", within=("camunda:formField",)),
        e("camunda:property", "扩展属性", "form_property", {"id": "form_property", "value": "text"},
          within=("camunda:properties",)),
        e("camunda:inputOutput", "服务任务的输入参数", within=("bpmn:serviceTask",)),
        e("camunda:inputParameter", "输入参数：作为关键字参数传给处理器", "parameter", {"name": "parameter"},
          text="literal", within=("camunda:inputOutput",)),
        e("signavio:signavioMetaData", "Signavio 的显示元数据：不执行", "drawing",
          {"metaKey": "text", "metaValue": "text"}),
    ]


ELEMENTS: dict[str, Element] = {row.name: row for row in _rows()}
COMMON_ATTRIBUTES = {"id": "identifier", "name": "text"}

_TASK = "请改用带候选组（camunda:candidateGroups）的用户任务，或带 camunda:topic 的服务任务"
_JAVA = "本平台不执行 Java 类或表达式委托，请改用 camunda:type=\"external\" 和 camunda:topic 外部任务"
_ASYNC = "本平台每一步在一个事务中执行，不支持异步延续和作业设置，请删除"
_MESSAGE = "本平台没有收发消息的接口，消息事件永远不会触发，请改用定时器事件、用户任务或服务任务（camunda:topic）"
_DATA = "本平台不执行数据关联和输入输出映射：流程数据就是表单字段和处理器的结果，请删除"
_CORRELATION = "本平台不执行消息关联表达式（correlation），请删除"

REFUSALS = {
    "bpmn:scriptTask": "不允许使用脚本任务（scriptTask）：流程图中不执行代码，请改用服务任务（camunda:topic）",
    "bpmn:script": "不允许使用脚本（script）：流程图中不执行代码，请改用服务任务（camunda:topic）",
    "camunda:script": "不允许使用脚本（camunda:script）：流程图中不执行代码，请改用服务任务（camunda:topic）",
    "bpmn:manualTask": f"手工任务（manualTask）不会出现在任何人的待办中，{_TASK}",
    "bpmn:task": f"未指定类型的任务（task）不会由任何人办理，{_TASK}",
    "bpmn:sendTask": f"发送任务（sendTask）：本平台不发送消息，{_TASK}",
    "bpmn:receiveTask": f"接收任务（receiveTask）：{_MESSAGE}",
    "camunda:class": _JAVA, "camunda:expression": _JAVA, "camunda:delegateExpression": _JAVA,
    "camunda:resultVariable": _JAVA, "camunda:connector": _JAVA, "camunda:field": _JAVA,
    "camunda:executionListener": "本平台不执行监听器（执行监听器，无论是 Java 类、表达式还是脚本），"
                                 "请改用服务任务（camunda:topic）",
    "camunda:taskListener": "本平台不执行任务监听器（无论是 Java 类、表达式还是脚本），"
                            "提醒请用非中断定时边界事件，其他工作请用服务任务（camunda:topic）",
    "camunda:formKey": "本平台按 camunda:formData 生成表单，不使用外部表单（formKey），请删除并在“表单”中定义字段",
    "camunda:formRef": "本平台按 camunda:formData 生成表单，不使用外部表单（formRef），请删除",
    "camunda:followUpDate": "本平台不使用跟进日期（followUpDate），请删除；提醒请用非中断定时边界事件",
    "camunda:asyncBefore": _ASYNC, "camunda:asyncAfter": _ASYNC, "camunda:exclusive": _ASYNC,
    "camunda:jobPriority": _ASYNC, "camunda:taskPriority": _ASYNC, "camunda:failedJobRetryTimeCycle": _ASYNC,
    "camunda:outputParameter": "本平台不执行输出参数映射：处理器的结果直接写入流程数据，请删除",
    "camunda:in": "调用活动传入并带回全部流程数据，不支持 camunda:in/out 变量映射，请删除",
    "camunda:out": "调用活动传入并带回全部流程数据，不支持 camunda:in/out 变量映射，请删除",
    "camunda:initiator": "发起人由报送页面记录，不使用 camunda:initiator，请删除",
    "camunda:candidateStarterGroups": "谁能报送由平台的角色决定，不使用 candidateStarterGroups，请删除",
    "camunda:candidateStarterUsers": "谁能报送由平台的角色决定，不使用 candidateStarterUsers，请删除",
    "camunda:errorEventDefinition": _JAVA,
    "camunda:errorMessage": "本平台不使用错误消息属性（camunda:errorMessage），请删除",
    "camunda:errorCodeVariable": _DATA, "camunda:errorMessageVariable": _DATA,
    "camunda:mapDecisionResult": "决策表的输出直接写入流程数据，不支持 mapDecisionResult，请删除",
    "bpmn:messageEventDefinition": _MESSAGE,
    "bpmn:conditionalEventDefinition": "本平台不执行条件事件（conditionalEvent），请改用排他网关的条件",
    "bpmn:escalationEventDefinition": "本平台不支持升级事件（escalation），请改用错误事件或排他网关",
    "bpmn:escalation": "本平台不支持升级事件（escalation），请删除升级定义",
    "bpmn:compensateEventDefinition": "本平台不支持补偿事件，请改用服务任务",
    "bpmn:cancelEventDefinition": "本平台不支持取消事件和事务子流程",
    "bpmn:transaction": "本平台不支持事务子流程（transaction），请改用普通子流程",
    "bpmn:linkEventDefinition": "本平台不支持链接事件，请直接连线",
    "bpmn:correlationProperty": _CORRELATION, "bpmn:correlationKey": _CORRELATION,
    "bpmn:correlationPropertyRetrievalExpression": _CORRELATION, "bpmn:messagePath": _CORRELATION,
    "bpmn:correlationSubscription": _CORRELATION,
    "bpmn:adHocSubProcess": "本平台不支持自由子流程（adHocSubProcess），请改用普通子流程",
    "bpmn:eventBasedGateway": "本平台不支持事件网关，请改用定时边界事件或排他网关",
    "bpmn:complexGateway": "本平台不支持复杂网关，请改用排他、包容或并行网关",
    "bpmn:standardLoopCharacteristics": "本平台不支持循环标记，请用连线回到前面的任务",
    "bpmn:dataInputAssociation": _DATA, "bpmn:dataOutputAssociation": _DATA, "bpmn:ioSpecification": _DATA,
    "bpmn:property": _DATA, "camunda:properties": "本平台只读取表单字段上的扩展属性（widget、records），"
                                                  "其他元素上的 camunda:properties 不起作用，请删除",
    "camunda:inputOutput": "本平台只把服务任务的输入参数传给处理器，其他元素上的 camunda:inputOutput 不起作用，请删除",
}
_GENERIC = "不在本平台支持的流程图方言中（不会按原样执行），请删除或改用 README“流程图方言”中列出的写法"


def refusal(name: str) -> str:
    """The advice for an element or attribute that is not in the table."""
    return REFUSALS.get(name, f"{name} {_GENERIC}")


def qualified(tag: str) -> str:
    """`{namespace}local` → `prefix:local` (unknown namespaces keep their URI)."""
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    for prefix, known in NAMESPACES.items():
        if known == uri:
            return f"{prefix}:{local}"
    return f"{{{uri}}}{local}"


def markdown() -> str:
    """The README's dialect section: elements with attributes and checks, then refusals."""
    lines = ["| 元素 | 作用 | 检查 | 属性（检查） | 内容 |", "|---|---|---|---|---|"]
    for row in ELEMENTS.values():
        attrs = "；".join(f"`{a}`（{CHECKS[c]}）" for a, c in row.attributes.items()) or "—"
        text = CHECKS[row.text] if row.text else "—"
        within = f"；只能在 {'、'.join(row.within)} 中" if row.within else ""
        lines.append(f"| `{row.name}` | {row.role} | {CHECKS[row.check]}{within} | {attrs} | {text} |")
    lines += ["", f"绘图命名空间 {'、'.join(f'`{p}:`' for p in DRAWING_NAMESPACES)} 的元素与属性、"
              f"绘图元素上的颜色属性（{'、'.join(f'`{p}:`' for p in COLOUR_NAMESPACES)}）一律允许，只用于绘图。"
              "每个元素都可有 `id` 与 `name`。表中没有的元素和属性一律拒绝，例如：", "",
              "| 元素或属性 | 拒绝原因与改法 |", "|---|---|"]
    lines += [f"| `{name}` | {advice} |" for name, advice in REFUSALS.items()]
    return "\n".join(lines) + "\n"


BEGIN, END = "<!-- dialect-table:begin -->", "<!-- dialect-table:end -->"


def write_readme(path: Path) -> None:
    """Replace the text between the dialect markers in README.md with the generated table."""
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    path.write_text(pattern.sub(lambda _: f"{BEGIN}\n{markdown()}{END}", text, count=1), encoding="utf-8")


if __name__ == "__main__":  # python -m engine.dialect_table --markdown [README.md]
    if sys.argv[1:2] == ["--markdown"]:
        write_readme(Path(sys.argv[2] if len(sys.argv) > 2 else "README.md"))
