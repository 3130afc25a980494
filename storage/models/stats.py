"""Statistics roll-ups: counts per day × division × dimension value, folded in by the scheduler.

Change tracking without triggers: `report.change_seq` and `task_extension.change_seq` are set by SQLAlchemy
on every INSERT and UPDATE of those tables (column `default` and `onupdate`, which Core `insert()`/`update()`
statements apply as well as the ORM), so no writer has to remember them. What the value is depends on the
database, and each choice makes "everything below the watermark is committed and was folded" hold:

- PostgreSQL: the writing transaction's id (`pg_current_xact_id()`). The folder takes as its watermark the
  oldest transaction still running (`pg_snapshot_xmin`); every transaction below it has finished, so a row
  marked below the watermark is visible to the folder, and a later change gets a newer transaction id.
- SQLite: one more than the table's largest mark. SQLite has a single writer at a time, which holds the
  write lock until it commits, so marks grow in commit order.

Rows written with raw SQL text bypass the marks; write these tables through SQLAlchemy constructs.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Integer, String
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.functions import FunctionElement

from .base import Base


class _ChangeMark(FunctionElement):
    """A SQL expression giving the change mark of the row being written (see the module docstring)."""

    type = BigInteger()
    inherit_cache = True
    table_name = ""


class ReportChangeMark(_ChangeMark):
    """The change mark of a `report` row."""

    inherit_cache = True
    table_name = "report"


class ExtensionChangeMark(_ChangeMark):
    """The change mark of a `task_extension` row."""

    inherit_cache = True
    table_name = "task_extension"


@compiles(ReportChangeMark)
@compiles(ExtensionChangeMark)
def _mark_default(element, compiler, **kw):
    raise CompileError("统计变更标记仅支持 PostgreSQL 与 SQLite")


@compiles(ReportChangeMark, "postgresql")
@compiles(ExtensionChangeMark, "postgresql")
def _mark_postgresql(element, compiler, **kw):
    return "CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT)"


@compiles(ReportChangeMark, "sqlite")
@compiles(ExtensionChangeMark, "sqlite")
def _mark_sqlite(element, compiler, **kw):
    return f"(SELECT coalesce(max(change_seq), 0) + 1 FROM {element.table_name})"


def change_seq_column(mark: type[_ChangeMark]) -> Mapped[int]:
    """The `change_seq` column of a tracked table (0 for rows that existed before tracking)."""
    return mapped_column(BigInteger, default=mark(), onupdate=mark(), server_default="0", index=True)


class StatsRollup(Base):
    """Report counts per period × county/city × dimension value.

    `grain` 'd' rows hold one Beijing-time day, 'm' rows one calendar month and 'y' rows one year (their
    `period` is its first day); the same reports are counted at every grain, so a date range reads whole
    years, then whole months, then the days at its edges. Empty strings stand for a missing city or county,
    `none` for a missing value. The primary key (grain, period, …) is the only index the reads need.
    """

    __tablename__ = "stats_rollup"

    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    period: Mapped[date] = mapped_column(Date, primary_key=True)
    city_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(12), primary_key=True)
    value: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


class StatsReportState(Base):
    """What the roll-up counts for each report, so that a change is folded as (new − old) and folding twice
    is harmless."""

    __tablename__ = "stats_report_state"

    report_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date)
    city_code: Mapped[str] = mapped_column(String(6))
    county_code: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(32))
    tier: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    domain: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(8))
    risk_level: Mapped[str] = mapped_column(String(32))
    overdue: Mapped[str] = mapped_column(String(1))
    extensions: Mapped[int] = mapped_column(Integer)


class StatsWatermark(Base):
    """One row: the change marks below which every report and extension has been folded."""

    __tablename__ = "stats_watermark"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    report_seq: Mapped[int] = mapped_column(BigInteger)
    extension_seq: Mapped[int] = mapped_column(BigInteger)
    folded_at: Mapped[datetime]
