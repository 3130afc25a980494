"""Officers' working tools: deadline extension requests (延期), saved inbox filters, report search rows."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, StrEnum, enum_column_type, utcnow
from .stats import ExtensionChangeMark, change_seq_column


class ExtensionState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


EXTENSION_STATE_LABELS = {ExtensionState.PENDING: "待审批", ExtensionState.APPROVED: "已批准",
                          ExtensionState.REFUSED: "未批准"}


class TaskExtension(Base):
    """A request for more time on an open task, decided by the tier above."""

    __tablename__ = "task_extension"
    __table_args__ = (Index("ix_task_extension_pending", "extension_state", "approver_division_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    extension_state: Mapped[ExtensionState] = mapped_column(enum_column_type(ExtensionState),
                                                            default=ExtensionState.PENDING)
    reason: Mapped[str] = mapped_column(Text)
    old_due_at: Mapped[datetime | None]
    requested_due_at: Mapped[datetime]
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    approver_group: Mapped[str] = mapped_column(String(32))
    approver_division_code: Mapped[str] = mapped_column(String(6))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    change_seq: Mapped[int] = change_seq_column(ExtensionChangeMark)  # statistics roll-ups (models/stats.py)


class SavedFilter(Base):
    """An inbox filter a person saved under a name."""

    __tablename__ = "saved_filter"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportSearch(Base):
    """Title and content as character bigrams for PostgreSQL full-text search (SQLite uses FTS5 instead)."""

    __tablename__ = "report_search"
    __table_args__ = (Index("ix_report_search_vector", "search_vector", postgresql_using="gin"),)

    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), primary_key=True)
    search_vector: Mapped[str | None] = mapped_column(Text().with_variant(postgresql.TSVECTOR(), "postgresql"))
