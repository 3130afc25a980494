"""Receipts of safety-director notices: sent, opened (the notice's read_at), acknowledged.

Opened is written explicitly: reading the report (its page, its task page, the API) or the notice marks the
director's notices of that report read. Acknowledged is the completed safety-director task (in the shipped
diagram `director_acknowledge`; any task of the `safety_director` group counts, so owners may rename it) —
the task row records who and when in the same transaction as the completion, so no second copy is kept.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import HumanTask, Notification, Report, TaskState, User, utcnow

from .access import can_view_report
from .context import Env
from .directory import user_names
from .errors import Forbidden, NotFound

NOTICE_KIND = "safety_director"
SUPERVISORS = ("county_officer", "city_officer", "province_officer", "center_expert", "inspection_officer",
               "admin")


@dataclass
class DirectorReceipt:
    """What happened to one safety-director notice: sent, opened, acknowledged."""

    user_id: int
    notification_id: int
    sent_at: datetime
    opened_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by_id: int | None
    name: str = ""
    acknowledged_by: str = ""

    @property
    def status_label(self) -> str:
        """已确认, 已读 or 未读."""
        return "已确认" if self.acknowledged_at else "已读" if self.opened_at else "未读"


def director_receipts(env: Env, report_id: int) -> list[DirectorReceipt]:
    """Receipts of the safety-director notices of a report. Acknowledged = the director_acknowledge
    task was completed (by whom and when, from the task read model); completing it implies opening."""
    task = env.session.scalar(select(HumanTask).where(
        HumanTask.report_id == report_id, HumanTask.candidate_group == NOTICE_KIND,
        HumanTask.state == TaskState.COMPLETED).order_by(HumanTask.completed_at))
    notes = env.session.scalars(select(Notification).where(
        Notification.report_id == report_id, Notification.kind == NOTICE_KIND).order_by(Notification.id)).all()
    acked_by = task.completed_by_id if task else None
    names = user_names(env, [n.user_id for n in notes] + [acked_by])
    receipts = []
    for note in notes:
        acked_at = task.completed_at if task else None
        opened = note.read_at
        if opened is None and task is not None and task.completed_by_id == note.user_id:
            opened = task.completed_at
        receipts.append(DirectorReceipt(note.user_id, note.id, note.created_at, opened, acked_at, acked_by,
                                        names.get(note.user_id, ""), names.get(acked_by, "")))
    return receipts


def director_receipts_for(env: Env, user: User, report_id: int) -> list[DirectorReceipt]:
    """The receipts, for a person who may read the report."""
    report = env.session.get(Report, report_id)
    if report is None:
        raise NotFound("报送信息不存在")
    if not can_view_report(env.session, user, report):
        raise Forbidden("无权查看该报送信息")
    return director_receipts(env, report_id)


def receipts_for_supervisor(env: Env, user: User, report: Report) -> list[DirectorReceipt]:
    """The receipts for the report page: supervisors (officers, admins) see them, others get none."""
    if not user.has_role(*SUPERVISORS):
        return []
    return director_receipts(env, report.id)


def mark_notices_opened(session: Session, user: User, report_id: int) -> int:
    """A safety director read the report: their unread notices about it count as opened (not committed)."""
    if not user.has_role(NOTICE_KIND):
        return 0
    stmt = (update(Notification).where(Notification.user_id == user.id, Notification.report_id == report_id,
                                       Notification.kind == NOTICE_KIND, Notification.read_at.is_(None))
            .values(read_at=utcnow()).execution_options(synchronize_session=False))
    return session.execute(stmt).rowcount or 0
