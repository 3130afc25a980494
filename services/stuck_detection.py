"""Why an instance is stuck, in plain Chinese: one SQL query per kind of cause, merged per instance.

An instance that silently stops is the thing operators of every workflow platform complain about most;
each rule here names a cause an admin can act on (fix the handler's data, restart the scheduler, add a
person to a jurisdiction, register a safety director).

Every rule is a SQL query whose first column is the instance id, so the stuck view is one UNION of indexed
queries paged in SQL (`stuck_instance_ids`), and the reasons are read only for the instances on the page.
Open-task rules never scan all open tasks: they first find the few (candidate group, division) or
monitoring-point combinations that matter, reading only the `human_task` indexes, then fetch those tasks
(bench/stuck_view.py: 100,000 instances, see bench/RESULTS_admin.md).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, select, tuple_, union, union_all

from storage.models import (
    ENTERPRISE_KINDS, ROLE_LABELS, Division, HumanTask, InstanceStatus, MonitoringPoint, ProcessInstance, Report, Role,
    SafetyDirectorAssignment, TaskState, User, UserRole, unit_titles, utcnow,
)

from .context import Env

ENDED = (InstanceStatus.COMPLETED, InstanceStatus.TERMINATED)
TIMER_STATUSES = (InstanceStatus.WAITING, InstanceStatus.USER_INPUT_REQUIRED, InstanceStatus.ERROR,
                  InstanceStatus.RUNNING)
UNIT_GROUP = Role.SAFETY_DIRECTOR.value


@dataclass(frozen=True)
class Rule:
    """One cause: `sql(env, now, ids)` selects the instance id first, then what `explain` needs."""

    code: str
    sql: Callable
    explain: Callable[..., str]

    def __post_init__(self):
        # services/stuck_alerts.py keys its alerts by the rule's name, as when rules were functions.
        object.__setattr__(self, "__name__", "_" + self.code)

    def __call__(self, env: Env, now: datetime, instance_ids: list[int] | None = None):
        """(instance id, reason) for every instance (or only these) this cause holds up."""
        for instance_id, *details in env.session.execute(self.sql(env, now, instance_ids)):
            yield instance_id, self.explain(now, *details)


def stuck_reasons(env: Env, now: datetime | None = None, instance_ids: list[int] | None = None) -> dict[int, list[str]]:
    """instance id → the reasons it is stuck (only instances with at least one reason)."""
    now = now or utcnow()
    reasons: dict[int, list[str]] = defaultdict(list)
    for rule in RULES:
        for instance_id, text in rule(env, now, instance_ids):
            if text not in reasons[instance_id]:
                reasons[instance_id].append(text)
    return dict(reasons)


def stuck_instance_ids(env: Env, now: datetime | None = None):
    """A UNION selecting the id of every stuck instance, to page and count in SQL."""
    now = now or utcnow()
    return union(*(select(rule.sql(env, now, None).subquery().c[0]) for rule in RULES))


def count_stuck(env: Env, now: datetime | None = None) -> int:
    """How many instances are stuck (for the dashboard)."""
    return env.session.scalar(select(func.count()).select_from(stuck_instance_ids(env, now).subquery())) or 0


def _scope(stmt, instance_ids, column=ProcessInstance.id):
    return stmt.where(column.in_(instance_ids)) if instance_ids is not None else stmt


def _fmt(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "-"


def _errors_sql(env, now, ids):
    return _scope(select(ProcessInstance.id, ProcessInstance.error_element, ProcessInstance.error_message)
                  .where(ProcessInstance.status == InstanceStatus.ERROR), ids)


def _error_text(now, element, message):
    return f"服务任务出错：{message or f'{element}（未记录错误信息）'}"


def _suspended_sql(env, now, ids):
    return _scope(select(ProcessInstance.id, ProcessInstance.updated_at)
                  .where(ProcessInstance.status == InstanceStatus.SUSPENDED), ids)


def _suspended_text(now, since):
    return f"已被管理员挂起（自 {_fmt(since)} 起），恢复后才能继续办理"


def _timer_sql(env, now, ids):
    grace = timedelta(seconds=2 * env.settings.scheduler_poll_seconds)
    return _scope(select(ProcessInstance.id, ProcessInstance.next_timer_at).where(
        ProcessInstance.status.in_(TIMER_STATUSES), ProcessInstance.next_timer_at < now - grace), ids)


def _timer_text(now, due):
    minutes = int((now - due).total_seconds() // 60)
    return f"定时器已到期但未触发：应于 {_fmt(due)} 触发，已过 {minutes} 分钟（定时任务进程可能已停止或出错）"


def _open_pairs():
    """The (candidate group, division) pairs of open officer tasks, read from the `ix_human_task_inbox` prefix."""
    return (select(HumanTask.candidate_group, HumanTask.division_code)
            .where(HumanTask.state == TaskState.OPEN, HumanTask.division_code.is_not(None))
            .group_by(HumanTask.candidate_group, HumanTask.division_code))


def _in_pairs(pairs):
    # A row-value IN over a subquery: SQLite (with or without ANALYZE) and PostgreSQL then seek the index once
    # per pair; an OR of equalities or a join made SQLite scan every open task instead.
    return tuple_(HumanTask.candidate_group, HumanTask.division_code).in_(pairs)


def _overdue_sql(env, now, ids):
    columns = (HumanTask.instance_id, HumanTask.name, HumanTask.due_at)
    late = and_(HumanTask.state == TaskState.OPEN, HumanTask.due_at < now)
    if ids is not None:
        return select(*columns).where(late, HumanTask.instance_id.in_(ids))
    # Officer tasks always have a division (handlers.routing.assign); unit tasks never have one.
    return union_all(select(*columns).where(late, _in_pairs(_open_pairs())),
                     select(*columns).where(late, HumanTask.candidate_group == UNIT_GROUP,
                                            HumanTask.division_code.is_(None)))


def _overdue_text(now, name, due):
    return f"待办“{name}”已超过办理期限（应于 {_fmt(due)} 前办理）"


def _open_task_exists():
    return exists().where(HumanTask.instance_id == ProcessInstance.id, HumanTask.state == TaskState.OPEN)


def _idle_sql(env, now, ids):
    return _scope(select(ProcessInstance.id).where(
        ProcessInstance.status.in_((InstanceStatus.RUNNING, InstanceStatus.WAITING)),
        ProcessInstance.next_timer_at.is_(None), ~_open_task_exists()), ids)


def _idle_text(now):
    return "流程处于运行状态，但既没有待办任务也没有定时器，无法继续（可回退到之前的任务）"


def _eligible_officer(group, division):
    return (select(UserRole.id).join(User, User.id == UserRole.user_id)
            .where(UserRole.role == group, User.division_code == division, User.active).exists())


def _director_registered(point_column):
    return (select(SafetyDirectorAssignment.id).join(User, User.id == SafetyDirectorAssignment.user_id)
            .where(SafetyDirectorAssignment.monitoring_point_id == point_column, User.active).exists())


def _staffing_gaps():
    """(candidate group, division) pairs of open officer tasks where no active person holds that role."""
    pairs = _open_pairs().where(HumanTask.candidate_group != UNIT_GROUP).subquery()
    return select(pairs.c.candidate_group, pairs.c.division_code).where(
        ~_eligible_officer(pairs.c.candidate_group, pairs.c.division_code))


def _points_without_director():
    """Monitoring points with open safety-director tasks but no active safety director."""
    points = (select(HumanTask.monitoring_point_id.label("point"))
              .where(HumanTask.state == TaskState.OPEN, HumanTask.candidate_group == UNIT_GROUP)
              .group_by(HumanTask.monitoring_point_id).subquery())
    return select(points.c.point).where(~_director_registered(points.c.point))


def _unworkable_tasks(*columns, ids=None):
    """Open tasks nobody may work: tested task by task for a few instances; over everything, once per
    (group, division) pair and per monitoring point, then those tasks are fetched through the indexes."""
    # a task returned to the report's own reporter (补充材料) always has its person: never "nobody eligible"
    base = select(*columns).where(HumanTask.state == TaskState.OPEN, HumanTask.candidate_group != Role.REPORTER.value)
    unit_task = HumanTask.candidate_group == UNIT_GROUP
    if ids is not None:
        return base.where(HumanTask.instance_id.in_(ids)).where(
            and_(~unit_task, ~_eligible_officer(HumanTask.candidate_group, HumanTask.division_code))
            | and_(unit_task, ~_director_registered(HumanTask.monitoring_point_id)))
    return union_all(base.where(_in_pairs(_staffing_gaps())),
                     base.where(unit_task, HumanTask.monitoring_point_id.in_(_points_without_director())))


def _nobody_sql(env, now, ids):
    division = select(Division.name).where(Division.code == HumanTask.division_code).scalar_subquery()
    return _unworkable_tasks(HumanTask.instance_id, HumanTask.name, HumanTask.candidate_group,
                             HumanTask.division_code, division, ids=ids)


def _nobody_text(now, name, group, code, division):
    who = _group_label(group)
    if group == UNIT_GROUP:
        return f"待办“{name}”无人可办：该单位没有登记在岗的{who}"
    place = f"{division}（{code}）" if division else (code or "未知辖区")
    return f"待办“{name}”无人可办：{place}没有在岗的{who}"


def _no_director_sql(env, now, ids):
    # Driven from the (few) enterprise points lacking a director, through report.monitoring_point_id.
    points = select(MonitoringPoint.id).where(MonitoringPoint.kind.in_(ENTERPRISE_KINDS),
                                              ~_director_registered(MonitoringPoint.id))
    return _scope(select(ProcessInstance.id, MonitoringPoint.name, MonitoringPoint.kind)
                  .join(Report, Report.id == ProcessInstance.report_id)
                  .join(MonitoringPoint, MonitoringPoint.id == Report.monitoring_point_id)
                  .where(Report.monitoring_point_id.in_(points), ProcessInstance.status.not_in(ENDED),
                         Report.is_enterprise), ids)


def _no_director_text(now, point, kind):
    return f"企业监测点“{point}”未登记{unit_titles(kind).director}"


def _group_label(group: str) -> str:
    try:
        return ROLE_LABELS[Role(group)]
    except ValueError:
        return group


RULES = (
    Rule("handler_errors", _errors_sql, _error_text),
    Rule("suspended", _suspended_sql, _suspended_text),
    Rule("timer_not_fired", _timer_sql, _timer_text),
    Rule("overdue_tasks", _overdue_sql, _overdue_text),
    Rule("nothing_to_wait_for", _idle_sql, _idle_text),
    Rule("nobody_eligible", _nobody_sql, _nobody_text),
    Rule("enterprise_without_director", _no_director_sql, _no_director_text),
)


def tasks_without_person(env: Env) -> int:
    """How many open tasks nobody can work (for the dashboard)."""
    return env.session.scalar(select(func.count()).select_from(_unworkable_tasks(HumanTask.id).subquery())) or 0
