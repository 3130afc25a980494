"""The Chinese names a diagram gives its elements, read from the version's XML (no workflow needed).

Admin pages list many instances of a few versions; reading the names from the stored XML once per
content hash is cheaper than deserializing a workflow per row, and works for ended instances too.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from .specs import BPMN_NS, content_hash
from .xml_safety import parse_untrusted_xml

NAMED = frozenset({
    "startEvent", "endEvent", "userTask", "serviceTask", "businessRuleTask", "task", "sendTask", "receiveTask",
    "manualTask", "scriptTask", "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
    "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "subProcess", "callActivity",
})
CACHE_SIZE = 64


class ElementNameCache:
    """Names per diagram content hash, so that a page reads the XML of a version only the first time."""

    def __init__(self, size: int = CACHE_SIZE):
        self._size, self._items, self._lock = size, OrderedDict(), threading.Lock()

    def get(self, key: str) -> dict[str, str] | None:
        """The cached names of a diagram, or None."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return dict(self._items[key])
            return None

    def names(self, xml: str | bytes, key: str | None = None) -> dict[str, str]:
        """The names of this diagram (parsed once per content hash)."""
        key = key or content_hash(xml)
        cached = self.get(key)
        if cached is not None:
            return cached
        found = element_names_from_xml(xml)
        with self._lock:
            self._items[key] = found
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return dict(found)


def element_names_from_xml(xml: str | bytes) -> dict[str, str]:
    """Flow-node id → its name (the id itself when the element has no name), in document order."""
    root = parse_untrusted_xml(xml)
    prefix = "{" + BPMN_NS + "}"
    found = {}
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        element_id = el.get("id")
        if element_id and tag.startswith(prefix) and tag[len(prefix):] in NAMED:
            found[element_id] = (el.get("name") or "").strip() or element_id
    return found
