"""The admin console pages (server-rendered) and /healthz, /metrics."""
from __future__ import annotations

import json
import re
from datetime import timedelta, timezone

from sqlalchemy import select

from services.monitoring_points import assign_safety_director, remove_safety_director
from storage.models import SchedulerHeartbeat, User, utcnow
from app_helpers import run

PASSWORD = "Demo#2026"


def director_change(app, add: bool):
    def go(env):
        admin = env.session.scalar(select(User).where(User.username == "admin"))
        director = env.session.scalar(select(User).where(User.username == "director.unit"))
        change = assign_safety_director if add else remove_safety_director
        change(env, admin, director.monitoring_point_id, director.id)
    run(app, go)


def login(client, username="admin") -> str:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    assert client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token}).status_code == 302
    page = client.get("/admin").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def failed_instance(app, api) -> int:
    director_change(app, add=False)
    report = api.submit("reporter.unit")
    return api.get(f"/reports/{report['id']}", "admin").get_json()["instance"]["id"]


def test_dashboard_lists_the_failed_instance_and_counts(app, api):
    iid = failed_instance(app, api)
    client = app.test_client()
    login(client)
    page = client.get("/admin").get_data(as_text=True)
    assert f'href="/admin/instances/{iid}"' in page
    assert "尚未登记安全总监" in page
    assert "出错" in page and "异常流程" in page and "县级处置" in page
    assert "各层级等待最久的待办" in page and "每日服务任务出错次数" in page


def test_instance_page_shows_error_diagram_states_and_retry_works(app, api):
    iid = failed_instance(app, api)
    client = app.test_client()
    token = login(client)
    page = client.get(f"/admin/instances/{iid}").get_data(as_text=True)
    assert '出错环节：通知安全总监 <small class="code">notify_safety_director</small>' in page and "HandlerError" in page
    assert "vendor/bpmn-js/bpmn-navigated-viewer.production.min.js" in page and "js/admin-diagram.js" in page
    raw = re.search(r'<script type="application/json" id="diagram-data">(.*?)</script>', page, re.S).group(1)
    data = json.loads(raw)
    assert data["failed"] == ["notify_safety_director"] and "county_disposal" in data["active"]
    assert "register_report" in data["completed"] and data["xml"].startswith("<?xml")
    assert '<label for="retry_reason">' in page and '<label for="terminate_reason">' in page

    res = client.post(f"/admin/instances/{iid}/retry", data={"csrf_token": token, "reason": "仍未登记"})
    assert res.status_code == 302
    assert "已重试，当前状态：出错" in client.get(res.headers["Location"]).get_data(as_text=True)

    director_change(app, add=True)
    res = client.post(f"/admin/instances/{iid}/retry", data={"csrf_token": token, "reason": "已登记安全总监"},
                      follow_redirects=True)
    page = res.get_data(as_text=True)
    assert "已重试，当前状态：待人工办理" in page and "安全总监确认并安排处置" in page
    assert api.task("director.unit", api.get(f"/admin/instances/{iid}", "admin").get_json()["report_id"],
                    "director_acknowledge")


def test_repair_without_csrf_is_refused(app, api):
    iid = failed_instance(app, api)
    client = app.test_client()
    login(client)
    assert client.post(f"/admin/instances/{iid}/suspend", data={"reason": "x"}).status_code == 400
    assert api.get(f"/admin/instances/{iid}", "admin").get_json()["status"] == "error"


def test_terminate_page_requires_reason_and_shows_on_report(app, api):
    report = api.submit()
    iid = api.get(f"/reports/{report['id']}", "admin").get_json()["instance"]["id"]
    client = app.test_client()
    token = login(client)
    page = client.post(f"/admin/instances/{iid}/terminate", data={"csrf_token": token, "reason": " "},
                       follow_redirects=True).get_data(as_text=True)
    assert "请填写操作原因" in page
    page = client.post(f"/admin/instances/{iid}/terminate", data={"csrf_token": token, "reason": "误报，报送人撤回"},
                       follow_redirects=True).get_data(as_text=True)
    assert "已终止" in page
    timeline = api.get(f"/reports/{report['id']}", "reporter.agency").get_json()["timeline"]
    assert "误报，报送人撤回" in timeline[-1]["message"]


def test_skip_with_bad_json_is_explained(app, api):
    iid = failed_instance(app, api)
    client = app.test_client()
    token = login(client)
    page = client.post(f"/admin/instances/{iid}/skip", data={"csrf_token": token, "data": "[1,", "reason": "x"},
                       follow_redirects=True).get_data(as_text=True)
    assert "数据必须是合法的 JSON 对象" in page


