"""In-app notifications: the bell's unread count, the list, marking read."""
from __future__ import annotations

from sqlalchemy import func, select, update

from storage.models import Notification, User, utcnow
from storage.repositories import count

from .context import Env
from .errors import NotFound


def unread_count(env: Env, user: User) -> int:
    """How many notices this person has not read."""
    stmt = select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))
    return env.session.scalar(stmt) or 0


def list_notifications(env: Env, user: User, page: int = 1, per_page: int = 20,
                       unread_only: bool = False) -> tuple[list[Notification], int]:
    """This person's notices, newest first."""
    stmt = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    total = count(env.session, stmt)
    rows = env.session.scalars(stmt.order_by(Notification.id.desc()).limit(per_page).offset((page - 1) * per_page))
    return list(rows), total


def mark_read(env: Env, user: User, notification_id: int) -> Notification:
    """Mark one of the person's notices read; returns it (for its link)."""
    note = env.session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        raise NotFound("通知不存在")
    if note.read_at is None:
        note.read_at = utcnow()
        env.session.commit()
    return note


def mark_all_read(env: Env, user: User) -> int:
    """Mark every unread notice of the person read; returns how many."""
    stmt = (update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .values(read_at=utcnow()))
    changed = env.session.execute(stmt).rowcount or 0
    env.session.commit()
    return changed


def link_of(note: Notification) -> str:
    """Where a notice leads: its task, its report, or the list."""
    if note.task_id:
        return f"/tasks/{note.task_id}"
    if note.link:
        return note.link
    return f"/reports/{note.report_id}" if note.report_id else "/notifications"
