"""The stuck view: each kind of stuck instance is flagged with its reason, and unflagged once fixed."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from services.demo import create_user
from services.monitoring_points import remove_safety_director
from services.timers import fire_due_timers
from storage.models import HumanTask, InstanceStatus, ProcessInstance, TaskState, User, utcnow
from app_helpers import run

DIRECTOR = {"handling_arrangement": "停梯检修", "responsible_person": "张三", "handling_deadline": "2026-12-01"}


def stuck(api) -> dict[int, list[str]]:
    res = api.get("/admin/instances?status=stuck&per_page=100", "admin")
    assert res.status_code == 200, res.get_json()
    return {i["id"]: i["stuck_reasons"] for i in res.get_json()["items"]}


def instance_id(api, report_id) -> int:
    return api.get(f"/reports/{report_id}", "admin").get_json()["instance"]["id"]


def set_instance(app, iid, **values):
    def go(env):
        env.session.execute(update(ProcessInstance).where(ProcessInstance.id == iid).values(**values))
        env.session.commit()
    run(app, go)


def test_fresh_instance_is_not_stuck(api):
    iid = instance_id(api, api.submit()["id"])
    assert iid not in stuck(api)
    listed = api.get("/admin/instances?status=user_input_required", "admin").get_json()["items"]
    assert listed[0]["id"] == iid and listed[0]["stuck_reasons"] == []


def test_timer_overdue_when_scheduler_stopped(app, api):
    iid = instance_id(api, api.submit()["id"])
    timer = run(app, lambda env: env.session.get(ProcessInstance, iid).next_timer_at)
    assert timer is not None and timer > utcnow() + timedelta(days=2)  # the 3-day reminder

    poll = app.extensions["riskmon.settings"].scheduler_poll_seconds
    set_instance(app, iid, next_timer_at=utcnow() - timedelta(seconds=poll))
    assert iid not in stuck(api), "within two poll intervals the scheduler may simply not have run yet"

    set_instance(app, iid, next_timer_at=utcnow() - timedelta(minutes=10))  # scheduler down for 10 minutes
    reasons = stuck(api)[iid]
    assert len(reasons) == 1 and reasons[0].startswith("定时器已到期但未触发")
    assert "定时任务进程可能已停止或出错" in reasons[0]
    metrics = api.client.get("/metrics").get_data(as_text=True)
    lag = next(float(line.split()[-1]) for line in metrics.splitlines()
               if line.startswith("riskmon_timer_lag_seconds"))
    assert lag >= 600

    run(app, fire_due_timers)  # the scheduler comes back: nothing was really due, next_timer_at is recomputed
    assert iid not in stuck(api)
    assert run(app, lambda env: env.session.get(ProcessInstance, iid).next_timer_at) == timer


def test_task_with_nobody_in_that_county_is_flagged_until_someone_is_added(app, api):
    def deactivate(env):
        env.session.execute(update(User).where(User.username == "county.610113").values(active=False))
        env.session.commit()
    run(app, deactivate)
    iid = instance_id(api, api.submit()["id"])
    assert stuck(api)[iid] == ["待办“县级处置”无人可办：雁塔区（610113）没有在岗的县级监管人员"]

    def hire(env):
        create_user(env.session, "county3.610113", "雁塔区局新任监管员", ["county_officer"], "610113")
        env.session.commit()
    run(app, hire)
    assert iid not in stuck(api)
    assert api.task("county3.610113", api.get(f"/admin/instances/{iid}", "admin").get_json()["report_id"],
                    "county_disposal")


def test_officer_of_another_county_does_not_count(app, api):
    def move(env):
        env.session.execute(update(User).where(User.username == "county.610113").values(division_code="610112"))
        env.session.commit()
    run(app, move)
    iid = instance_id(api, api.submit()["id"])
    assert "无人可办" in stuck(api)[iid][0]


def test_director_task_without_registered_director_and_enterprise_point_flagged(app, api):
    report = api.submit("reporter.unit")
    iid = instance_id(api, report["id"])
    assert api.task("director.unit", report["id"], "director_acknowledge")
    assert iid not in stuck(api)

    def remove(env):
        admin = env.session.scalar(select(User).where(User.username == "admin"))
        director = env.session.scalar(select(User).where(User.username == "director.unit"))
        remove_safety_director(env, admin, director.monitoring_point_id, director.id)
    run(app, remove)
    reasons = stuck(api)[iid]
    assert "待办“安全总监确认并安排处置”无人可办：该单位没有登记在岗的安全总监／质量安全总监" in reasons
    assert "企业监测点“西安曲江某商业综合体管理有限公司”未登记安全总监" in reasons


def test_error_suspended_and_overdue_task_reasons(app, api):
    first = instance_id(api, api.submit()["id"])
    api.post(f"/admin/instances/{first}/suspend", "admin", json={"reason": "核查"})
    assert stuck(api)[first][0].startswith("已被管理员挂起")

    second = instance_id(api, api.submit()["id"])

    def overdue(env):
        env.session.execute(update(HumanTask).where(HumanTask.instance_id == second)
                            .values(due_at=utcnow() - timedelta(days=1)))
        env.session.commit()
    run(app, overdue)
    assert stuck(api)[second][0].startswith("待办“县级处置”已超过办理期限")

    def remove(env):
        admin = env.session.scalar(select(User).where(User.username == "admin"))
        director = env.session.scalar(select(User).where(User.username == "director.unit"))
        remove_safety_director(env, admin, director.monitoring_point_id, director.id)
    run(app, remove)
    third = instance_id(api, api.submit("reporter.unit")["id"])
    reasons = stuck(api)[third]
    assert reasons[0].startswith("服务任务出错：“通知安全总监”（notify_safety_director）")
    assert "监测点“西安曲江某商业综合体管理有限公司”尚未登记安全总监" in reasons[0]


def test_running_with_nothing_to_wait_for(app, api):
    iid = instance_id(api, api.submit()["id"])

    def strand(env):
        # What a lost task row or a diagram without a way forward leaves behind.
        env.session.execute(update(HumanTask).where(HumanTask.instance_id == iid).values(state=TaskState.CANCELLED))
        env.session.execute(update(ProcessInstance).where(ProcessInstance.id == iid)
                            .values(status=InstanceStatus.RUNNING, next_timer_at=None))
        env.session.commit()
    run(app, strand)
    assert stuck(api)[iid] == ["流程处于运行状态，但既没有待办任务也没有定时器，无法继续（可回退到之前的任务）"]


def test_stuck_view_pages_and_filters(app, api):
    first = instance_id(api, api.submit()["id"])
    second = instance_id(api, api.submit("reporter.agency112")["id"])
    instance_id(api, api.submit()["id"])  # healthy
    for iid in (second, first):  # `first` was touched last: it comes second (longest unchanged first)
        api.post(f"/admin/instances/{iid}/suspend", "admin", json={"reason": "核查"})
    pages = [api.get(f"/admin/instances?status=stuck&per_page=1&page={n}", "admin").get_json() for n in (1, 2, 3)]
    assert [p["total"] for p in pages] == [2, 2, 2]
    assert [[i["id"] for i in p["items"]] for p in pages] == [[second], [first], []]
    only = api.get("/admin/instances?status=stuck&division=610112", "admin").get_json()
    assert only["total"] == 1 and only["items"][0]["id"] == second
