"""The officers' inbox as pages show it: filters, sorting, paging, and where a completed task went."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import or_, select

from storage.models import (
    HumanTask, InstanceStatus, ProcessInstance, ProcessVersion, Report, TaskState, User, utcnow,
)
from storage.repositories import count

from .access import can_view_report, task_visibility
from .context import Env
from .deadlines import deadline_state
from .directory import division_names, role_label, user_names
from .errors import Forbidden, NotFound
from .report_filters import narrow
from .task_forms import report_form_labels

CHINA = timezone(timedelta(hours=8))
STATUSES = {"open": "全部待办", "unclaimed": "未认领", "mine": "我认领的", "overdue": "已超期", "done": "我已办理"}
SORTS = {
    "due": (HumanTask.due_at.asc().nulls_last(), HumanTask.created_at.asc()),
    "-due": (HumanTask.due_at.desc().nulls_last(), HumanTask.created_at.desc()),
    "created": (HumanTask.created_at.asc(),),
    "-created": (HumanTask.created_at.desc(),),
    "tracking": (Report.tracking_no.asc(),),
    "-tracking": (Report.tracking_no.desc(),),
}
SORT_LABELS = {"due": "期限（最早在前）", "-due": "期限（最晚在前）", "created": "到达时间（最早在前）",
               "-created": "到达时间（最新在前）", "tracking": "编号（升序）", "-tracking": "编号（降序）"}
GROUP_TIERS = {"safety_director": "使用单位", "county_officer": "县级", "city_officer": "市级",
               "inspection_officer": "市级", "center_expert": "省级", "province_officer": "省级"}


@dataclass
class InboxFilter:
    """What the inbox page was asked for."""

    status: str = "open"
    kind: str | None = None
    category: str | None = None
    division: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = None
    sort: str = "due"


@dataclass
class InboxRow:
    """One task row with what the table shows."""

    task: HumanTask
    report: Report
    tier: str
    division_name: str
    claimed_by: str | None
    urgency: str  # "overdue", "soon" or ""
    suspended: bool = False  # the instance was suspended by an admin: nobody can work the task for now


COUNT_CAP = 1000  # the inbox never counts past this (PERFORMANCE.md: page without counting everything)


@dataclass
class InboxPage:
    """One page of rows; `total` is exact up to COUNT_CAP, `capped` says there are more."""

    rows: list[InboxRow]
    total: int
    page: int
    per_page: int
    has_next: bool
    capped: bool = False
    lead_hours: int = 24
    pages: int = field(init=False)

    def __post_init__(self):
        self.pages = max(self.page, -(-self.total // self.per_page), 1)


def _base(user: User, f: InboxFilter):
    stmt = select(HumanTask, Report).join(Report, Report.id == HumanTask.report_id).where(task_visibility(user))
    if f.status == "done":
        return stmt.where(HumanTask.state == TaskState.COMPLETED, HumanTask.completed_by_id == user.id)
    stmt = stmt.where(HumanTask.state == TaskState.OPEN)
    if f.status == "unclaimed":
        stmt = stmt.where(HumanTask.claimed_by_id.is_(None))
    elif f.status == "mine":
        stmt = stmt.where(HumanTask.claimed_by_id == user.id)
    elif f.status == "overdue":
        stmt = stmt.where(or_(HumanTask.due_at < utcnow(), HumanTask.overdue_at.isnot(None)))
    return stmt


def _filtered(user: User, f: InboxFilter):
    stmt = narrow(_base(user, f), f)
    if f.q:
        for word in f.q.split()[:5]:
            stmt = stmt.where(or_(Report.tracking_no.contains(word), Report.title.contains(word)))
    return stmt


def search_tasks(env: Env, user: User, f: InboxFilter, page: int = 1, per_page: int = 20) -> InboxPage:
    """One page of the person's tasks matching the filters."""
    stmt = _filtered(user, f)
    total = count(env.session, stmt.with_only_columns(HumanTask.id).limit(COUNT_CAP + 1))
    order = SORTS.get(f.sort, SORTS["due"])
    rows = env.session.execute(stmt.order_by(*order, HumanTask.id).limit(per_page + 1)
                               .offset((page - 1) * per_page)).all()
    has_next, rows = len(rows) > per_page, rows[:per_page]
    names = user_names(env, [t.claimed_by_id for t, _ in rows])
    divisions = division_names(env, [r.county_code or r.division_code for _, r in rows])
    suspended = suspended_instances(env, [t.instance_id for t, _ in rows if t.state == TaskState.OPEN])
    now, lead = utcnow(), env.settings.reminder_lead_hours
    items = [InboxRow(task=t, report=r, tier=GROUP_TIERS.get(t.candidate_group, ""),
                      division_name=divisions.get(r.county_code or r.division_code, r.division_code),
                      claimed_by=names.get(t.claimed_by_id), urgency=urgency(t, now, lead),
                      suspended=t.instance_id in suspended) for t, r in rows]
    return InboxPage(items, min(total, COUNT_CAP), page, per_page, has_next, total > COUNT_CAP, lead)


