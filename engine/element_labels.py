"""The Chinese names a diagram gives its elements, read from the version's XML (no workflow needed).

Admin pages list many instances of a few versions; reading the names from the stored XML once per
diagram text is cheaper than deserializing a workflow per row, and works for ended instances too.
"""
from __future__ import annotations

from functools import lru_cache

from .specs import BPMN_NS
from .xml_safety import parse_untrusted_xml

NAMED = frozenset({
    "startEvent", "endEvent", "userTask", "serviceTask", "businessRuleTask", "task", "sendTask", "receiveTask",
    "manualTask", "scriptTask", "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
    "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "subProcess", "callActivity",
})


def element_names_from_xml(xml: str | bytes) -> dict[str, str]:
    """Flow-node id → its name (the id itself when the element has no name), in document order."""
    return dict(_cached(xml))


@lru_cache(maxsize=64)
def _cached(xml: str | bytes) -> tuple[tuple[str, str], ...]:
    root = parse_untrusted_xml(xml)
    prefix = "{" + BPMN_NS + "}"
    found = []
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        element_id = el.get("id")
        if element_id and tag.startswith(prefix) and tag[len(prefix):] in NAMED:
            found.append((element_id, (el.get("name") or "").strip() or element_id))
    return tuple(found)
