"""Typed SQLAlchemy 2 models. Import from here."""
from .base import Base, utcnow  # noqa: F401
from .people import (  # noqa: F401
    ENTERPRISE_KINDS, POINT_KIND_LABELS, ROLE_LABELS, MonitoringPoint, MonitoringPointKind, Role,
    SafetyDirectorAssignment, User, UserRole,
)
from .process import (  # noqa: F401
    INSTANCE_STATUS_LABELS, HumanTask, InstanceEvent, InstanceStatus, ProcessInstance, ProcessVersion,
    TaskState, TrackingCounter, VersionState,
)
from .reference import Division, EquipmentType  # noqa: F401
from .reports import (  # noqa: F401
    CONTENT_MAX_CHARS, DOMAIN_LABELS, HAZARD_GRADE_LABELS, KIND_LABELS, RISK_LEVEL_LABELS, STATUS_LABELS,
    TIER_LABELS, Attachment, HazardGrade, Notification, Report, ReportDomain, ReportKind, ReportStatus,
    ReportView, RiskLevel, Tier,
)