def suspended_instances(env: Env, instance_ids: list[int]) -> set[int]:
    """Which of these instances an admin has suspended (one primary-key lookup for a page of tasks)."""
    if not instance_ids:
        return set()
    return set(env.session.scalars(select(ProcessInstance.id).where(
        ProcessInstance.id.in_(set(instance_ids)), ProcessInstance.status == InstanceStatus.SUSPENDED)))


URGENCY = {"overdue": "overdue", "due_soon": "soon", "normal": ""}


WARNING_SHARE = 0.25  # yellow in the last quarter of the time a task was given


def warning_lead_hours(task: HumanTask, lead_hours: float = 24) -> float:
    """How long before its due time a task turns yellow: the last quarter of its own duration, at most `lead_hours`."""
    if task.due_at is None or task.created_at is None:
        return lead_hours
    given = (task.due_at - task.created_at).total_seconds() / 3600
    return max(0.0, min(lead_hours, given * WARNING_SHARE))


def urgency(task: HumanTask, now: datetime, lead_hours: int = 24) -> str:
    """"overdue" past its due time, "soon" in the last quarter of its time (at most REMINDER_LEAD_HOURS), else ""."""
    if task.state != TaskState.OPEN:
        return ""
    if task.overdue_at is not None:  # the diagram's deadline timer marked it (working days, not due_at)
        return "overdue"
    return URGENCY[deadline_state(task.due_at, now, warning_lead_hours(task, lead_hours))]


def next_steps(env: Env, task: HumanTask) -> list[str]:
    """Where the report went after this task: the open tasks of its instance, as “名称（办理单位）”."""
    stmt = (select(HumanTask).where(HumanTask.instance_id == task.instance_id, HumanTask.state == TaskState.OPEN)
            .order_by(HumanTask.created_at, HumanTask.id))
    rows = list(env.session.scalars(stmt))
    divisions = division_names(env, [t.division_code for t in rows])
    steps = []
    for row in rows:
        where = divisions.get(row.division_code, "本单位" if row.monitoring_point_id else "")
        steps.append(f"{row.name}（{where}{role_label(row.candidate_group)}）")
    return steps


def diagram_for_report(env: Env, user: User, report_id: int) -> tuple[str, list[str]]:
    """The diagram XML the report's instance runs on and its open elements (where the report is now)."""
    report = env.session.get(Report, report_id)
    if report is None:
        raise NotFound("报送信息不存在")
    if not can_view_report(env.session, user, report):
        raise Forbidden("无权查看该报送信息")
    instance = env.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == report_id))
    if instance is None:
        raise NotFound("该报送信息尚无处置流程")
    version = env.session.get(ProcessVersion, instance.process_version_id)
    current = list(env.session.scalars(select(HumanTask.element_id).where(
        HumanTask.instance_id == instance.id, HumanTask.state == TaskState.OPEN)))
    if not current and instance.error_element:
        current = [instance.error_element]
    return version.bpmn_xml, current


def field_labels(env: Env, report_id: int) -> dict[str, dict[str, dict]]:
    """Per element, the labels and option names of its form fields, to show timeline data in Chinese.

    Each task's own form: the same field id means different things on different steps (the county's
    `escalate` is 上报市级, the city's 上报省级; only the province's review has `close`). Where an element
    ran more than once, its newest task's form is used.
    """
    return report_form_labels(env, report_id)
