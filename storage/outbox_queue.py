"""Outbox rows for a new in-app notice, by the person's channel preferences (same transaction)."""
from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from .models import (
    Notification, NotificationPreference, OutboxChannel, OutboxMessage, OutboxStatus, User, utcnow,
)


def enqueue_channels(session: Session, note: Notification) -> list[OutboxMessage]:
    """Queue e-mail / webhook deliveries of `note` for the channels its recipient chose."""
    pref = session.get(NotificationPreference, note.user_id)
    if pref is None or not (pref.email or pref.webhook):
        return []
    user = session.get(User, note.user_id)
    if user is None or not user.active:
        return []
    if note.id is None:
        session.flush()
    rows = []
    if pref.email and user.email:
        rows.append(_row(note, user, OutboxChannel.EMAIL, user.email))
    if pref.webhook:
        rows.append(_row(note, user, OutboxChannel.WEBHOOK, user.phone or user.username))
    session.add_all(rows)
    return rows


def _row(note: Notification, user: User, channel: OutboxChannel, recipient: str) -> OutboxMessage:
    key = f"{channel.value}-{uuid.uuid4().hex}"
    now = utcnow()
    payload = {"idempotency_key": key, "kind": note.kind, "title": note.title, "body": note.body,
               "link": note.link, "report_id": note.report_id, "notification_id": note.id,
               "created_at": now.isoformat(),
               "recipient": {"user_id": user.id, "username": user.username, "display_name": user.display_name,
                             "phone": user.phone}}
    return OutboxMessage(notification_id=note.id, user_id=user.id, channel=channel, recipient=recipient,
                         subject=note.title[:200], body=note.body or "", payload=payload, idempotency_key=key,
                         status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now, created_at=now)
