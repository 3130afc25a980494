"""The working-day calendar: public holidays and make-up working days (调休), editable by admins."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, StrEnum, enum_column_type, utcnow


class CalendarDayKind(StrEnum):
    """A day that differs from the Monday–Friday rule."""

    HOLIDAY = "holiday"  # 放假（法定节假日及调休放假）
    WORKDAY = "workday"  # 上班（周末调休补班）


CALENDAR_DAY_KIND_LABELS = {CalendarDayKind.HOLIDAY: "放假", CalendarDayKind.WORKDAY: "调休上班"}


class CalendarDay(Base):
    """One exception to the weekend rule; days without a row follow Monday–Friday."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[CalendarDayKind] = mapped_column(enum_column_type(CalendarDayKind))
    name: Mapped[str] = mapped_column(String(64), default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
