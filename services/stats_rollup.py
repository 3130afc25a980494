"""Statistics roll-ups: the summary from pre-counted tables, folded in by the scheduler, exact at every read.

- The invariant: `stats_rollup` holds exactly the contributions of the rows of `stats_report_state` (what the
  roll-up counted for each report), and every report whose change mark is below the watermark has a state
  row equal to what it is now (storage/models/stats.py says why no committed change can hide below it).
- `fold_statistics` (a scheduler job every SCHEDULER_POLL_SECONDS) keeps it: for each report changed since
  the watermark it subtracts the old state, adds the current one and stores it, then moves the watermark,
  all in one transaction; a PostgreSQL advisory lock lets one scheduler fold at a time, the others skip.
  Folding a report twice changes nothing, so the watermark may lag but never skip.
- `rollup_counts` answers in one statement (one snapshot): the roll-up rows of the period and division, plus,
  for the not-yet-folded tail (reports marked at or above the watermark), current contributions minus the
  stored state. The roll-up is behind by at most one scheduler tick (on PostgreSQL, also by the longest
  transaction still open), the tail is what changed meanwhile, and the answer is exact.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from sqlalchemy import Date, String, and_, bindparam, case, cast, delete, func, insert, literal, or_, select, text
from sqlalchemy import type_coerce, union, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY

from storage.database import begin_write
from storage.models import (
    ExtensionState, Report, ReportStatus, StatsReportState, StatsRollup, StatsWatermark, TaskExtension, utcnow,
)

from .context import Env
from .errors import Conflict
from .stats_filter import NONE_KEY, conditions, division_on

WATERMARK_ID = 1
FOLD_LOCK_KEY = 0x5249_534B_5354_4154  # pg_try_advisory_xact_lock key: one folder at a time
CHUNK = 2000
# roll-up dimension → column of StatsReportState (and label of the current-state select)
DIMENSION_COLUMNS = {"status": "status", "tier": "tier", "kind": "kind", "domain": "domain", "cat": "category",
                     "risk": "risk_level", "overdue": "overdue"}
CLOSED_OVERDUE, EXTENSIONS = "closed_od", "ext"
STATE_COLUMNS = ("day", "city_code", "county_code", *DIMENSION_COLUMNS.values(), "extensions")
ROLLUP_KEYS = ("grain", "period", "city_code", "county_code", "dimension", "value")
GRAINS = ("y", "m")  # coarser than the day rows, coarsest first


def _is_postgres(session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _text(column):
    return type_coerce(column, String())


def _day(session):
    """The Beijing-time date of submission, in SQL."""
    if _is_postgres(session):
        return cast(func.timezone("Asia/Shanghai", Report.submitted_at), Date)
    return type_coerce(func.date(Report.submitted_at, "+8 hours"), Date())


def _truncate(session, grain: str, column):
    """The first day of the month ('m') or year ('y') of a date column, in SQL."""
    if _is_postgres(session):
        return cast(func.date_trunc("month" if grain == "m" else "year", column), Date)
    return type_coerce(func.date(column, "start of month" if grain == "m" else "start of year"), Date())


def _approved_count():
    """Approved extensions of the report in hand (a correlated subquery, for a few reports at a time)."""
    return (select(func.count()).where(TaskExtension.report_id == Report.id,
                                       TaskExtension.extension_state == ExtensionState.APPROVED)
            .scalar_subquery())


def current_state(session, extensions=None) -> list:
    """SQL for what the roll-up counts of a report now, labelled like StatsReportState's columns."""
    return [
        _day(session).label("day"),
        func.coalesce(Report.city_code, "").label("city_code"),
        func.coalesce(Report.county_code, "").label("county_code"),
        _text(Report.status).label("status"),
        func.coalesce(_text(Report.resolved_tier), _text(Report.current_tier), NONE_KEY).label("tier"),
        _text(Report.kind).label("kind"),
        _text(Report.domain).label("domain"),
        Report.equipment_category_code.label("category"),
        func.coalesce(_text(Report.risk_level), NONE_KEY).label("risk_level"),
        case((Report.overdue.is_(True), "1"), else_="0").label("overdue"),
        (_approved_count() if extensions is None else extensions).label("extensions"),
    ]


