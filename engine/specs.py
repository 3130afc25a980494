"""Parsed process specs, cached by content hash: a version is parsed once per process."""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from .decisions import add_to_parser
from .dialect import DialectParser
from .parse_errors import translate
from .xml_safety import parse_untrusted_xml

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


class SpecError(ValueError):
    """The diagram cannot be turned into an executable spec."""

    def __init__(self, message: str, element_id: str | None = None):
        super().__init__(message)
        self.element_id = element_id


@dataclass(frozen=True)
class SpecBundle:
    """An executable process spec plus what the UI needs to know about its elements."""

    content_hash: str
    process_id: str
    spec: object
    subprocess_specs: dict
    element_names: dict = field(default_factory=dict)


def content_hash(xml: str | bytes) -> str:
    """SHA-256 of the diagram text."""
    raw = xml.encode("utf-8") if isinstance(xml, str) else xml
    return hashlib.sha256(raw).hexdigest()


def executable_process_id(root) -> str:
    """The id of the first executable process in the definitions."""
    processes = root.findall(f"{{{BPMN_NS}}}process")
    for proc in processes:
        if proc.get("isExecutable", "true") == "true":
            return proc.get("id")
    raise SpecError("图中没有可执行的流程（bpmn:process isExecutable=\"true\"）")


def parse_bundle(xml: str | bytes, max_bytes: int = 2 * 1024 * 1024, decisions: Sequence[str] = ()) -> SpecBundle:
    """Safely parse a diagram (and the DMN decision tables it calls) into a bundle, or raise SpecError."""
    root = parse_untrusted_xml(xml, max_bytes)
    process_id = executable_process_id(root)
    parser = DialectParser()
    try:
        add_to_parser(parser, decisions)
        parser.add_bpmn_xml(root.getroottree(), filename=f"{process_id}.bpmn")
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        element_id, message = translate(exc, root)
        raise SpecError(message, element_id) from None
    except KeyError as exc:  # the Camunda parser reads camunda:decisionRef with node.attrib[...]
        raise SpecError(f"缺少必需的属性：{exc}") from None
    names = {el.get("id"): el.get("name") or el.get("id") for el in root.iter() if el.get("id")}
    return SpecBundle(bundle_key(xml, decisions), process_id, spec, subprocess_specs, names)


def bundle_key(xml: str | bytes, decisions: Sequence[str] = ()) -> str:
    """The cache key of a diagram with its decision tables (the diagram's own hash when it has none)."""
    if not decisions:
        return content_hash(xml)
    return content_hash(content_hash(xml) + "".join(sorted(content_hash(d) for d in decisions)))


class SpecCache:
    """Thread-safe cache of parsed bundles keyed by content hash."""

    def __init__(self, max_entries: int = 64):
        self._bundles: dict[str, SpecBundle] = {}
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, xml: str, decisions: Sequence[str] = ()) -> SpecBundle:
        """The bundle for this diagram text (and decision tables), parsing it on first use."""
        key = bundle_key(xml, decisions)
        bundle = self._bundles.get(key)
        if bundle is None:
            bundle = parse_bundle(xml, decisions=decisions)
            with self._lock:
                if len(self._bundles) >= self._max:
                    self._bundles.pop(next(iter(self._bundles)))
                self._bundles[key] = bundle
        return bundle
