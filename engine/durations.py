"""Turning due-date values (ISO-8601 durations, dates or date-times) into instants."""
from __future__ import annotations

from datetime import datetime

from . import timer_values


def due_from(value: str | None, start: datetime) -> datetime | None:
    """`P5D` → start + 5 days; an ISO date or date-time (Beijing time when no zone) → that instant;
    anything else → None."""
    if not value:
        return None
    try:
        return timer_values.compute(timer_values.DUE, str(value), _no_expressions, start)
    except timer_values.TimerValueError:
        return None


def _no_expressions(text: str):
    raise timer_values.TimerValueError(f"“{text}”不是期限值")
