"""Publish-time checks of a diagram, each problem tied to an element id for the modeler's markers."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator

from .decisions import add_to_parser, check_decisions
from .dialect import DialectParser
from .dialect_rules import ELEMENT_RULES
from .dialect_walk import WalkContext, walk
from .expressions import ExpressionEnvironment
from .parse_errors import translate
from .specs import BPMN_NS, executable_process_id
from .people_checks import people_and_loop_problems
from .xml_safety import UnsafeXml, parse_untrusted_xml

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
FLOW_NODE_TAGS = ("startEvent", "endEvent", "task", "userTask", "serviceTask", "scriptTask", "manualTask",
                  "businessRuleTask", "sendTask", "receiveTask", "exclusiveGateway", "parallelGateway",
                  "inclusiveGateway", "eventBasedGateway", "intermediateCatchEvent", "intermediateThrowEvent",
                  "boundaryEvent", "subProcess", "callActivity")


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
    """Checks a diagram against the dialect table, the handler registry and the known roles."""

    def __init__(self, topics: Iterable[str], roles: Iterable[str], expressions: ExpressionEnvironment | None = None,
                 topic_parameters: Mapping[str, Mapping] | None = None):
        self.topics = frozenset(topics)
        self.roles = frozenset(roles)
        self.expressions = expressions or ExpressionEnvironment()
        self.topic_parameters = topic_parameters

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
        problems = _unique(self._dialect(root))
        for check in (self._gateways, self._reachability, self._diagram_interchange):
            problems.extend(check(root, processes))
        problems.extend(Problem(p.element_id, p.message) for p in check_decisions(root, decisions, self.expressions))
        problems.extend(Problem(e, m) for e, m in people_and_loop_problems(root, self.expressions))
        if not problems:
            problems.extend(self._parse(root, decisions))
        return problems

    def _dialect(self, root) -> list[Problem]:
        """The whole tree against engine.dialect_table (elements, attributes, extensions, texts)."""
        ctx = WalkContext(self.topics, self.roles, self.expressions.check, self.topic_parameters,
                          element_checks=ELEMENT_RULES)
        return [Problem(f.element_id, f.message) for f in walk(root, ctx)]

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
            starts = [i for i, el in nodes.items() if el.getparent() is process and (
                el.tag == _b("startEvent") or el.get("triggeredByEvent") == "true")]
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
            process_id = executable_process_id(root)
            parser.get_spec(process_id)
            parser.get_subprocess_specs(process_id)
        except Exception as exc:  # noqa: BLE001 - any parser failure is a validation finding
            element_id, message = translate(exc, root)
            return [Problem(element_id, f"BPMN 结构不合法：{message}")]
        return []


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, result = set(), []
    for problem in problems:
        if (problem.element_id, problem.message) not in seen:
            seen.add((problem.element_id, problem.message))
            result.append(problem)
    return result
