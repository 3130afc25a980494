"""A user task met again in the same instance (e.g. 市级研判 after a consultation) opens with the last round's answers."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import step_writes
from storage.models import InstanceEvent

# The conclusion that picks the route is chosen afresh each round: carrying "征求意见" over would loop.
NOT_CARRIED = frozenset({"decision"})


def previous_answers(session: Session, instance_id: int, element_id: str) -> dict:
    """The form data of the last completion of this element in this instance ({} the first time); a completion
    in this very step is still in the step's buffer (storage/step_writes)."""
    own = step_writes.last_completion(session, instance_id, element_id)
    if own is not None:
        return own
    stmt = (select(InstanceEvent.data).where(InstanceEvent.instance_id == instance_id,
                                             InstanceEvent.element_id == element_id,
                                             InstanceEvent.kind == "task_completed")
            .order_by(InstanceEvent.id.desc()).limit(1))
    return session.scalar(stmt) or {}