def contributions(state) -> list[tuple[str, str, int]]:
    """(dimension, value, count) that one report state adds to the roll-up."""
    items = [(dim, getattr(state, column), 1) for dim, column in DIMENSION_COLUMNS.items()]
    if state.status == ReportStatus.CLOSED.value:
        items.append((CLOSED_OVERDUE, state.overdue, 1))
    if state.extensions:
        items.append((EXTENSIONS, "", state.extensions))
    return items


# --- folding -------------------------------------------------------------------------------------------


def fold_statistics(env: Env) -> int:
    """Scheduler job: fold the reports changed since the watermark into the roll-up; returns how many.

    The first run (no watermark yet) counts every report with `rebuild_statistics`.
    """
    session = env.session
    begin_write(session)
    if not _take_fold_lock(session):
        session.rollback()
        return 0
    mark = session.get(StatsWatermark, WATERMARK_ID)
    if mark is None:
        return rebuild_statistics(session, locked=True)
    report_seq, extension_seq = _horizon(session)  # before reading what changed: see storage/models/stats.py
    ids = _changed_ids(session, mark.report_seq, mark.extension_seq)
    for start in range(0, len(ids), CHUNK):
        _fold(session, ids[start:start + CHUNK])
    mark.report_seq, mark.extension_seq, mark.folded_at = report_seq, extension_seq, utcnow()
    session.commit()
    return len(ids)


def _take_fold_lock(session) -> bool:
    """PostgreSQL: one folder at a time, until its transaction ends. SQLite: BEGIN IMMEDIATE already is."""
    if not _is_postgres(session):
        return True
    return bool(session.scalar(select(func.pg_try_advisory_xact_lock(FOLD_LOCK_KEY))))


def _horizon(session) -> tuple[int, int]:
    """Change marks below which every write has finished (the next watermark for reports and extensions)."""
    if _is_postgres(session):
        xmin = session.scalar(text("SELECT CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS TEXT) AS BIGINT)"))
        return xmin, xmin
    return (session.scalar(select(func.coalesce(func.max(Report.change_seq), 0) + 1)),
            session.scalar(select(func.coalesce(func.max(TaskExtension.change_seq), 0) + 1)))


def _changed_ids(session, report_seq: int, extension_seq: int) -> list[int]:
    stmt = union(select(Report.id).where(Report.change_seq >= report_seq),
                 select(TaskExtension.report_id).where(TaskExtension.change_seq >= extension_seq))
    return sorted(session.execute(stmt).scalars())


def _fold(session, ids: list[int]) -> None:
    """Replace these reports' stored states by their current ones, in the states and in the roll-up."""
    state = StatsReportState.__table__
    old = session.execute(select(state).where(state.c.report_id.in_(ids))).all()
    new = session.execute(select(Report.id.label("report_id"), *current_state(session))
                          .where(Report.id.in_(ids))).all()
    deltas: Counter = Counter()
    for rows, sign in ((old, -1), (new, 1)):
        for row in rows:
            _add(deltas, row, sign)
    changes = [dict(zip(ROLLUP_KEYS, key), n=n) for key, n in deltas.items() if n]
    if changes:
        _upsert(session, StatsRollup.__table__, changes, ROLLUP_KEYS, lambda t, ex: {"n": t.c.n + ex.n})
    if new:
        _upsert(session, state, [row._asdict() for row in new], ("report_id",),
                lambda t, ex: {name: ex[name] for name in STATE_COLUMNS})


def _add(deltas: Counter, state, sign: int) -> None:
    periods = (("d", state.day), *((grain, _floor(grain, state.day)) for grain in GRAINS))
    for dim, value, n in contributions(state):
        for grain, period in periods:
            deltas[(grain, period, state.city_code, state.county_code, dim, value)] += sign * n


