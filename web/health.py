"""`/healthz` for load balancers and `/metrics` in Prometheus text format. No sign-in: they reveal counts only."""
from __future__ import annotations

from importlib import metadata

from flask import Blueprint, Response, current_app, jsonify

from services import admin_dashboard as figures
from storage.models import utcnow

from . import env

bp = Blueprint("health", __name__)


def app_version() -> str:
    """The installed riskmon version."""
    try:
        return metadata.version("riskmon")
    except metadata.PackageNotFoundError:
        return "unknown"


@bp.get("/healthz")
def healthz():
    """200 while the database answers (scheduler state reported; "starting" in its first minute); 503 otherwise."""
    db_ok, db_message = figures.database_ok(env())
    heartbeat = figures.scheduler_heartbeat(env()) if db_ok else {"status": "unknown", "message": "数据库不可用"}
    status = "ok" if db_ok and heartbeat["status"] in ("ok", "unknown") else "degraded" if db_ok else "fail"
    if status == "degraded" and _just_started():
        status = "starting"
        heartbeat = {**heartbeat, "message": "服务刚刚启动，正在等待定时任务进程的第一次心跳"}
    body = {"status": status, "version": app_version(), "database": {"ok": db_ok, "message": db_message},
            "scheduler": heartbeat}
    return jsonify(body), 200 if db_ok else 503


def _just_started() -> bool:
    """Whether this process started within the time a first heartbeat may take (the stale threshold)."""
    started = current_app.extensions.get("riskmon.started_at")
    grace = max(60, 3 * env().settings.scheduler_poll_seconds)
    return started is not None and (utcnow() - started).total_seconds() < grace


def _metric(lines: list[str], name: str, kind: str, help_text: str, samples) -> None:
    lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    for labels, value in samples:
        label_text = ",".join(f'{k}="{v}"' for k, v in labels.items())
        lines.append(f"{name}{{{label_text}}} {value}" if label_text else f"{name} {value}")


@bp.get("/metrics")
def metrics():
    """Instances by status, open tasks by tier, timer lag, handler errors."""
    e = env()
    lines: list[str] = []
    _metric(lines, "riskmon_instances", "gauge", "流程实例数（按状态）",
            [({"status": s}, n) for s, n in figures.instances_by_status(e).items()])
    _metric(lines, "riskmon_open_tasks", "gauge", "未办结的人工任务数（按层级）",
            [({"tier": t}, n) for t, n in figures.open_tasks_by_tier(e).items()])
    _metric(lines, "riskmon_timer_lag_seconds", "gauge", "最早一个已到期但未触发的定时器延迟秒数",
            [({}, round(figures.timer_lag_seconds(e), 3))])
    _metric(lines, "riskmon_handler_errors_total", "counter", "服务任务处理器出错累计次数",
            [({}, figures.handler_errors_total(e))])
    e.session.rollback()
    return Response("\n".join(lines) + "\n", mimetype="text/plain; version=0.0.4; charset=utf-8")
