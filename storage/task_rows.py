"""The engine step's own reads and writes of its read models as prepared Core statements (issue 15): the task to
complete with its candidates, instance, report and the instance's open task ids in one SELECT; new and finished
`human_task` rows and the instance's saved state without the ORM unit of work.

The statements are built once at import and compiled once per dialect (`prepared.Prepared`), so a step only
binds values and sends them to the DBAPI cursor.
"""
from __future__ import annotations

from sqlalchemy import bindparam, func, inspect, literal_column, select, update
from sqlalchemy.orm import ColumnProperty, Session, aliased, contains_eager
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from .models import HumanTask, HumanTaskCandidate, ProcessInstance, Report, TaskState
from .prepared import Prepared, attach, mapped_columns

_task = HumanTask.__table__
_candidate = HumanTaskCandidate.__table__
_instance = ProcessInstance.__table__
_sibling = aliased(HumanTask)
_sibling_table = _task.alias("sibling")

# Columns a new task row gets from the step (the rest take their column defaults).
NEW_TASK_COLUMNS = ("id", "instance_id", "report_id", "element_id", "name", "candidate_group", "division_code",
                    "monitoring_point_id", "state", "due_at", "priority", "process_version_id", "form_overlay",
                    "created_at", "assignee")
CANDIDATE_COLUMNS = ("task_id", "candidate_group", "division_code", "monitoring_point_id", "username")
# What a step writes on its instance row, every time (one statement shape, compiled once).
SAVED_INSTANCE_COLUMNS = ("status", "workflow_state", "next_timer_at", "waiting_element", "error_element",
                          "error_message", "error_traceback", "updated_at", "completed_at")

_OPEN_IDS = (select(func.aggregate_strings(_sibling.id, ","))
             .where(_sibling.instance_id == HumanTask.instance_id, _sibling.state == TaskState.OPEN)
             .scalar_subquery())
_FOR_COMPLETION = (select(HumanTask, ProcessInstance, Report, _OPEN_IDS)
                   .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                   .join(Report, Report.id == HumanTask.report_id)
                   .outerjoin(HumanTask.candidates)
                   .options(contains_eager(HumanTask.candidates))
                   .where(HumanTask.id == bindparam("task_id"))
                   .order_by(HumanTaskCandidate.id)
                   .execution_options(populate_existing=True))
_TASK_COLUMNS, _task_names = mapped_columns(HumanTask)
_INSTANCE_COLUMNS, _instance_names = mapped_columns(ProcessInstance, skip=("workflow_state",))
_REPORT_COLUMNS, _report_names = mapped_columns(Report)
_CANDIDATE_COLUMNS, _candidate_names = mapped_columns(HumanTaskCandidate)
_ATTRIBUTE_NAMES = {HumanTask: _task_names, ProcessInstance: _instance_names, Report: _report_names,
                    HumanTaskCandidate: _candidate_names}
_parts, _at = [], 0
for _columns in (_TASK_COLUMNS, _INSTANCE_COLUMNS, _REPORT_COLUMNS):
    _parts.append(slice(_at, _at + len(_columns)))
    _at += len(_columns)
_MODEL_PARTS = tuple(zip((HumanTask, ProcessInstance, Report), _parts))
_OPEN_IDS_AT = _at
_CANDIDATE_PART = slice(_at + 1, _at + 1 + len(_CANDIDATE_COLUMNS))
_open_ids_core = (select(func.aggregate_strings(_sibling_table.c.id, literal_column("','")))
                  .where(_sibling_table.c.instance_id == _task.c.instance_id,
                         _sibling_table.c.state == TaskState.OPEN)
                  .scalar_subquery())
_FOR_COMPLETION_ROWS = Prepared(
    select(*_TASK_COLUMNS, *_INSTANCE_COLUMNS, *_REPORT_COLUMNS, _open_ids_core, *_CANDIDATE_COLUMNS)
    .select_from(_task.join(_instance, _instance.c.id == _task.c.instance_id)
                 .join(Report.__table__, Report.__table__.c.id == _task.c.report_id)
                 .outerjoin(_candidate, _candidate.c.task_id == _task.c.id))
    .where(_task.c.id == bindparam("task_id"))
    .order_by(_candidate.c.id))