def _upsert(session, table, rows: list[dict], keys, updates) -> None:
    """INSERT … ON CONFLICT DO UPDATE of many rows: one statement over arrays on PostgreSQL (a row-by-row
    executemany of tens of thousands of roll-up rows took seconds), executemany on SQLite (in-process)."""
    if _is_postgres(session):
        names = list(rows[0])
        arrays = select(*(func.unnest(bindparam(name, [row[name] for row in rows], type_=ARRAY(table.c[name].type)))
                          .label(name) for name in names))
        stmt = postgresql.insert(table).from_select(names, arrays)
        params = None
    else:
        stmt, params = sqlite.insert(table), rows
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=updates(table, stmt.excluded))
    session.execute(stmt, params)


def rebuild_statistics(session, locked: bool = False) -> int:
    """Count every report afresh into the roll-up (first run, or after repairs made with raw SQL); commits.

    Returns the number of reports counted.
    """
    if not locked:
        begin_write(session)
        if not _take_fold_lock(session):
            session.rollback()
            raise Conflict("另一个定时任务进程正在汇总统计数据，请稍后再试")
    report_seq, extension_seq = _horizon(session)
    session.execute(delete(StatsRollup))
    session.execute(delete(StatsReportState))
    approved = (select(TaskExtension.report_id, func.count().label("n"))
                .where(TaskExtension.extension_state == ExtensionState.APPROVED)
                .group_by(TaskExtension.report_id).subquery())
    states = (select(Report.id, *current_state(session, func.coalesce(approved.c.n, 0)))
              .outerjoin(approved, approved.c.report_id == Report.id))
    counted = session.execute(insert(StatsReportState).from_select(["report_id", *STATE_COLUMNS], states)
                              .execution_options(preserve_rowcount=True)).rowcount
    for rows in (_day_rows(), _coarser_rows(session, "m", "d"), _coarser_rows(session, "y", "m")):
        session.execute(insert(StatsRollup).from_select([*ROLLUP_KEYS, "n"], _in_period_order(rows)))
    session.merge(StatsWatermark(id=WATERMARK_ID, report_seq=report_seq, extension_seq=extension_seq,
                                 folded_at=utcnow()))
    session.commit()
    return counted


def _in_period_order(rows):
    """Rows stored period by period, so that a date range reads few pages (rows of one day stay together)."""
    sub = rows.subquery()
    return select(*sub.c).order_by(*list(sub.c)[1:4])


def _day_rows():
    """Per day × division, one grouped select per dimension over the stored states."""
    s = StatsReportState
    where = s.day, s.city_code, s.county_code

    def grouped(dim, value, *conds):
        return select(literal("d"), *where, literal(dim), value, func.count()).where(*conds).group_by(*where, value)

    parts = [grouped(dim, getattr(s, column)) for dim, column in DIMENSION_COLUMNS.items()]
    parts.append(grouped(CLOSED_OVERDUE, s.overdue, s.status == ReportStatus.CLOSED.value))
    parts.append(select(literal("d"), *where, literal(EXTENSIONS), literal(""), func.sum(s.extensions))
                 .where(s.extensions > 0).group_by(*where))
    return union_all(*parts)


def _coarser_rows(session, grain: str, finer: str):
    """Month rows summed from day rows, year rows from month rows."""
    r = StatsRollup
    period = _truncate(session, grain, r.period)
    return (select(literal(grain), period, r.city_code, r.county_code, r.dimension, r.value, func.sum(r.n))
            .where(r.grain == finer).group_by(period, r.city_code, r.county_code, r.dimension, r.value))


# --- reading -------------------------------------------------------------------------------------------


