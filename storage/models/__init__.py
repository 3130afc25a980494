"""Typed SQLAlchemy 2 models. Import from here."""
from .base import Base, utcnow  # noqa: F401
from .people import (  # noqa: F401
    ENTERPRISE_KINDS, POINT_KIND_LABELS, ROLE_LABELS, LoginThrottle, MonitoringPoint, MonitoringPointKind, Role,
    SafetyDirectorAssignment, UnitTitles, User, UserRole, unit_titles,
)
from .process import (  # noqa: F401
    INSTANCE_STATUS_LABELS, HumanTask, HumanTaskCandidate, InstanceEvent, InstanceStatus, ProcessInstance,
    ProcessVersion, TaskState, TrackingCounter, TrackingSlot, VersionState,
)
from .reference import Division, EquipmentType  # noqa: F401
from .reports import (  # noqa: F401
    CONTENT_MAX_CHARS, DIRECTOR_ACK_LABELS, DOMAIN_LABELS, HAZARD_GRADE_LABELS, KIND_LABELS, RISK_LEVEL_LABELS, STATUS_LABELS,
    TIER_LABELS, Attachment, DirectorAck, HazardGrade, Notification, Report, ReportDomain, ReportKind, ReportStatus,
    ReportView, RiskLevel, Tier,
)
from .comments import ReportComment  # noqa: F401,E402
from .decisions import DecisionTable  # noqa: F401
from .cases import TypicalCase  # noqa: F401,E402
from .topics import RiskTopic, RiskTopicMember  # noqa: F401
from .calendar import CALENDAR_DAY_KIND_LABELS, CalendarDay, CalendarDayKind  # noqa: F401
from .outbox import (  # noqa: F401
    CHANNEL_LABELS, OUTBOX_STATUS_LABELS, NotificationPreference, OutboxChannel, OutboxMessage, OutboxStatus,
    SchedulerHeartbeat,
)
from .office import (  # noqa: F401,E402
    EXTENSION_STATE_LABELS, ExtensionState, ReportSearch, SavedFilter, TaskExtension,
)
from .wechat import WechatBinding  # noqa: F401,E402
from .quality import ReportQualityScore  # noqa: F401,E402
from .periodic import PERIODIC_REPORT_STATE_LABELS, PeriodicReport, PeriodicReportState  # noqa: F401,E402
from .stats import StatsReportState, StatsRollup, StatsWatermark  # noqa: F401,E402
from .system_settings import AGENCY_ENTRY, SETTING_DEFINITIONS, SettingDefinition, SystemSetting  # noqa: F401,E402
