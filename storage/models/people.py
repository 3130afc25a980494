"""People, their roles and jurisdiction, and the monitoring points they work at."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, StrEnum, enum_column_type, utcnow


class Role(StrEnum):
    """What a person may do; also the candidate groups of user tasks."""

    REPORTER = "reporter"
    POINT_MANAGER = "point_manager"
    SAFETY_DIRECTOR = "safety_director"
    COUNTY_OFFICER = "county_officer"
    CITY_OFFICER = "city_officer"
    PROVINCE_OFFICER = "province_officer"
    CENTER_EXPERT = "center_expert"
    INSPECTION_OFFICER = "inspection_officer"
    WORKFLOW_OWNER = "workflow_owner"
    ADMIN = "admin"
    PRINCIPAL = "principal"  # 主要负责人 of an enterprise unit: told when its director does not acknowledge


ROLE_LABELS = {
    Role.REPORTER: "信息报送员",
    Role.POINT_MANAGER: "监测点负责人",
    Role.SAFETY_DIRECTOR: "安全总监／质量安全总监",
    Role.COUNTY_OFFICER: "县级监管人员",
    Role.CITY_OFFICER: "市级监管人员",
    Role.PROVINCE_OFFICER: "省局监管人员",
    Role.CENTER_EXPERT: "省风险监测中心专家",
    Role.INSPECTION_OFFICER: "综合检验机构人员",
    Role.WORKFLOW_OWNER: "流程管理员",
    Role.ADMIN: "系统管理员",
    Role.PRINCIPAL: "单位主要负责人",
}


class MonitoringPointKind(StrEnum):
    """The four kinds of monitoring point."""

    SUPERVISION_AGENCY = "supervision_agency"
    INSPECTION_INSTITUTION = "inspection_institution"
    CONTROLLED_USER_UNIT = "controlled_user_unit"
    PRODUCTION_FILLING_UNIT = "production_filling_unit"


POINT_KIND_LABELS = {
    MonitoringPointKind.SUPERVISION_AGENCY: "特种设备安全监察机构",
    MonitoringPointKind.INSPECTION_INSTITUTION: "检验检测机构",
    MonitoringPointKind.CONTROLLED_USER_UNIT: "一级、二级管控使用单位",
    MonitoringPointKind.PRODUCTION_FILLING_UNIT: "生产和充装单位",
}

ENTERPRISE_KINDS = frozenset({MonitoringPointKind.CONTROLLED_USER_UNIT, MonitoringPointKind.PRODUCTION_FILLING_UNIT})


@dataclass(frozen=True)
class UnitTitles:
    """What SAMR calls a unit's director and officer, and the order that says so."""

    director: str
    officer: str
    order: str


# 市场监管总局令第73号《特种设备生产单位落实质量安全主体责任监督管理规定》(producers, fillers included) and
# 第74号《特种设备使用单位落实使用安全主体责任监督管理规定》(using units), both in force 2023-05-05. One role id
# (`safety_director`, the diagram's candidate group) holds either title; the unit's kind decides which.
PRODUCER_TITLES = UnitTitles("质量安全总监", "质量安全员",
                             "《特种设备生产单位落实质量安全主体责任监督管理规定》（市场监管总局令第73号）")
USER_TITLES = UnitTitles("安全总监", "安全员", "《特种设备使用单位落实使用安全主体责任监督管理规定》（市场监管总局令第74号）")


def unit_titles(kind: "MonitoringPointKind | str | None") -> UnitTitles:
    """质量安全总监/质量安全员 for producers and fillers, 安全总监/安全员 for every other unit."""
    return PRODUCER_TITLES if kind == MonitoringPointKind.PRODUCTION_FILLING_UNIT else USER_TITLES


class MonitoringPoint(Base):
    """A registered monitoring point (监测点) with its responsible person and confirmation state."""

    __tablename__ = "monitoring_point"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[MonitoringPointKind] = mapped_column(enum_column_type(MonitoringPointKind))
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"), index=True)
    control_level: Mapped[int | None] = mapped_column(Integer)
    credit_code: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(255))
    responsible_person: Mapped[str | None] = mapped_column(String(64))
    responsible_phone: Mapped[str | None] = mapped_column(String(32))
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", use_alter=True))
    supervising_division_code: Mapped[str | None] = mapped_column(ForeignKey("division.code"))
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", use_alter=True))
    confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    safety_directors: Mapped[list["User"]] = relationship(
        secondary="safety_director_assignment", viewonly=True, order_by="User.id")

    @property
    def is_enterprise(self) -> bool:
        """Using units and producers/fillers notify their safety director."""
        return self.kind in ENTERPRISE_KINDS

    @property
    def titles(self) -> UnitTitles:
        """The SAMR titles of this unit's director and officer."""
        return unit_titles(self.kind)


class User(Base):
    """A person who signs in; `division_code` or `monitoring_point_id` is their jurisdiction."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(128))
    position: Mapped[str | None] = mapped_column(String(64))
    is_expert: Mapped[bool] = mapped_column(Boolean, default=False)
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"), index=True)
    monitoring_point_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_point.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    # Every page session and API token carries this number; raising it signs the person out everywhere.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    role_rows: Mapped[list["UserRole"]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> list[str]:
        """Role names, sorted."""
        return sorted(r.role.value for r in self.role_rows)

    def has_role(self, *roles: str) -> bool:
        """True when the person holds any of these roles."""
        mine = {r.role.value for r in self.role_rows}
        return any(str(r) in mine for r in roles)


class UserRole(Base):
    """One role held by one person."""

    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column_type(Role), index=True)


class SafetyDirectorAssignment(Base):
    """A safety director (安全总监) registered for an enterprise monitoring point."""

    __tablename__ = "safety_director_assignment"
    __table_args__ = (UniqueConstraint("monitoring_point_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    monitoring_point_id: Mapped[int] = mapped_column(ForeignKey("monitoring_point.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginThrottle(Base):
    """Failed sign-ins of one client (address) for one username: the lockout is per pair, not per account."""

    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("client", "username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
