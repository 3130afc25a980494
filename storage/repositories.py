"""Queries and writes shared by services, handlers and the engine. They flush; they never commit."""
from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import (
    InstanceEvent, MonitoringPoint, Notification, ProcessInstance, Report, SafetyDirectorAssignment,
    TrackingCounter, User, UserRole, utcnow,
)
from .outbox_queue import enqueue_channels


def instance_for_update(session: Session, instance_id: int) -> ProcessInstance | None:
    """Load an instance holding its row lock (PostgreSQL) for the rest of the transaction."""
    stmt = select(ProcessInstance).where(ProcessInstance.id == instance_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def users_with_role(session: Session, role: str, division_code: str | None = None,
                    point_id: int | None = None) -> list[User]:
    """Active people holding a role, optionally in one division or at one monitoring point."""
    stmt = select(User).join(UserRole, UserRole.user_id == User.id).where(UserRole.role == role, User.active)
    if division_code is not None:
        stmt = stmt.where(User.division_code == division_code)
    if point_id is not None:
        stmt = stmt.where(User.monitoring_point_id == point_id)
    return list(session.scalars(stmt.order_by(User.id)))


def user_ids_with_role(session: Session, role: str, division_code: str) -> list[int]:
    """Ids of active people holding a role in one division (no objects loaded)."""
    stmt = (select(User.id).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == role, User.active, User.division_code == division_code).order_by(User.id))
    return list(session.scalars(stmt))


def safety_directors(session: Session, point_id: int) -> list[User]:
    """Active safety directors registered for a monitoring point."""
    stmt = (select(User).join(SafetyDirectorAssignment, SafetyDirectorAssignment.user_id == User.id)
            .where(SafetyDirectorAssignment.monitoring_point_id == point_id, User.active).order_by(User.id))
    return list(session.scalars(stmt))


def add_notification(session: Session, user_id: int, kind: str, title: str, body: str = "",
                     report_id: int | None = None, task_id: str | None = None,
                     link: str | None = None) -> Notification:
    """Queue an in-app notice, and its e-mail/webhook outbox rows, in the current transaction."""
    note = Notification(user_id=user_id, kind=kind, title=title, body=body, report_id=report_id,
                        task_id=task_id, link=link, created_at=utcnow())
    session.add(note)
    enqueue_channels(session, note)
    return note


def add_event(session: Session, kind: str, message: str, instance_id: int | None = None,
              report_id: int | None = None, element_id: str | None = None, actor_id: int | None = None,
              data: dict | None = None) -> InstanceEvent:
    """Append to the instance event log (timeline and audit trail)."""
    event = InstanceEvent(kind=kind, message=message, instance_id=instance_id, report_id=report_id,
                          element_id=element_id, actor_id=actor_id, data=data, created_at=utcnow())
    session.add(event)
    return event


def next_tracking_number(session: Session, year: int) -> str:
    """SX-<year>-<6 digits>, unique and gap-free per year under concurrent submissions."""
    bump = (update(TrackingCounter).where(TrackingCounter.year == year)
            .values(last_value=TrackingCounter.last_value + 1).returning(TrackingCounter.last_value))
    value = session.execute(bump).scalar_one_or_none()
    if value is None:
        try:
            with session.begin_nested():
                session.add(TrackingCounter(year=year, last_value=1))
            value = 1
        except IntegrityError:
            value = session.execute(bump).scalar_one()
    return f"SX-{year}-{value:06d}"


def point_for_user(session: Session, user: User) -> MonitoringPoint | None:
    """The monitoring point a person reports for, if any."""
    return session.get(MonitoringPoint, user.monitoring_point_id) if user.monitoring_point_id else None


def count(session: Session, stmt) -> int:
    """COUNT(*) of a select statement."""
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def report_of_instance(session: Session, instance: ProcessInstance) -> Report:
    """The report an instance serves."""
    return session.get(Report, instance.report_id)
