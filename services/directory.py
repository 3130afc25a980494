"""Reference look-ups the pages need: divisions in a jurisdiction, the equipment tree, people to pick."""
from __future__ import annotations

from sqlalchemy import or_, select

from storage.models import Division, EquipmentType, MonitoringPoint, ROLE_LABELS, Role, User, UserRole

from .context import Env

PROVINCE_WIDE = ("province_officer", "center_expert", "admin", "workflow_owner")


def equipment_tree(env: Env) -> list[dict]:
    """The catalogue's 种类 → 类别 → 品种 rows (component categories are not equipment)."""
    rows = env.session.scalars(select(EquipmentType).where(EquipmentType.level.in_(("category", "class", "variety")))
                               .order_by(EquipmentType.code))
    return [{"code": r.code, "name": r.name, "parent": r.parent_code, "level": r.level} for r in rows]


def equipment_categories(env: Env) -> list[EquipmentType]:
    """The top-level 种类 rows."""
    return list(env.session.scalars(select(EquipmentType).where(EquipmentType.level == "category")
                                    .order_by(EquipmentType.code)))


def divisions_in_jurisdiction(env: Env, user: User) -> list[Division]:
    """Divisions the person supervises (all for province-wide roles), for filters and forms."""
    stmt = select(Division).order_by(Division.code)
    if not user.has_role(*PROVINCE_WIDE):
        stmt = stmt.where(or_(Division.code == user.division_code, Division.supervising_code == user.division_code,
                              Division.parent_code == user.division_code))
    return list(env.session.scalars(stmt))


def division_names(env: Env, codes) -> dict[str, str]:
    """Names of the given division codes."""
    codes = {c for c in codes if c}
    if not codes:
        return {}
    return dict(env.session.execute(select(Division.code, Division.name).where(Division.code.in_(codes))).all())


def user_names(env: Env, ids) -> dict[int, str]:
    """Display names of the given people."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(env.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def director_candidates(env: Env, point: MonitoringPoint) -> list[User]:
    """Active safety directors of this unit who could be registered for it."""
    stmt = (select(User).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.SAFETY_DIRECTOR, User.active, User.monitoring_point_id == point.id)
            .order_by(User.id))
    assigned = {u.id for u in point.safety_directors}
    return [u for u in env.session.scalars(stmt) if u.id not in assigned]


def role_label(role: str) -> str:
    """The Chinese name of a role."""
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role


def equipment_path(env: Env, code: str) -> str:
    """“种类 / 类别 / 品种” for a catalogue code."""
    names = []
    row = env.session.get(EquipmentType, code)
    while row is not None and len(names) < 4:
        names.append(row.name)
        row = env.session.get(EquipmentType, row.parent_code) if row.parent_code else None
    return " / ".join(reversed(names)) or code
