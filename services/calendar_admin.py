"""The working-day calendar as admins keep it: a year at a glance, importing a year, the December warning.

The State Council publishes the next year's holiday arrangement (节假日安排) each November or December; until an
admin enters it, deadlines in that year count plain Monday–Friday and would run through the holidays.
"""
from __future__ import annotations

import re
from calendar import Calendar
from datetime import date, datetime

from sqlalchemy import delete, extract

from storage.database import begin_write
from storage.models import CALENDAR_DAY_KIND_LABELS, CalendarDay, CalendarDayKind, User, utcnow

from .calendar import (
    CHINA_TZ, CalendarCache, WorkCalendar, load_days, materialize_seed, mark_deadlines_for_recompute, require_calendar_admin,
)
from .context import Env
from .errors import Invalid

MIN_YEAR, MAX_YEAR = 2000, 2100
IMPORT_MAX_LINES = 200
IMPORT_MAX_CHARS = 20_000
WARN_FROM_MONTH = 12
KIND_WORDS = {"holiday": CalendarDayKind.HOLIDAY, "放假": CalendarDayKind.HOLIDAY, "休": CalendarDayKind.HOLIDAY,
              "workday": CalendarDayKind.WORKDAY, "上班": CalendarDayKind.WORKDAY, "调休上班": CalendarDayKind.WORKDAY,
              "班": CalendarDayKind.WORKDAY}
_SEPARATORS = re.compile(r"\s*[,，\t]\s*")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\s*[~～至]\s*(\d{4}-\d{2}-\d{2}))?$")


def china_today(now: datetime | None = None) -> date:
    """Today's date in Beijing time."""
    return (now or utcnow()).astimezone(CHINA_TZ).date()


def check_year(year: int | None, default: int) -> int:
    """A year admins may view or import (2000–2100), else `default`."""
    return year if isinstance(year, int) and MIN_YEAR <= year <= MAX_YEAR else default


def year_seeded(env: Env, year: int) -> bool:
    """Whether any holiday or make-up working day of `year` has been entered (or ships built in)."""
    return any(day.year == year for day in load_days(env.session))


def next_year_warning(env: Env, today: date | None = None) -> str | None:
    """From 1 December: a warning when next year's holidays are not yet entered, else None."""
    today = today or china_today()
    if today.month < WARN_FROM_MONTH or year_seeded(env, today.year + 1):
        return None
    return (f"{today.year + 1}年的节假日和调休安排尚未录入工作日历。国务院办公厅公布后请及时导入，"
            "否则明年的办理期限将按周一至周五计算，节假日期间也会到期。")


def year_view(env: Env, year: int) -> dict:
    """Twelve month grids (weeks Monday first) with each day's kind and name, and the year's counts."""
    days = load_days(env.session)
    calendar = WorkCalendar.from_days(days)
    months = []
    for month in range(1, 13):
        weeks = [[_cell(d, month, days, calendar) for d in week]
                 for week in Calendar(firstweekday=0).monthdatescalendar(year, month)]
        months.append({"month": month, "weeks": weeks})
    in_year = [d for d in days if d.year == year]
    working = sum(calendar.is_working_day(d) for d in _year_days(year))
    return {"year": year, "months": months, "working_days": working, "exceptions": len(in_year),
            "seeded": bool(in_year)}


def _year_days(year: int):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day = date.fromordinal(day.toordinal() + 1)


def _cell(day: date, month: int, days: dict, calendar: WorkCalendar) -> dict | None:
    if day.month != month:
        return None
    kind, name = days.get(day, (None, ""))
    if kind == CalendarDayKind.HOLIDAY:
        css, label = "holiday", name or "放假"
    elif kind == CalendarDayKind.WORKDAY:
        css, label = "makeup", name or "调休上班"
    else:
        css, label = ("workday", "工作日") if calendar.is_working_day(day) else ("weekend", "周末")
    return {"day": day.day, "iso": day.isoformat(), "css": css, "label": label}


