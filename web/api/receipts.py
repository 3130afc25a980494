"""Receipts of a report's safety-director notices (/reports/<id>/director-receipts)."""
from __future__ import annotations

from flask import jsonify

from services.receipts import director_receipts_for
from web import env

from . import api
from .openapi import doc
from .responses import ReceiptOut, page_of
from .auth import current_user
from .presenters import iso


@api.get("/reports/<int:report_id>/director-receipts")
@doc("安全总监通知回执", response=page_of(ReceiptOut, paged=False))
def director_receipts(report_id: int):
    """Per notified safety director: sent, opened and acknowledged times."""
    rows = director_receipts_for(env(), current_user(), report_id)
    items = [{"user_id": r.user_id, "notification_id": r.notification_id, "sent_at": iso(r.sent_at),
              "opened_at": iso(r.opened_at), "acknowledged_at": iso(r.acknowledged_at),
              "acknowledged_by_id": r.acknowledged_by_id,
              "status_label": r.status_label}
             for r in rows]
    return jsonify({"items": items, "total": len(items)})
