"""Turning models into the JSON shapes of CONTRACT.md."""
from __future__ import annotations

from services.task_forms import task_form
from services.wording import NON_PUNITIVE_NOTICE
from storage.models import (
    DIRECTOR_ACK_LABELS, DOMAIN_LABELS, HAZARD_GRADE_LABELS, KIND_LABELS, RISK_LEVEL_LABELS, STATUS_LABELS, TIER_LABELS, HumanTask, InstanceEvent, Report,
    User,
)
from web import env


def iso(value):
    return value.isoformat() if value is not None else None


def _val(enum_value):
    return enum_value.value if enum_value is not None else None


def user_json(user: User) -> dict:
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "roles": user.roles,
            "division_code": user.division_code, "monitoring_point_id": user.monitoring_point_id}


def report_json(report: Report, show_reporter: bool = False) -> dict:
    data = {
        "id": report.id, "tracking_no": report.tracking_no, "kind": _val(report.kind),
        "kind_label": KIND_LABELS.get(report.kind), "domain": _val(report.domain),
        "domain_label": DOMAIN_LABELS.get(report.domain), "equipment_type_code": report.equipment_type_code,
        "equipment_category_code": report.equipment_category_code, "title": report.title,
        "content": report.content, "status": _val(report.status), "status_label": STATUS_LABELS.get(report.status),
        "current_tier": _val(report.current_tier), "current_tier_label": TIER_LABELS.get(report.current_tier),
        "entry_tier": _val(report.entry_tier), "risk_level": _val(report.risk_level),
        "director_ack": _val(report.director_ack),
        "director_ack_label": DIRECTOR_ACK_LABELS.get(report.director_ack) if report.director_ack else None,
        "risk_level_label": RISK_LEVEL_LABELS.get(report.risk_level), "hazard_grade": _val(report.hazard_grade),
        "overdue": report.overdue, "monitoring_point_id": report.monitoring_point_id,
        "division_code": report.division_code, "county_code": report.county_code, "city_code": report.city_code,
        "submitted_at": iso(report.submitted_at), "closed_at": iso(report.closed_at),
        "equipment_code": report.equipment_code, "registration_cert_no": report.registration_cert_no,
        "hazard_grade_label": HAZARD_GRADE_LABELS.get(report.hazard_grade),
        "outcome": report.outcome, "measures": report.measures, "opinion": report.opinion,
        "resolved_tier": _val(report.resolved_tier),
        "resolved_tier_label": TIER_LABELS.get(report.resolved_tier),
        "notice": NON_PUNITIVE_NOTICE,
    }
    if show_reporter:
        data["reporter_id"] = report.reporter_id
    return data


def event_json(event: InstanceEvent) -> dict:
    data = dict(event.data or {})
    data.pop("traceback", None)
    return {"id": event.id, "kind": event.kind, "element_id": event.element_id, "message": event.message,
            "actor_id": event.actor_id, "data": data, "at": iso(event.created_at)}


def task_json(task: HumanTask, report: Report | None = None) -> dict:
    data = {
        "id": task.id, "element_id": task.element_id, "name": task.name, "report_id": task.report_id,
        "instance_id": task.instance_id, "candidate_group": task.candidate_group,
        "division_code": task.division_code, "monitoring_point_id": task.monitoring_point_id,
        "state": _val(task.state), "due_at": iso(task.due_at), "priority": task.priority,
        "claimed_by": task.claimed_by_id, "created_at": iso(task.created_at), "form": task_form(env(), task),
        "urge_count": task.urge_count or 0, "last_urged_at": iso(task.last_urged_at),
        "assignee": task.assignee, "overdue": task.overdue_at is not None, "overdue_at": iso(task.overdue_at),
    }
    if report is not None:
        data["tracking_no"], data["title"] = report.tracking_no, report.title
    return data