def parse_import(year: int, text: str) -> dict[date, tuple[CalendarDayKind, str]]:
    """Lines “日期或日期~日期，放假|上班，名称” → days; every bad line is reported, nothing is half-read."""
    if len(text or "") > IMPORT_MAX_CHARS:
        raise Invalid(f"导入内容不能超过 {IMPORT_MAX_CHARS} 个字符")
    lines = [(n, line.strip()) for n, line in enumerate((text or "").splitlines(), 1) if line.strip()]
    if not lines:
        raise Invalid("导入内容为空：每行一条，如“2027-01-01~2027-01-03，放假，元旦”")
    if len(lines) > IMPORT_MAX_LINES:
        raise Invalid(f"一次最多导入 {IMPORT_MAX_LINES} 行")
    days: dict[date, tuple[CalendarDayKind, str]] = {}
    problems = []
    for number, line in lines:
        try:
            for day, kind, name in _parse_line(year, line):
                if day in days and days[day][0] != kind:
                    raise ValueError(f"{day.isoformat()} 在前面的行中已是“{CALENDAR_DAY_KIND_LABELS[days[day][0]]}”")
                days[day] = (kind, name)
        except ValueError as exc:
            problems.append({"line": number, "message": str(exc)})
    if problems:
        text = "；".join(f"第{p['line']}行：{p['message']}" for p in problems[:10])
        raise Invalid(f"导入内容有误，未导入任何日期。{text}", details=problems)
    return days


def _parse_line(year: int, line: str) -> list[tuple[date, CalendarDayKind, str]]:
    parts = _SEPARATORS.split(line, maxsplit=2)
    if len(parts) < 2:
        raise ValueError("应为“日期，放假或上班，名称”")
    match = _RANGE.match(parts[0])
    if not match:
        raise ValueError(f"日期“{parts[0][:20]}”应为 YYYY-MM-DD 或 YYYY-MM-DD~YYYY-MM-DD")
    try:
        first = date.fromisoformat(match.group(1))
        last = date.fromisoformat(match.group(2)) if match.group(2) else first
    except ValueError:
        raise ValueError(f"日期“{parts[0][:20]}”不存在") from None
    if first.year != year or last.year != year or last < first or (last - first).days > 31:
        raise ValueError(f"日期须在 {year} 年内，且一段不超过 31 天")
    kind = KIND_WORDS.get(parts[1].strip().lower())
    if kind is None:
        raise ValueError(f"类型“{parts[1][:10]}”应为 放假 或 上班（调休上班）")
    name = (parts[2] if len(parts) > 2 else "").strip()[:64]
    return [(date.fromordinal(o), kind, name) for o in range(first.toordinal(), last.toordinal() + 1)]


def import_year(env: Env, user: User, year: int, text: str, cache: CalendarCache | None = None) -> int:
    """Admin: replace `year`'s holidays and make-up working days with the imported lines; returns how many days."""
    require_calendar_admin(user)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Invalid(f"年份须在 {MIN_YEAR} 至 {MAX_YEAR} 之间")
    days = parse_import(year, text)
    begin_write(env.session)
    materialize_seed(env.session, user)
    before = {d: k for d, (k, _) in load_days(env.session).items() if d.year == year}
    env.session.execute(delete(CalendarDay).where(extract("year", CalendarDay.day) == year))
    now = utcnow()
    env.session.add_all(CalendarDay(day=d, kind=k, name=n, updated_by_id=user.id, updated_at=now)
                        for d, (k, n) in sorted(days.items()))
    env.session.flush()
    changed = [d for d in before.keys() | days.keys() if before.get(d) != days.get(d, (None,))[0]]
    if changed:
        mark_deadlines_for_recompute(env.session, min(changed), user.id)
    env.session.commit()
    if cache is not None:
        cache.invalidate()
    return len(days)
