"""Notification deliveries that gave up (dead letters), for admins."""
from __future__ import annotations

from flask import jsonify

from services import outbox
from services.errors import Forbidden
from storage.models import CHANNEL_LABELS, OUTBOX_STATUS_LABELS
from web import env

from . import api
from .openapi import doc
from .responses import OutboxMessageOut, page_of
from .auth import current_user
from .presenters import iso


def message_json(m) -> dict:
    return {"id": m.id, "channel": m.channel.value, "channel_label": CHANNEL_LABELS[m.channel],
            "recipient": m.recipient, "subject": m.subject, "status": m.status.value,
            "status_label": OUTBOX_STATUS_LABELS[m.status], "attempts": m.attempts, "last_error": m.last_error,
            "idempotency_key": m.idempotency_key, "notification_id": m.notification_id,
            "created_at": iso(m.created_at), "next_attempt_at": iso(m.next_attempt_at)}


@api.get("/outbox/dead-letters")
@doc("投递失败的通知（死信）", response=page_of(OutboxMessageOut, paged=False))
def dead_letters():
    """Admin: deliveries that failed after the last retry."""
    if not current_user().has_role("admin"):
        raise Forbidden("只有系统管理员可以查看发送失败的通知")
    rows = outbox.list_dead_letters(env())
    return jsonify({"items": [message_json(m) for m in rows], "total": len(rows)})


@api.post("/outbox/<int:message_id>/requeue")
@doc("重新投递通知", response=OutboxMessageOut, errors=(409,))
def requeue(message_id: int):
    """Admin: try a dead delivery again."""
    return jsonify(message_json(outbox.requeue_dead_letter(env(), current_user(), message_id)))
