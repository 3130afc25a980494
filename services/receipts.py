"""Receipts of safety-director notices: sent, opened (the notice's read_at), acknowledged."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from storage.models import HumanTask, Notification, Report, TaskState, User

from .access import can_view_report
from .context import Env
from .errors import Forbidden, NotFound

DIRECTOR_TASK = "director_acknowledge"


@dataclass
class DirectorReceipt:
    """What happened to one safety-director notice: sent, opened, acknowledged."""

    user_id: int
    notification_id: int
    sent_at: datetime
    opened_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by_id: int | None


def director_receipts(env: Env, report_id: int) -> list[DirectorReceipt]:
    """Receipts of the safety-director notices of a report. Acknowledged = the director_acknowledge
    task was completed (by whom and when, from the task read model); completing it implies opening."""
    task = env.session.scalar(select(HumanTask).where(
        HumanTask.report_id == report_id, HumanTask.element_id == DIRECTOR_TASK,
        HumanTask.state == TaskState.COMPLETED).order_by(HumanTask.completed_at))
    notes = env.session.scalars(select(Notification).where(
        Notification.report_id == report_id, Notification.kind == "safety_director").order_by(Notification.id))
    receipts = []
    for note in notes:
        acked_at = task.completed_at if task else None
        opened = note.read_at
        if opened is None and task is not None and task.completed_by_id == note.user_id:
            opened = task.completed_at
        receipts.append(DirectorReceipt(note.user_id, note.id, note.created_at, opened, acked_at,
                                        task.completed_by_id if task else None))
    return receipts


def director_receipts_for(env: Env, user: User, report_id: int) -> list[DirectorReceipt]:
    """The receipts, for a person who may read the report."""
    report = env.session.get(Report, report_id)
    if report is None:
        raise NotFound("报送信息不存在")
    if not can_view_report(env.session, user, report):
        raise Forbidden("无权查看该报送信息")
    return director_receipts(env, report_id)
