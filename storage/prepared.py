"""Prepared Core statements for the engine step's hot path (issue 15): compiled once per dialect and set of keys,
then sent straight to the DBAPI cursor of the session's connection, in the session's transaction.

`Connection.execute` spends ~100 µs of Python per statement (cache key, execution context, result set-up); the
sqlite3 or psycopg call itself takes a few. A `Prepared` statement keeps what SQLAlchemy would do per execution:
- the bound values go through SQLAlchemy's own `construct_params` (fixed values, required keys), the column
  defaults it would prefetch (`default=utcnow`, `default=0`) and the type's bind processors (enums, JSON,
  datetimes on SQLite), so a row written here is the row `Connection.execute` would write;
- `before_cursor_execute` listeners are called as SQLAlchemy calls them (statement counters, tests);
- a DBAPI error goes through the connection's own handling: wrapped in `sqlalchemy.exc` (IntegrityError,
  OperationalError …) and, for a lost connection, the connection invalidated;
- selected and returned values go through the column types' result processors (datetimes on SQLite, enums,
  JSON), as a Core result would give them.

Only what that covers is accepted, checked when a statement is first compiled: no expanding (IN) parameters,
no INSERT … RETURNING with many rows.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, make_transient_to_detached, scoped_session
from sqlalchemy.orm.util import identity_key

_CONNECTION_KEY = "riskmon_prepared_connection"


@dataclass(frozen=True)
class _Plan:
    """One compiled form: SQL text, how to order and convert the values, what to prefetch."""

    sql: str
    compiled: Any
    positional: tuple[str, ...] | None  # bind names in order (qmark/numeric), or None for named paramstyles
    processors: dict
    prefetch: tuple  # (bind name, arg, is_scalar) of column defaults SQLAlchemy computes in Python
    escaped: dict
    returns_rows: bool
    results: tuple | None  # per selected column its type's result processor (None: no column converts)


class Rows:
    """What a prepared statement answered: its row count and, for RETURNING, its rows (fetched at once)."""

    __slots__ = ("rowcount", "rows")

    def __init__(self, rowcount: int, rows: list):
        self.rowcount = rowcount
        self.rows = rows

    def first(self):
        """The first row, or None."""
        return self.rows[0] if self.rows else None

    def scalar(self):
        """The first column of the first row, or None."""
        return self.rows[0][0] if self.rows else None

    def scalars(self) -> list:
        """The first column of every row."""
        return [row[0] for row in self.rows]


class Prepared:
    """A Core statement to run many times with different values (see the module's doc)."""

    __slots__ = ("statement", "_plans")

    def __init__(self, statement):
        self.statement = statement
        self._plans: dict[tuple, _Plan] = {}

    def execute(self, session: Session, params: dict | list[dict]) -> Rows:
        """Run with one row of values (a dict) or many (a list of dicts with the same keys, executemany)."""
        connection = step_connection(session)
        many = isinstance(params, list)
        if many and not params:
            return Rows(0, [])
        first = params[0] if many else params
        key = (connection.dialect.name, many, tuple(first))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = _compile(self.statement, connection, tuple(first), many)
        values = [_values(plan, row) for row in params] if many else _values(plan, params)
        return _send(connection, plan, values, many)


def step_connection(session: Session) -> Connection:
    """The session's connection in its current transaction (begun if need be), kept for the transaction's life so
    that a step's statements do not each walk the session's transaction machinery."""
    if isinstance(session, scoped_session):
        session = session()
    transaction = session.get_transaction()
    held = session.info.get(_CONNECTION_KEY)
    if held is not None and transaction is not None and held[0] is transaction and transaction.is_active:
        return held[1]
    connection = session.connection()
    session.info[_CONNECTION_KEY] = (session.get_transaction(), connection)
    return connection


def _compile(statement, connection: Connection, keys: tuple[str, ...], many: bool) -> _Plan:
    dialect = connection.dialect
    compiled = statement.compile(dialect=dialect, column_keys=list(keys), for_executemany=many)
    if compiled.literal_execute_params or compiled.post_compile_params:
        raise ValueError("Prepared 不支持展开参数（IN 列表）或字面执行参数")
    columns = statement.selected_columns if statement.is_select else getattr(statement, "_returning", ())
    returning = bool(columns)
    if returning and many:
        raise ValueError("Prepared 不支持多行 INSERT … RETURNING")
    results = tuple(column.type._cached_result_processor(dialect, None) for column in columns)
    prefetch = []
    defaults = [(c, c.default) for c in compiled.insert_prefetch] + [(c, c.onupdate) for c in compiled.update_prefetch]
    for column, default in defaults:
        if default is None or not (default.is_scalar or default.is_callable) or getattr(default, "is_sentinel", False):
            raise ValueError(f"Prepared 不支持此类列默认值：{column}")
        prefetch.append((compiled._within_exec_param_key_getter(column), default.arg, default.is_scalar))
    return _Plan(sql=compiled.string, compiled=compiled,
                 positional=tuple(compiled.positiontup) if compiled.positional else None,
                 processors=dict(compiled._bind_processors), prefetch=tuple(prefetch),
                 escaped=dict(compiled.escaped_bind_names or {}), returns_rows=returning,
                 results=results if any(results) else None)


def _values(plan: _Plan, row: dict):
    params = plan.compiled.construct_params(row, escape_names=False)
    for name, arg, is_scalar in plan.prefetch:
        params[name] = arg if is_scalar else arg(None)
    processors = plan.processors
    if plan.positional is not None:
        return tuple(processors[name](params[name]) if name in processors else params[name]
                     for name in plan.positional)
    escaped = plan.escaped
    return {escaped.get(name, name): processors[name](value) if name in processors else value
            for name, value in params.items()}


def _send(connection: Connection, plan: _Plan, values, many: bool) -> Rows:
    dbapi_error = connection.dialect.loaded_dbapi.Error
    cursor = None
    try:
        cursor = connection.connection.dbapi_connection.cursor()  # raises too when the connection is gone
        listeners = connection.dispatch.before_cursor_execute
        if listeners:
            for listener in listeners:
                listener(connection, cursor, plan.sql, values, None, many)
        if many:
            cursor.executemany(plan.sql, values)
        else:
            cursor.execute(plan.sql, values)
        rows = cursor.fetchall() if plan.returns_rows else []
        if rows and plan.results is not None:
            rows = [tuple(value if convert is None else convert(value)
                          for convert, value in zip(plan.results, row)) for row in rows]
        return Rows(cursor.rowcount, rows)
    except dbapi_error as error:
        connection._handle_dbapi_exception(error, plan.sql, values, cursor, None)
        raise  # not reached: the handler raises the wrapped error
    finally:
        if cursor is not None:
            with contextlib.suppress(dbapi_error):
                cursor.close()


def attach(session: Session, model, names: tuple[str, ...], values) -> object:
    """A persistent object of `model` whose attributes `names` have `values`, as if a query had loaded it (the
    others are unloaded and load when read). The session must not hold that row already."""
    obj = model.__mapper__.class_manager.new_instance()
    inspect(obj).dict.update(zip(names, values))
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


def transient(model, values: dict) -> object:
    """A new object of `model` with these attribute values, built without attribute events (it is written with
    a prepared statement, never through the session)."""
    obj = model.__mapper__.class_manager.new_instance()
    inspect(obj).dict.update(values)
    return obj


_INSERTS: dict[type, Prepared] = {}


def insert_attached(session: Session, model, values: dict) -> object:
    """INSERT a row of `model` (one prepared statement returning its new id) and return it as a persistent
    object, as `session.add` + `flush` would, without the unit of work. Columns not in `values` get their
    Python-side default (computed here so that the object knows it) or, for a column whose default the database
    computes (a SQL expression), are left unloaded."""
    table = model.__table__
    mapper = model.__mapper__
    row = {}
    for column in table.columns:
        if column.primary_key and column.autoincrement and column.key not in values:
            continue
        name = mapper.get_property_by_column(column).key
        if name in values:
            row[column.key] = values[name]
        elif column.default is None:
            if column.server_default is None:
                row[column.key] = None
        elif column.default.is_scalar:
            row[column.key] = column.default.arg
        elif column.default.is_callable:
            row[column.key] = column.default.arg(None)
    statement = _INSERTS.get(model)
    if statement is None:
        statement = _INSERTS[model] = Prepared(table.insert().returning(*table.primary_key.columns))
    new_id = statement.execute(session, row).scalar()
    (pk,) = table.primary_key.columns
    row[pk.key] = new_id
    names = tuple(mapper.get_property_by_column(table.columns[key]).key for key in row)
    return attach(session, model, names, tuple(row.values()))


def mapped_columns(model, skip=()) -> tuple[list, tuple[str, ...]]:
    """The table columns of `model` (but `skip`) and the attribute names they are mapped to, in table order."""
    mapper = model.__mapper__
    columns = [column for column in model.__table__.columns if column.key not in skip]
    return columns, tuple(mapper.get_property_by_column(column).key for column in columns)


_SELECTS: dict[type, tuple[Prepared, tuple[str, ...]]] = {}


def get_attached(session: Session, model, key) -> object | None:
    """`session.get(model, key)` for a model with a one-column primary key, read with a prepared statement and
    attached as a query would attach it (the session's own object when it already holds that row)."""
    held = session.identity_map.get(identity_key(model, key))
    if held is not None:
        return session.get(model, key)  # the ORM refreshes or returns what the session holds
    found = _SELECTS.get(model)
    if found is None:
        columns, names = mapped_columns(model)
        (pk,) = model.__table__.primary_key.columns
        found = _SELECTS[model] = (Prepared(select(*columns).where(pk == bindparam("key"))), names)
    statement, names = found
    row = statement.execute(session, {"key": key}).first()
    return attach(session, model, names, row) if row is not None else None
