"""Information-quality scores: one per handling tier of a report (the tiers do not overwrite each other), and
within a 会签 tier one per named member (the experts do not overwrite each other)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class ReportQualityScore(Base):
    """The 1～5 score one tier (county, city, center, province) gave a report; a tier's re-score replaces its own.
    A 会签 member (a task named to one person, `camunda:assignee`) keeps a row of their own; the tier's score is
    then the average of its members' rows (services/quality.py)."""

    __tablename__ = "report_quality_score"
    __table_args__ = (UniqueConstraint("report_id", "tier", "member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    tier: Mapped[str] = mapped_column(String(16))
    # the 会签 member's account name; "" for the tier's own single score
    member: Mapped[str] = mapped_column(String(64), default="", server_default="")
    score: Mapped[int] = mapped_column(Integer)
    scored_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)
