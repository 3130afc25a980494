"""Operating figures: the admin dashboard, /healthz and the Prometheus /metrics counters."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from handlers.routing import GROUP_TIERS
import storage.models as models
from storage.models import (
    INSTANCE_STATUS_LABELS, TIER_LABELS, HumanTask, InstanceEvent, InstanceStatus, ProcessInstance, Report,
    TaskState, Tier, utcnow,
)

from .admin_labels import Names, names_for
from .context import Env
from .stuck_detection import count_stuck, tasks_without_person

ERROR_DAYS = 14
CHINA = timezone(timedelta(hours=8))
OLDEST_PER_TIER = 5
TIMER_STATUSES = (InstanceStatus.WAITING, InstanceStatus.USER_INPUT_REQUIRED, InstanceStatus.ERROR,
                  InstanceStatus.RUNNING)


@dataclass
class Dashboard:
    """The figures of /admin."""

    by_status: list[tuple[str, str, int]]
    stuck: int
    nobody_can_work: int
    by_element: list[tuple[str, str, int]]
    oldest_by_tier: list[tuple[str, list[tuple[HumanTask, Report]]]]
    errors_per_day: list[tuple[str, int]]
    failed: list[tuple[ProcessInstance, Report]]
    names: Names


def instances_by_status(env: Env) -> dict[str, int]:
    """status → number of instances (every status present, zeros included)."""
    counts = dict(env.session.execute(select(ProcessInstance.status, func.count())
                                      .group_by(ProcessInstance.status)).all())
    return {s.value: counts.get(s, 0) for s in InstanceStatus}


def open_tasks_by_tier(env: Env) -> dict[str, int]:
    """tier → number of open user tasks."""
    tiers: Counter = Counter({t.value: 0 for t in Tier})
    rows = env.session.execute(select(HumanTask.candidate_group, func.count()).where(
        HumanTask.state == TaskState.OPEN).group_by(HumanTask.candidate_group))
    for group, n in rows:
        tier = GROUP_TIERS.get(group)
        tiers[tier.value if tier else "other"] += n
    return dict(tiers)


def dashboard(env: Env, now: datetime | None = None) -> Dashboard:
    """Counts by status and element, oldest waiting tasks per tier, errors per day, failed instances."""
    now = now or utcnow()
    by_status = instances_by_status(env)
    elements = env.session.execute(
        select(HumanTask.element_id, HumanTask.name, func.count()).where(HumanTask.state == TaskState.OPEN)
        .group_by(HumanTask.element_id, HumanTask.name).order_by(func.count().desc()))
    failed = env.session.execute(
        select(ProcessInstance, Report).join(Report, Report.id == ProcessInstance.report_id)
        .where(ProcessInstance.status == InstanceStatus.ERROR).order_by(ProcessInstance.updated_at).limit(20)).all()
    board = Dashboard(
        names=Names(), by_status=[(s, INSTANCE_STATUS_LABELS[InstanceStatus(s)], n) for s, n in by_status.items()],
        stuck=count_stuck(env, now), nobody_can_work=tasks_without_person(env),
        by_element=[tuple(row) for row in elements], oldest_by_tier=_oldest_by_tier(env),
        errors_per_day=_errors_per_day(env, now), failed=[tuple(row) for row in failed])
    board.names = names_for(env, version_ids=[inst.process_version_id for inst, _ in board.failed],
                            division_codes=[t.division_code for _, rows in board.oldest_by_tier for t, _ in rows],
                            point_ids=[t.monitoring_point_id for _, rows in board.oldest_by_tier for t, _ in rows])
    return board


def _oldest_by_tier(env: Env) -> list[tuple[str, list[tuple[HumanTask, Report]]]]:
    result = []
    for tier in Tier:
        groups = [g for g, t in GROUP_TIERS.items() if t == tier]
        # Pick the ids by created_at alone first: SQLite then sorts index entries only and reads 5 rows, where
        # sorting whole task and report rows (or adding a tie-breaker) took 0.1-0.3 s at 100,000 open tasks.
        oldest = (select(HumanTask.id).where(HumanTask.state == TaskState.OPEN, HumanTask.candidate_group.in_(groups))
                  .order_by(HumanTask.created_at).limit(OLDEST_PER_TIER))
        rows = env.session.execute(
            select(HumanTask, Report).join(Report, Report.id == HumanTask.report_id)
            .where(HumanTask.id.in_(oldest)).order_by(HumanTask.created_at, HumanTask.id)).all()
        result.append((TIER_LABELS[tier], [tuple(r) for r in rows]))
    return result


def _errors_per_day(env: Env, now: datetime) -> list[tuple[str, int]]:
    """Handler failures per Beijing calendar day (the platform serves one province, one time zone)."""
    start = (now.astimezone(CHINA) - timedelta(days=ERROR_DAYS - 1)).replace(hour=0, minute=0, second=0,
                                                                            microsecond=0)
    moments = env.session.scalars(select(InstanceEvent.created_at).where(
        InstanceEvent.kind == "error", InstanceEvent.created_at >= start))
    per_day = Counter(m.astimezone(CHINA).date().isoformat() for m in moments)
    days = [(start + timedelta(days=i)).date().isoformat() for i in range(ERROR_DAYS)]
    return [(day, per_day.get(day, 0)) for day in days]


def timer_lag_seconds(env: Env, now: datetime | None = None) -> float:
    """How late the most overdue unfired timer is (0 when none is due)."""
    now = now or utcnow()
    oldest = env.session.scalar(select(func.min(ProcessInstance.next_timer_at)).where(
        ProcessInstance.status.in_(TIMER_STATUSES), ProcessInstance.next_timer_at <= now))
    return max(0.0, (now - oldest).total_seconds()) if oldest else 0.0


def handler_errors_total(env: Env) -> int:
    """Service-task failures ever recorded."""
    return env.session.scalar(select(func.count()).select_from(InstanceEvent).where(
        InstanceEvent.kind == "error")) or 0


def database_ok(env: Env) -> tuple[bool, str]:
    """Ping the database."""
    try:
        env.session.execute(text("SELECT 1"))
        env.session.rollback()
        return True, "正常"
    except SQLAlchemyError as exc:
        env.session.rollback()
        return False, f"数据库无法连接：{exc.__class__.__name__}"


def scheduler_heartbeat(env: Env, now: datetime | None = None) -> dict:
    """The newest scheduler heartbeat, if this installation records them."""
    model = getattr(models, "SchedulerHeartbeat", None)
    if model is None:
        return {"status": "unknown", "message": "本系统未记录定时任务心跳"}
    now = now or utcnow()
    try:
        beat = env.session.scalar(select(func.max(model.beat_at)))
    except SQLAlchemyError:
        env.session.rollback()
        return {"status": "unknown", "message": "定时任务心跳表不可用"}
    if beat is None:
        return {"status": "missing", "message": "尚未收到定时任务进程的心跳"}
    age = (now - beat).total_seconds()
    stale = age > max(60, 3 * env.settings.scheduler_poll_seconds)
    return {"status": "stale" if stale else "ok", "last_beat_at": beat.isoformat(), "age_seconds": round(age, 1),
            "message": "定时任务进程心跳超时" if stale else "定时任务进程运行正常"}
