"""handlers/outputs.py declares what each topic writes into task data; the real handlers must agree.

The publish dry run stubs every service task with these declarations, so a declaration that drifts
from its handler would let a diagram pass the dry run and then fail (or branch wrongly) in production.
"""
from __future__ import annotations

from sqlalchemy import select

from handlers import HANDLERS, TOPIC_PARAMETERS, HandlerContext
from handlers.outputs import DECLARED_OUTPUTS
from storage.models import MonitoringPoint, ProcessInstance, Report

ENUMERATED = (str, bool, int, type(None))  # a list of such samples must list every value the handler can produce


def test_every_registered_topic_has_a_declaration():
    assert set(DECLARED_OUTPUTS) == set(HANDLERS)


def _context(env, report_id: int, element_id: str) -> HandlerContext:
    report = env.session.get(Report, report_id)
    instance = env.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == report_id))
    return HandlerContext(env.session, instance, report, element_id, {"guidance": "督促整改"}, None)


def _params(topic: str) -> list[dict]:
    """Each documented value of each parameter (send_reminder's targets, mark_overdue's tiers)."""
    calls = [{}]
    for name, doc in TOPIC_PARAMETERS[topic].items():
        calls = [dict(c, **{name: value.strip()}) for c in calls for value in doc.split("|")]
    return calls


def _assert_matches(topic: str, produced: dict) -> None:
    declared = DECLARED_OUTPUTS[topic]
    assert set(produced or {}) == set(declared), (topic, produced)
    for name, value in (produced or {}).items():
        samples = declared[name] if isinstance(declared[name], list) else [declared[name]]
        if all(isinstance(s, ENUMERATED) for s in samples) and isinstance(declared[name], list):
            assert value in samples, f"{topic} set {name}={value!r}, not among the declared samples {samples}"
        else:
            assert all(type(s) is type(value) for s in samples), (topic, name, value, samples)


def test_real_handlers_set_exactly_the_declared_variables(api, env):
    enterprise = api.submit("reporter.unit")["id"]
    agency = api.submit("reporter.agency")["id"]
    seen: dict[str, set] = {}
    for report_id in (enterprise, agency):
        for topic, handler in HANDLERS.items():
            if topic == "notify_safety_director" and report_id == agency:
                continue  # an agency has no safety director: the handler refuses, it writes nothing
            for params in _params(topic):
                produced = handler(_context(env, report_id, topic), **params)
                _assert_matches(topic, produced)
                for name, value in (produced or {}).items():
                    seen.setdefault(f"{topic}.{name}", set()).add(repr(value))
    assert seen["register_report.is_enterprise"] == {"True", "False"}


def test_register_report_declares_every_point_tier(api, env):
    """The point's own tier (the DMN entry table turns it into entry_tier) for a county, city and province point."""
    report_id = api.submit("reporter.agency")["id"]
    point = env.session.get(MonitoringPoint, env.session.get(Report, report_id).monitoring_point_id)
    tiers = set()
    for division in ("610113", "610100", "610000"):  # a county, a city, the province
        point.division_code = division
        produced = HANDLERS["register_report"](_context(env, report_id, "register_report"))
        _assert_matches("register_report", produced)
        tiers.add(produced["point_tier"])
        close = HANDLERS["close_report"](_context(env, report_id, "close_report"))
        _assert_matches("close_report", close)
    env.session.rollback()
    assert tiers == set(DECLARED_OUTPUTS["register_report"]["point_tier"])


def test_a_drifted_declaration_is_caught():
    """The comparison itself fails on a handler that writes a variable nobody declared."""
    import pytest

    with pytest.raises(AssertionError):
        _assert_matches("dispatch_guidance", {"guidance_sent": True})
    with pytest.raises(AssertionError):
        _assert_matches("register_report", {"entry_tier": "unit", "is_enterprise": True, "tracking_no": "x"})
