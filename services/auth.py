"""Passwords (argon2), sign-in with per-client lockout, password changes, revoking sessions."""
from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from storage.database import begin_write
from storage.models import User, utcnow
from storage.repositories import add_event

from . import login_throttle
from .context import Env
from .errors import Forbidden, Invalid, Locked, NotFound, Unauthorized
from .login_throttle import LOCKOUT, MAX_FAILED_LOGINS  # noqa: F401  (re-exported)
from .passwords import PASSWORD_RULES, check_password_strength, password_expired  # noqa: F401  (re-exported)

_hasher = PasswordHasher()
WRONG_CREDENTIALS = "用户名或密码错误"


def hash_password(password: str) -> str:
    """An argon2id hash."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when the password matches the stored hash."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    """A hash nobody knows the password of: unknown usernames cost as much as known ones."""
    return hash_password(secrets.token_hex(16))


def authenticate(env: Env, username: str, password: str, client: str = "") -> User:
    """The user for these credentials; 5 failures from one client lock that client out of the name for 15 minutes.

    Unknown, deactivated and real accounts get the same answers after the same work (one argon2
    verification), so neither the message nor the time tells whether a username exists.
    """
    session = env.session
    wait = login_throttle.locked_for(session, client, username)
    if wait:
        raise Locked(f"连续登录失败次数过多，账户已锁定，请 {wait} 分钟后再试")
    user = session.scalar(select(User).where(User.username == username))
    matches = verify_password(user.password_hash if user is not None else _dummy_hash(), password)
    begin_write(session)  # the verification above ran without holding SQLite's write lock
    if user is None or not user.active or not matches:
        left = login_throttle.record_failure(session, client, username)
        session.commit()
        if left == 0:
            raise Locked(f"连续 {MAX_FAILED_LOGINS} 次登录失败，账户已锁定 15 分钟")
        raise Unauthorized(f"{WRONG_CREDENTIALS}（再失败 {left} 次将锁定 15 分钟）")
    login_throttle.clear(session, client, username)
    session.commit()
    return user


def invalidate_sessions(user: User) -> None:
    """Make every page session and API token of this person stale (inside the caller's transaction)."""
    user.session_version = (user.session_version or 0) + 1


def revoke_sessions(env: Env, user: User, actor: User | None = None) -> None:
    """Sign the person out everywhere: every page session and API token stops working. Commits.

    Account administration calls this when it deactivates someone; `actor` (who asked) is logged.
    """
    invalidate_sessions(user)
    if actor is not None:
        add_event(env.session, "sessions_revoked", f"{actor.display_name} 使 {user.display_name} 的全部登录会话失效",
                  actor_id=actor.id, data={"user_id": user.id})
    env.session.commit()


def change_password(env: Env, user: User, old: str, new: str) -> None:
    """Change a password after checking the old one and the rules; other sessions and tokens end."""
    if not verify_password(user.password_hash, old):
        raise Invalid("原密码不正确")
    check_password_strength(new, user.username)
    if old == new:
        raise Invalid("新密码不能与原密码相同")
    _set_password(user, new, must_change=False)
    env.session.commit()


def reset_password(env: Env, actor: User, user_id: int, new: str) -> User:
    """An admin sets someone's password; they must choose their own at the next sign-in."""
    if not actor.has_role("admin"):
        raise Forbidden("只有系统管理员可以重置密码")
    user = env.session.get(User, user_id)
    if user is None:
        raise NotFound("人员不存在")
    check_password_strength(new, user.username)
    _set_password(user, new, must_change=True)
    add_event(env.session, "password_reset", f"{actor.display_name} 重置了 {user.display_name} 的密码",
              actor_id=actor.id, data={"user_id": user.id})
    env.session.commit()
    return user


def _set_password(user: User, new: str, must_change: bool) -> None:
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    user.must_change_password = must_change
    invalidate_sessions(user)


def must_change_password(env: Env, user: User) -> bool:
    """True when the person has to choose a new password before anything else (reset or expired)."""
    return password_expired(user, env.settings.password_max_age_days)
