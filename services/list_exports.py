"""XLSX exports of the report list and the task lists with the filters the person set (all matching rows,
at most EXPORT_MAX_ROWS). The reporter's identity is never exported: these files travel."""
from __future__ import annotations

from sqlalchemy import select

from storage.models import (
    DOMAIN_LABELS, HAZARD_GRADE_LABELS, KIND_LABELS, RISK_LEVEL_LABELS, STATUS_LABELS, TIER_LABELS, HumanTask,
    Report, User, utcnow,
)

from .context import Env
from .directory import division_names, equipment_categories, user_names
from .inbox import GROUP_TIERS, InboxFilter, search_tasks
from .report_filters import ReportFilter
from .reports import list_reports
from .tasks import list_tasks
from .xlsx_export import EXPORT_MAX_ROWS, cap_note, file_name, local, workbook_bytes

REPORT_HEADER = ["跟踪编号", "标题", "报送类型", "涉及环节", "设备种类", "行政区划", "办理状态", "当前层级",
                 "风险等级", "隐患等级", "报送时间", "办结时间", "处置结果"]
TASK_HEADER = ["跟踪编号", "标题", "环节", "层级", "行政区划", "到达时间", "期限", "是否超期", "认领人", "督办次数"]


def export_reports(env: Env, user: User, mine: bool = False, status: str | None = None, q: str | None = None,
                   filters: ReportFilter | None = None) -> tuple[bytes, str]:
    """Every report of the list as filtered (newest first, at most EXPORT_MAX_ROWS) and the file name."""
    rows, total = list_reports(env, user, 1, EXPORT_MAX_ROWS, mine=mine, status=status, q=q, filters=filters)
    places = division_names(env, [r.county_code or r.division_code for r in rows])
    categories = {c.code: c.name for c in equipment_categories(env)}
    cells = [[r.tracking_no or "登记中", r.title, KIND_LABELS.get(r.kind, ""), DOMAIN_LABELS.get(r.domain, ""),
              categories.get(r.equipment_category_code, r.equipment_category_code),
              places.get(r.county_code or r.division_code, r.division_code), STATUS_LABELS.get(r.status, ""),
              TIER_LABELS.get(r.current_tier, ""), RISK_LEVEL_LABELS.get(r.risk_level, ""),
              HAZARD_GRADE_LABELS.get(r.hazard_grade, ""), local(r.submitted_at), local(r.closed_at),
              r.outcome or ""] for r in rows]
    content = workbook_bytes("报送信息", REPORT_HEADER, cells, cap_note(total > EXPORT_MAX_ROWS, EXPORT_MAX_ROWS))
    return content, file_name("报送信息", utcnow())


def _task_cells(env: Env, pairs: list[tuple[HumanTask, Report]], overdue: dict[str, bool]) -> list[list]:
    names = user_names(env, [t.claimed_by_id for t, _ in pairs])
    places = division_names(env, [r.county_code or r.division_code for _, r in pairs])
    return [[r.tracking_no, r.title, t.name, GROUP_TIERS.get(t.candidate_group, ""),
             places.get(r.county_code or r.division_code, r.division_code), local(t.created_at), local(t.due_at),
             "是" if overdue.get(t.id) else "否", names.get(t.claimed_by_id, ""), t.urge_count or 0]
            for t, r in pairs]


def export_inbox(env: Env, user: User, f: InboxFilter) -> tuple[bytes, str]:
    """The inbox page's rows under its filters and sort (at most EXPORT_MAX_ROWS) and the file name."""
    page = search_tasks(env, user, f, 1, EXPORT_MAX_ROWS)
    pairs = [(row.task, row.report) for row in page.rows]
    cells = _task_cells(env, pairs, {row.task.id: row.urgency == "overdue" for row in page.rows})
    return workbook_bytes("待办任务", TASK_HEADER, cells, cap_note(page.has_next, EXPORT_MAX_ROWS)), file_name("待办任务", utcnow())


def export_tasks(env: Env, user: User, sort: str = "due", **filters) -> tuple[bytes, str]:
    """The API task list under its filters (report_id, element_id, q) and the file name."""
    page = list_tasks(env, user, 1, EXPORT_MAX_ROWS, sort=sort, with_total=False, **filters)
    ids = {t.report_id for t in page.items}
    reports = {r.id: r for r in env.session.scalars(select(Report).where(Report.id.in_(ids)))} if ids else {}
    now = utcnow()
    pairs = [(t, reports[t.report_id]) for t in page.items if t.report_id in reports]
    late = {t.id: t.overdue_at is not None or (t.due_at is not None and t.due_at < now) for t, _ in pairs}
    cells = _task_cells(env, pairs, late)
    return workbook_bytes("待办任务", TASK_HEADER, cells, cap_note(page.has_next, EXPORT_MAX_ROWS)), file_name("待办任务", now)
