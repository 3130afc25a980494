"""The admin console pages: dashboard, instance list and stuck view, instance detail with repairs, audit log."""
from __future__ import annotations

import json
from datetime import datetime, time, timedelta, timezone

from flask import Blueprint, flash, redirect, render_template, request, url_for

from services import admin_actions as actions
from services import admin_dashboard, admin_labels, admin_queries as queries, calendar_admin
from services.errors import Invalid, ServiceError
from storage.models import INSTANCE_STATUS_LABELS, ROLE_LABELS, InstanceStatus, Role
from web import env
from web.input_guards import parse_id

from .common import date_arg, page_arg
from .session_auth import current_user, login_required

bp = Blueprint("admin_pages", __name__, url_prefix="/admin")
PER_PAGE = 30
CHINA = timezone(timedelta(hours=8))


def _int_arg(name: str) -> int | None:
    return parse_id(request.args.get(name))


@bp.get("")
@login_required("admin")
def dashboard():
    """Counts by status and element, oldest waiting tasks per tier, errors per day, failed instances."""
    return render_template("admin/dashboard.html", d=admin_dashboard.dashboard(env()),
                           database=admin_dashboard.database_ok(env()),
                           calendar_warning=calendar_admin.next_year_warning(env()),
                           heartbeat=admin_dashboard.scheduler_heartbeat(env()))


def _instance_filter(status: str | None) -> queries.InstanceFilter:
    return queries.InstanceFilter(status=status, element=request.args.get("element") or None,
                                  version_id=_int_arg("version"), division=request.args.get("division") or None,
                                  min_age_days=_int_arg("min_age_days"))


