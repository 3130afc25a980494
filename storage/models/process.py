"""Process versions, instances and their read models (open user tasks, events)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, StrEnum, enum_column_type, utcnow


class VersionState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class InstanceStatus(StrEnum):
    RUNNING = "running"
    WAITING = "waiting"
    USER_INPUT_REQUIRED = "user_input_required"
    ERROR = "error"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    TERMINATED = "terminated"


INSTANCE_STATUS_LABELS = {
    InstanceStatus.RUNNING: "运行中",
    InstanceStatus.WAITING: "等待定时器",
    InstanceStatus.USER_INPUT_REQUIRED: "待人工办理",
    InstanceStatus.ERROR: "出错",
    InstanceStatus.SUSPENDED: "已挂起",
    InstanceStatus.COMPLETED: "已完成",
    InstanceStatus.TERMINATED: "已终止",
}


class TaskState(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ProcessVersion(Base):
    """One uploaded or published diagram; instances point at it instead of embedding the spec."""

    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("process_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    bpmn_xml: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[VersionState] = mapped_column(enum_column_type(VersionState), default=VersionState.DRAFT)
    note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    published_at: Mapped[datetime | None]


class ProcessInstance(Base):
    """A running diagram for one report: the engine's blob plus what people query."""

    __tablename__ = "process_instance"
    __table_args__ = (Index("ix_process_instance_status_timer", "status", "next_timer_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), unique=True)
    status: Mapped[InstanceStatus] = mapped_column(enum_column_type(InstanceStatus), index=True)
    status_before_suspend: Mapped[InstanceStatus | None] = mapped_column(enum_column_type(InstanceStatus))
    workflow_state: Mapped[bytes] = mapped_column(LargeBinary)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    next_timer_at: Mapped[datetime | None]
    waiting_element: Mapped[str | None] = mapped_column(String(64))
    error_element: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    error_traceback: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]

    __mapper_args__ = {"version_id_col": lock_version}


class HumanTask(Base):
    """One user task, projected from the workflow so that inboxes are plain indexed SQL."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_inbox", "state", "candidate_group", "division_code", "due_at", "created_at"),
        Index("ix_human_task_unit", "state", "candidate_group", "monitoring_point_id"),
        Index("ix_human_task_group_age", "state", "candidate_group", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    element_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    candidate_group: Mapped[str] = mapped_column(String(32))
    division_code: Mapped[str | None] = mapped_column(String(6))
    monitoring_point_id: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[TaskState] = mapped_column(enum_column_type(TaskState), default=TaskState.OPEN)
    due_at: Mapped[datetime | None]
    priority: Mapped[int] = mapped_column(Integer, default=50)
    # The static form comes from the version's parsed spec (engine/task_forms); the row keeps only this
    # instance's part: previous-round defaults and the notice shown above the form (NULL when none).
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    form_overlay: Mapped[dict | None]
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    claimed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # 督办 by a higher tier; 转办 keeps the task open and moves division_code (see services/supervision).
    urge_count: Mapped[int] = mapped_column(Integer, default=0)
    last_urged_at: Mapped[datetime | None]
    # camunda:assignee (an account name): only this person may work the task; NULL = anyone in the group
    assignee: Mapped[str | None] = mapped_column(String(64))
    # set by the diagram's non-interrupting deadline timer (mark_overdue): the task stays with its tier
    overdue_at: Mapped[datetime | None]
    candidates: Mapped[list["HumanTaskCandidate"]] = relationship(
        lazy="select", cascade="all, delete-orphan", order_by="HumanTaskCandidate.id")  # loaded only when asked

    def extra_groups(self) -> list["HumanTaskCandidate"]:
        """Candidate groups beyond the first (each in its own jurisdiction)."""
        return [c for c in self.candidates if c.candidate_group]

    def candidate_usernames(self) -> list[str]:
        """camunda:candidateUsers: when any are listed, only they (within the groups) may work the task."""
        return [c.username for c in self.candidates if c.username]


class HumanTaskCandidate(Base):
    """A further candidate group (with its jurisdiction) or a candidate user of a human task."""

    __tablename__ = "human_task_candidate"
    __table_args__ = (Index("ix_human_task_candidate_group", "candidate_group", "division_code"),
                      Index("ix_human_task_candidate_user", "username"))

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"), index=True)
    candidate_group: Mapped[str | None] = mapped_column(String(32))
    division_code: Mapped[str | None] = mapped_column(String(6))
    monitoring_point_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str | None] = mapped_column(String(64))


class InstanceEvent(Base):
    """Append-only log: the report timeline and the admin audit trail in one."""

    __tablename__ = "instance_event"
    __table_args__ = (Index("ix_instance_event_report", "report_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"),
                                                    index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    element_id: Mapped[str | None] = mapped_column(String(64))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    message: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class TrackingCounter(Base):
    """Per-year sequence for tracking numbers (SX-2026-000123), bumped under a row lock. On PostgreSQL it is the
    highest number handed to the free pool (`TrackingSlot`); on SQLite the highest number taken."""

    __tablename__ = "tracking_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class TrackingSlot(Base):
    """A tracking number of a year not taken yet (PostgreSQL): a submission deletes the smallest one no other
    transaction holds (FOR UPDATE SKIP LOCKED); a rollback puts it back for the next submission."""

    __tablename__ = "tracking_slot"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
