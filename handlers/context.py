"""What a service-task handler is given: the transaction, the report and a way to log and notify."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from storage.models import ProcessInstance, Report
from storage.repositories import add_event, add_notification


def reads_before_writes(handler):
    """Mark a handler that does every read and check before its first write, so that it cannot fail halfway
    (after a write, only a database error can stop it, and that rolls back the whole step): the engine runs it
    without a savepoint of its own."""
    handler.savepoint_free = True
    return handler


class HandlerError(Exception):
    """A handler could not do its work; the message is shown to admins as the reason."""


@dataclass
class HandlerContext:
    """One service-task call inside the engine step's transaction."""

    session: Session
    instance: ProcessInstance
    report: Report
    element_id: str
    data: dict
    actor_id: int | None = None

    def log(self, kind: str, message: str, data: dict | None = None) -> None:
        """Append a timeline event for this report."""
        add_event(self.session, kind, message, instance_id=self.instance.id, report_id=self.report.id,
                  element_id=self.element_id, actor_id=self.actor_id, data=data)

    def notify(self, user_ids, kind: str, title: str, body: str = "", link: str | None = None) -> int:
        """Queue an in-app notice for each person; returns how many."""
        ids = sorted(set(user_ids))
        for user_id in ids:
            add_notification(self.session, user_id, kind, title, body, report_id=self.report.id,
                             link=link or f"/reports/{self.report.id}")
        return len(ids)
