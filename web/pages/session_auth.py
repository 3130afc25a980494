"""Browser sessions: who is signed in, idle timeout, CSRF tokens, role checks for pages."""
from __future__ import annotations

import hmac
import secrets
from functools import wraps
from time import time

from flask import abort, current_app, flash, redirect, request, session, url_for

from services.passwords import password_expired
from services.errors import ServiceError
from storage.models import User

from ..extensions import db

CSRF_FIELD = "csrf_token"
USER_KEY, EXPIRED_KEY = "riskmon.page_user", "riskmon.session_expired"
# Pages a person whose password has expired (or was reset by an admin) may still open.
PASSWORD_CHANGE_ENDPOINTS = {"account_pages.password", "account_pages.revoke_sessions"}


class CsrfRefused(ServiceError):
    """A state-changing request without the session's token (400, with a message people understand)."""

    code, status = "csrf_failed", 400


def sign_in(user: User) -> None:
    """Start a fresh session for this person (new CSRF token, no fixation)."""
    session.clear()
    session.permanent = True
    session["uid"] = user.id
    session["sv"] = user.session_version or 0
    session["seen"] = int(time())
    session[CSRF_FIELD] = secrets.token_urlsafe(32)


def sign_out() -> None:
    """End this browser's session; with `revoke_sessions` first, a copied cookie dies as well."""
    session.clear()


def _session_user(uid) -> User | None:
    """The session's person while the account is active and its session version unchanged."""
    user = db.session.get(User, uid)
    if user is None or not user.active or session.get("sv") != (user.session_version or 0):
        return None
    return user


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
        user = _session_user(uid)
        if user is not None:
            session["seen"] = int(time())
        else:
            session.clear()
    elif uid is not None:
        session.clear()
        cache[EXPIRED_KEY] = True
    cache[USER_KEY] = user
    return user


def _password_expired(user: User) -> bool:
    return password_expired(user, current_app.extensions["riskmon.settings"].password_max_age_days)


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
            if request.endpoint not in PASSWORD_CHANGE_ENDPOINTS and _password_expired(user):
                return redirect(url_for("account_pages.password", next=request.full_path))
            if roles and not user.has_role(*roles):
                abort(403)
            if request.method in ("POST", "PUT", "PATCH", "DELETE"):
                check_csrf()
            return view(*args, **kwargs)
        return wrapped
    return decorate
