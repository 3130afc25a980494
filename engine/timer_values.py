"""Timer values parsed as what they are: durations, dates and cycles (Camunda 7's ISO-8601 forms).

One module for the validator (upload) and the runtime (timer events, due dates). Before this, a
`timeCycle` `R3/PT10M` passed the expression check as a division and `2026-12-31` as a subtraction,
and at run time the timer silently vanished. A literal is recognised by its shape first; only what
does not look like a literal is treated as a safe expression, whose result is then parsed by kind.
A date or date-time without a zone is Beijing time (UTC+8), whatever the server's zone is.
"""
from __future__ import annotations

import ast
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .expressions import ISO_DURATION, normalize

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
DURATION, DATE, CYCLE, DUE = "timeDuration", "timeDate", "timeCycle", "dueDate"
KIND_LABELS = {DURATION: "时长（timeDuration）", DATE: "日期时间（timeDate）", CYCLE: "循环（timeCycle）",
               DUE: "期限（dueDate）"}
MAX_REPETITIONS = 100  # a cycle adds a branch per firing; bounded so that nothing repeats forever
MIN_INTERVAL = timedelta(seconds=1)
MAX_SPAN = timedelta(days=3660)  # ten years: bigger values overflow datetime or are typing mistakes
DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$")
LOOKS_LITERAL = re.compile(r"^(R\d*/|P(\d|T\d)|\d{4}-\d{2})")


class TimerValueError(ValueError):
    """A timer value that cannot be computed; the message is Chinese and names what is wrong."""


@dataclass(frozen=True)
class Cycle:
    """`R<n>/[<start>/]<interval>`: n firings, the first at start (default now + interval)."""

    repetitions: int
    interval: str
    start: datetime | None = None


def parse_duration(text: str, start: datetime) -> timedelta:
    """An ISO-8601 duration (`P5D`, `PT10M`, `P1M`) as the span from `start`, bounded."""
    parts = _duration_parts(text)
    try:
        span = TimerEventDefinition.get_timedelta_from_start(dict(parts), start)
    except (ValueError, OverflowError, ArithmeticError):
        raise TimerValueError(f"时长“{text}”过大，无法计算") from None
    if span > MAX_SPAN:
        raise TimerValueError(f"时长“{text}”超过上限（{MAX_SPAN.days} 天）")
    return span


@functools.lru_cache(maxsize=256)
def _duration_parts(text: str) -> tuple:
    """The checked parts of a duration text (a task's due date is the same few texts again and again)."""
    value = (text or "").strip().upper()
    if not ISO_DURATION.match(value):
        raise TimerValueError(f"“{text}”不是 ISO-8601 时长（例如 P5D、PT2H、PT10M）")
    if _rough_days(value) > MAX_SPAN.days:  # before the library, whose month loop runs once per month
        raise TimerValueError(f"时长“{text}”超过上限（{MAX_SPAN.days} 天）")
    try:
        return tuple(TimerEventDefinition.parse_iso_duration(value).items())
    except (ValueError, OverflowError, ArithmeticError):
        raise TimerValueError(f"时长“{text}”过大，无法计算") from None


_PARTS = re.compile(r"(\d+(?:\.\d+)?)([YMWDHS])")
_DAYS = {"Y": 366, "W": 7, "D": 1, "H": 1 / 24, "S": 1 / 86400}


def _rough_days(value: str) -> float:
    """An upper bound of the duration in days, without calendar arithmetic."""
    date_part, _, time_part = value[1:].partition("T")
    total = sum(float(n) * _DAYS.get(u, 31) for n, u in _PARTS.findall(date_part))
    return total + sum(float(n) * {"H": 1 / 24, "M": 1 / 1440, "S": 1 / 86400}[u]
                       for n, u in _PARTS.findall(time_part))


def parse_date(text: str) -> datetime:
    """An ISO date (`2026-12-31`, midnight) or date-time, with or without zone (none = Beijing time)."""
    value = (text or "").strip()
    try:
        if DATE_ONLY.match(value):
            moment = datetime.combine(date.fromisoformat(value), datetime.min.time())
        elif DATE_TIME.match(value):
            moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T"))
        else:
            raise ValueError(value)
    except ValueError:
        raise TimerValueError(f"“{text}”不是 ISO-8601 日期或日期时间（例如 2026-12-31、2026-12-31T17:00:00+08:00）") \
            from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    return moment.astimezone(timezone.utc)


def parse_cycle(text: str) -> Cycle:
    """`R3/PT10M` or `R3/2026-12-01T08:00:00+08:00/P1D`; unbounded `R/…` and cron strings are refused."""
    value = (text or "").strip()
    parts = value.split("/")
    if not re.match(r"^R\d*$", parts[0], re.IGNORECASE) or len(parts) not in (2, 3):
        raise TimerValueError(f"“{text}”不是 ISO-8601 循环（例如 R3/PT10M、R3/2026-12-01T08:00:00+08:00/P1D）；"
                              "不支持 cron 表达式")
    if len(parts[0]) == 1:
        raise TimerValueError(f"循环“{text}”没有写明次数：不允许无限重复，请写成 R3/PT10M 这样的形式"
                              f"（最多 {MAX_REPETITIONS} 次）")
    repetitions = int(parts[0][1:])
    if not 1 <= repetitions <= MAX_REPETITIONS:
        raise TimerValueError(f"循环“{text}”的次数须在 1 到 {MAX_REPETITIONS} 之间")
    start = parse_date(parts[1]) if len(parts) == 3 else None
    interval = parts[-1]
    now = datetime.now(timezone.utc)
    if parse_duration(interval, start or now) < MIN_INTERVAL:
        raise TimerValueError(f"循环“{text}”的间隔不能小于 1 秒")
    return Cycle(repetitions, interval.upper(), start)


def _parse(kind: str, text: str, now: datetime):
    if kind == DURATION:
        return now + parse_duration(text, now)
    if kind == DATE:
        return parse_date(text)
    if kind == CYCLE:
        return parse_cycle(text)
    if str(text).strip().upper().startswith("P"):
        return now + parse_duration(text, now)
    return parse_date(text)


def literal_text(expression: str) -> str | None:
    """The timer literal an expression spells, unquoted (`P7D`, `"PT1S"`, `${R3/PT10M}`), else None."""
    text = normalize(expression)
    if LOOKS_LITERAL.match(text):
        return text
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def check(kind: str, expression: str, check_expression: Callable[[str], None]) -> None:
    """Upload-time check: a literal must parse as its kind; anything else must pass the expression check."""
    text = literal_text(expression)
    if text is not None:
        _parse(kind, text, datetime.now(timezone.utc))
        return
    if kind == CYCLE:
        raise TimerValueError("循环定时器（timeCycle）只接受 ISO-8601 循环字面值，例如 R3/PT10M（不支持 cron 表达式和其他表达式）")
    check_expression(expression)


def compute(kind: str, expression: str, evaluate: Callable[[str], object], now: datetime | None = None):
    """Run-time value: a due instant (aware, UTC) for durations, dates and due dates, a Cycle for cycles."""
    now = now or datetime.now(timezone.utc)
    text = literal_text(expression)
    if text is None:
        result = evaluate(expression)
        if not isinstance(result, str):
            shown = "空值" if result is None else str(result)[:40]
            raise TimerValueError(f"表达式“{normalize(expression)[:80]}”的结果“{shown}”不是"
                                  f"{KIND_LABELS[kind]}的值")
        text = result
    return _parse(kind, text, now)
