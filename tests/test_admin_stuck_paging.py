"""The stuck view is filtered, ordered, paged and counted in SQL, and agrees with the reasons."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from services.admin_dashboard import dashboard
from services.stuck_detection import count_stuck, stuck_instance_ids, stuck_reasons
from storage.models import HumanTask, InstanceStatus, ProcessInstance, User, utcnow
from app_helpers import run


def page(api, query: str) -> dict:
    res = api.get("/admin/instances?status=stuck&" + query, "admin")
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def test_stuck_view_pages_in_sql_oldest_first(app, api):
    ids = [api.get(f"/reports/{api.submit()['id']}", "admin").get_json()["instance"]["id"] for _ in range(6)]
    fresh, stuck = ids[0], ids[1:]
    now = utcnow()

    def make_stuck(env):
        pi = ProcessInstance
        env.session.execute(update(pi).where(pi.id == stuck[0]).values(status=InstanceStatus.ERROR,
                                                                         error_message="处理失败"))
        env.session.execute(update(pi).where(pi.id == stuck[1]).values(status=InstanceStatus.SUSPENDED))
        env.session.execute(update(pi).where(pi.id == stuck[2]).values(next_timer_at=now - timedelta(hours=1)))
        env.session.execute(update(HumanTask).where(HumanTask.instance_id == stuck[3])
                            .values(due_at=now - timedelta(days=1)))
        env.session.execute(update(HumanTask).where(HumanTask.instance_id == stuck[4])
                            .values(candidate_group="inspection_officer"))
        for age, iid in enumerate(ids):  # the last one submitted has been unchanged the longest
            env.session.execute(update(pi).where(pi.id == iid).values(updated_at=now - timedelta(days=age + 1)))
        env.session.commit()
    run(app, make_stuck)

    expected = list(reversed(stuck))
    first, second, third = page(api, "per_page=2"), page(api, "per_page=2&page=2"), page(api, "per_page=2&page=3")
    assert [i["id"] for i in first["items"] + second["items"] + third["items"]] == expected
    assert first["total"] == second["total"] == third["total"] == 5
    assert page(api, "per_page=2&page=4") == {"items": [], "total": 5, "page": 4, "per_page": 2}
    assert all(i["stuck_reasons"] for i in first["items"] + second["items"] + third["items"])
    assert fresh not in [i["id"] for i in page(api, "per_page=100")["items"]]
    assert page(api, "division=610112")["total"] == 0
    assert page(api, "division=610113")["total"] == 5

    def agree(env):
        union_ids = set(env.session.scalars(stuck_instance_ids(env)))
        assert union_ids == set(stuck_reasons(env)) == set(stuck)
        assert count_stuck(env) == dashboard(env).stuck == 5
        assert dashboard(env).nobody_can_work == 1
    run(app, agree)


def test_staffing_a_county_unflags_its_tasks_in_the_sql_view(app, api):
    iid = api.get(f"/reports/{api.submit()['id']}", "admin").get_json()["instance"]["id"]

    def leave(env):
        env.session.execute(update(User).where(User.username == "county.610113").values(active=False))
        env.session.commit()
    run(app, leave)
    assert [i["id"] for i in page(api, "per_page=100")["items"]] == [iid]
    assert run(app, lambda env: dashboard(env).nobody_can_work) == 1

    def back(env):
        env.session.execute(update(User).where(User.username == "county.610113").values(active=True))
        env.session.commit()
    run(app, back)
    assert page(api, "per_page=100")["total"] == 0
    assert run(app, lambda env: (count_stuck(env), dashboard(env).nobody_can_work)) == (0, 0)
