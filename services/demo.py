"""The demo installation of CONTRACT.md: accounts, monitoring points of all four kinds, reports."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select

from storage.models import (
    MonitoringPoint, MonitoringPointKind, Role, SafetyDirectorAssignment, User, UserRole, utcnow,
)

from .auth import hash_password
from .context import Env
from .reference_data import DATA_DIR, load_reference_data

DEMO_PASSWORD = "Demo#2026"


@dataclass(frozen=True)
class PointSpec:
    key: str
    name: str
    kind: MonitoringPointKind
    division_code: str
    control_level: int | None = None
    responsible: str = ""


POINTS = [
    PointSpec("agency_610113", "雁塔区市场监督管理局特种设备安全监察科", MonitoringPointKind.SUPERVISION_AGENCY,
              "610113", responsible="王建国"),
    PointSpec("agency_610112", "未央区市场监督管理局特种设备安全监察科", MonitoringPointKind.SUPERVISION_AGENCY,
              "610112", responsible="李卫东"),
    PointSpec("inspect_610100", "西安市特种设备检验检测院", MonitoringPointKind.INSPECTION_INSTITUTION, "610100",
              responsible="赵明"),
    PointSpec("unit_610113", "西安曲江某商业综合体管理有限公司", MonitoringPointKind.CONTROLLED_USER_UNIT, "610113",
              control_level=1, responsible="陈志强"),
    PointSpec("filling_610112", "西安未央某工业气体充装站", MonitoringPointKind.PRODUCTION_FILLING_UNIT, "610112",
              responsible="刘海"),
    PointSpec("agency_610000", "陕西省市场监督管理局特种设备安全监察局", MonitoringPointKind.SUPERVISION_AGENCY,
              "610000", responsible="省局联络员"),
]

# username, display name, roles, division, point key
ACCOUNTS = [
    ("admin", "系统管理员", [Role.ADMIN], "610000", None),
    ("owner", "流程管理员", [Role.WORKFLOW_OWNER], "610000", None),
    ("province", "省局处置专员", [Role.PROVINCE_OFFICER], "610000", None),
    ("center", "省中心专家", [Role.CENTER_EXPERT], "610000", None),
    ("city.610100", "西安市局监管员", [Role.CITY_OFFICER], "610100", None),
    ("inspect.610100", "西安市特检院工程师", [Role.INSPECTION_OFFICER], "610100", "inspect_610100"),
    ("county.610113", "雁塔区局监管员", [Role.COUNTY_OFFICER], "610113", None),
    ("county.610112", "未央区局监管员", [Role.COUNTY_OFFICER], "610112", None),
    ("reporter.unit", "综合体信息报送员", [Role.REPORTER], "610113", "unit_610113"),
    ("director.unit", "综合体安全总监", [Role.SAFETY_DIRECTOR], "610113", "unit_610113"),
    ("reporter.agency", "雁塔区局信息报送员", [Role.REPORTER], "610113", "agency_610113"),
    ("manager.unit", "综合体监测点负责人", [Role.POINT_MANAGER], "610113", "unit_610113"),
    ("reporter.inspect", "市特检院信息报送员", [Role.REPORTER], "610100", "inspect_610100"),
    ("reporter.filling", "充装站信息报送员", [Role.REPORTER], "610112", "filling_610112"),
    ("director.filling", "充装站质量安全总监", [Role.SAFETY_DIRECTOR], "610112", "filling_610112"),
    ("principal.unit", "综合体主要负责人", [Role.PRINCIPAL], "610113", "unit_610113"),
    ("reporter.agency112", "未央区局信息报送员", [Role.REPORTER], "610112", "agency_610112"),
]


def create_user(session, username: str, display_name: str, roles, division_code: str,
                point_id: int | None = None, password: str = DEMO_PASSWORD, password_hash: str | None = None) -> User:
    """Add a person with roles (flushes); `password_hash` spares hashing the same demo password again."""
    # The demo password predates the policy (9 characters); seeding sets it as if just changed, so the
    # demo accounts sign in without a forced change. The policy applies when a password is set or changed.
    user = User(username=username, display_name=display_name, password_hash=password_hash or hash_password(password),
                division_code=division_code, monitoring_point_id=point_id, created_at=utcnow(),
                password_changed_at=utcnow())
    user.role_rows = [UserRole(role=Role(r)) for r in roles]
    session.add(user)
    session.flush()
    return user


def seed_demo(env: Env, with_reports: bool = True) -> bool:
    """Load reference data, accounts and points once; returns False if the demo was already there."""
    session = env.session
    load_reference_data(session, env.settings.xixian_reporting_line)
    if session.scalar(select(User).where(User.username == "admin")) is not None:
        session.commit()
        return False
    points = {}
    for spec in POINTS:
        point = MonitoringPoint(name=spec.name, kind=spec.kind, division_code=spec.division_code,
                                control_level=spec.control_level, responsible_person=spec.responsible,
                                confirmed=True, confirmed_at=utcnow(), created_at=utcnow())
        session.add(point)
        points[spec.key] = point
    session.flush()
    users = {}
    # one argon2 hash (~0.2 s of CPU each) for every demo account: they share the password anyway
    shared_hash = hash_password(DEMO_PASSWORD)
    for username, name, roles, division, point_key in ACCOUNTS:
        point_id = points[point_key].id if point_key else None
        users[username] = create_user(session, username, name, roles, division, point_id, password_hash=shared_hash)
    points["unit_610113"].responsible_user_id = users["manager.unit"].id
    for director, point_key in (("director.unit", "unit_610113"), ("director.filling", "filling_610112")):
        session.add(SafetyDirectorAssignment(monitoring_point_id=points[point_key].id,
                                             user_id=users[director].id, assigned_at=utcnow()))
    session.commit()
    if with_reports:
        from .demo_history import seed_demo_history
        seed_demo_history(env)
    return True


def sample_reports() -> list[dict]:
    """The 40 sample texts shipped with the project."""
    return json.loads((DATA_DIR / "sample_reports.json").read_text(encoding="utf-8"))
