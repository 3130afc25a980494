"""Bearer tokens: signed, expiring, void once the person's sessions are revoked (sign-out, password change)."""
from __future__ import annotations

import hashlib

from flask import current_app, g
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from services.errors import Forbidden, Unauthorized
from services.passwords import password_expired
from storage.models import User
from storage.people_cache import user_by_id

from ..extensions import db

PUBLIC_ENDPOINTS = {"api.issue_token", "api.openapi_document", "api.issue_wechat_token"}
# What a caller whose password has expired may still do: see who they are, change it, sign out everywhere.
PASSWORD_CHANGE_ENDPOINTS = {"api.me", "api.change_my_password", "api.revoke_my_sessions"}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="riskmon-api-token")


def _password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:12]


def issue(user: User) -> str:
    """A token for this person."""
    return _serializer().dumps({"uid": user.id, "pw": _password_fingerprint(user), "sv": user.session_version or 0})


def user_from_bearer(header: str) -> User:
    """The person a `Bearer <token>` header names, or 401."""
    if not header.startswith("Bearer "):
        raise Unauthorized("缺少访问令牌，请先调用 /api/v1/auth/token 登录")
    settings = current_app.extensions["riskmon.settings"]
    try:
        payload = _serializer().loads(header[7:].strip(), max_age=settings.token_max_age_seconds)
    except SignatureExpired:
        raise Unauthorized("访问令牌已过期，请重新登录") from None
    except BadSignature:
        raise Unauthorized("访问令牌无效") from None
    uid = payload.get("uid") if isinstance(payload, dict) else None
    # No database round trip on a hot request: a copy from this process's short-lived cache (storage.people_cache;
    # emptied at once on account changes in this process, within its TTL in other workers).
    user = user_by_id(db.session(), uid) if isinstance(uid, int) else None
    if (user is None or not user.active or payload.get("pw") != _password_fingerprint(user)
            or payload.get("sv") != (user.session_version or 0)):
        raise Unauthorized("访问令牌已失效，请重新登录")
    return user


class PasswordExpired(Forbidden):
    code = "password_expired"


def refuse_expired_password(user: User, endpoint: str | None) -> None:
    """403 `password_expired` on everything but the caller's own account endpoints until the password changes."""
    if endpoint in PASSWORD_CHANGE_ENDPOINTS:
        return
    if password_expired(user, current_app.extensions["riskmon.settings"].password_max_age_days):
        raise PasswordExpired("密码已过期或已由管理员重置，请先通过 POST /api/v1/me/password 修改密码")


def current_user() -> User:
    """The authenticated caller of this API request."""
    return g.api_user