def _render_list(filters: queries.InstanceFilter, stuck_view: bool):
    page = page_arg()
    try:
        rows, total = queries.list_instances(env(), current_user(), filters, page, PER_PAGE)
    except Invalid as exc:
        flash(exc.message, "error")
        rows, total = [], 0
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/instances.html", rows=rows, total=total, page=page,
                           pages=max(1, -(-total // PER_PAGE)), args=args, f=filters, stuck_view=stuck_view,
                           statuses=INSTANCE_STATUS_LABELS, choices=admin_labels.filter_choices(env()))


@bp.get("/instances")
@login_required("admin")
def instances():
    """All instances with filters (status, element, version, division, age)."""
    return _render_list(_instance_filter(request.args.get("status") or None), stuck_view=False)


@bp.get("/stuck")
@login_required("admin")
def stuck():
    """Instances that cannot move on by themselves, each with the reason in plain words."""
    return _render_list(_instance_filter("stuck"), stuck_view=True)


@bp.get("/instances/<int:instance_id>")
@login_required("admin")
def instance(instance_id: int):
    """The diagram with completed/active/failed elements, error, tasks, timers, data, events."""
    d = queries.instance_detail(env(), current_user(), instance_id)
    states = {"completed": d.states.completed, "active": d.states.active, "failed": d.states.failed}
    return render_template("admin/instance.html", d=d, states=states, statuses=INSTANCE_STATUS_LABELS,
                           roles={r.value: label for r, label in ROLE_LABELS.items()},
                           kind_label=admin_labels.event_kind_label,
                           ended=d.instance.status in (InstanceStatus.COMPLETED, InstanceStatus.TERMINATED))


def _json_field(name: str) -> dict:
    raw = (request.form.get(name) or "").strip() or "{}"
    try:
        value = json.loads(raw)
    except ValueError:
        raise Invalid("数据必须是合法的 JSON 对象，例如 {\"字段\": \"值\"}") from None
    if not isinstance(value, dict):
        raise Invalid("数据必须是 JSON 对象（以 { 开头）")
    return value


def _reason() -> str:
    return request.form.get("reason", "")


REPAIRS = {
    "retry": (lambda e, u, i: actions.retry_instance(e, u, i, request.form.get("element_id") or None, _reason()),
              "已重试"),
    "skip": (lambda e, u, i: actions.skip_task(e, u, i, _json_field("data"), request.form.get("element_id") or None,
                                               _reason()), "已跳过出错任务"),
    "suspend": (lambda e, u, i: actions.suspend_instance(e, u, i, _reason()), "已挂起"),
    "resume": (lambda e, u, i: actions.resume_instance(e, u, i, _reason()), "已恢复"),
    "terminate": (lambda e, u, i: actions.terminate_instance(e, u, i, _reason()), "已终止"),
    "reset": (lambda e, u, i: actions.reset_instance(e, u, i, request.form.get("element_id", ""), _reason()),
              "已回退"),
    "data": (lambda e, u, i: actions.edit_task_data(e, u, i, request.form.get("task_id", ""), _json_field("changes"),
                                                    _reason()), "任务数据已修改"),
}


@bp.post("/instances/<int:instance_id>/<action>")
@login_required("admin")
def repair(instance_id: int, action: str):
    """One repair from the detail page; the outcome is flashed and logged in the audit trail."""
    if action not in REPAIRS:
        flash("不支持的操作", "error")
        return redirect(url_for(".instance", instance_id=instance_id))
    run, done = REPAIRS[action]
    try:
        result = run(env(), current_user(), instance_id)
    except ServiceError as exc:
        env().session.rollback()
        flash(exc.message, "error")
    else:
        still = f"，当前状态：{INSTANCE_STATUS_LABELS[result.status]}"
        flash(done + still + (f"（{result.error_message}）" if result.error_message else ""),
              "error" if result.status == InstanceStatus.ERROR else "success")
    return redirect(url_for(".instance", instance_id=instance_id))


@bp.post("/instances/bulk-retry")
@login_required("admin")
def bulk_retry():
    """Retry the selected instances."""
    ids = [i for i in map(parse_id, request.form.getlist("ids")) if i is not None]
    if not ids:
        flash("请先勾选要重试的实例", "error")
        return redirect(request.referrer or url_for(".instances", status="error"))
    results = actions.bulk_retry(env(), current_user(), ids, _reason())
    ok = sum(1 for r in results if r["ok"])
    flash(f"批量重试完成：{ok} 个恢复运行，{len(results) - ok} 个未恢复", "success" if ok == len(results) else "error")
    for r in results:
        if not r["ok"]:
            flash(f"实例 {r['id']}：{r['message']}", "error")
    return redirect(url_for(".instances", status="error"))


@bp.post("/tasks/<task_id>/<action>")
@login_required("admin")
def task_action(task_id: str, action: str):
    """Reassign a task to another eligible person, or force-release it back to the group."""
    user_id = request.form.get("user_id", "")
    target = parse_id(user_id) if action == "reassign" else None
    back = parse_id(request.form.get("instance_id"))
    try:
        if action not in ("reassign", "release") or (action == "reassign" and target is None):
            raise Invalid("请选择转交给谁")
        actions.reassign_task(env(), current_user(), task_id, target, _reason())
        flash("已转交任务" if target else "已强制释放任务", "success")
    except ServiceError as exc:
        env().session.rollback()
        flash(exc.message, "error")
    return redirect(url_for(".instance", instance_id=back) if back else url_for(".dashboard"))


def _day_start(value, days: int = 0):
    if value is None:
        return None
    return datetime.combine(value + timedelta(days=days), time(), CHINA).astimezone(timezone.utc)


@bp.get("/audit")
@login_required("admin")
def audit():
    """Every admin repair: who, when, what, why — with filters."""
    page, day_from, day_to = page_arg(), date_arg("from"), date_arg("to")
    filters = queries.AuditFilter(kind=request.args.get("kind") or None, actor=request.args.get("actor") or None,
                                  instance_id=_int_arg("instance_id"), date_from=_day_start(day_from),
                                  date_to=_day_start(day_to, 1))
    rows, total = queries.audit_log(env(), current_user(), filters, page, PER_PAGE)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    details = admin_labels.audit_details(env(), [event for event, _ in rows])
    return render_template("admin/audit.html", rows=rows, total=total, page=page, args=args, details=details,
                           pages=max(1, -(-total // PER_PAGE)), kinds=queries.AUDIT_KIND_LABELS,
                           f=request.args, day_from=day_from, day_to=day_to, roles=Role)
