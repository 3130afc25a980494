"""Failed sign-ins counted per client address and username, in the database (shared by every worker).

Lockout is per (client, username) pair, not per account: five wrong passwords from one address lock
that address out of that account for 15 minutes, while the real person signing in from elsewhere is not
affected. Unknown usernames are counted exactly like real ones, so the answers reveal nothing.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from storage.models import LoginThrottle, utcnow

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
KEEP_ROWS = timedelta(days=1)


def _key(client: str, username: str) -> tuple[str, str]:
    return (client or "unknown")[:64], username.strip().lower()[:64]


def _row(session, client: str, username: str) -> LoginThrottle | None:
    return session.scalar(select(LoginThrottle).where(LoginThrottle.client == client,
                                                      LoginThrottle.username == username))


def locked_for(session, client: str, username: str) -> int:
    """Minutes this client must still wait before trying this username again (0 = may try)."""
    client, username = _key(client, username)
    row = _row(session, client, username)
    now = utcnow()
    if row is None or row.locked_until is None or row.locked_until <= now:
        return 0
    return int((row.locked_until - now).total_seconds() // 60) + 1


def record_failure(session, client: str, username: str) -> int:
    """Count one failure; the failures left before lockout (0 = this one locked the pair). Flushes."""
    client, username = _key(client, username)
    now = utcnow()
    row = _ensure_row(session, client, username, now)
    if _stale(row, now):
        row.failures, row.locked_until = 0, None
        session.flush()
    # Incremented in SQL so that two workers counting the same pair at once both count.
    failures = session.execute(update(LoginThrottle).where(LoginThrottle.id == row.id)
                               .values(failures=LoginThrottle.failures + 1, updated_at=now)
                               .returning(LoginThrottle.failures)).scalar_one()
    session.expire(row)
    if failures >= MAX_FAILED_LOGINS:
        session.execute(update(LoginThrottle).where(LoginThrottle.id == row.id)
                        .values(failures=0, locked_until=now + LOCKOUT))
    session.execute(delete(LoginThrottle).where(LoginThrottle.updated_at < now - KEEP_ROWS))
    return max(0, MAX_FAILED_LOGINS - failures)


def _stale(row: LoginThrottle, now: datetime) -> bool:
    """An expired lock, or failures older than the lockout window, start counting afresh."""
    if row.locked_until is not None:
        return row.locked_until <= now
    return row.updated_at is not None and row.updated_at < now - LOCKOUT


def _ensure_row(session, client: str, username: str, now: datetime) -> LoginThrottle:
    row = _row(session, client, username)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = LoginThrottle(client=client, username=username, failures=0, updated_at=now)
            session.add(row)
        return row
    except IntegrityError:  # another worker created it a moment ago
        return _row(session, client, username)


def clear(session, client: str, username: str) -> None:
    """Forget this pair's failures after a successful sign-in. Flushes."""
    client, username = _key(client, username)
    session.execute(delete(LoginThrottle).where(LoginThrottle.client == client, LoginThrottle.username == username))
