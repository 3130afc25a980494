"""Publish-time checks of a diagram, each problem tied to an element id for the modeler's markers."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator

from .decisions import add_to_parser, check_decisions
from .dialect import KNOWN_FIELD_TYPES, DialectParser
from .expressions import ExpressionEnvironment, UnsafeExpression
from .people_checks import people_and_loop_problems
from .specs import BPMN_NS
from .xml_safety import UnsafeXml, parse_untrusted_xml

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
FLOW_NODE_TAGS = ("startEvent", "endEvent", "task", "userTask", "serviceTask", "scriptTask", "manualTask",
                  "businessRuleTask", "sendTask", "receiveTask", "exclusiveGateway", "parallelGateway",
                  "inclusiveGateway", "eventBasedGateway", "intermediateCatchEvent", "intermediateThrowEvent",
                  "boundaryEvent", "subProcess", "callActivity")
RESERVED_FIELD_IDS = frozenset({"typename"})


@dataclass(frozen=True)
class Problem:
    """One validation finding."""

    element_id: str | None
    message: str

    def as_dict(self) -> dict:
        return {"element_id": self.element_id, "message": self.message}


def _b(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def _c(name: str) -> str:
    return f"{{{CAMUNDA_NS}}}{name}"


class DiagramValidator:
    """Checks a diagram against the dialect, the handler registry and the known roles."""

    def __init__(self, topics: Iterable[str], roles: Iterable[str], expressions: ExpressionEnvironment | None = None):
        self.topics = frozenset(topics)
        self.roles = frozenset(roles)
        self.expressions = expressions or ExpressionEnvironment()

    def validate(self, xml: bytes | str, max_bytes: int, decisions: Sequence[str] = ()) -> list[Problem]:
        """Every problem found (in the diagram and the DMN tables it calls); empty means publishable."""
        try:
            root = parse_untrusted_xml(xml, max_bytes)
        except UnsafeXml as exc:
            return [Problem(None, str(exc))]
        if root.tag != _b("definitions"):
            return [Problem(None, "不是 BPMN 2.0 文件（根元素应为 bpmn:definitions）")]
        processes = [p for p in root.findall(_b("process")) if p.get("isExecutable", "true") == "true"]
        if not processes:
            return [Problem(None, "图中没有可执行的流程（isExecutable=\"true\"）")]
        problems: list[Problem] = []
        for check in (self._scripts, self._service_tasks, self._user_tasks, self._expressions,
                      self._gateways, self._reachability, self._diagram_interchange):
            problems.extend(check(root, processes))
        problems.extend(Problem(p.element_id, p.message) for p in check_decisions(root, decisions, self.expressions))
        problems.extend(Problem(e, m) for e, m in people_and_loop_problems(root, self.expressions))
        if not problems:
            problems.extend(self._parse(root, decisions))
        return problems

    def _scripts(self, root, processes):
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            local = el.tag.rsplit("}", 1)[-1]
            if el.tag == _b("scriptTask"):
                yield Problem(el.get("id"), "不允许使用脚本任务（scriptTask）：流程图中不执行代码，请改用服务任务")
            elif local in ("preScript", "postScript", "script") and el.tag != _b("script"):
                yield Problem(_owner_id(el), f"不允许使用脚本（{local}）")

    def _service_tasks(self, root, processes):
        for el in root.iter(_b("serviceTask"), _b("sendTask")):
            topic = el.get(_c("topic"))
            if not topic:
                yield Problem(el.get("id"), "服务任务缺少 camunda:topic（请选择实现方式 External，并填写主题）")
            elif topic not in self.topics:
                known = "、".join(sorted(self.topics))
                yield Problem(el.get("id"), f"未知的服务主题“{topic}”，可用主题：{known}")

    def _user_tasks(self, root, processes):
        for el in root.iter(_b("userTask")):
            groups = [g.strip() for g in (el.get(_c("candidateGroups")) or "").split(",") if g.strip()]
            if not groups:
                yield Problem(el.get("id"), "用户任务缺少候选组（camunda:candidateGroups）")
            for group in groups:
                if group not in self.roles:
                    yield Problem(el.get("id"), f"未知的候选组“{group}”，可用角色：{'、'.join(sorted(self.roles))}")
            for field in el.iter(_c("formField")):
                yield from self._form_field(el.get("id"), field)
            for attr in ("dueDate", "followUpDate"):
                if el.get(_c(attr)):
                    yield from self._expression(el.get("id"), el.get(_c(attr)), f"期限（{attr}）")

    def _form_field(self, element_id, field):
        ftype, fid = field.get("type") or "string", field.get("id") or ""
        if ftype not in KNOWN_FIELD_TYPES:
            yield Problem(element_id, f"表单字段“{fid}”的类型“{ftype}”不受支持（可用：{'、'.join(sorted(KNOWN_FIELD_TYPES))}）")
        if not fid.isidentifier() or fid.startswith("_") or fid in RESERVED_FIELD_IDS:
            yield Problem(element_id, f"表单字段标识“{fid}”不合法（须为字母开头的标识符，且不能是保留字 typename）")

    def _expressions(self, root, processes):
        for flow in root.iter(_b("sequenceFlow")):
            for cond in flow.iter(_b("conditionExpression")):
                if cond.get("language") not in (None, "", "python"):
                    yield Problem(flow.get("id"), f"不支持的条件语言“{cond.get('language')}”")
                yield from self._expression(flow.get("id"), cond.text or "", "条件")
        for tag in ("timeDuration", "timeDate", "timeCycle"):
            for timer in root.iter(_b(tag)):
                # report the event (a shape the modeler can mark), not its timerEventDefinition
                yield from self._expression(_owner_id(timer.getparent().getparent()), timer.text or "", "定时器表达式")

    def _expression(self, element_id, text, what):
        try:
            self.expressions.check(text)
        except UnsafeExpression as exc:
            yield Problem(element_id, f"{what}“{text.strip()[:80]}”不安全或不合法：{exc}")

    def _gateways(self, root, processes):
        flows = {f.get("id"): f for f in root.iter(_b("sequenceFlow"))}
        for gw in root.iter(_b("exclusiveGateway"), _b("inclusiveGateway")):
            outgoing = [f for f in flows.values() if f.get("sourceRef") == gw.get("id")]
            if len(outgoing) < 2 or gw.get("default"):
                continue
            if any(f.find(_b("conditionExpression")) is None for f in outgoing):
                yield Problem(gw.get("id"), "排他网关的出口须全部设置条件，或指定一条默认流")

    def _reachability(self, root, processes):
        for process in processes:
            nodes = {el.get("id"): el for tag in FLOW_NODE_TAGS for el in process.iter(_b(tag))}
            edges = defaultdict(set)
            for flow in process.iter(_b("sequenceFlow")):
                edges[flow.get("sourceRef")].add(flow.get("targetRef"))
            for el in process.iter(_b("boundaryEvent")):
                edges[el.get("attachedToRef")].add(el.get("id"))
            starts = [i for i, el in nodes.items() if el.tag == _b("startEvent") and el.getparent() is process]
            if not starts:
                yield Problem(process.get("id"), "流程缺少开始事件")
            seen, todo = set(), list(starts)
            while todo:
                node = todo.pop()
                if node not in seen:
                    seen.add(node)
                    todo.extend(edges.get(node, ()))
            for node_id, el in nodes.items():
                if node_id not in seen and el.getparent() is process:
                    yield Problem(node_id, f"“{el.get('name') or node_id}”从开始事件无法到达")

    def _diagram_interchange(self, root, processes):
        drawn = {el.get("bpmnElement") for el in root.iter(f"{{{DI_NS}}}BPMNShape", f"{{{DI_NS}}}BPMNEdge")}
        for process in processes:
            for tag in FLOW_NODE_TAGS + ("sequenceFlow",):
                for el in process.iter(_b(tag)):
                    if el.get("id") not in drawn:
                        yield Problem(el.get("id"), f"“{el.get('name') or el.get('id')}”缺少图形信息（BPMN DI），建模器中无法显示")

    def _parse(self, root, decisions: Sequence[str] = ()):
        parser = DialectParser(validator=BpmnValidator())
        try:
            add_to_parser(parser, decisions)
            parser.add_bpmn_xml(root.getroottree(), filename="diagram.bpmn")
            for process_id in parser.get_process_ids():
                parser.get_spec(process_id)
        except Exception as exc:  # noqa: BLE001 - any parser failure is a validation finding
            return [Problem(getattr(exc, "id", None), f"BPMN 结构不合法：{str(exc).splitlines()[0][:300]}")]
        return []


def _owner_id(el) -> str | None:
    while el is not None and el.get("id") is None:
        el = el.getparent()
    return el.get("id") if el is not None else None
