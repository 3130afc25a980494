"""The handler registry and the diagrams agree: every topic has a handler, every handler is used."""
from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from lxml import etree

from handlers import HANDLERS, TOPIC_DESCRIPTIONS, TOPIC_PARAMETERS
from storage.models import Role

PROCESSES = Path(__file__).resolve().parent.parent / "processes"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
DIAGRAMS = sorted(PROCESSES.rglob("*.bpmn"))


def service_tasks():
    """(diagram, element id, topic, input parameter names) for every service/send task."""
    found = []
    for path in DIAGRAMS:
        root = etree.parse(str(path)).getroot()
        for el in root.iter(f"{{{BPMN}}}serviceTask", f"{{{BPMN}}}sendTask"):
            params = [p.get("name") for p in el.iter(f"{{{CAMUNDA}}}inputParameter")]
            found.append((path.name, el.get("id"), el.get(f"{{{CAMUNDA}}}topic"), params))
    return found


def test_there_are_diagrams_and_service_tasks():
    assert PROCESSES / "risk_disposal.bpmn" in DIAGRAMS
    assert len(service_tasks()) >= 6


def test_every_topic_used_has_a_handler():
    missing = [(d, e, t) for d, e, t, _ in service_tasks() if t not in HANDLERS]
    assert missing == []


def test_every_handler_is_used_by_a_diagram():
    used = {t for _, _, t, _ in service_tasks()}
    assert sorted(set(HANDLERS) - used) == []


def test_topic_metadata_covers_exactly_the_handlers():
    assert set(TOPIC_PARAMETERS) == set(HANDLERS)
    assert set(TOPIC_DESCRIPTIONS) == set(HANDLERS)


@pytest.mark.parametrize("diagram, element_id, topic, params",
                         [pytest.param(*t, id=f"{t[0]}:{t[1]}") for t in service_tasks()])
def test_input_parameters_are_accepted_by_the_handler(diagram, element_id, topic, params):
    handler = HANDLERS[topic]
    signature = inspect.signature(handler)
    names = list(signature.parameters)
    assert names[0] == "ctx"
    for param in params:
        assert param in signature.parameters, f"{diagram}:{element_id} passes {param!r} to {handler.__name__}"
        assert param in TOPIC_PARAMETERS[topic]
    required = [n for n, p in list(signature.parameters.items())[1:] if p.default is inspect.Parameter.empty]
    assert set(required) <= set(params)


def test_handlers_are_named_like_their_topics():
    assert {topic: fn.__name__ for topic, fn in HANDLERS.items()} == {t: t for t in HANDLERS}


def test_every_candidate_group_is_a_role():
    roles = {r.value for r in Role}
    for path in DIAGRAMS:
        root = etree.parse(str(path)).getroot()
        for el in root.iter(f"{{{BPMN}}}userTask"):
            groups = (el.get(f"{{{CAMUNDA}}}candidateGroups") or "").split(",")
            assert {g.strip() for g in groups if g.strip()} <= roles, (path.name, el.get("id"))


def test_diagram_with_unknown_topic_is_refused(env):
    from services import processes
    from services.errors import Invalid

    text = (PROCESSES / "risk_disposal.bpmn").read_text(encoding="utf-8")
    text = text.replace('camunda:topic="dispatch_guidance"', 'camunda:topic="send_sms"', 1)
    with pytest.raises(Invalid) as info:
        processes.create_draft(env, text)
    assert [d["element_id"] for d in info.value.details] == ["dispatch_guidance"]
    assert "send_sms" in info.value.details[0]["message"]
