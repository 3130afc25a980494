"""Browser sessions: who is signed in, idle timeout, CSRF tokens, role checks for pages."""
from __future__ import annotations

import hmac
import secrets
from functools import wraps
from time import time

from flask import abort, current_app, flash, redirect, request, session, url_for

from services.errors import ServiceError
from storage.models import User

from ..extensions import db

CSRF_FIELD = "csrf_token"
USER_KEY, EXPIRED_KEY = "riskmon.page_user", "riskmon.session_expired"


class CsrfRefused(ServiceError):
    """A state-changing request without the session's token (400, with a message people understand)."""

    code, status = "csrf_failed", 400


def sign_in(user: User) -> None:
    """Start a fresh session for this person (new CSRF token, no fixation)."""
    session.clear()
    session.permanent = True
    session["uid"] = user.id
    session["seen"] = int(time())
    session[CSRF_FIELD] = secrets.token_urlsafe(32)


def sign_out() -> None:
    session.clear()


def current_user() -> User | None:
    """The signed-in person, or None (also None once idle past the timeout); looked up once per request."""
    # Cached on the request, not on `g`: a test holding an app context open shares `g` across requests.
    cache = request.environ
    if USER_KEY in cache:
        return cache[USER_KEY]
    user = None
    uid = session.get("uid")
    idle = current_app.extensions["riskmon.settings"].session_idle_minutes * 60
    if uid is not None and int(time()) - int(session.get("seen", 0)) <= idle:
        user = db.session.get(User, uid)
        if user is not None and user.active:
            session["seen"] = int(time())
        else:
            user = None
    elif uid is not None:
        session.clear()
        cache[EXPIRED_KEY] = True
    cache[USER_KEY] = user
    return user


def csrf_token() -> str:
    """The session's CSRF token (created on first use)."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def check_csrf() -> None:
    """Refuse a state-changing request without the session's token (form field or X-CSRF-Token header)."""
    sent = request.form.get(CSRF_FIELD) or request.headers.get("X-CSRF-Token") or ""
    expected = session.get(CSRF_FIELD) or ""
    if not expected or not hmac.compare_digest(sent, expected):
        raise CsrfRefused("页面已过期或安全校验失败（缺少 CSRF 令牌），请刷新页面后重试")


def login_required(*roles: str):
    """Page decorator: signed in (else to /login), holding one of `roles` if given (else 403)."""
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user()
            if user is None:
                if request.environ.get(EXPIRED_KEY):
                    idle = current_app.extensions["riskmon.settings"].session_idle_minutes
                    flash(f"由于 {idle} 分钟未操作，您已自动退出，请重新登录", "info")
                return redirect(url_for("auth_pages.login", next=request.full_path))
            if roles and not user.has_role(*roles):
                abort(403)
            if request.method in ("POST", "PUT", "PATCH", "DELETE"):
                check_csrf()
            return view(*args, **kwargs)
        return wrapped
    return decorate
