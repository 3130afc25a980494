"""Account and role administration: the admin manages everyone; city and county officers manage the
people of their own jurisdiction's monitoring points (reporters, safety directors, point managers).

Every change is written to the admin audit log (``instance_event`` rows of kind ``admin_user_*``,
shown on /admin/audit) with who did it and the account before and after.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from storage.models import Division, MonitoringPoint, Role, SafetyDirectorAssignment, User, UserRole, utcnow
from storage.repositories import add_event, count

from . import auth
from .context import Env
from .errors import Conflict, Forbidden, Invalid, NotFound
from .monitoring_points import _jurisdiction_clause
from .point_reporters import PHONE, USERNAME, valid_display_name

POINT_ROLES = frozenset({Role.REPORTER.value, Role.SAFETY_DIRECTOR.value, Role.POINT_MANAGER.value, Role.PRINCIPAL.value})
OFFICER_MANAGERS = ("county_officer", "city_officer")
EDITABLE = ("active", "display_name", "role", "division_code", "phone")


@dataclass
class AccountInput:
    """A new account."""

    username: str
    display_name: str
    password: str
    role: str
    division_code: str
    monitoring_point_id: int | None = None
    phone: str | None = None


@dataclass
class AccountFilter:
    """Filters of the account list."""

    role: str | None = None
    division: str | None = None
    q: str | None = None


def _field_error(field: str, message: str) -> Invalid:
    return Invalid(f"{field}：{message}", details=[{"field": field, "message": message}])


def can_manage_accounts(actor: User) -> bool:
    """Admins, city and county officers, and point managers (for their own point's reporters)."""
    return actor.has_role("admin", "point_manager", *OFFICER_MANAGERS)


def allowed_roles(actor: User) -> frozenset[str]:
    """Roles a non-admin may grant and manage: point people for officers, reporters for a point manager."""
    if actor.has_role(*OFFICER_MANAGERS):
        return POINT_ROLES
    if actor.has_role("point_manager"):
        return frozenset({Role.REPORTER.value})
    return frozenset()


def _require_manager(actor: User) -> None:
    if not can_manage_accounts(actor):
        raise Forbidden("只有系统管理员、市县级监管人员或监测点负责人可以管理账户")


def _points_in_jurisdiction(actor: User):
    return select(MonitoringPoint.id).where(_jurisdiction_clause(actor))


def _may_manage(env: Env, actor: User, role: str, point_id: int | None) -> bool:
    if actor.has_role("admin"):
        return True
    if role not in allowed_roles(actor) or point_id is None:
        return False
    stmt = select(MonitoringPoint.id).where(MonitoringPoint.id == point_id, _jurisdiction_clause(actor))
    return env.session.scalar(stmt) is not None


def _role_of(user: User) -> str:
    return user.roles[0] if user.roles else ""


def snapshot(user: User) -> dict:
    """The audited fields of an account."""
    return {"username": user.username, "display_name": user.display_name, "roles": user.roles,
            "division_code": user.division_code, "monitoring_point_id": user.monitoring_point_id,
            "phone": user.phone, "active": user.active}


def list_accounts(env: Env, actor: User, filters: AccountFilter, page: int = 1,
                  per_page: int = 20) -> tuple[list[User], int]:
    """Accounts the caller may manage, filtered, by id."""
    _require_manager(actor)
    stmt = select(User)
    if not actor.has_role("admin"):
        stmt = stmt.where(User.monitoring_point_id.in_(_points_in_jurisdiction(actor)),
                          ~User.role_rows.any(UserRole.role.notin_([Role(r) for r in allowed_roles(actor)])))
    if filters.role:
        stmt = stmt.where(User.role_rows.any(UserRole.role == Role(_check_role(filters.role))))
    if filters.division:
        stmt = stmt.where(User.division_code == filters.division)
    if filters.q:
        like = f"%{filters.q.strip()}%"
        stmt = stmt.where(or_(User.username.ilike(like), User.display_name.ilike(like), User.phone.ilike(like)))
    total = count(env.session, stmt)
    rows = env.session.scalars(stmt.order_by(User.id).limit(per_page).offset((page - 1) * per_page))
    return list(rows), total


def _check_role(role: str) -> str:
    if role not in {r.value for r in Role}:
        raise _field_error("role", f"角色“{role}”不存在")
    return role


def _check_division(env: Env, code: str) -> str:
    if env.session.get(Division, code) is None:
        raise _field_error("division_code", f"行政区划“{code}”不存在")
    return code


def _check_point(env: Env, role: str, division_code: str, point_id: int | None) -> MonitoringPoint | None:
    if point_id is None:
        if role in POINT_ROLES:
            raise _field_error("monitoring_point_id", "信息报送员、安全总监和监测点负责人须指定所在监测点")
        return None
    point = env.session.get(MonitoringPoint, point_id)
    if point is None:
        raise _field_error("monitoring_point_id", f"监测点 {point_id} 不存在")
    if point.division_code != division_code:
        raise _field_error("division_code", "与所选监测点所在的行政区划不一致")
    return point


def _validate_new(env: Env, data: AccountInput) -> MonitoringPoint | None:
    if not USERNAME.match(data.username or ""):
        raise _field_error("username", "登录名应为 3 到 64 位字母、数字、点、下划线或连字符")
    _check_display_name(data.display_name)
    _check_phone(data.phone)
    _check_role(data.role)
    _check_division(env, data.division_code)
    point = _check_point(env, data.role, data.division_code, data.monitoring_point_id)
    auth.check_password_strength(data.password, data.username)
    if env.session.scalar(select(User.id).where(User.username == data.username)) is not None:
        raise Conflict(f"登录名“{data.username}”已被使用")
    return point


def _check_display_name(name: str) -> None:
    if not valid_display_name(name):
        raise _field_error("display_name", "姓名应为 2 到 64 个字，不含控制字符")


def _check_phone(phone: str | None) -> None:
    if phone and not PHONE.match(phone.strip()):
        raise _field_error("phone", "联系电话格式不正确")


def create_account(env: Env, actor: User, data: AccountInput, audit: bool = True) -> User:
    """Create an account with one role; the person must choose their own password at first sign-in."""
    _require_manager(actor)
    _check_role(data.role)
    if not _may_manage(env, actor, data.role, data.monitoring_point_id):
        raise Forbidden("市、县级监管人员只能为本辖区监测点创建信息报送员、安全总监或监测点负责人账户")
    point = _validate_new(env, data)
    user = _build(data, point)
    env.session.add(user)
    env.session.flush()
    if data.role == Role.SAFETY_DIRECTOR.value and point is not None:
        env.session.add(SafetyDirectorAssignment(monitoring_point_id=point.id, user_id=user.id))
    if audit:
        _audit(env, actor, user, "admin_user_created", f"创建账户 {user.username}（{user.display_name}）",
               None, snapshot(user))
        env.session.commit()
    return user


def _build(data: AccountInput, point: MonitoringPoint | None) -> User:
    user = User(username=data.username, display_name=data.display_name.strip(),
                phone=(data.phone or "").strip() or None, password_hash=auth.hash_password(data.password),
                division_code=data.division_code, monitoring_point_id=point.id if point else None,
                created_at=utcnow(), password_changed_at=utcnow(), must_change_password=True)
    user.role_rows = [UserRole(role=Role(data.role))]
    return user


def _audit(env: Env, actor: User, user: User, kind: str, message: str, before, after) -> None:
    add_event(env.session, kind, f"{actor.display_name} {message}", actor_id=actor.id,
              data={"user_id": user.id, "before": before, "after": after})


def get_account(env: Env, actor: User, user_id: int) -> User:
    """An account the caller may manage (404 when absent, 403 when outside their scope)."""
    _require_manager(actor)
    user = env.session.get(User, user_id)
    if user is None:
        raise NotFound("账户不存在")
    roles = set(user.roles) or {""}
    if not all(_may_manage(env, actor, role, user.monitoring_point_id) for role in roles):
        raise Forbidden("该账户不在您的管理范围内")
    return user


def update_account(env: Env, actor: User, user_id: int, changes: dict) -> User:
    """Change an account's name, role, division, phone or active flag; deactivation signs it out everywhere."""
    user = get_account(env, actor, user_id)
    before = snapshot(user)
    deactivated = _apply(env, actor, user, {k: v for k, v in changes.items() if k in EDITABLE})
    after = snapshot(user)
    if after == before:
        return user
    _audit(env, actor, user, _kind(before, after), f"修改账户 {user.username}（{user.display_name}）", before, after)
    if deactivated:
        auth.revoke_sessions(env, user, actor=actor)  # commits
    else:
        env.session.commit()
    return user


def _kind(before: dict, after: dict) -> str:
    if before["active"] != after["active"]:
        return "admin_user_deactivated" if not after["active"] else "admin_user_reactivated"
    return "admin_user_updated"


def _apply(env: Env, actor: User, user: User, changes: dict) -> bool:
    if "display_name" in changes:
        _check_display_name(changes["display_name"])
        user.display_name = changes["display_name"].strip()
    if "phone" in changes:
        _check_phone(changes["phone"])
        user.phone = (changes["phone"] or "").strip() or None
    if "division_code" in changes or "role" in changes:
        _move(env, actor, user, changes.get("role", _role_of(user)), changes.get("division_code", user.division_code))
    return _set_active(actor, user, changes.get("active", user.active))


def _move(env: Env, actor: User, user: User, role: str, division_code: str) -> None:
    if role != _role_of(user) and user.id == actor.id:
        raise Forbidden("不能修改自己的角色")
    _check_role(role)
    _check_division(env, division_code)
    if not _may_manage(env, actor, role, user.monitoring_point_id):
        raise Forbidden("市、县级监管人员只能授予本辖区监测点的信息报送员、安全总监或监测点负责人角色")
    if user.monitoring_point_id is not None or role in POINT_ROLES:
        _check_point(env, role, division_code, user.monitoring_point_id)
    if role != _role_of(user) or len(user.role_rows) != 1:
        user.role_rows = [UserRole(role=Role(role))]
        auth.invalidate_sessions(user)  # tokens carry no roles, but a changed role starts a fresh session
    user.division_code = division_code


def _set_active(actor: User, user: User, active) -> bool:
    if not isinstance(active, bool):
        raise _field_error("active", "必须是 true 或 false")
    if not active and user.id == actor.id:
        raise Forbidden("不能停用自己的账户")
    was = user.active
    user.active = active
    return was and not active
