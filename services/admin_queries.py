"""What admins read: instance lists with filters, the stuck view, one instance in depth, the audit log."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, func, or_, select

from engine.inspection import ElementStates, element_names, element_states, live_task_data, resettable_elements
from storage.models import (
    HumanTask, InstanceEvent, InstanceStatus, MonitoringPoint, ProcessInstance, ProcessVersion, Report,
    TaskState, User, utcnow,
)
from storage.repositories import count, safety_directors, users_with_role

from .admin_labels import Names, names_for
from .context import Env
from .errors import Forbidden, Invalid, NotFound
from .stuck_detection import stuck_instance_ids, stuck_reasons

STATUS_FILTERS = {s.value for s in InstanceStatus} | {"stuck", "active"}
ENDED = (InstanceStatus.COMPLETED, InstanceStatus.TERMINATED)
MAX_AGE_DAYS = 3650


def require_admin(user: User) -> None:
    """Everything here is for admins."""
    if not user.has_role("admin"):
        raise Forbidden("只有系统管理员可以访问运维控制台")


@dataclass
class InstanceFilter:
    """Filters of the instance list; all optional."""

    status: str | None = None
    element: str | None = None
    version_id: int | None = None
    division: str | None = None
    min_age_days: int | None = None


@dataclass
class InstanceRow:
    """One line of the instance list."""

    instance: ProcessInstance
    report: Report
    version: int | None
    reasons: list[str] = field(default_factory=list)
    element_name: str = ""
    division_name: str = ""

    @property
    def element(self) -> str | None:
        """The element the instance failed at or waits in."""
        return self.instance.error_element or self.instance.waiting_element


def _named(env: Env, rows: list[InstanceRow]) -> list[InstanceRow]:
    """Fill in each row's element name (from its own version) and the report's county or city name."""
    names = names_for(env, version_ids=[r.instance.process_version_id for r in rows],
                      division_codes=[r.report.county_code or r.report.city_code for r in rows])
    for row in rows:
        row.element_name = names.element(row.instance.process_version_id, row.element)
        row.division_name = names.division(row.report.county_code or row.report.city_code)
    return rows


def _filtered(stmt, filters: InstanceFilter, now: datetime):
    if filters.status == "active":
        stmt = stmt.where(ProcessInstance.status.not_in(ENDED))
    elif filters.status and filters.status != "stuck":
        stmt = stmt.where(ProcessInstance.status == filters.status)
    if filters.element:
        open_here = exists().where(HumanTask.instance_id == ProcessInstance.id, HumanTask.state == TaskState.OPEN,
                                   HumanTask.element_id == filters.element)
        stmt = stmt.where(or_(ProcessInstance.waiting_element == filters.element,
                              ProcessInstance.error_element == filters.element, open_here))
    if filters.version_id:
        stmt = stmt.where(ProcessInstance.process_version_id == filters.version_id)
    if filters.division:
        d = filters.division
        stmt = stmt.where(or_(Report.division_code == d, Report.county_code == d, Report.city_code == d))
    if filters.min_age_days:
        stmt = stmt.where(ProcessInstance.created_at <= now - timedelta(days=filters.min_age_days))
    return stmt


def _rows():
    return (select(ProcessInstance, Report, ProcessVersion.version)
            .join(Report, Report.id == ProcessInstance.report_id)
            .join(ProcessVersion, ProcessVersion.id == ProcessInstance.process_version_id))


def _validate(filters: InstanceFilter) -> None:
    if filters.status and filters.status not in STATUS_FILTERS:
        raise Invalid("状态筛选不正确，可选：" + "、".join(sorted(STATUS_FILTERS)))
    if filters.min_age_days is not None and not 0 <= filters.min_age_days <= MAX_AGE_DAYS:
        raise Invalid(f"运行天数须在 0 到 {MAX_AGE_DAYS} 之间")


def list_instances(env: Env, user: User, filters: InstanceFilter, page: int = 1,
                   per_page: int = 20) -> tuple[list[InstanceRow], int]:
    """Instances matching the filters, each with its stuck reasons (if any)."""
    require_admin(user)
    _validate(filters)
    now = utcnow()
    if filters.status == "stuck":
        return _stuck_page(env, filters, now, page, per_page)
    stmt = _filtered(_rows(), filters, now)
    total = count(env.session, stmt)
    rows = env.session.execute(stmt.order_by(ProcessInstance.id.desc()).limit(per_page)
                               .offset((page - 1) * per_page)).all()
    reasons = stuck_reasons(env, now, [inst.id for inst, _, _ in rows]) if rows else {}
    return _named(env, [InstanceRow(inst, report, version, reasons.get(inst.id, []))
                        for inst, report, version in rows]), total


def _stuck_page(env: Env, filters: InstanceFilter, now: datetime, page: int,
                per_page: int) -> tuple[list[InstanceRow], int]:
    """Stuck instances, longest unchanged first: filtered, ordered and paged in SQL over the union of the
    stuck rules, counted in the same query; the reasons are then read for this page only."""
    stmt = _filtered(select(ProcessInstance.id, func.count().over())
                     .join(Report, Report.id == ProcessInstance.report_id)
                     .where(ProcessInstance.id.in_(stuck_instance_ids(env, now))), filters, now)
    hits = env.session.execute(stmt.order_by(ProcessInstance.updated_at, ProcessInstance.id)
                               .limit(per_page).offset((page - 1) * per_page)).all()
    total = hits[0][1] if hits else count(env.session, stmt)
    ids = [iid for iid, _ in hits]
    if not ids:
        return [], total
    found = {inst.id: (inst, report, version) for inst, report, version in
             env.session.execute(_rows().where(ProcessInstance.id.in_(ids)))}
    reasons = stuck_reasons(env, now, ids)
    return _named(env, [InstanceRow(*found[i], reasons.get(i, [])) for i in ids if i in found]), total


@dataclass
class InstanceDetail:
    """Everything the instance page shows."""

    instance: ProcessInstance
    report: Report
    version: ProcessVersion
    point: MonitoringPoint | None
    tasks: list[HumanTask]
    timers: list[dict]
    events: list[InstanceEvent]
    states: ElementStates
    task_data: list
    resettable: list[tuple[str, str]]
    reasons: list[str]
    candidates: dict[str, list[User]]
    actors: dict[int, str]
    names: Names = field(default_factory=Names)

    def element(self, element_id: str | None) -> str:
        """An element's name in this instance's version."""
        return self.names.element(self.version.id, element_id)


def instance_detail(env: Env, user: User, instance_id: int) -> InstanceDetail:
    """One instance with its diagram states, tasks, timers, data and event log."""
    require_admin(user)
    instance = env.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound("流程实例不存在")
    version = env.session.get(ProcessVersion, instance.process_version_id)
    workflow = env.store.serializer.loads(instance.workflow_state, env.store.bundle_for(env.session, version.id))
    names = element_names(workflow)
    snap = env.store.runtime.snapshot(workflow)
    report = env.session.get(Report, instance.report_id)
    tasks = list(env.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)
                                     .order_by(HumanTask.created_at)))
    events = list(env.session.scalars(select(InstanceEvent).where(InstanceEvent.instance_id == instance.id)
                                      .order_by(InstanceEvent.id)))
    return InstanceDetail(
        instance=instance, report=report, version=version,
        point=env.session.get(MonitoringPoint, report.monitoring_point_id), tasks=tasks,
        timers=[{"element_id": e, "name": names.get(e, e), "due_at": due} for e, due in snap.timers],
        events=events, states=element_states(workflow), task_data=live_task_data(workflow),
        resettable=resettable_elements(workflow), reasons=stuck_reasons(env, instance_ids=[instance.id]).get(
            instance.id, []),
        candidates={t.id: eligible_people(env, t) for t in tasks if t.state == TaskState.OPEN},
        actors=_actor_names(env, [e.actor_id for e in events] + [t.claimed_by_id for t in tasks]
                            + [t.completed_by_id for t in tasks]),
        names=names_for(env, version_ids=[version.id], division_codes=[t.division_code for t in tasks],
                        point_ids=[t.monitoring_point_id for t in tasks]))


def eligible_people(env: Env, task: HumanTask) -> list[User]:
    """Who could work (and so be given) an open task."""
    if task.candidate_group == "safety_director":
        return safety_directors(env.session, task.monitoring_point_id) if task.monitoring_point_id else []
    return users_with_role(env.session, task.candidate_group, division_code=task.division_code)


def _actor_names(env: Env, ids) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(env.session.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all())


@dataclass
class AuditFilter:
    """Filters of the audit log page."""

    kind: str | None = None
    actor: str | None = None
    instance_id: int | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None


AUDIT_KIND_LABELS = {
    "admin_retry": "重试", "admin_skip": "跳过", "admin_suspend": "挂起", "admin_resume": "恢复",
    "admin_terminate": "终止", "admin_reset": "回退", "admin_edit_data": "修改数据",
    "admin_reassign": "转交任务", "admin_release": "强制释放任务",
    "admin_user_created": "创建账户", "admin_user_updated": "修改账户", "admin_user_deactivated": "停用账户",
    "admin_user_reactivated": "启用账户", "admin_setting_changed": "修改系统设置",
}


def audit_log(env: Env, user: User, filters: AuditFilter, page: int = 1,
              per_page: int = 50) -> tuple[list[tuple[InstanceEvent, str | None]], int]:
    """Admin repairs (events of kind admin_*), newest first, with the actor's name."""
    require_admin(user)
    stmt = (select(InstanceEvent, User.display_name).outerjoin(User, User.id == InstanceEvent.actor_id)
            .where(InstanceEvent.kind.like("admin\\_%", escape="\\")))
    if filters.kind:
        stmt = stmt.where(InstanceEvent.kind == filters.kind)
    if filters.actor:
        stmt = stmt.where(or_(User.username == filters.actor, User.display_name.contains(filters.actor)))
    if filters.instance_id:
        stmt = stmt.where(InstanceEvent.instance_id == filters.instance_id)
    if filters.date_from:
        stmt = stmt.where(InstanceEvent.created_at >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(InstanceEvent.created_at < filters.date_to)
    total = count(env.session, stmt)
    rows = env.session.execute(stmt.order_by(InstanceEvent.id.desc()).limit(per_page)
                               .offset((page - 1) * per_page)).all()
    return [(event, name) for event, name in rows], total
