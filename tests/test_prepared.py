"""storage/prepared.py: a prepared statement writes exactly the row `Connection.execute` writes (defaults, enums,
JSON, datetimes), is seen by `before_cursor_execute` listeners, raises SQLAlchemy's wrapped errors, and refuses
what it does not cover — on SQLite and on PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, bindparam, event, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from storage.models import InstanceEvent, OutboxChannel, OutboxMessage, OutboxStatus, User, utcnow
from storage.prepared import Prepared
from web.extensions import db

_event = InstanceEvent.__table__
_outbox = OutboxMessage.__table__


def _event_row(kind: str, **extra) -> dict:
    return {"instance_id": None, "report_id": None, "kind": kind, "element_id": "county_disposal", "actor_id": None,
            "message": "提交“县级处置”", "data": {"measures": "现场核查", "分数": [1, 2.5, None]},
            "created_at": utcnow(), **extra}


def _same_rows_as_core(app) -> None:
    with app.app_context():
        session = db.session
        row = _event_row("prepared")
        Prepared(_event.insert()).execute(session, [row, {**row, "kind": "prepared2"}])
        session.connection().execute(_event.insert(), [{**row, "kind": "core"}])
        # a column left out takes its Python default (message="") as Core would give it
        partial = {k: v for k, v in row.items() if k != "message"}
        Prepared(_event.insert()).execute(session, {**partial, "kind": "prepared_default"})
        session.connection().execute(_event.insert(), {**partial, "kind": "core_default"})
        session.commit()
        got = {r.kind: r for r in session.execute(select(_event).where(_event.c.element_id == "county_disposal"))}
        columns = [c for c in _event.c.keys() if c not in ("id", "kind")]
        assert [getattr(got["prepared"], c) for c in columns] == [getattr(got["core"], c) for c in columns]
        assert [getattr(got["prepared2"], c) for c in columns] == [getattr(got["core"], c) for c in columns]
        assert got["prepared"].data == {"measures": "现场核查", "分数": [1, 2.5, None]}
        assert got["prepared_default"].message == got["core_default"].message == ""
        assert got["prepared_default"].created_at == got["core_default"].created_at == row["created_at"]
        # read back: every column converted by its type (datetimes on SQLite, JSON) as a Core result gives it
        read = select(_event).where(_event.c.element_id == "county_disposal").order_by(_event.c.id)
        assert Prepared(read).execute(session, {}).rows == [tuple(r) for r in session.execute(read)]


def _enum_and_callable_default(app) -> None:
    with app.app_context():
        session = db.session
        user_id = session.scalar(select(User.id).where(User.username == "county.610113"))
        values = {"notification_id": None, "user_id": user_id, "channel": OutboxChannel.EMAIL, "recipient": "a@b.cn",
                  "subject": "主题", "body": "正文", "payload": {"k": "值"}, "idempotency_key": "prepared-1",
                  "status": OutboxStatus.PENDING, "attempts": 0, "next_attempt_at": utcnow(), "claimed_by": None,
                  "last_error": None}  # created_at left to its default=utcnow, computed per execution
        before = utcnow()
        Prepared(_outbox.insert()).execute(session, values)
        session.commit()
        row = session.execute(select(OutboxMessage).where(OutboxMessage.idempotency_key == "prepared-1")).scalar_one()
        assert row.channel == OutboxChannel.EMAIL and row.status == OutboxStatus.PENDING
        assert row.created_at >= before.replace(tzinfo=row.created_at.tzinfo)


def _errors_are_sqlalchemys(app) -> None:
    with app.app_context():
        session = db.session
        insert = Prepared(_event.insert())
        with pytest.raises(IntegrityError):  # kind is NOT NULL
            insert.execute(session, _event_row(None))
        session.rollback()
        missing = Table("no_such_table", MetaData(), Column("x", Integer))
        with pytest.raises(DBAPIError) as raised:
            Prepared(missing.insert()).execute(session, {"x": 1})
        assert "no_such_table" in str(raised.value) and not raised.value.connection_invalidated
        session.rollback()
        assert session.scalar(select(func.count()).select_from(_event).where(_event.c.kind.is_(None))) == 0


def _listeners_see_statements(app) -> None:
    with app.app_context():
        seen = []
        listener = lambda _c, _cur, statement, params, _ctx, many: seen.append((statement.split()[0], many))  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            Prepared(_event.insert()).execute(db.session, [_event_row("a"), _event_row("b")])
            db.session.commit()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert ("INSERT", True) in seen


def _a_closed_dbapi_connection_is_sqlalchemys_error(app) -> None:
    """The DBAPI connection is gone before the cursor is made (psycopg and sqlite3 raise from `cursor()`): the
    error is still SQLAlchemy's (the API answers 503 for DBAPIError), never the driver's own (a 500)."""
    with app.app_context():
        session = db.session
        session.execute(select(func.count()).select_from(_event))
        session.connection().connection.dbapi_connection.close()
        with pytest.raises(DBAPIError):
            Prepared(_event.insert()).execute(session, _event_row("after-close"))
        session.rollback()


CASES = [_same_rows_as_core, _enum_and_callable_default, _errors_are_sqlalchemys, _listeners_see_statements,
         _a_closed_dbapi_connection_is_sqlalchemys_error]


@pytest.mark.parametrize("case", CASES)
def test_prepared_on_sqlite(app, case):
    case(app)


@pytest.mark.postgres
@pytest.mark.parametrize("case", CASES)
def test_prepared_on_postgres(pg_app, case):
    case(pg_app)


def test_what_it_does_not_cover_is_refused_when_first_run(app):
    with app.app_context():
        expanding = Prepared(select(_event.c.id).where(_event.c.kind.in_(bindparam("kinds", expanding=True))))
        with pytest.raises(ValueError, match="展开参数"):
            expanding.execute(db.session, {"kinds": ["a", "b"]})
        many_returning = Prepared(_event.insert().returning(_event.c.id))
        with pytest.raises(ValueError, match="RETURNING"):
            many_returning.execute(db.session, [_event_row("a"), _event_row("b")])
        db.session.rollback()


@pytest.mark.postgres
def test_a_connection_killed_under_it_is_invalidated_and_reported_as_sqlalchemys(pg_app):
    """The server ends the backend mid-transaction: the error is SQLAlchemy's OperationalError flagged as a
    disconnect (the API answers 503 for it), and the pool does not hand out the dead connection again."""
    with pg_app.app_context():
        session = db.session
        pid = session.execute(select(func.pg_backend_pid())).scalar_one()
        with db.engine.connect() as killer:
            killer.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
        with pytest.raises(OperationalError) as raised:
            Prepared(_event.insert()).execute(session, _event_row("after-kill"))
        assert raised.value.connection_invalidated
        session.rollback()
        assert session.execute(select(func.pg_backend_pid())).scalar_one() != pid


def test_get_attached_is_session_get_without_the_orm_query(app):
    """Same attribute values as `Session.get`; the session's own object when it already holds the row; None for
    a missing key; the object is persistent (a change to it is flushed)."""
    from sqlalchemy import inspect

    from storage.models import MonitoringPoint
    from storage.prepared import get_attached

    with app.app_context():
        point_id = db.session.scalar(select(MonitoringPoint.id).order_by(MonitoringPoint.id))
        expected = {a.key: getattr(db.session.get(MonitoringPoint, point_id), a.key)
                    for a in MonitoringPoint.__mapper__.column_attrs}
        db.session.expunge_all()
        point = get_attached(db.session, MonitoringPoint, point_id)
        assert {key: getattr(point, key) for key in expected} == expected
        assert inspect(point).persistent and get_attached(db.session, MonitoringPoint, point_id) is point
        assert get_attached(db.session, MonitoringPoint, 10 ** 9) is None
        point.address = "西安市雁塔区测试路1号"
        db.session.commit()
        db.session.expunge_all()
        assert db.session.get(MonitoringPoint, point_id).address == "西安市雁塔区测试路1号"
