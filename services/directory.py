"""Reference look-ups the pages need: divisions in a jurisdiction, the equipment tree, people to pick."""
from __future__ import annotations

from sqlalchemy import or_, select

from storage.models import (
    ROLE_LABELS, Division, EquipmentType, MonitoringPoint, MonitoringPointKind, Role, User, UserRole,
)

from .context import Env

PROVINCE_WIDE = ("province_officer", "center_expert", "admin", "workflow_owner")


# 《特种设备目录》(2014, 原质检总局公告2014年第114号) lists the eight 种类 in this order (压力管道 8000 after
# 压力容器, 客运索道 9000 before 大型游乐设施), then the licensing scopes 压力管道元件 and 安全附件. Codes do not
# sort this way, and 安全阀 (7310) sits under 安全附件 F000, so the tree is built from parent codes.
CATEGORY_ORDER = ("1000", "2000", "8000", "3000", "4000", "9000", "6000", "5000", "7000", "F000")
ROOT_LEVELS = ("category", "component_category")
_DEPTH_LIMIT = 4


def equipment_tree(env: Env) -> list[dict]:
    """The catalogue in its statutory order, each 种类 followed by its 类别 and 品种 (depth first).

    Every row carries `category`, the code of the 种类 (or component category) it belongs to."""
    rows = list(env.session.scalars(select(EquipmentType)))
    children: dict[str | None, list[EquipmentType]] = {}
    for row in rows:
        children.setdefault(row.parent_code if row.level not in ROOT_LEVELS else None, []).append(row)
    roots = sorted(children.get(None, []), key=_root_rank)
    out: list[dict] = []

    def walk(row: EquipmentType, root: str, depth: int) -> None:
        out.append({"code": row.code, "name": row.name, "parent": row.parent_code, "level": row.level,
                    "category": root})
        if depth < _DEPTH_LIMIT:
            for child in sorted(children.get(row.code, []), key=lambda r: r.code):
                walk(child, root, depth + 1)

    for root in roots:
        walk(root, root.code, 0)
    return out


def _root_rank(row: EquipmentType) -> tuple[int, str]:
    try:
        return CATEGORY_ORDER.index(row.code), row.code
    except ValueError:
        return len(CATEGORY_ORDER), row.code


def equipment_categories(env: Env) -> list[EquipmentType]:
    """The top-level rows (8 种类, then 压力管道元件 and 安全附件) in the catalogue's order."""
    rows = env.session.scalars(select(EquipmentType).where(EquipmentType.level.in_(ROOT_LEVELS)))
    return sorted(rows, key=_root_rank)


def category_code(env: Env, code: str) -> str | None:
    """The 种类 (or component category) a catalogue code belongs to, following parent codes."""
    row = env.session.get(EquipmentType, code)
    for _ in range(_DEPTH_LIMIT):
        if row is None or row.parent_code is None:
            break
        row = env.session.get(EquipmentType, row.parent_code)
    return row.code if row is not None else None


def subtree_codes(env: Env, code: str) -> list[str]:
    """The code and every code below it in the catalogue (a 种类 filter matches its 类别 and 品种)."""
    found, frontier = [code], [code]
    for _ in range(_DEPTH_LIMIT):
        frontier = list(env.session.scalars(select(EquipmentType.code).where(EquipmentType.parent_code.in_(frontier))))
        if not frontier:
            break
        found += frontier
    return found


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


def all_division_names(env: Env) -> dict[str, str]:
    """Every division's name by code (about 130 rows), for pages that would otherwise show bare codes."""
    return dict(env.session.execute(select(Division.code, Division.name)).all())


def point_summaries(env: Env, ids) -> dict[int, tuple[str, MonitoringPointKind]]:
    """(name, kind) of the given monitoring points."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    rows = env.session.execute(select(MonitoringPoint.id, MonitoringPoint.name, MonitoringPoint.kind)
                               .where(MonitoringPoint.id.in_(ids))).all()
    return {pid: (name, kind) for pid, name, kind in rows}


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
