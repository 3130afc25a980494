"""Reports (报送信息), their attachments, views, and in-app notifications."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, StrEnum, enum_column_type, utcnow
from .stats import ReportChangeMark, change_seq_column


class ReportKind(StrEnum):
    PROBLEM = "problem"
    RISK_HAZARD = "risk_hazard"
    SUGGESTION = "suggestion"


class ReportDomain(StrEnum):
    ADMINISTRATIVE_SUPERVISION = "administrative_supervision"
    SAFETY_MANAGEMENT = "safety_management"
    PRODUCTION = "production"
    USE = "use"
    MAINTENANCE = "maintenance"
    INSPECTION_TESTING = "inspection_testing"


class ReportStatus(StrEnum):
    SUBMITTED = "submitted"
    PROCESSING = "processing"
    RECTIFYING = "rectifying"
    CLOSED = "closed"
    TERMINATED = "terminated"


class Tier(StrEnum):
    UNIT = "unit"
    COUNTY = "county"
    CITY = "city"
    PROVINCE = "province"


class DirectorAck(StrEnum):
    """The unit's acknowledgement, tracked apart from the chain (it never holds the report open)."""

    PENDING = "pending"
    ACKNOWLEDGED = "acknowledged"
    OVERDUE = "overdue"


DIRECTOR_ACK_LABELS = {DirectorAck.PENDING: "待确认", DirectorAck.ACKNOWLEDGED: "已确认",
                       DirectorAck.OVERDUE: "逾期未确认"}


class RiskLevel(StrEnum):
    MAJOR = "major"
    SIGNIFICANT = "significant"
    GENERAL = "general"
    LOW = "low"


class HazardGrade(StrEnum):
    GENERAL = "general"
    SERIOUS = "serious"
    MAJOR = "major"


KIND_LABELS = {ReportKind.PROBLEM: "问题", ReportKind.RISK_HAZARD: "风险隐患", ReportKind.SUGGESTION: "意见建议"}
DOMAIN_LABELS = {
    ReportDomain.ADMINISTRATIVE_SUPERVISION: "行政监管",
    ReportDomain.SAFETY_MANAGEMENT: "安全管理",
    ReportDomain.PRODUCTION: "生产",
    ReportDomain.USE: "使用",
    ReportDomain.MAINTENANCE: "维护保养",
    ReportDomain.INSPECTION_TESTING: "检验检测",
}
STATUS_LABELS = {
    ReportStatus.SUBMITTED: "已报送",
    ReportStatus.PROCESSING: "处置中",
    ReportStatus.RECTIFYING: "整改中",
    ReportStatus.CLOSED: "已办结",
    ReportStatus.TERMINATED: "已终止",
}
TIER_LABELS = {Tier.UNIT: "使用单位", Tier.COUNTY: "县级", Tier.CITY: "市级", Tier.PROVINCE: "省级"}
RISK_LEVEL_LABELS = {RiskLevel.MAJOR: "重大", RiskLevel.SIGNIFICANT: "较大", RiskLevel.GENERAL: "一般", RiskLevel.LOW: "低"}
HAZARD_GRADE_LABELS = {HazardGrade.GENERAL: "一般隐患", HazardGrade.SERIOUS: "严重隐患", HazardGrade.MAJOR: "重大隐患"}

CONTENT_MAX_CHARS = 20_000


class Report(Base):
    """One submission; routing codes are resolved once at registration."""

    __tablename__ = "report"
    __table_args__ = (
        Index("ix_report_division_submitted", "division_code", "submitted_at"),
        Index("ix_report_city_submitted", "city_code", "submitted_at"),
        Index("ix_report_domain", "domain"),
        Index("ix_report_risk_level", "risk_level"),
        Index("ix_report_overdue_status", "overdue", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_no: Mapped[str | None] = mapped_column(String(20), unique=True)
    kind: Mapped[ReportKind] = mapped_column(enum_column_type(ReportKind), index=True)
    domain: Mapped[ReportDomain] = mapped_column(enum_column_type(ReportDomain))
    equipment_type_code: Mapped[str] = mapped_column(ForeignKey("equipment_type.code"))
    equipment_category_code: Mapped[str] = mapped_column(String(8), index=True)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    monitoring_point_id: Mapped[int] = mapped_column(ForeignKey("monitoring_point.id"), index=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"))
    county_code: Mapped[str | None] = mapped_column(String(6), index=True)
    city_code: Mapped[str | None] = mapped_column(String(6))
    is_enterprise: Mapped[bool] = mapped_column(Boolean, default=False)
    entry_tier: Mapped[Tier | None] = mapped_column(enum_column_type(Tier))
    status: Mapped[ReportStatus] = mapped_column(enum_column_type(ReportStatus), default=ReportStatus.SUBMITTED,
                                                 index=True)
    current_tier: Mapped[Tier | None] = mapped_column(enum_column_type(Tier))
    resolved_tier: Mapped[Tier | None] = mapped_column(enum_column_type(Tier))
    risk_level: Mapped[RiskLevel | None] = mapped_column(enum_column_type(RiskLevel))
    hazard_grade: Mapped[HazardGrade | None] = mapped_column(enum_column_type(HazardGrade))
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    director_ack: Mapped[DirectorAck | None] = mapped_column(enum_column_type(DirectorAck))
    quality_score: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(Text)
    # the latest handling words, from the form fields declaring records=measures / records=opinion
    # (services/outcomes.py): the last form that recorded either sets both
    measures: Mapped[str | None] = mapped_column(Text)
    opinion: Mapped[str | None] = mapped_column(Text)
    equipment_code: Mapped[str | None] = mapped_column(String(64))  # 设备代码
    registration_cert_no: Mapped[str | None] = mapped_column(String(64))  # 使用登记证号
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    closed_at: Mapped[datetime | None]
    change_seq: Mapped[int] = change_seq_column(ReportChangeMark)  # statistics roll-ups (models/stats.py)


class Attachment(Base):
    """A file attached to a report; bytes live under the upload directory."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_name: Mapped[str] = mapped_column(String(80))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportView(Base):
    """Who read a report and when: reports serve assistance only, every read is logged."""

    __tablename__ = "report_view"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16), default="web")
    viewed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """An in-app notice to one person."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
