"""Passwords (argon2), sign-in with lockout, password changes."""
from __future__ import annotations

import re
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from storage.models import User, utcnow

from .context import Env
from .errors import Invalid, Locked, Unauthorized

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when the password matches the stored hash."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(env: Env, username: str, password: str) -> User:
    """The user for these credentials; failures count toward a 15-minute lockout after 5."""
    user = env.session.scalar(select(User).where(User.username == username))
    now = utcnow()
    if user is None or not user.active:
        raise Unauthorized("用户名或密码错误")
    if user.locked_until and user.locked_until > now:
        minutes = int((user.locked_until - now).total_seconds() // 60) + 1
        raise Locked(f"连续登录失败次数过多，账户已锁定，请 {minutes} 分钟后再试")
    if not verify_password(user.password_hash, password):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until, user.failed_logins = now + LOCKOUT, 0
            env.session.commit()
            raise Locked("连续 5 次登录失败，账户已锁定 15 分钟")
        left = MAX_FAILED_LOGINS - user.failed_logins
        env.session.commit()
        raise Unauthorized(f"用户名或密码错误（再失败 {left} 次将锁定 15 分钟）")
    user.failed_logins, user.locked_until = 0, None
    env.session.commit()
    return user


PASSWORD_RULES = "密码至少 8 位，且须同时包含大写字母、小写字母、数字和特殊字符中的三类"


def check_password_strength(password: str) -> None:
    """Raise Invalid unless the password meets the complexity rules."""
    classes = sum(bool(re.search(p, password)) for p in (r"[A-Z]", r"[a-z]", r"\d", r"[^A-Za-z0-9]"))
    if len(password) < 8 or classes < 3:
        raise Invalid(PASSWORD_RULES)


def change_password(env: Env, user: User, old: str, new: str) -> None:
    """Change a password after checking the old one and the rules."""
    if not verify_password(user.password_hash, old):
        raise Invalid("原密码不正确")
    check_password_strength(new)
    if old == new:
        raise Invalid("新密码不能与原密码相同")
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    env.session.commit()
