"""Database set-up details that SQLAlchemy leaves to the application."""
from __future__ import annotations

import select

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

_IMMEDIATE = "riskmon_sqlite_immediate"


def configure_engine(engine: Engine) -> None:
    """SQLite: WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for write transactions.

    pysqlite's own transaction handling starts transactions lazily and cannot take the write lock
    up front, so we turn it off and emit BEGIN ourselves (SQLAlchemy docs, "Serializable isolation /
    Savepoints / Transactional DDL" for pysqlite).
    """
    if engine.dialect.name == "postgresql":
        event.listen(engine, "checkout", _refuse_closed_connection)
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        connection.info[_IMMEDIATE] = immediate


def _refuse_closed_connection(dbapi_connection, _record, _proxy) -> None:
    """A pre-ping without a round trip, for every pool checkout on PostgreSQL.

    An idle pooled connection has nothing to read; when the server has ended it (pg_terminate_backend, restart,
    idle timeout) its socket is readable (the error message and end of stream). Then the pool drops it and
    connects anew (SQLAlchemy's DisconnectionError in a checkout handler), as `pool_pre_ping` would, but without
    sending `SELECT 1` and waiting for the answer on every request. A connection lost without the server
    closing it (a cable pulled) is found by the next statement instead, which answers 503."""
    if dbapi_connection.closed or getattr(dbapi_connection, "broken", False):
        raise DisconnectionError("connection closed")
    try:
        poller = select.poll()
        poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
        readable = poller.poll(0)
    except (OSError, ValueError):
        raise DisconnectionError("connection unusable") from None
    if readable:
        raise DisconnectionError("connection ended by the server")


def begin_write(session: Session) -> None:
    """Start the unit of work holding the write lock (SQLite) so that it cannot deadlock on upgrade.

    A read-only transaction already open (for example the one that loaded the current user) is
    ended first, unless it was begun with the write lock (the API's hot write endpoints begin with it);
    on PostgreSQL row locks are taken where the rows are read, so this does nothing.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            return
        if _holds_connection(session):
            if session.connection().info.get(_IMMEDIATE):
                return  # begun with the write lock already
            session.commit()  # ends the read-only transaction; nothing to write
    session.connection(execution_options={"sqlite_immediate": True})


def _holds_connection(session: Session) -> bool:
    """True when the session's transaction has begun on a connection (not merely been opened)."""
    transaction = session.get_transaction()
    return bool(transaction is not None and getattr(transaction, "_connections", True))
