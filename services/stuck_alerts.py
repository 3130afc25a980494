"""Tell admins when an instance gets stuck: one in-app notice per (instance, reason), never repeated.

Scheduler job. The reasons are the admin console's stuck rules (services/stuck_detection.py); what was
already alerted is remembered as an `InstanceEvent` of kind `stuck_alerted` carrying the rule's code, so
the next run (or a second scheduler started by mistake) does not notify again.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text

from storage.database import begin_write
from storage.models import InstanceEvent, ProcessInstance, Role, utcnow
from storage.repositories import add_event, add_notification, users_with_role

from .context import Env
from .stuck_detection import RULES

ALERT_EVENT = "stuck_alerted"
# An admin suspended the instance on purpose: telling admins about it would be noise.
NOT_ALERTED = frozenset({"suspended"})
LOCK_KEY = 7_406_001  # PostgreSQL advisory lock: one alerting run at a time
CHUNK = 500


def stuck_findings(env: Env, now: datetime) -> dict[tuple[int, str], str]:
    """(instance id, reason code) → the reason in Chinese, for every stuck instance right now."""
    findings: dict[tuple[int, str], str] = {}
    for rule in RULES:
        code = rule.__name__.lstrip("_")
        if code in NOT_ALERTED:
            continue
        for instance_id, reason in rule(env, now, None):
            findings.setdefault((instance_id, code), reason)
    return findings


def alert_stuck_instances(env: Env, now: datetime | None = None) -> int:
    """Notify every admin of each new (instance, reason); returns how many reasons were alerted."""
    findings = stuck_findings(env, now or utcnow())
    if not findings:
        env.session.rollback()  # end the read-only transaction
        return 0
    begin_write(env.session)
    if not _only_run(env):
        env.session.rollback()
        return 0
    done = _already_alerted(env, sorted({instance_id for instance_id, _ in findings}))
    new = {key: reason for key, reason in sorted(findings.items()) if key not in done}
    if new:
        _notify(env, new)
    env.session.commit()
    return len(new)


def _only_run(env: Env) -> bool:
    # SQLite: begin_write already holds the database's write lock.
    if env.session.get_bind().dialect.name != "postgresql":
        return True
    return bool(env.session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": LOCK_KEY}))


def _already_alerted(env: Env, instance_ids: list[int]) -> set[tuple[int, str]]:
    done = set()
    for start in range(0, len(instance_ids), CHUNK):
        stmt = select(InstanceEvent.instance_id, InstanceEvent.data).where(
            InstanceEvent.kind == ALERT_EVENT, InstanceEvent.instance_id.in_(instance_ids[start:start + CHUNK]))
        done |= {(instance_id, (data or {}).get("reason")) for instance_id, data in env.session.execute(stmt)}
    return done


def _notify(env: Env, new: dict[tuple[int, str], str]) -> None:
    admins = users_with_role(env.session, Role.ADMIN.value)
    ids = sorted({instance_id for instance_id, _ in new})
    reports: dict[int, int | None] = {}
    for start in range(0, len(ids), CHUNK):
        reports.update(env.session.execute(select(ProcessInstance.id, ProcessInstance.report_id)
                                           .where(ProcessInstance.id.in_(ids[start:start + CHUNK]))).all())
    for (instance_id, code), reason in new.items():
        title = f"流程实例 #{instance_id} 卡住了"
        for admin in admins:
            add_notification(env.session, admin.id, "stuck", title, reason, report_id=reports.get(instance_id),
                             link=f"/admin/instances/{instance_id}")
        # report_id stays empty: the alert belongs to the admin audit trail, not the reporter's timeline.
        add_event(env.session, ALERT_EVENT, f"已提醒管理员：{reason}", instance_id=instance_id,
                  data={"reason": code, "admins": len(admins)})
