"""The typical case library (典型案例): closed reports the province writes up without names."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, enum_column_type, utcnow
from .reports import ReportKind, RiskLevel


class TypicalCase(Base):
    """One typical case: an anonymised write-up of a closed report, searchable by equipment and kind."""

    __tablename__ = "typical_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    write_up: Mapped[str] = mapped_column(Text)
    equipment_type_code: Mapped[str] = mapped_column(ForeignKey("equipment_type.code"), index=True)
    equipment_category_code: Mapped[str] = mapped_column(String(8), index=True)
    kind: Mapped[ReportKind] = mapped_column(enum_column_type(ReportKind), index=True)
    risk_level: Mapped[RiskLevel | None] = mapped_column(enum_column_type(RiskLevel))
    published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