_LOCK_INSTANCE_OF_TASK = Prepared(select(_instance.c.id)
                                  .where(_instance.c.id == select(_task.c.instance_id)
                                         .where(_task.c.id == bindparam("task_id")).scalar_subquery())
                                  .with_for_update())
_OPEN_TASK_IDS = Prepared(select(_task.c.id).where(_task.c.instance_id == bindparam("instance_id"),
                                                   _task.c.state == TaskState.OPEN))
_FINISH_STATEMENT = (update(_task).where(_task.c.id == bindparam("row_id"))
                     .values(state=bindparam("new_state"),
                             completed_at=func.coalesce(_task.c.completed_at, bindparam("now"))))
_FINISH = Prepared(_FINISH_STATEMENT)
_CANCEL = Prepared(_FINISH_STATEMENT.returning(_task.c.name, _task.c.element_id))
_INSERT_TASK = Prepared(_task.insert())
_INSERT_CANDIDATE = Prepared(_candidate.insert())
_COMPLETE_BY = Prepared(update(_task).where(_task.c.id == bindparam("row_id"))
                        .values(state=TaskState.COMPLETED, completed_at=bindparam("now"),
                                completed_by_id=bindparam("user_id")))
_SAVE_INSTANCE = Prepared(update(_instance)
                          .where(_instance.c.id == bindparam("row_id"),
                                 _instance.c.lock_version == bindparam("old_version"))
                          .values({**{name: bindparam(f"new_{name}") for name in SAVED_INSTANCE_COLUMNS},
                                   "lock_version": bindparam("old_version") + 1}))


def for_completion(session: Session, task_id: str):
    """(task with its candidates, instance, report, ids of the instance's open tasks) read fresh in one
    statement, or None when the task does not exist.

    The usual case, a session holding none of these rows yet (an API request), reads them with a prepared
    statement and attaches them as persistent objects, as a query would, without the ORM's loading machinery;
    the instance's saved state is left unloaded (the engine's live cache usually has the workflow; reading
    `workflow_state` loads it). A session that already holds one of them reads them with the ORM query, which
    refreshes the objects it holds."""
    rows = _FOR_COMPLETION_ROWS.execute(session, {"task_id": task_id}).rows
    if not rows:
        return None
    first = rows[0]
    keys = [identity_key(model, first[part.start]) for model, part in _MODEL_PARTS]
    keys += [identity_key(HumanTaskCandidate, row[_CANDIDATE_PART.start]) for row in rows
             if row[_CANDIDATE_PART.start] is not None]
    if any(key in session.identity_map for key in keys):
        return _for_completion_orm(session, task_id)
    task, instance, report = (_attach(session, model, first[part]) for model, part in _MODEL_PARTS)
    candidates = [_attach(session, HumanTaskCandidate, row[_CANDIDATE_PART]) for row in rows
                  if row[_CANDIDATE_PART.start] is not None]
    set_committed_value(task, "candidates", candidates)
    open_ids = first[_OPEN_IDS_AT]
    return task, instance, report, (open_ids.split(",") if open_ids else [])


def _for_completion_orm(session: Session, task_id: str):
    rows = session.execute(_FOR_COMPLETION, {"task_id": task_id}).unique().all()
    if not rows:
        return None
    task, instance, report, open_ids = rows[0]
    return task, instance, report, (open_ids.split(",") if open_ids else [])


def _attach(session: Session, model, values):
    return attach(session, model, _ATTRIBUTE_NAMES[model], values)


def lock_instance_of_task(session: Session, task_id: str) -> None:
    """PostgreSQL: take the row lock of the task's instance (read the task again afterwards: it may have
    changed while we waited)."""
    _execute(session, _LOCK_INSTANCE_OF_TASK, {"task_id": task_id})


def open_task_ids(session: Session, instance_id: int) -> list[str]:
    """Ids of the instance's open task rows."""
    return _execute(session, _OPEN_TASK_IDS, {"instance_id": instance_id}).scalars()


def loaded_task(session: Session, task_id: str) -> HumanTask | None:
    """The task's object if this session already holds it (no query)."""
    return session.identity_map.get(identity_key(HumanTask, task_id))


