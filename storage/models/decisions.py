"""Decision tables (DMN) belonging to a process version; a version is its diagram plus these tables."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class DecisionTable(Base):
    """One DMN document (one decision) called by the version's business rule tasks via camunda:decisionRef."""

    __tablename__ = "decision_table"
    __table_args__ = (UniqueConstraint("process_version_id", "decision_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id", ondelete="CASCADE"),
                                                    index=True)
    decision_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    dmn_xml: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
