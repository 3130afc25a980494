"""A short-lived cache of who holds a role in a division and which channels a person chose, per database, and
of the few reference rows every step reads (a division's tier and name, a catalogue row, a system setting's
value).

Engine steps ask the same questions on every step (who is told about a new county task, does this person get
e-mail copies, which tier is this county's city). The answers change only when accounts, divisions, the catalogue
or settings change: any flush that writes a user, a role, a channel preference, a division, a catalogue row or a
system setting empties this process's cache at once; other processes see the change within `TTL_SECONDS`.

The emptying runs from Session event listeners that `install_listeners()` registers: the app factory calls it,
and web workers, the scheduler and the CLI all start from the app factory. Nothing happens at import; until
the listeners are installed nothing is cached either, so a process that never installs them reads afresh.

It also keeps a detached copy of each person an API token names (`user_by_id`), so that the token check of a
hot request (every report submission) costs no database round trip. The same rule holds: a deactivation,
sign-out everywhere or password change in this process is seen at once; in another worker process a token of
that person is still honoured for at most `TTL_SECONDS` (the cross-process window).
"""
from __future__ import annotations

import threading
import time
import weakref

from sqlalchemy import event, select
from sqlalchemy.orm import Session, make_transient_to_detached

from .models import Division, EquipmentType, NotificationPreference, SystemSetting, User, UserRole

TTL_SECONDS = 5.0
_MISSING = object()
_CHANGED = "riskmon_people_changed"
_WATCHED = (User, UserRole, NotificationPreference, Division, EquipmentType, SystemSetting)
_CATALOGUE_DEPTH = 4  # 种类 → 类别 → 品种 (services/directory.py walks as far)
_lock = threading.Lock()
_caches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> {key: (expires, value)}
_installed = False


def install_listeners() -> None:
    """Register the Session listeners that empty the cache on account changes (once per process)."""
    global _installed
    with _lock:
        if _installed:
            return
        event.listen(Session, "after_flush", _forget_on_account_change)
        event.listen(Session, "after_commit", _forget_after_commit)
        event.listen(Session, "after_rollback", _drop_flag)
        _installed = True


def cached(session: Session, key: tuple, value=_MISSING):
    """Read `key` (None when absent or expired), or store `value` under it (kept only once the listeners that
    empty the cache are installed)."""
    if not _installed:
        return None if value is _MISSING else value
    engine = session.get_bind()
    now = time.monotonic()
    with _lock:
        cache = _caches.setdefault(engine, {})
        if value is not _MISSING:
            cache[key] = (now + TTL_SECONDS, value)
            return value
        hit = cache.get(key)
    if hit is None or hit[0] < now:
        return None
    return hit[1]


def clear() -> None:
    """Forget everything (account changes, tests)."""
    with _lock:
        _caches.clear()


def role_holders(session: Session, role: str, division_code: str) -> list[tuple[int, str]]:
    """(id, username) of the active people holding `role` in `division_code`, ordered by id."""
    key = ("role", role, division_code)
    hit = cached(session, key)
    if hit is not None:
        return hit
    stmt = (select(User.id, User.username).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == role, User.active, User.division_code == division_code).order_by(User.id))
    return cached(session, key, [tuple(row) for row in session.execute(stmt)])


def division(session: Session, code: str) -> Division | None:
    """The division row `code` (a detached copy, to read only), or None when there is none."""
    return _row_copy(session, Division, code)


def equipment_type(session: Session, code: str) -> EquipmentType | None:
    """The catalogue row `code` (a detached copy, to read only), or None when the catalogue has no such code."""
    return _row_copy(session, EquipmentType, code)


def _row_copy(session: Session, model, code: str):
    key = (model.__tablename__, code)
    hit = cached(session, key)
    if hit is None:
        row = session.get(model, code)
        hit = cached(session, key, _detached(model, row) if row is not None else False)
    return hit or None


def equipment_category(session: Session, code: str) -> str | None:
    """The top of the catalogue chain above `code` (its 种类), or None when a link of the chain is missing."""
    row = equipment_type(session, code)
    for _ in range(_CATALOGUE_DEPTH):
        if row is None or row.parent_code is None:
            break
        row = equipment_type(session, row.parent_code)
    return row.code if row is not None else None


def setting_row_value(session: Session, key: str) -> str | None:
    """The stored value of system setting `key`, or None when it was never saved."""
    hit = cached(session, ("setting", key))
    if hit is None:
        row = session.get(SystemSetting, key)
        hit = cached(session, ("setting", key), (row.value,) if row is not None else ())
    return hit[0] if hit else None


def _detached(model, row):
    """A detached copy of a plain row (its column attributes only)."""
    copy = model(**{attr.key: getattr(row, attr.key) for attr in model.__mapper__.column_attrs})
    make_transient_to_detached(copy)
    return copy


def user_by_id(session: Session, user_id: int) -> User | None:
    """The person with this id as a persistent object of `session`: from this process's cache (no SQL) when a
    fresh copy is there, else loaded (with roles) and a detached copy cached for the next requests."""
    key = ("user", user_id)
    hit = cached(session, key)
    if hit is not None:
        return session.merge(hit, load=False)
    user = session.get(User, user_id)
    if user is not None and user not in session.dirty:
        cached(session, key, _detached_copy(user))
    return user


def _detached_copy(user: User) -> User:
    """A copy of `user` and its role rows, detached and clean, that `Session.merge(load=False)` can take."""
    columns = [attr.key for attr in User.__mapper__.column_attrs]
    roles = []
    for row in user.role_rows:
        role = UserRole(id=row.id, user_id=row.user_id, role=row.role)
        make_transient_to_detached(role)
        roles.append(role)
    copy = User(**{key: getattr(user, key) for key in columns})
    copy.role_rows = roles
    make_transient_to_detached(copy)
    return copy


def _forget_on_account_change(session: Session, _context) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _WATCHED):
            clear()
            session.info[_CHANGED] = True  # and again once committed: a step may have cached the old rows since
            return


def _forget_after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        clear()


def _drop_flag(session: Session) -> None:
    session.info.pop(_CHANGED, None)
