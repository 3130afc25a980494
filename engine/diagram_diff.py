"""Comparing two diagram versions element by element (by BPMN id), for owners' visual diff.

SpiffWorkflow's SpecDiff compares parsed task specs, which hides sequence flows, conditions and
lanes and names its findings by serializer keys; owners need to see what they edited in the modeler,
so the diagram XML itself is compared here: each process element's attributes, and the text and
attributes of what it contains (timers, conditions, forms, inputs), ignoring layout (DI).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .specs import BPMN_NS
from .xml_safety import parse_untrusted_xml

NAMESPACE_PREFIXES = {BPMN_NS: "bpmn", "http://camunda.org/schema/1.0/bpmn": "camunda",
                      "http://www.w3.org/2001/XMLSchema-instance": "xsi"}
KIND_LABELS = {
    "startEvent": "开始事件", "endEvent": "结束事件", "userTask": "用户任务", "serviceTask": "服务任务",
    "businessRuleTask": "业务规则任务", "task": "任务", "sendTask": "发送任务", "receiveTask": "接收任务",
    "manualTask": "人工任务", "scriptTask": "脚本任务", "exclusiveGateway": "排他网关",
    "parallelGateway": "并行网关", "inclusiveGateway": "包容网关", "eventBasedGateway": "事件网关",
    "intermediateCatchEvent": "中间捕获事件", "intermediateThrowEvent": "中间抛出事件",
    "boundaryEvent": "边界事件", "subProcess": "子流程", "callActivity": "调用活动",
    "sequenceFlow": "顺序流", "lane": "泳道", "process": "流程", "participant": "参与者",
}
IGNORED_CHILDREN = frozenset({"incoming", "outgoing", "flowNodeRef"})


@dataclass
class ElementChange:
    """One element that differs between the versions."""

    element_id: str
    kind: str
    name: str
    details: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"element_id": self.element_id, "kind": self.kind, "name": self.name, "details": self.details}


@dataclass
class DiagramDiff:
    """Added (only in the new), removed (only in the old) and changed elements."""

    added: list[ElementChange] = field(default_factory=list)
    removed: list[ElementChange] = field(default_factory=list)
    changed: list[ElementChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def as_dict(self) -> dict:
        return {key: [c.as_dict() for c in getattr(self, key)] for key in ("added", "removed", "changed")}


def _qname(tag: str) -> str:
    if not isinstance(tag, str):
        return ""
    if tag.startswith("{"):
        ns, local = tag[1:].split("}", 1)
        prefix = NAMESPACE_PREFIXES.get(ns)
        return f"{prefix}:{local}" if prefix and prefix != "bpmn" else local
    return tag


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _elements(root) -> dict:
    """Process-side elements with an id (DI excluded), keyed by id."""
    found = {}
    for container in root.findall(f"{{{BPMN_NS}}}process") + root.findall(f"{{{BPMN_NS}}}collaboration"):
        found[container.get("id")] = container
        for el in container.iter():
            if el is not container and el.get("id") and _local(el.tag) not in IGNORED_CHILDREN:
                if _owner(el) is container or _local(el.tag) in KIND_LABELS:
                    found[el.get("id")] = el
    return {k: v for k, v in found.items() if k}


def _owner(el):
    parent = el.getparent()
    while parent is not None and not parent.get("id"):
        parent = parent.getparent()
    return parent


def _attributes(el) -> dict[str, str]:
    return {_qname(k): v for k, v in el.attrib.items()}


def _facts(el, tracked: set[str]) -> dict[str, str]:
    """Content of an element (not its own attributes, not nested tracked elements) as path → value."""
    facts: dict[str, str] = {}

    def walk(node, path):
        counts: dict[str, int] = {}
        for child in node:
            local = _local(child.tag)
            if not local or local in IGNORED_CHILDREN or (child.get("id") in tracked and _local(child.tag) in KIND_LABELS):
                continue
            index = counts.get(local, 0)
            counts[local] = index + 1
            key = child.get("id") or child.get("name") or (str(index) if index else "")
            step = f"{_qname(child.tag)}[{key}]" if key else _qname(child.tag)
            child_path = f"{path}/{step}" if path else step
            attrs = {k: v for k, v in _attributes(child).items() if k not in ("id", "xsi:type")}
            text = (child.text or "").strip()
            facts[child_path] = " ".join([f'{k}="{v}"' for k, v in sorted(attrs.items())] + ([text] if text else []))
            walk(child, child_path)

    walk(el, "")
    return facts


def _describe(el) -> ElementChange:
    local = _local(el.tag)
    return ElementChange(el.get("id"), KIND_LABELS.get(local, local), el.get("name") or el.get("id"))


def _compare(old, new, tracked: set[str]) -> list[str]:
    details = []
    if _local(old.tag) != _local(new.tag):
        details.append(f"类型：{KIND_LABELS.get(_local(old.tag))} → {KIND_LABELS.get(_local(new.tag))}")
    a, b = _attributes(old), _attributes(new)
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            details.append(f"{key}：{a.get(key, '（无）')} → {b.get(key, '（无）')}")
    fa, fb = _facts(old, tracked), _facts(new, tracked)
    for key in sorted(set(fa) | set(fb)):
        if key not in fa:
            details.append(f"新增 {key}：{fb[key]}")
        elif key not in fb:
            details.append(f"删除 {key}：{fa[key]}")
        elif fa[key] != fb[key]:
            details.append(f"{key}：{fa[key] or '（空）'} → {fb[key] or '（空）'}")
    return details


def diff_diagrams(old_xml: str | bytes, new_xml: str | bytes, max_bytes: int = 2 * 1024 * 1024) -> DiagramDiff:
    """What an owner changed between two diagram texts, by element id."""
    old = _elements(parse_untrusted_xml(old_xml, max_bytes))
    new = _elements(parse_untrusted_xml(new_xml, max_bytes))
    tracked = set(old) | set(new)
    diff = DiagramDiff()
    for element_id, el in new.items():
        if element_id not in old:
            diff.added.append(_describe(el))
    for element_id, el in old.items():
        if element_id not in new:
            diff.removed.append(_describe(el))
        else:
            details = _compare(el, new[element_id], tracked)
            if details:
                change = _describe(new[element_id])
                change.details = details
                diff.changed.append(change)
    return diff


def diff_decision_tables(old: dict[str, str], new: dict[str, str]) -> DiagramDiff:
    """Decision tables (decision id → DMN text) added, removed or edited between two versions."""
    diff = DiagramDiff()
    for decision_id in sorted(set(old) | set(new)):
        if decision_id not in old:
            diff.added.append(ElementChange(decision_id, "决策表", decision_id))
        elif decision_id not in new:
            diff.removed.append(ElementChange(decision_id, "决策表", decision_id))
        elif old[decision_id] != new[decision_id]:
            a, b = parse_untrusted_xml(old[decision_id]), parse_untrusted_xml(new[decision_id])
            details = _compare(a, b, set()) or ["仅布局或格式变化"]
            decision = b.find("{*}decision")
            name = (decision.get("name") if decision is not None else None) or decision_id
            diff.changed.append(ElementChange(decision_id, "决策表", name, details))
    return diff
