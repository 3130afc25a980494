"""Turning due-date expressions (ISO-8601 durations or date-times) into instants."""
from __future__ import annotations

from datetime import datetime, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .expressions import ISO_DATETIME, ISO_DURATION


def due_from(value: str | None, start: datetime) -> datetime | None:
    """`P5D` → start + 5 days; an ISO date-time → that instant; anything else → None."""
    if not value:
        return None
    text = value.strip()
    if ISO_DURATION.match(text):
        parsed = TimerEventDefinition.parse_iso_duration(text)
        return start + TimerEventDefinition.get_timedelta_from_start(parsed, start)
    if ISO_DATETIME.match(text):
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return None
