"""The 督办 list: open tasks of lower tiers in the caller's jurisdiction, with overdue and urged flags."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from storage.models import HumanTask, Report, TaskState, User, utcnow
from storage.repositories import count

from .context import Env
from .directory import division_names
from .errors import Forbidden
from .inbox import GROUP_TIERS
from .supervision import supervised_condition, supervising_tier
from .xlsx_export import EXPORT_MAX_ROWS, cap_note, local, workbook_bytes



@dataclass
class SupervisedFilter:
    """What the 督办 list was asked for."""

    division: str | None = None
    element: str | None = None
    overdue: bool | None = None
    urged: bool | None = None
    q: str | None = None


@dataclass
class SupervisedRow:
    """One task with the flags the list shows."""

    task: HumanTask
    report: Report
    tier: str
    division_name: str
    overdue: bool
    urged: bool


def _query(user: User, f: SupervisedFilter):
    now = utcnow()
    stmt = (select(HumanTask, Report).join(Report, Report.id == HumanTask.report_id)
            .where(HumanTask.state == TaskState.OPEN, supervised_condition(user)))
    if f.division:
        stmt = stmt.where(or_(HumanTask.division_code == f.division, Report.county_code == f.division))
    if f.element:
        stmt = stmt.where(HumanTask.element_id == f.element)
    if f.overdue is not None:
        late = HumanTask.due_at < now
        stmt = stmt.where(late if f.overdue else or_(HumanTask.due_at.is_(None), HumanTask.due_at >= now))
    if f.urged is not None:
        stmt = stmt.where(HumanTask.urge_count > 0 if f.urged else HumanTask.urge_count == 0)
    for word in (f.q or "").split()[:5]:
        stmt = stmt.where(or_(Report.tracking_no.contains(word), Report.title.contains(word)))
    return stmt


def list_supervised(env: Env, user: User, f: SupervisedFilter, page: int = 1,
                    per_page: int = 20) -> tuple[list[SupervisedRow], int]:
    """One page of supervised tasks (longest overdue first) and the total."""
    if supervising_tier(user) is None:
        raise Forbidden("只有县、市、省级监管人员可以查看督办事项")
    stmt = _query(user, f)
    total = count(env.session, stmt.with_only_columns(HumanTask.id))
    rows = env.session.execute(stmt.order_by(HumanTask.due_at.asc().nulls_last(), HumanTask.created_at, HumanTask.id)
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return _rows(env, rows), total


def _rows(env: Env, rows) -> list[SupervisedRow]:
    now = utcnow()
    names = division_names(env, [t.division_code or r.county_code for t, r in rows])
    return [SupervisedRow(task=t, report=r, tier=GROUP_TIERS.get(t.candidate_group, ""),
                          division_name=names.get(t.division_code or r.county_code or "", "本单位"),
                          overdue=t.due_at is not None and t.due_at < now, urged=(t.urge_count or 0) > 0)
            for t, r in rows]


def export_supervised(env: Env, user: User, f: SupervisedFilter) -> bytes:
    """The filtered list as an XLSX workbook (at most EXPORT_MAX_ROWS rows, with a note when cut)."""
    rows, total = list_supervised(env, user, f, 1, EXPORT_MAX_ROWS)
    header = ["跟踪编号", "标题", "环节", "层级", "办理单位", "期限", "是否超期", "督办次数", "最近督办时间"]
    cells = [[row.report.tracking_no, row.report.title, row.task.name, row.tier, row.division_name,
              local(row.task.due_at), "是" if row.overdue else "否", row.task.urge_count or 0,
              local(row.task.last_urged_at)] for row in rows]
    return workbook_bytes("督办事项", header, cells, cap_note(total > EXPORT_MAX_ROWS, EXPORT_MAX_ROWS))
