"""The admin console's SQL on PostgreSQL: stuck detection, the realistic repair with row locks, metrics."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from conftest import Api
from services.monitoring_points import assign_safety_director, remove_safety_director
from storage.models import ProcessInstance, User, utcnow
from app_helpers import run

pytestmark = pytest.mark.postgres


def director(app, add: bool):
    def go(env):
        admin = env.session.scalar(select(User).where(User.username == "admin"))
        person = env.session.scalar(select(User).where(User.username == "director.unit"))
        (assign_safety_director if add else remove_safety_director)(env, admin, person.monitoring_point_id, person.id)
    run(app, go)


def test_repair_stuck_view_audit_and_metrics_on_postgres(pg_app):
    api = Api(pg_app.test_client())
    director(pg_app, add=False)
    report = api.submit("reporter.unit")
    iid = api.get(f"/reports/{report['id']}", "admin").get_json()["instance"]["id"]
    other = api.get(f"/reports/{api.submit()['id']}", "admin").get_json()["instance"]["id"]

    def overdue_timer(env):
        env.session.execute(update(ProcessInstance).where(ProcessInstance.id == other)
                            .values(next_timer_at=utcnow() - timedelta(minutes=5)))
        env.session.commit()
    run(pg_app, overdue_timer)
    stuck = {i["id"]: i["stuck_reasons"] for i in
             api.get("/admin/instances?status=stuck", "admin").get_json()["items"]}
    assert stuck[iid][0].startswith("服务任务出错") and "企业监测点" in stuck[iid][1]
    assert stuck[other][0].startswith("定时器已到期但未触发")

    director(pg_app, add=True)
    res = api.post(f"/admin/instances/{iid}/retry", "admin", json={"reason": "已登记"})
    assert res.status_code == 200 and res.get_json()["status"] == "user_input_required"
    assert api.task("director.unit", report["id"], "director_acknowledge")
    assert [e["kind"] for e in api.get("/admin/audit", "admin").get_json()["items"]] == ["admin_retry"]

    text = api.client.get("/metrics").get_data(as_text=True)
    assert 'riskmon_instances{status="error"} 0' in text and "riskmon_handler_errors_total 1" in text
    assert api.client.get("/healthz").get_json()["database"]["ok"] is True
