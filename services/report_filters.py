"""Report criteria shared by the inbox and the report library: kind, equipment category, division, dates."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import or_

from storage.models import Report

CHINA = timezone(timedelta(hours=8))  # dates typed in filters are China days


@dataclass
class ReportFilter:
    """What the report library narrows by besides status and text (every field optional)."""

    kind: str | None = None
    category: str | None = None
    division: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def narrow(stmt, f):
    """The select narrowed by `f`'s kind, category, division and submission dates (China days), where set."""
    if f.kind:
        stmt = stmt.where(Report.kind == f.kind)
    if f.category:
        stmt = stmt.where(Report.equipment_category_code == f.category)
    if f.division:
        stmt = stmt.where(or_(Report.division_code == f.division, Report.county_code == f.division,
                              Report.city_code == f.division))
    if f.date_from:
        stmt = stmt.where(Report.submitted_at >= datetime.combine(f.date_from, time.min, CHINA).astimezone(timezone.utc))
    if f.date_to:
        stmt = stmt.where(Report.submitted_at < datetime.combine(f.date_to + timedelta(days=1), time.min, CHINA)
                                                .astimezone(timezone.utc))
    return stmt
