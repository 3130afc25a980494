"""What the dry run can choose on a path: the decision fields a diagram reads, each way a person can
fill them, and each sample of a service topic's declared outputs."""
from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .xml_safety import parse_untrusted_xml

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
SAMPLE_TEXT = "试运行"
EXPRESSION_TAGS = ("conditionExpression", "timeDuration", "timeDate", "timeCycle", "loopCardinality",
                   "completionCondition")


@dataclass(frozen=True)
class Choice:
    """One decision on a path; `key` identifies it across replays (task ids differ per run)."""

    kind: str  # "task" | "timer" | "output"
    element_id: str
    key: tuple
    label: str
    data: Mapping = field(default_factory=dict, compare=False, hash=False)



def referenced_names(xml: str | bytes, decisions: Sequence[str] = ()) -> frozenset[str]:
    """Every variable name read by a condition, timer, due date or decision-table input of the diagram."""
    texts: list[str] = []
    root = parse_untrusted_xml(xml, 4 * 1024 * 1024)
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1] in EXPRESSION_TAGS:
            texts.append(el.text or "")
        for attr in ("dueDate", "followUpDate", "collection"):
            if el.get(f"{{{CAMUNDA_NS}}}{attr}"):
                texts.append(el.get(f"{{{CAMUNDA_NS}}}{attr}"))
    for dmn in decisions:
        droot = parse_untrusted_xml(dmn, 1024 * 1024)
        texts.extend(t.text or "" for t in droot.iter() if isinstance(t.tag, str) and t.tag.endswith("}text"))
    return frozenset(name for text in texts for name in _names(text))


def _names(text: str) -> Iterable[str]:
    body = text.strip()
    if body.startswith("${") and body.endswith("}"):
        body = body[2:-1]
    try:
        tree = ast.parse(body, mode="eval")
    except (SyntaxError, ValueError):
        return ()
    return [n.id for n in ast.walk(tree) if isinstance(n, ast.Name)]


def output_variants(declared: Mapping[str, object]) -> list[dict]:
    """Declared outputs → one data dict per sample index; a list value is a list of samples."""
    lengths = [len(v) for v in declared.values() if isinstance(v, list) and v]
    count = max(lengths, default=1)
    return [{name: (value[i % len(value)] if isinstance(value, list) and value else value)
             for name, value in declared.items()} for i in range(count)]


def sample_value(fld: dict):
    """A value a person could enter in a field that no condition reads."""
    options = fld.get("options") or []
    return {"long": 3, "boolean": True, "date": datetime.now(timezone.utc).date().isoformat(),
            "enum": options[0]["id"] if options else None}.get(fld.get("type") or "string", SAMPLE_TEXT)


def _field_options(fld: dict) -> list[tuple[object, str]]:
    """(value, label) for each way a person can fill a decision field; `...` stands for left empty."""
    if fld.get("type") == "boolean":
        found = [(True, "是"), (False, "否")]
    else:
        found = [(o["id"], o["name"] or o["id"]) for o in fld.get("options") or []]
    if not fld.get("required"):
        found.append((..., "未填写"))
    return found


def task_variants(element_id: str, name: str, form: dict, decision_names: frozenset[str]) -> list[Choice]:
    """One choice per option of each decision field (others at their first option), deduplicated."""
    fields = form.get("fields", [])
    deciding = [f for f in fields if f["id"] in decision_names and _field_options(f)]
    base = {f["id"]: sample_value(f) for f in fields}
    for f in deciding:
        base[f["id"]] = _field_options(f)[0][0]
    picks = [dict(base)]
    for f in deciding:
        for value, _ in _field_options(f)[1:]:
            picks.append(dict(base, **{f["id"]: value}))
    labels = {f["id"]: (f.get("label") or f["id"], dict(_field_options(f))) for f in deciding}
    choices, seen = [], set()
    for pick in picks:
        key = tuple((fid, repr(pick[fid])) for fid in labels)
        if key in seen:
            continue
        seen.add(key)
        described = "；".join(f"{labels[fid][0]}={labels[fid][1][pick[fid]]}" for fid in labels) or "提交"
        data = {k: v for k, v in pick.items() if v is not ... and v is not None}
        choices.append(Choice("task", element_id, key, f"{name}：{described}", data))
    return choices
