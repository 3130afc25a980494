"""The JSON API at /api/v1 (CONTRACT.md). Each resource has its own module."""
from __future__ import annotations

from flask import Blueprint, g, request

from storage.database import begin_write

from ..extensions import db
from . import auth as _auth

api = Blueprint("api", __name__, url_prefix="/api/v1")


# The hot write path: on SQLite the transaction that reads the caller is already the write transaction, so the
# use case does not have to end a read-only one first (storage.database.begin_write). Short requests only.
WRITE_FIRST_ENDPOINTS = {"api.create_report", "api.complete_task"}


@api.before_request
def _authenticate():
    if request.endpoint in _auth.PUBLIC_ENDPOINTS or request.method == "OPTIONS":
        return None
    if request.endpoint in WRITE_FIRST_ENDPOINTS:
        begin_write(db.session())
    g.api_user = _auth.user_from_bearer(request.headers.get("Authorization", ""))
    _auth.refuse_expired_password(g.api_user, request.endpoint)
    return None


from . import (  # noqa: E402,F401
    admin, monitoring_points, openapi, outbox, process_versions, profile, receipts, reports, stats, tasks, users,
    workcalendar,
    cases, similar_reports, attachments,
    sessions,
    office,
    accounts,
)
from . import equipment, wechat  # noqa: E402,F401
from . import periodic  # noqa: E402,F401
from . import system_settings  # noqa: E402,F401
