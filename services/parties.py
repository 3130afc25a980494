"""Whom a report is about: the reporting unit, and the reporter's identity for officers only."""
from __future__ import annotations

from storage.models import POINT_KIND_LABELS, MonitoringPoint, Report, User

from .access import sees_reporter_identity
from .context import Env

CONTROL_LEVEL_LABELS = {1: "一级管控", 2: "二级管控"}


def reporting_unit(env: Env, report: Report) -> dict:
    """The monitoring point that reported: name, kind, control level, address, responsible person, contact."""
    point = env.session.get(MonitoringPoint, report.monitoring_point_id)
    if point is None:
        return {}
    return {"id": point.id, "name": point.name, "kind": point.kind.value, "kind_label": POINT_KIND_LABELS.get(point.kind),
            "control_level": point.control_level,
            "control_level_label": CONTROL_LEVEL_LABELS.get(point.control_level, "—"),
            "address": point.address, "responsible_person": point.responsible_person,
            "responsible_phone": point.responsible_phone}


def reporter_identity(env: Env, user: User, report: Report) -> dict | None:
    """The reporter's name and phone, only for supervisors in the chain (never the unit side)."""
    if not sees_reporter_identity(user):
        return None
    reporter = env.session.get(User, report.reporter_id)
    if reporter is None:
        return None
    return {"id": reporter.id, "name": reporter.display_name, "phone": reporter.phone}