def test_stuck_and_audit_pages(app, api):
    iid = failed_instance(app, api)
    client = app.test_client()
    token = login(client)
    page = client.get("/admin/stuck").get_data(as_text=True)
    assert f"实例 {iid}" in page and "企业监测点“西安曲江某商业综合体管理有限公司”未登记安全总监" in page
    client.post(f"/admin/instances/{iid}/suspend", data={"csrf_token": token, "reason": "排查中"})
    client.post(f"/admin/instances/{iid}/resume", data={"csrf_token": token, "reason": "排查完毕"})
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "排查中" in page and "排查完毕" in page and "系统管理员" in page
    page = client.get("/admin/audit?kind=admin_resume").get_data(as_text=True)
    assert "排查完毕" in page and "排查中" not in page
    page = client.get("/admin/audit?actor=nobody").get_data(as_text=True)
    assert "暂无记录" in page
    today = utcnow().astimezone(timezone(timedelta(hours=8))).date()
    page = client.get(f"/admin/audit?from={today}&to={today}&instance_id={iid}").get_data(as_text=True)
    assert "排查完毕" in page
    page = client.get(f"/admin/audit?to={today - timedelta(days=1)}").get_data(as_text=True)
    assert "排查完毕" not in page and "暂无记录" in page


def test_dashboard_counts_errors_per_day(app, api):
    failed_instance(app, api)
    from services.admin_dashboard import dashboard
    d = run(app, dashboard)
    assert d.errors_per_day[-1][1] == 1 and sum(n for _, n in d.errors_per_day) == 1
    assert ("error", "出错", 1) in d.by_status and d.stuck == 1
    assert [(t, len(rows)) for t, rows in d.oldest_by_tier] == [("使用单位", 0), ("县级", 1), ("市级", 0), ("省级", 0)]


def test_bulk_retry_page(app, api):
    first, second = failed_instance(app, api), None
    report = api.submit("reporter.unit")
    second = api.get(f"/reports/{report['id']}", "admin").get_json()["instance"]["id"]
    client = app.test_client()
    token = login(client)
    page = client.get("/admin/instances?status=error").get_data(as_text=True)
    assert f'name="ids" value="{first}"' in page and f'name="ids" value="{second}"' in page
    director_change(app, add=True)
    page = client.post("/admin/instances/bulk-retry", data={"csrf_token": token, "ids": [str(first), str(second)],
                                                            "reason": "批量修复"}, follow_redirects=True)
    assert "批量重试完成：2 个恢复运行，0 个未恢复" in page.get_data(as_text=True)


def test_healthz_reports_database_scheduler_and_version(app, client):
    res = client.get("/healthz")
    assert res.status_code == 200
    body = res.get_json()
    assert body["database"]["ok"] is True and body["version"] == "0.1.0"
    assert body["scheduler"]["status"] == "missing" and body["status"] == "starting"  # its first seconds
    app.extensions["riskmon.started_at"] = utcnow() - timedelta(minutes=5)
    body = client.get("/healthz").get_json()
    assert body["scheduler"]["status"] == "missing" and body["status"] == "degraded"

    def beat(env, at):
        env.session.merge(SchedulerHeartbeat(name="test", host="localhost", pid=1, started_at=at, beat_at=at))
        env.session.commit()
    run(app, lambda env: beat(env, utcnow() - timedelta(minutes=10)))
    assert client.get("/healthz").get_json()["scheduler"]["status"] == "stale"
    run(app, lambda env: beat(env, utcnow()))
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["scheduler"]["status"] == "ok"


def test_metrics_in_prometheus_text_format(app, api):
    failed_instance(app, api)
    api.submit()
    res = api.client.get("/metrics")
    assert res.status_code == 200 and res.mimetype == "text/plain"
    text = res.get_data(as_text=True)
    samples = dict(line.rsplit(" ", 1) for line in text.splitlines() if not line.startswith("#"))
    assert samples['riskmon_instances{status="error"}'] == "1"
    assert samples['riskmon_instances{status="user_input_required"}'] == "1"
    assert samples['riskmon_open_tasks{tier="county"}'] == "2"
    assert samples["riskmon_handler_errors_total"] == "1"
    assert float(samples["riskmon_timer_lag_seconds"]) == 0.0
    assert "# TYPE riskmon_handler_errors_total counter" in text
