"""Submitting reports and reading them (scoped, logged)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select

from storage.database import begin_write
from storage.models import (
    CONTENT_MAX_CHARS, EquipmentType, InstanceEvent, MonitoringPoint, ProcessInstance, Report, ReportDomain,
    ReportKind, ReportView, User, utcnow,
)
from storage.fulltext import candidate_ids, index_report
from storage.people_cache import equipment_category, equipment_type
from storage.prepared import get_attached, insert_attached
from storage.repositories import count

from .access import can_view_report, report_visibility
from .attachments import StoredFile, Upload, record_attachments, written_files
from .context import Env
from .errors import Conflict, Forbidden, Invalid, NotFound
from .processes import current_version_id
from .receipts import mark_notices_opened
from .report_filters import ReportFilter, narrow

TITLE_MAX_CHARS = 200
CODE_MAX_CHARS = 64
SEARCH_WORDS = 5


@dataclass
class ReportInput:
    """What a reporter sends."""

    kind: str
    domain: str
    equipment_type_code: str
    content: str
    title: str | None = None
    equipment_code: str | None = None
    registration_cert_no: str | None = None


def submit_with_attachments(env: Env, user: User, data: ReportInput, uploads: list[Upload]) -> Report:
    """Check and write the files, then submit the report with them in one transaction; if that fails, the
    written files are deleted again (a report never lacks the files its reporter chose)."""
    with written_files(env, uploads) as files:
        return submit_report(env, user, data, files)


def submit_report(env: Env, user: User, data: ReportInput, files: Sequence[StoredFile] = ()) -> Report:
    """Create the report, record its already-written files and start its process instance in one transaction."""
    begin_write(env.session)
    point = get_attached(env.session, MonitoringPoint, user.monitoring_point_id) if user.monitoring_point_id else None
    if point is None or not user.has_role("reporter"):
        raise Forbidden("只有监测点的信息报送员可以报送信息")
    if not point.confirmed:
        raise Conflict(unconfirmed_refusal(point), details={"monitoring_point_id": point.id, "confirmed": False})
    equipment = _validate(env, data)
    category = equipment_category(env.session, equipment.code)  # the catalogue rows come from the short-TTL cache
    title = (data.title or "").strip() or _title_from(data.content)
    # one prepared INSERT … RETURNING id; the row becomes a persistent object without a flush
    report = insert_attached(env.session, Report, dict(
        kind=ReportKind(data.kind), domain=ReportDomain(data.domain),
        equipment_type_code=equipment.code, equipment_category_code=category or equipment.code,
        title=title, content=data.content.strip(), reporter_id=user.id, monitoring_point_id=point.id,
        division_code=point.division_code, submitted_at=utcnow(),
        equipment_code=_optional(data.equipment_code), registration_cert_no=_optional(data.registration_cert_no)))
    index_report(env.session, report, new=True)
    env.store.start(env.session, current_version_id(env), report, actor_id=user.id)
    record_attachments(env, user, report, files)
    env.session.commit()
    return report


def unconfirmed_refusal(point: MonitoringPoint) -> str:
    """Why a reporter of a point not yet 确认 cannot submit, and where an urgent matter goes instead."""
    return (f"监测点“{point.name}”尚未经属地特种设备安全监管部门确认，暂不能报送信息。"
            "请联系监管部门确认本监测点后再报送；特种设备事故或人员被困等紧急情况请拨打 96333 或 12345。")


def submission_refusal(env: Env, user: User) -> str | None:
    """The reason this person cannot submit now (no point, or the point is unconfirmed), else None."""
    point = env.session.get(MonitoringPoint, user.monitoring_point_id) if user.monitoring_point_id else None
    if point is None:
        return "您的账号未关联监测点，不能报送信息。请联系系统管理员。"
    return None if point.confirmed else unconfirmed_refusal(point)


def _validate(env: Env, data: ReportInput) -> EquipmentType:
    if data.kind not in {k.value for k in ReportKind}:
        raise Invalid("报送类型不正确，应为 problem（问题）、risk_hazard（风险隐患）或 suggestion（意见建议）")
    if data.domain not in {d.value for d in ReportDomain}:
        raise Invalid("涉及环节不正确")
    content = (data.content or "").strip()
    if not content:
        raise Invalid("内容不能为空")
    if len(content) > CONTENT_MAX_CHARS:
        raise Invalid(f"内容不能超过 {CONTENT_MAX_CHARS} 个字符（当前 {len(content)} 个）")
    if data.title and len(data.title) > TITLE_MAX_CHARS:
        raise Invalid(f"标题不能超过 {TITLE_MAX_CHARS} 个字符")
    for value, label in ((data.equipment_code, "设备代码"), (data.registration_cert_no, "使用登记证号")):
        if value is not None and (not isinstance(value, str) or len(value.strip()) > CODE_MAX_CHARS):
            raise Invalid(f"{label}不能超过 {CODE_MAX_CHARS} 个字符")
    equipment = equipment_type(env.session, data.equipment_type_code or "")
    if equipment is None:
        raise Invalid("设备种类、类别或品种不在特种设备目录中")
    return equipment


def _optional(value: str | None) -> str | None:
    return (value or "").strip() or None


def _title_from(content: str) -> str:
    first = content.strip().split("\n", 1)[0]
    for stop in "。；！？":
        first = first.split(stop, 1)[0]
    return first[:40] + ("…" if len(first) > 40 else "")


def list_reports(env: Env, user: User, page: int = 1, per_page: int = 20, mine: bool = False,
                 status: str | None = None, q: str | None = None,
                 filters: ReportFilter | None = None) -> tuple[list[Report], int]:
    """Reports this person may read, newest first; `q` searches title and content (full text)."""
    stmt = narrow(select(Report).where(report_visibility(env.session, user)), filters or ReportFilter())
    if mine:
        stmt = stmt.where(Report.reporter_id == user.id)
    if status:
        stmt = stmt.where(Report.status == status)
    if q:
        stmt = search_condition(env, stmt, q)
    total = count(env.session, stmt)
    rows = env.session.scalars(stmt.order_by(Report.id.desc()).limit(per_page).offset((page - 1) * per_page))
    return list(rows), total


def search_condition(env: Env, stmt, q: str):
    """Narrow a Report select to title/content containing every word of `q` (or its tracking number)."""
    words = [w for w in q.split() if w][:SEARCH_WORDS]
    if not words:
        return stmt
    candidates = candidate_ids(env.session, words)
    if candidates is not None:
        stmt = stmt.where(or_(Report.id.in_(candidates), Report.tracking_no.in_(words)))
    for word in words:
        stmt = stmt.where(or_(Report.title.contains(word, autoescape=True),
                              Report.content.contains(word, autoescape=True), Report.tracking_no == word))
    return stmt


def get_report(env: Env, user: User, report_id: int, channel: str = "web") -> Report:
    """A report the person may read; the read is logged (who, when) and opens a director's notices of it."""
    report = env.session.get(Report, report_id)
    if report is None:
        raise NotFound("报送信息不存在")
    if not can_view_report(env.session, user, report):
        raise Forbidden("无权查看该报送信息")
    env.session.add(ReportView(report_id=report.id, user_id=user.id, channel=channel, viewed_at=utcnow()))
    mark_notices_opened(env.session, user, report.id)
    env.session.commit()
    return report


def timeline(env: Env, report_id: int) -> list[InstanceEvent]:
    """The report's events in order."""
    stmt = select(InstanceEvent).where(InstanceEvent.report_id == report_id).order_by(InstanceEvent.id)
    return list(env.session.scalars(stmt))


def instance_for_report(env: Env, report_id: int) -> ProcessInstance | None:
    """The process instance serving a report."""
    return env.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == report_id))
