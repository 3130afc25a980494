"""The rows an engine step appends (timeline events, in-app notices and their outbox rows), collected while the
step runs and written at its end with one executemany per table, in the step's transaction.

Outside a step `add_event`/`add_notification` add ORM objects as before. Inside one (`collecting`), they append
plain dicts here; `write` sends them after the step's ORM flush, so the events keep their order after the
ones added before the step. A failed handler's rows are dropped with `truncate` (its savepoint is rolled back).
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import (
    InstanceEvent, Notification, NotificationPreference, OutboxChannel, OutboxMessage, OutboxStatus, User, utcnow,
)
from .people_cache import cached
from .prepared import Prepared, step_connection

_KEY = "riskmon_step_writes"
_INSERT_EVENT = Prepared(InstanceEvent.__table__.insert())
_INSERT_NOTICE = Prepared(Notification.__table__.insert())
# with the new ids, for the outbox rows: SQLAlchemy's executemany … RETURNING (only when someone chose a channel)
_INSERT_NOTICE_IDS = Notification.__table__.insert().returning(Notification.__table__.c.id,
                                                               sort_by_parameter_order=True)
_INSERT_OUTBOX = OutboxMessage.__table__.insert()


class StepWrites:
    """Events and notices of one step, not yet written."""

    owned = True

    def __init__(self):
        self.events: list[dict] = []
        self.notices: list[dict] = []

    def mark(self) -> tuple[int, int]:
        """Where the rows stand now (before a handler runs)."""
        return len(self.events), len(self.notices)

    def truncate(self, mark: tuple[int, int]) -> None:
        """Forget the rows added after `mark` (the handler failed; its savepoint was rolled back)."""
        del self.events[mark[0]:]
        del self.notices[mark[1]:]


def current(session: Session) -> StepWrites | None:
    """The step buffer of this session, if a step is collecting."""
    return session.info.get(_KEY)


@contextmanager
def collecting(session: Session):
    """Collect the events and notices added while the block runs; the caller writes them with `write`.
    Inside an outer `collecting` block the outer buffer is used, and `writes.owned` is False: the outer caller
    writes them (a task's completion event and the step it causes go out together, in order)."""
    outer = current(session)
    if outer is not None:
        yield _Borrowed(outer)
        return
    writes = StepWrites()
    session.info[_KEY] = writes
    try:
        yield writes
    finally:
        session.info.pop(_KEY, None)


class _Borrowed:
    """An outer buffer lent to an inner block that must not write it."""

    owned = False

    def __init__(self, writes: StepWrites):
        self.events, self.notices = writes.events, writes.notices


def event_row(kind: str, message: str, instance_id, report_id, element_id, actor_id, data) -> dict:
    """One instance_event row as a dict."""
    return {"kind": kind, "message": message, "instance_id": instance_id, "report_id": report_id,
            "element_id": element_id, "actor_id": actor_id, "data": data, "created_at": utcnow()}


def notice_row(user_id: int, kind: str, title: str, body: str, report_id, task_id, link) -> dict:
    """One notification row as a dict."""
    return {"user_id": user_id, "kind": kind, "title": title, "body": body, "report_id": report_id,
            "task_id": task_id, "link": link, "created_at": utcnow(), "read_at": None}


def last_completion(session: Session, instance_id: int, element_id: str) -> dict | None:
    """The form data of this step's own completion of the element, if the buffer holds one (newest first)."""
    writes = current(session)
    for row in reversed(writes.events if writes is not None else []):
        if (row["kind"], row["instance_id"], row["element_id"]) == ("task_completed", instance_id, element_id):
            return row["data"] or {}
    return None


def write(session: Session, writes: StepWrites) -> None:
    """Insert the collected rows: events, notices, then the outbox rows of the recipients' channels."""
    if not writes.owned:
        return
    if writes.events:  # prepared Core inserts in the session's transaction, without the ORM layer
        _INSERT_EVENT.execute(session, writes.events)
    if not writes.notices:
        return
    channels = channels_of(session, {n["user_id"] for n in writes.notices})
    if not channels:
        _INSERT_NOTICE.execute(session, writes.notices)
        return
    connection = step_connection(session)
    ids = connection.execute(_INSERT_NOTICE_IDS, writes.notices).scalars().all()
    outbox = [row for note_id, note in zip(ids, writes.notices, strict=True)
              for row in _outbox_rows(note_id, note, channels.get(note["user_id"]))]
    if outbox:
        connection.execute(_INSERT_OUTBOX, outbox)


def channels_of(session: Session, user_ids: set[int]) -> dict[int, dict]:
    """For each active person who chose e-mail or webhook deliveries: the choice and the contact fields."""
    found: dict[int, dict] = {}
    missing = []
    for user_id in user_ids:
        hit = cached(session, ("channels", user_id))
        if hit is None:
            missing.append(user_id)
        elif hit:
            found[user_id] = hit
    if missing:
        stmt = (select(NotificationPreference.user_id, NotificationPreference.email, NotificationPreference.webhook,
                       User.username, User.display_name, User.email.label("address"), User.phone, User.active)
                .join(User, User.id == NotificationPreference.user_id)
                .where(NotificationPreference.user_id.in_(missing)))
        rows = {row.user_id: row for row in session.execute(stmt)}
        for user_id in missing:
            row = rows.get(user_id)
            value = dict(row._mapping) if row is not None and row.active and (row.email or row.webhook) else {}
            cached(session, ("channels", user_id), value)
            if value:
                found[user_id] = value
    return found


def _outbox_rows(note_id: int, note: dict, channel: dict | None) -> list[dict]:
    if not channel:
        return []
    rows = []
    if channel["email"] and channel["address"]:
        rows.append(_outbox_row(note_id, note, channel, OutboxChannel.EMAIL, channel["address"]))
    if channel["webhook"]:
        rows.append(_outbox_row(note_id, note, channel, OutboxChannel.WEBHOOK, channel["phone"] or channel["username"]))
    return rows


def _outbox_row(note_id: int, note: dict, channel: dict, kind: OutboxChannel, recipient: str) -> dict:
    key = f"{kind.value}-{uuid.uuid4().hex}"
    now = utcnow()
    payload = {"idempotency_key": key, "kind": note["kind"], "title": note["title"], "body": note["body"],
               "link": note["link"], "report_id": note["report_id"], "notification_id": note_id,
               "created_at": now.isoformat(),
               "recipient": {"user_id": note["user_id"], "username": channel["username"],
                             "display_name": channel["display_name"], "phone": channel["phone"]}}
    return {"notification_id": note_id, "user_id": note["user_id"], "channel": kind, "recipient": recipient,
            "subject": note["title"][:200], "body": note["body"] or "", "payload": payload, "idempotency_key": key,
            "status": OutboxStatus.PENDING, "attempts": 0, "next_attempt_at": now, "created_at": now,
            "claimed_by": None, "last_error": None}