def rollup_counts(session, f) -> dict[str, Counter]:
    """Exact counts per roll-up dimension and value for a StatsFilter: the roll-up plus the unfolded tail."""
    mark = session.execute(select(StatsWatermark.report_seq, StatsWatermark.extension_seq)
                           .where(StatsWatermark.id == WATERMARK_ID)).first()
    # An older watermark than the one the statement below sees only widens the tail (folded reports add 0).
    report_seq, extension_seq = mark if mark else (0, 0)
    counts: dict[str, Counter] = defaultdict(Counter)
    for dim, value, n in session.execute(union_all(_rollup_part(f), *_tail_parts(session, f, report_seq,
                                                                                   extension_seq))):
        counts[dim][value] += int(n or 0)
    return counts


def _rollup_part(f):
    r = StatsRollup
    return (select(r.dimension, r.value, func.sum(r.n))
            .where(division_on(f.focus, r.city_code, r.county_code), _period_condition(f.date_from, f.date_to))
            .group_by(r.dimension, r.value))


def _period_condition(first_day: date | None, last_day: date | None):
    """Whole years and months from their rows, the days at the edges of the range from the day rows."""
    r = StatsRollup
    parts = []
    for grain, lo, after in period_split(first_day, last_day):
        parts.append(and_(r.grain == grain, *([r.period >= lo] if lo else []), *([r.period < after] if after else [])))
    return or_(*parts)


def period_split(first_day: date | None, last_day: date | None) -> list[tuple[str, date | None, date | None]]:
    """(grain, first period, period after the last) ranges that together cover the days first_day..last_day
    (inclusive; None is open-ended), as few and as coarse as possible."""
    return _split(first_day, None if last_day is None else last_day + timedelta(days=1), GRAINS)


def _split(lo: date | None, after: date | None, grains: tuple[str, ...]) -> list:
    if not grains:
        return [("d", lo, after)] if lo is None or after is None or lo < after else []
    grain, finer = grains[0], grains[1:]
    start = lo if lo is None or _floor(grain, lo) == lo else _next(grain, lo)
    end = None if after is None else _floor(grain, after)
    if start is not None and end is not None and start >= end:
        return _split(lo, after, finer)
    parts = [(grain, start, end)]
    if lo is not None and lo < start:
        parts += _split(lo, start, finer)
    if after is not None and end < after:
        parts += _split(end, after, finer)
    return parts


def _floor(grain: str, day: date) -> date:
    return day.replace(month=1, day=1) if grain == "y" else day.replace(day=1)


def _next(grain: str, day: date) -> date:
    if grain == "y":
        return date(day.year + 1, 1, 1)
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _tail_parts(session, f, report_seq: int, extension_seq: int) -> list:
    """Per-dimension sums of (current − stored) over the reports changed since the watermark."""
    changed = union(select(Report.id.label("id")).where(Report.change_seq >= report_seq),
                    select(TaskExtension.report_id).where(TaskExtension.change_seq >= extension_seq)).cte("changed")
    s = StatsReportState
    now = (select(literal(1).label("sign"), *current_state(session)[3:])
           .where(Report.id.in_(select(changed.c.id)), *conditions(f)))
    days = [s.day >= f.date_from] if f.date_from else []
    days += [s.day <= f.date_to] if f.date_to else []
    old = (select(literal(-1).label("sign"), *(getattr(s, c) for c in STATE_COLUMNS[3:]))
           .where(s.report_id.in_(select(changed.c.id)), division_on(f.focus, s.city_code, s.county_code), *days))
    tail = union_all(now, old).cte("tail").prefix_with("MATERIALIZED")
    parts = [select(literal(dim), tail.c[column], func.sum(tail.c.sign)).group_by(tail.c[column])
             for dim, column in DIMENSION_COLUMNS.items()]
    parts.append(select(literal(CLOSED_OVERDUE), tail.c.overdue, func.sum(tail.c.sign))
                 .where(tail.c.status == ReportStatus.CLOSED.value).group_by(tail.c.overdue))
    parts.append(select(literal(EXTENSIONS), literal(""), func.coalesce(func.sum(tail.c.sign * tail.c.extensions), 0)))
    return parts
