"""The printable 处置单 of one report: what it holds, gathered with the report detail's scope and masking.

Whoever may open the report page may print it, and sees exactly what the page shows them: the unit side
and the workflow owner read 信息报送员 where the reporter acted, never the reporter's name.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from storage.models import (
    DOMAIN_LABELS, HAZARD_GRADE_LABELS, KIND_LABELS, RISK_LEVEL_LABELS, ROLE_LABELS, STATUS_LABELS, TIER_LABELS,
    HumanTask, Report, Role, User, utcnow,
)

from .access import sees_reporter_identity
from .attachments import list_attachments, uploader_labels
from .context import Env
from .directory import equipment_path, user_names
from .inbox import GROUP_TIERS
from .parties import reporter_identity, reporting_unit
from .reports import get_report
from .task_forms import form_labels
from .timeline import report_timeline

PLATFORM = "陕西省特种设备风险监测平台"
TITLE = "特种设备风险信息处置单"
NOTICE = "仅用于帮扶指导解决问题，不作为行政处罚或其他行政约束的依据"
CHINA = timezone(timedelta(hours=8))
REPORTER_LABEL = ROLE_LABELS[Role.REPORTER]
GROUP_TIERS_ALL = GROUP_TIERS | {Role.REPORTER.value: "报送人"}


@dataclass
class Opinion:
    """One completed step: tier, step name, who, when, and the form's fields in Chinese."""

    tier: str
    step: str
    person: str
    at: str
    fields: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Sheet:
    """Everything the 处置单 prints, already in Chinese and already masked for its reader."""

    tracking_no: str
    header: list[tuple[str, str]]
    report: list[tuple[str, str]]
    title: str
    content: str
    opinions: list[Opinion]
    words: list[tuple[str, str]]
    attachments: list[tuple[str, str, str, str]]
    printed_by: str
    printed_at: str
    platform: str = PLATFORM
    heading: str = TITLE
    notice: str = NOTICE


def local(value: datetime | None) -> str:
    """A stored UTC time as Beijing time, “2026-11-30 14:05”."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def build_sheet(env: Env, user: User, report_id: int) -> Sheet:
    """The 处置单 of a report the person may read (403/404 like the report page); the read is logged."""
    report = get_report(env, user, report_id, channel="sheet")
    return Sheet(tracking_no=report.tracking_no or "登记中", header=_header(report), report=_facts(env, user, report),
                 title=report.title, content=report.content, opinions=opinions(env, user, report),
                 words=latest_words(report),
                 attachments=_attachments(env, user, report), printed_by=user.display_name, printed_at=local(utcnow()))


def _header(report: Report) -> list[tuple[str, str]]:
    return [("跟踪编号", report.tracking_no or "登记中"), ("报送类型", KIND_LABELS.get(report.kind, "—")),
            ("办理状态", STATUS_LABELS.get(report.status, "—")),
            ("当前层级", TIER_LABELS.get(report.current_tier, "—")),
            ("报送时间", local(report.submitted_at)), ("办结时间", local(report.closed_at))]


def _facts(env: Env, user: User, report: Report) -> list[tuple[str, str]]:
    rows = []
    if sees_reporter_identity(user):
        unit = reporting_unit(env, report)
        rows += [("报送单位", unit.get("name") or "—"), ("监测点类型", unit.get("kind_label") or "—"),
                 ("单位地址", unit.get("address") or "—")]
    person = reporter_identity(env, user, report)
    rows.append(("报送人", f"{person['name']}（{person['phone'] or '无电话'}）" if person else REPORTER_LABEL))
    rows += [("涉及环节", DOMAIN_LABELS.get(report.domain, "—")),
             ("设备", equipment_path(env, report.equipment_type_code)),
             ("设备代码", report.equipment_code or "—"), ("使用登记证号", report.registration_cert_no or "—"),
             ("风险等级", RISK_LEVEL_LABELS.get(report.risk_level, "未研判")),
             ("隐患等级", HAZARD_GRADE_LABELS.get(report.hazard_grade, "未认定"))]
    return rows


def latest_words(report: Report) -> list[tuple[str, str]]:
    """The latest tier's measures and opinion (form fields declaring records=measures/opinion), and the outcome."""
    rows = [("处置措施（最近一级）", report.measures), ("办理意见（最近一级）", report.opinion),
            ("处置结果", report.outcome)]
    return [(label, text) for label, text in rows if text]


def opinions(env: Env, viewer: User, report: Report) -> list[Opinion]:
    """Each completed step of the report's chain with its form data, in order, masked for the viewer."""
    steps = _steps(env, report.id)
    events = [e for e in report_timeline(env, viewer, report) if e.kind == "task_completed"]
    names = user_names(env, [e.actor_id for e in events])
    result = []
    for event in events:
        name, group, labels = steps.get(event.element_id, (event.element_id or "办理", "", {}))
        person = names.get(event.actor_id) if event.actor_id else REPORTER_LABEL
        result.append(Opinion(tier=GROUP_TIERS_ALL.get(group, ""), step=name, person=person or "—",
                              at=local(event.created_at), fields=_field_rows(event.data, labels)))
    return result


def _steps(env: Env, report_id: int) -> dict[str, tuple[str, str, dict]]:
    """Per element: its name, candidate group and its own form's labels (two tasks' `decision` differ)."""
    steps: dict[str, tuple[str, str, dict]] = {}
    rows = env.session.execute(select(HumanTask.element_id, HumanTask.name, HumanTask.candidate_group,
                                      HumanTask.process_version_id)
                               .where(HumanTask.report_id == report_id).order_by(HumanTask.created_at))
    for element, name, group, version_id in rows:
        steps[element] = (name, group, form_labels(env, version_id, element))
    return steps


def _field_rows(data: dict, labels: dict) -> list[tuple[str, str]]:
    rows = []
    for key, value in (data or {}).items():
        if value in (None, ""):
            continue
        spec = labels.get(key, {"label": key, "options": {}})
        if value is True or value is False:
            text = "是" if value else "否"
        else:
            text = spec["options"].get(value, str(value)) if isinstance(value, str) else str(value)
        rows.append((spec["label"], text))
    return rows


def _attachments(env: Env, user: User, report: Report) -> list[tuple[str, str, str, str]]:
    files = list_attachments(env, report.id)
    who = uploader_labels(env, user, report, files)
    return [(a.filename, _size(a.size), who.get(a.id, "—"), local(a.created_at)) for a in files]


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{max(n, 1) / 1024:.1f} KB"
