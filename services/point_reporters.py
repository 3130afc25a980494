"""A monitoring point's reporters (信息报送员): registered by its manager or the supervising agency."""
from __future__ import annotations

import re
import secrets
import string
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select

from storage.models import Role, User, UserRole, utcnow
from storage.repositories import add_event

from .auth import hash_password
from .context import Env
from .errors import Conflict, Forbidden, Invalid
from .monitoring_points import SUPERVISOR_ROLES, get_point

USERNAME = re.compile(r"^[A-Za-z0-9._-]{3,64}$")
PHONE = re.compile(r"^[0-9+\- ]{5,32}$")


def valid_display_name(name: str | None) -> bool:
    """2 to 64 characters and no control character: names are printed into PDFs, DOCX and XLSX files, where
    a control character cannot be written."""
    name = (name or "").strip()
    return 2 <= len(name) <= 64 and not any(unicodedata.category(ch) == "Cc" for ch in name)


@dataclass
class ReporterInput:
    """Who is registered as a reporter of a point."""

    display_name: str
    username: str
    phone: str
    position: str | None = None
    is_expert: bool = False


def list_reporters(env: Env, user: User, point_id: int) -> list[User]:
    """The point's reporters (the point must be visible to the caller)."""
    point = get_point(env, user, point_id)
    stmt = (select(User).join(UserRole, UserRole.user_id == User.id)
            .where(User.monitoring_point_id == point.id, UserRole.role == Role.REPORTER).order_by(User.id))
    return list(env.session.scalars(stmt))


def can_register_reporters(user: User, point) -> bool:
    """The point's own manager, a supervisor of its jurisdiction, or an admin."""
    if user.has_role(*SUPERVISOR_ROLES):
        return True
    return user.has_role("point_manager") and user.monitoring_point_id == point.id


def _validate(env: Env, data: ReporterInput) -> None:
    if not valid_display_name(data.display_name):
        raise Invalid("姓名应为 2 到 64 个字，不含控制字符")
    if not USERNAME.match(data.username):
        raise Invalid("登录名应为 3 到 64 位字母、数字、点、下划线或连字符")
    if not PHONE.match(data.phone.strip()):
        raise Invalid("联系电话格式不正确")
    if env.session.scalar(select(User.id).where(User.username == data.username)) is not None:
        raise Conflict(f"登录名“{data.username}”已被使用")


def register_reporter(env: Env, user: User, point_id: int, data: ReporterInput) -> tuple[User, str]:
    """Create the reporter's account with a one-time initial password (returned once, never stored)."""
    point = get_point(env, user, point_id)
    if not can_register_reporters(user, point):
        raise Forbidden("只有本监测点负责人或监管人员可以登记信息报送员")
    _validate(env, data)
    password = initial_password()
    reporter = User(username=data.username, display_name=data.display_name.strip(), phone=data.phone.strip(),
                    position=(data.position or "").strip() or None, is_expert=data.is_expert,
                    password_hash=hash_password(password), division_code=point.division_code,
                    monitoring_point_id=point.id, created_at=utcnow(), password_changed_at=utcnow(),
                    must_change_password=True)  # someone else knows the initial password
    reporter.role_rows = [UserRole(role=Role.REPORTER)]
    env.session.add(reporter)
    env.session.flush()
    add_event(env.session, "reporter_registered", f"{user.display_name} 为“{point.name}”登记信息报送员 {reporter.display_name}",
              actor_id=user.id, data={"point_id": point.id, "user_id": reporter.id})
    env.session.commit()
    return reporter, password


def initial_password() -> str:
    """12 random characters with upper, lower, digit and symbol (meets the complexity rules)."""
    pools = [string.ascii_uppercase, string.ascii_lowercase, string.digits, "#@%+="]
    chars = [secrets.choice(pool) for pool in pools]
    chars += [secrets.choice("".join(pools)) for _ in range(8)]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
