"""Stuck detection as a scheduler job: admins are told once per (instance, reason)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from services.stuck_alerts import ALERT_EVENT, alert_stuck_instances
from storage.models import (
    HumanTask, InstanceEvent, InstanceStatus, Notification, ProcessInstance, Role, TaskState, utcnow,
)
from storage.repositories import users_with_role
from web.scheduling import build_scheduler


def instance_of(env, report_id: int) -> ProcessInstance:
    return env.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == report_id))


def stuck_notices(env, instance_id: int) -> list[Notification]:
    return list(env.session.scalars(select(Notification).where(
        Notification.kind == "stuck", Notification.link == f"/admin/instances/{instance_id}")))


def alerted_reasons(env, instance_id: int) -> list[str]:
    rows = env.session.scalars(select(InstanceEvent.data).where(
        InstanceEvent.kind == ALERT_EVENT, InstanceEvent.instance_id == instance_id).order_by(InstanceEvent.id))
    return [data["reason"] for data in rows]


def make_overdue(env, report_id: int) -> None:
    task = env.session.scalar(select(HumanTask).where(HumanTask.report_id == report_id,
                                                      HumanTask.state == TaskState.OPEN))
    task.due_at = utcnow() - timedelta(hours=3)
    env.session.commit()


def test_alert_once_per_instance_and_reason_and_again_for_a_new_reason(api, env):
    report = api.submit()
    instance = instance_of(env, report["id"])
    make_overdue(env, report["id"])

    assert alert_stuck_instances(env) >= 1
    admins = {u.id for u in users_with_role(env.session, Role.ADMIN.value)}
    notes = stuck_notices(env, instance.id)
    assert admins and {n.user_id for n in notes} == admins and len(notes) == len(admins)
    assert "县级处置" in notes[0].body and "已超过办理期限" in notes[0].body
    assert notes[0].title == f"流程实例 #{instance.id} 卡住了"
    assert alerted_reasons(env, instance.id) == ["overdue_tasks"]

    assert alert_stuck_instances(env) == 0  # the next run remembers
    assert len(stuck_notices(env, instance.id)) == len(admins)

    instance = instance_of(env, report["id"])
    instance.next_timer_at = utcnow() - timedelta(hours=1)  # the scheduler missed a timer: a new reason
    env.session.commit()
    assert alert_stuck_instances(env) == 1
    notes = stuck_notices(env, instance.id)
    assert len(notes) == 2 * len(admins)
    assert any("定时器已到期但未触发" in n.body for n in notes)
    assert alerted_reasons(env, instance.id) == ["overdue_tasks", "timer_not_fired"]
    assert alert_stuck_instances(env) == 0


def test_healthy_and_suspended_instances_raise_no_alert(api, env):
    healthy = api.submit()
    assert alert_stuck_instances(env) == 0
    assert stuck_notices(env, instance_of(env, healthy["id"]).id) == []
    instance = instance_of(env, healthy["id"])
    instance.status = InstanceStatus.SUSPENDED  # an admin did this on purpose
    env.session.commit()
    assert alert_stuck_instances(env) == 0
    assert env.session.scalar(select(func.count()).select_from(Notification)
                              .where(Notification.kind == "stuck")) == 0


def test_stuck_alerts_do_not_show_on_the_report_timeline(api, env):
    report = api.submit()
    make_overdue(env, report["id"])
    alert_stuck_instances(env)
    timeline = api.get(f"/reports/{report['id']}", "reporter.agency").get_json()
    assert timeline["timeline"] and "已提醒管理员" not in str(timeline)
    assert alerted_reasons(env, instance_of(env, report["id"]).id) == ["overdue_tasks"]


def test_the_scheduler_runs_the_stuck_alerts_every_five_minutes(app):
    jobs = {job.id: job for job in build_scheduler(app).get_jobs()}
    job = jobs["detect_stuck_instances"]
    assert job.func.__name__ == "alert_stuck_instances"
    assert job.trigger.interval == timedelta(seconds=300)
