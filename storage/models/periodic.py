"""Periodic risk-assessment reports and their review: draft → centre expert review → 签发 by the province."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, StrEnum, enum_column_type, utcnow


class PeriodicReportState(StrEnum):
    DRAFT = "draft"  # generated, waiting for a centre expert's review
    RETURNED = "returned"  # the expert sent it back with a comment; a new draft is due
    APPROVED = "approved"  # reviewed, waiting for a province officer's 签发
    ISSUED = "issued"  # 签发: goes out under the centre's masthead, downloadable by every statistics reader


PERIODIC_REPORT_STATE_LABELS = {PeriodicReportState.DRAFT: "待审核", PeriodicReportState.RETURNED: "已退回修改",
                                PeriodicReportState.APPROVED: "审核通过，待签发",
                                PeriodicReportState.ISSUED: "已签发"}


class PeriodicReport(Base):
    """One period's report (kind + label, e.g. monthly 2026-11), its files' stem and where it is in review."""

    __tablename__ = "periodic_report"
    __table_args__ = (UniqueConstraint("kind", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(16))
    file_stem: Mapped[str] = mapped_column(String(64))
    report_state: Mapped[PeriodicReportState] = mapped_column(enum_column_type(PeriodicReportState),
                                                              default=PeriodicReportState.DRAFT, index=True)
    draft_number: Mapped[int] = mapped_column(Integer, default=1)
    drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # None: the scheduler
    drafted_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None]
    review_comment: Mapped[str | None] = mapped_column(Text)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    issued_at: Mapped[datetime | None]
