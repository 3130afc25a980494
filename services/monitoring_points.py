"""The monitoring-point registry: register, confirm, safety directors."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false, or_, select

from storage.models import (
    Division, MonitoringPoint, MonitoringPointKind, Role, SafetyDirectorAssignment, User, utcnow,
)
from storage.repositories import add_event, count

from .context import Env
from .errors import Conflict, Forbidden, Invalid, NotFound

SUPERVISOR_ROLES = ("county_officer", "city_officer", "province_officer", "admin")


@dataclass
class PointInput:
    """What a point manager registers."""

    name: str
    kind: str
    division_code: str
    control_level: int | None = None
    credit_code: str | None = None
    address: str | None = None
    responsible_person: str | None = None
    responsible_phone: str | None = None


def _jurisdiction_clause(user: User):
    """The points a person may see, the same for the /points page and the API.

    Supervisors see their jurisdiction; everyone else (point managers, reporters, safety directors, …)
    only their own unit's point, never the other units of their county with their people's names.
    """
    if user.has_role("province_officer", "admin"):
        return MonitoringPoint.id.isnot(None)
    clauses = [MonitoringPoint.id == user.monitoring_point_id] if user.monitoring_point_id else []
    if user.has_role("point_manager"):
        clauses.append(MonitoringPoint.responsible_user_id == user.id)
    if user.has_role("county_officer", "city_officer"):
        counties = select(Division.code).where(Division.supervising_code == user.division_code)
        clauses += [MonitoringPoint.division_code == user.division_code, MonitoringPoint.division_code.in_(counties)]
    return or_(*clauses) if clauses else false()


def list_points(env: Env, user: User, page: int = 1, per_page: int = 20, kind: str | None = None,
                confirmed: bool | None = None) -> tuple[list[MonitoringPoint], int]:
    """Points in the caller's jurisdiction (or their own point)."""
    stmt = select(MonitoringPoint).where(_jurisdiction_clause(user))
    if kind:
        stmt = stmt.where(MonitoringPoint.kind == kind)
    if confirmed is not None:
        stmt = stmt.where(MonitoringPoint.confirmed == confirmed)
    total = count(env.session, stmt)
    rows = env.session.scalars(stmt.order_by(MonitoringPoint.id).limit(per_page).offset((page - 1) * per_page))
    return list(rows), total


def register_point(env: Env, user: User, data: PointInput) -> MonitoringPoint:
    """A point manager (or a supervisor) registers a point; it awaits confirmation."""
    if not user.has_role("point_manager", *SUPERVISOR_ROLES):
        raise Forbidden("只有监测点负责人或监管人员可以登记监测点")
    if data.kind not in {k.value for k in MonitoringPointKind}:
        raise Invalid("监测点类别不正确")
    if env.session.get(Division, data.division_code) is None:
        raise Invalid("所在行政区划代码不存在")
    if data.kind == MonitoringPointKind.CONTROLLED_USER_UNIT.value and data.control_level not in (1, 2):
        raise Invalid("一级、二级管控使用单位须填写管控级别（1 或 2）")
    point = MonitoringPoint(name=data.name.strip(), kind=MonitoringPointKind(data.kind),
                            division_code=data.division_code, control_level=data.control_level,
                            credit_code=data.credit_code, address=data.address,
                            responsible_person=data.responsible_person, responsible_phone=data.responsible_phone,
                            responsible_user_id=user.id if user.has_role("point_manager") else None,
                            confirmed=False, created_at=utcnow())
    env.session.add(point)
    env.session.flush()
    if user.has_role("point_manager") and user.monitoring_point_id is None:
        user.monitoring_point_id = point.id
    env.session.commit()
    return point


def get_point(env: Env, user: User, point_id: int) -> MonitoringPoint:
    """A point the caller may see."""
    point = env.session.scalar(select(MonitoringPoint).where(MonitoringPoint.id == point_id,
                                                            _jurisdiction_clause(user)))
    if point is None:
        raise NotFound("监测点不存在或不在您的辖区")
    return point


def confirm_point(env: Env, user: User, point_id: int) -> MonitoringPoint:
    """The supervising agency confirms (确认) a point in its jurisdiction."""
    if not user.has_role(*SUPERVISOR_ROLES):
        raise Forbidden("只有县、市级监管部门可以确认监测点")
    point = get_point(env, user, point_id)
    if point.confirmed:
        raise Conflict("该监测点已确认")
    point.confirmed, point.confirmed_by_id, point.confirmed_at = True, user.id, utcnow()
    point.supervising_division_code = user.division_code
    env.session.commit()
    return point


def _manage_check(user: User, point: MonitoringPoint) -> None:
    if user.has_role("admin", *SUPERVISOR_ROLES):
        return
    if user.has_role("point_manager") and user.monitoring_point_id == point.id:
        return
    raise Forbidden("只有本监测点负责人、监管人员或管理员可以登记安全总监")


def assign_safety_director(env: Env, user: User, point_id: int, director_id: int) -> SafetyDirectorAssignment:
    """Register a safety director for an enterprise point (who is notified of its reports)."""
    point = get_point(env, user, point_id)
    _manage_check(user, point)
    if not point.is_enterprise:
        raise Invalid("只有使用单位（安全总监）、生产和充装单位（质量安全总监）需要登记")
    director = env.session.get(User, director_id)
    if director is None:
        raise NotFound("人员不存在")
    title = point.titles.director
    if not director.has_role(Role.SAFETY_DIRECTOR.value):
        raise Invalid(f"该人员不具有{title}（安全总监）角色")
    if director.monitoring_point_id != point.id:
        # The director then receives the unit's reports: only the unit's own people may be registered.
        raise Invalid(f"只能登记本单位的{title}（该人员不属于本单位）")
    exists = env.session.scalar(select(SafetyDirectorAssignment).where(
        SafetyDirectorAssignment.monitoring_point_id == point.id, SafetyDirectorAssignment.user_id == director.id))
    if exists:
        raise Conflict(f"该人员已是本单位{title}")
    row = SafetyDirectorAssignment(monitoring_point_id=point.id, user_id=director.id, assigned_at=utcnow())
    env.session.add(row)
    add_event(env.session, "safety_director_assigned", f"{user.display_name} 为“{point.name}”登记{title} {director.display_name}",
              actor_id=user.id, data={"point_id": point.id, "user_id": director.id})
    env.session.commit()
    return row


def remove_safety_director(env: Env, user: User, point_id: int, director_id: int) -> None:
    """Remove a safety director registration."""
    point = get_point(env, user, point_id)
    _manage_check(user, point)
    row = env.session.scalar(select(SafetyDirectorAssignment).where(
        SafetyDirectorAssignment.monitoring_point_id == point.id, SafetyDirectorAssignment.user_id == director_id))
    if row is None:
        raise NotFound(f"该人员不是本单位登记的{point.titles.director}")
    env.session.delete(row)
    add_event(env.session, "safety_director_removed", f"{user.display_name} 移除了“{point.name}”的{point.titles.director}",
              actor_id=user.id, data={"point_id": point.id, "user_id": director_id})
    env.session.commit()
