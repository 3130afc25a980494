"""What the statistics count: the caller's jurisdiction, a focus division inside it, and Beijing-time dates.

Dates are Beijing time (UTC+8): `from=2026-11-01&to=2026-11-30` means the whole of November as people in
Shaanxi count it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import or_, select, true

from storage.models import Division, Report, User

from .errors import Forbidden, Invalid

PROVINCE_CODE = "610000"
LOCAL_OFFSET = timedelta(hours=8)
NONE_KEY = "none"
# The span of dates the platform computes over; anything outside is a typo, and 9999-12-31 + 1 day overflows.
MIN_DATE, MAX_DATE = date(2000, 1, 1), date(2099, 12, 31)
PROVINCE_ROLES = frozenset({"province_officer", "center_expert", "admin"})
CITY_ROLES = frozenset({"city_officer", "inspection_officer"})
COUNTY_ROLES = frozenset({"county_officer"})
STATS_ROLES = PROVINCE_ROLES | CITY_ROLES | COUNTY_ROLES


@dataclass(frozen=True)
class StatsFilter:
    """What to count: the focus division (inside the caller's jurisdiction) and a date range."""

    scope: Division
    focus: Division
    date_from: date | None = None
    date_to: date | None = None

    @property
    def start(self) -> datetime | None:
        """Inclusive UTC start (Beijing midnight of `date_from`)."""
        return _utc_midnight(self.date_from) if self.date_from else None

    @property
    def end(self) -> datetime | None:
        """Exclusive UTC end (Beijing midnight after `date_to`)."""
        return _utc_midnight(self.date_to + timedelta(days=1)) if self.date_to else None


def _utc_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc) - LOCAL_OFFSET


def jurisdiction(session, user: User) -> Division:
    """The division whose statistics this person may see, or 403."""
    roles = set(user.roles)
    if roles & PROVINCE_ROLES:
        code = PROVINCE_CODE
    elif roles & (CITY_ROLES | COUNTY_ROLES):
        code = user.division_code
    else:
        raise Forbidden("统计数据仅向各级监管人员和省中心开放")
    return session.get(Division, code)


def build_filter(session, user: User, date_from: str | None = None, date_to: str | None = None,
                 division: str | None = None) -> StatsFilter:
    """Validate query arguments against the caller's jurisdiction (422 bad input, 403 outside it)."""
    scope = jurisdiction(session, user)
    focus = scope
    if division:
        focus = session.get(Division, division)
        if focus is None:
            raise Invalid(f"行政区划代码 {division} 不存在")
        if not covers(scope, focus):
            raise Forbidden("所选区划不在您的辖区内")
    start, end = _parse_date(date_from, "from"), _parse_date(date_to, "to")
    if start and end and start > end:
        raise Invalid("开始日期不能晚于结束日期")
    return StatsFilter(scope, focus, start, end)


def province_filter(session, date_from: date | None = None, date_to: date | None = None) -> StatsFilter:
    """The whole province over a date range (periodic reports, scheduler)."""
    province = session.get(Division, PROVINCE_CODE)
    return StatsFilter(province, province, date_from, date_to)


def _parse_date(raw: str | None, name: str) -> date | None:
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise Invalid(f"参数 {name} 必须是日期，格式如 2026-11-01") from None
    if not MIN_DATE <= value <= MAX_DATE:
        raise Invalid(f"参数 {name} 须在 {MIN_DATE} 至 {MAX_DATE} 之间",
                      details=[{"field": name, "message": "超出范围"}])
    return value


def covers(scope: Division, division: Division) -> bool:
    """A jurisdiction covers itself and, for a city, the county-level nodes it supervises."""
    if scope.level == "province" or scope.code == division.code:
        return True
    return scope.level == "city" and division.supervising_code == scope.code


def division_on(division: Division, city_column, county_column):
    """SQL condition for one division on a (city, county) column pair: province all; city its own and its
    counties'; county its own."""
    if division.level == "province":
        return true()
    if division.level == "city":
        counties = select(Division.code).where(Division.supervising_code == division.code)
        return or_(city_column == division.code, county_column.in_(counties))
    return county_column == division.code


def division_condition(division: Division):
    """SQL condition on Report for one division (see `division_on`)."""
    return division_on(division, Report.city_code, Report.county_code)


def conditions(f: StatsFilter) -> list:
    """WHERE clauses on Report for a filter."""
    conds = [division_condition(f.focus)]
    if f.start:
        conds.append(Report.submitted_at >= f.start)
    if f.end:
        conds.append(Report.submitted_at < f.end)
    return conds
