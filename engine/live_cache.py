"""Live workflows kept in memory between steps, so a warm instance is not deserialized again.

An entry is taken out while a step works on it and put back only after the transaction commits,
tagged with the row's lock version; a stale or rolled-back workflow is never reused.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import event
from sqlalchemy.orm import Session

_PENDING_KEY = "riskmon_live_pending"


class LiveCache:
    """LRU of (instance id → (lock version, workflow))."""

    def __init__(self, max_entries: int = 2000):
        self._entries: OrderedDict[int, tuple[int, object]] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries
        if not event.contains(Session, "after_commit", LiveCache._after_commit):
            event.listen(Session, "after_commit", LiveCache._after_commit)
            event.listen(Session, "after_rollback", LiveCache._after_rollback)

    def take(self, instance_id: int, lock_version: int):
        """Remove and return the workflow if it matches the row's version."""
        with self._lock:
            entry = self._entries.pop(instance_id, None)
        if entry and entry[0] == lock_version:
            return entry[1]
        return None

    def stage(self, session: Session, instance_id: int, lock_version: int, workflow) -> None:
        """Remember a saved workflow; it becomes reusable when this session commits."""
        pending = session.info.setdefault(_PENDING_KEY, {})
        pending[instance_id] = (self, lock_version, workflow)

    def discard(self, instance_id: int) -> None:
        with self._lock:
            self._entries.pop(instance_id, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _put(self, instance_id: int, lock_version: int, workflow) -> None:
        with self._lock:
            self._entries[instance_id] = (lock_version, workflow)
            self._entries.move_to_end(instance_id)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    @staticmethod
    def _after_commit(session: Session) -> None:
        for instance_id, (cache, version, workflow) in session.info.pop(_PENDING_KEY, {}).items():
            cache._put(instance_id, version, workflow)

    @staticmethod
    def _after_rollback(session: Session) -> None:
        session.info.pop(_PENDING_KEY, None)
