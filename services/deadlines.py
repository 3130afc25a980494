"""Deadline colours for inboxes and overdue counts per office for statistics."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from storage.models import HumanTask, TaskState

DEADLINE_STATE_LABELS = {"normal": "正常", "due_soon": "即将到期", "overdue": "已逾期"}


def deadline_state(due_at: datetime | None, now: datetime, lead_hours: float) -> str:
    """`overdue` (red) after the deadline, `due_soon` (yellow) within `lead_hours` of it, else `normal`."""
    if due_at is None:
        return "normal"
    if now >= due_at:
        return "overdue"
    if now >= due_at - timedelta(hours=lead_hours):
        return "due_soon"
    return "normal"


def overdue_counts(session: Session, now: datetime) -> dict[tuple[str, str | None], int]:
    """Open tasks past their deadline, per office (candidate group, division code)."""
    stmt = (select(HumanTask.candidate_group, HumanTask.division_code, func.count())
            .where(HumanTask.state == TaskState.OPEN,
                   or_(HumanTask.due_at < now, HumanTask.overdue_at <= now))  # overdue_at: the diagram's timer
            .group_by(HumanTask.candidate_group, HumanTask.division_code))
    return {(group, code): n for group, code, n in session.execute(stmt)}
