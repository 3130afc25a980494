"""Queries and writes shared by services, handlers and the engine. They flush; they never commit."""
from __future__ import annotations

from sqlalchemy import Integer, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .models import (
    InstanceEvent, MonitoringPoint, Notification, ProcessInstance, Report, ReportQualityScore, SafetyDirectorAssignment,
    SettingDefinition, SystemSetting, TrackingCounter, TrackingSlot, User, UserRole, utcnow,
)
from . import step_writes
from .people_cache import setting_row_value
from .prepared import Prepared, step_connection
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
                     link: str | None = None) -> Notification | None:
    """Queue an in-app notice, and its e-mail/webhook outbox rows, in the current transaction (inside an engine
    step: collected, written at the step's end with the step's other notices; nothing is returned)."""
    writes = step_writes.current(session)
    if writes is not None:
        writes.notices.append(step_writes.notice_row(user_id, kind, title, body, report_id, task_id, link))
        return None
    note = Notification(user_id=user_id, kind=kind, title=title, body=body, report_id=report_id,
                        task_id=task_id, link=link, created_at=utcnow())
    session.add(note)
    enqueue_channels(session, note)
    return note


def add_event(session: Session, kind: str, message: str, instance_id: int | None = None,
              report_id: int | None = None, element_id: str | None = None, actor_id: int | None = None,
              data: dict | None = None) -> InstanceEvent | None:
    """Append to the instance event log (timeline and audit trail); inside an engine step the row is collected
    and written at the step's end (nothing is returned)."""
    writes = step_writes.current(session)
    if writes is not None:
        writes.events.append(step_writes.event_row(kind, message, instance_id, report_id, element_id, actor_id, data))
        return None
    event = InstanceEvent(kind=kind, message=message, instance_id=instance_id, report_id=report_id,
                          element_id=element_id, actor_id=actor_id, data=data, created_at=utcnow())
    session.add(event)
    return event


SLOT_BATCH = 64  # numbers handed to the free pool at a time (PostgreSQL)


def next_tracking_number(session: Session, year: int) -> str:
    """SX-<year>-<6 digits>, unique per year under concurrent submissions, and gap-free: a number is consumed
    only by the transaction that commits it, and a rolled-back one is the next submission's.

    SQLite (writers are serialised anyway): one upsert bumps the year's counter row and returns the new value.
    PostgreSQL: the smallest free number of the year's pool (`tracking_slot`) that no other transaction holds is
    deleted and returned (FOR UPDATE SKIP LOCKED). Concurrent submissions each lock their own slot row instead
    of all queueing on the counter row until their step commits. The pool is refilled SLOT_BATCH numbers at a
    time in a short transaction of its own, so the counter row is locked for milliseconds, never for a step.
    What this allows that the single counter did not: while two submissions are in flight, the later number can
    commit a few milliseconds before the earlier one (a hole that closes when that one commits); a rolled-back
    number is taken by the next submission of that year, so a hole stays only if none follows it that year."""
    if session.get_bind().dialect.name != "postgresql":
        value = _SQLITE_COUNTER_BUMP.execute(session, {"year": year}).scalar()
        return f"SX-{year}-{value:06d}"
    for _ in range(10):
        value = _TAKE_SLOT.execute(session, {"year": year}).scalar()
        if value is not None:
            return f"SX-{year}-{value:06d}"
        _refill_slots(session, year)
    raise RuntimeError("tracking number pool could not be refilled")  # not reached: every refill adds numbers


_TAKE_SLOT = Prepared(text(
    "DELETE FROM tracking_slot WHERE (year, number) = ("
    " SELECT year, number FROM tracking_slot WHERE year = :year ORDER BY number LIMIT 1 FOR UPDATE SKIP LOCKED"
    ") RETURNING number").columns(number=Integer))


def _refill_slots(session: Session, year: int) -> None:
    """Hand SLOT_BATCH more numbers of `year` to the pool, committed on a connection of its own at once (the
    caller's transaction may run for a whole engine step; the counter row is locked only for this)."""
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    with engine.begin() as conn:
        stmt = postgresql_insert(TrackingCounter).values(year=year, last_value=SLOT_BATCH)
        stmt = stmt.on_conflict_do_update(index_elements=[TrackingCounter.year],
                                          set_={"last_value": TrackingCounter.last_value + SLOT_BATCH})
        last = conn.execute(stmt.returning(TrackingCounter.last_value)).scalar_one()
        conn.execute(postgresql_insert(TrackingSlot),
                     [{"year": year, "number": n} for n in range(last - SLOT_BATCH + 1, last + 1)])


_SQLITE_COUNTER_BUMP = Prepared(sqlite_insert(TrackingCounter).values(year=bindparam("year"), last_value=1)
                                .on_conflict_do_update(index_elements=[TrackingCounter.year],
                                                       set_={"last_value": TrackingCounter.last_value + 1})
                                .returning(TrackingCounter.last_value))


def set_quality_score(session: Session, report_id: int, tier: str, score: int, user_id: int | None,
                      member: str = "") -> None:
    """The tier's (or a 会签 member's) score for the report, added or replacing their earlier one, in one upsert
    on (report, tier, member)."""
    # a prepared statement, no autoflush: the report's own changes go out with the step's writes
    stmt = _SCORE_UPSERTS[step_connection(session).dialect.name == "postgresql"]
    stmt.execute(session, {"report_id": report_id, "tier": tier, "member": member, "score": score,
                           "user_id": user_id, "now": utcnow()})


def _score_upsert(insert):
    table = ReportQualityScore.__table__
    stmt = insert(table).values(report_id=bindparam("report_id"), tier=bindparam("tier"), member=bindparam("member"),
                                score=bindparam("score"), scored_by_id=bindparam("user_id"), scored_at=bindparam("now"))
    return stmt.on_conflict_do_update(index_elements=[table.c.report_id, table.c.tier, table.c.member],
                                      set_={"score": stmt.excluded.score, "scored_by_id": stmt.excluded.scored_by_id,
                                            "scored_at": stmt.excluded.scored_at})


_SCORE_UPSERTS = {False: Prepared(_score_upsert(sqlite_insert)), True: Prepared(_score_upsert(postgresql_insert))}


def point_for_user(session: Session, user: User) -> MonitoringPoint | None:
    """The monitoring point a person reports for, if any."""
    return session.get(MonitoringPoint, user.monitoring_point_id) if user.monitoring_point_id else None


def setting_value(session: Session, definition: SettingDefinition) -> str:
    """A system setting's current value: the stored one when it is among the choices, else the default
    (a value written around the admin page, e.g. by hand in SQL, never reaches a diagram)."""
    value = setting_row_value(session, definition.key)
    return value if value is not None and definition.allows(value) else definition.default


def setting_row_for_update(session: Session, key: str, actor_id: int | None = None) -> SystemSetting:
    """The system_setting row `key`, created empty ("") if missing, locked FOR UPDATE. Created with
    INSERT … ON CONFLICT DO NOTHING so that two transactions creating it at once do not fail on the key."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(SystemSetting).values(key=key, value="", updated_by_id=actor_id, updated_at=utcnow())
                    .on_conflict_do_nothing(index_elements=[SystemSetting.key]))
    return session.get(SystemSetting, key, with_for_update=True, populate_existing=True)


def count(session: Session, stmt) -> int:
    """COUNT(*) of a select statement."""
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def report_of_instance(session: Session, instance: ProcessInstance) -> Report:
    """The report an instance serves."""
    return session.get(Report, instance.report_id)