def complete(session: Session, task: HumanTask, user_id: int, now) -> None:
    """Mark the task completed by a person (one UPDATE) and record it on the object as committed."""
    _execute(session, _COMPLETE_BY, {"row_id": task.id, "now": now, "user_id": user_id})
    for name, value in (("state", TaskState.COMPLETED), ("completed_at", now), ("completed_by_id", user_id)):
        set_committed_value(task, name, value)


def insert_tasks(session: Session, tasks: list[HumanTask]) -> None:
    """Insert new task rows (built as plain objects, never added to the session) and their candidates."""
    if not tasks:
        return
    _execute(session, _INSERT_TASK, [{name: getattr(t, name) for name in NEW_TASK_COLUMNS} for t in tasks])
    candidates = [{"task_id": t.id, **{name: getattr(c, name) for name in CANDIDATE_COLUMNS[1:]}}
                  for t in tasks for c in t.candidates]
    if candidates:
        _execute(session, _INSERT_CANDIDATE, candidates)


def finish_tasks(session: Session, completed: list[str], cancelled: list[str], now) -> dict[str, tuple[str, str]]:
    """Mark rows completed or cancelled (their first end time kept); returns the cancelled rows' (name, element)."""
    if completed:
        _execute(session, _FINISH, [{"row_id": i, "new_state": TaskState.COMPLETED, "now": now} for i in completed])
    labels = {}
    for row_id in cancelled:  # rare (a deadline or a diagram change ends a task): one statement each
        row = _execute(session, _CANCEL, {"row_id": row_id, "new_state": TaskState.CANCELLED, "now": now}).first()
        if row is not None:
            labels[row_id] = (row[0], row[1])  # (name, element_id)
    return labels


def save_instance(session: Session, instance: ProcessInstance) -> None:
    """Write the step's columns of the instance with the optimistic version check (StaleDataError when another
    transaction saved it first), and record them as the object's committed state so that no flush writes them
    again."""
    old = instance.lock_version
    values = {name: getattr(instance, name) for name in SAVED_INSTANCE_COLUMNS}
    result = _execute(session, _SAVE_INSTANCE, {"row_id": instance.id, "old_version": old,
                                              **{f"new_{name}": value for name, value in values.items()}})
    if result.rowcount != 1:
        raise StaleDataError(f"流程实例 {instance.id} 已被其他事务更新（版本 {old}）")
    for name, value in values.items():
        set_committed_value(instance, name, value)
    set_committed_value(instance, "lock_version", old + 1)
    state = inspect(instance)
    if not state.committed_state:  # nothing else pending on it: keep it out of the next flush altogether
        state._commit_all(state.dict, session.identity_map)


_REPORT_UPDATES: dict[tuple[str, ...], Prepared] = {}


def save_report(session: Session, report: Report) -> None:
    """Write the report's changed columns with one Core UPDATE (its change mark set by the column's `onupdate`, as
    the flush would) and record them as committed; left to the flush when anything but plain columns changed."""
    state = inspect(report)
    if not state.persistent or not state.committed_state:
        return
    values = {}
    for key in state.committed_state:
        prop = state.mapper.attrs.get(key)
        if not isinstance(prop, ColumnProperty) or len(prop.columns) != 1:
            return
        values[prop.columns[0].key] = getattr(report, key)
    names = tuple(sorted(values))
    statement = _REPORT_UPDATES.get(names)
    if statement is None:  # one statement per set of changed columns, built once (a handful in practice)
        table = Report.__table__
        statement = Prepared(update(table).where(table.c.id == bindparam("row_id"))
                             .values({name: bindparam(f"new_{name}") for name in names}))
        _REPORT_UPDATES[names] = statement
    _execute(session, statement, {"row_id": report.id, **{f"new_{name}": values[name] for name in names}})
    state._commit_all(state.dict, session.identity_map)
    session.expire(report, ["change_seq"])  # set by the database: read again if anyone asks


def _execute(session: Session, statement: Prepared, params):
    """A prepared statement on the session's connection (in its transaction), without the ORM execution layer."""
    return statement.execute(session, params)
