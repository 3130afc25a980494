"""Officers' and safety directors' pages: the inbox (/tasks) and the task page with its form."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from services import reports as report_service
from services import saved_filters
from services import tasks as task_service
from services.directory import divisions_in_jurisdiction, equipment_categories, user_names
from services.errors import Invalid, ServiceError
from services.list_exports import export_inbox
from services.task_forms import task_form
from services.inbox import (
    SORT_LABELS, STATUSES, InboxFilter, next_steps, search_tasks, suspended_instances, urgency,
)
from storage.models import KIND_LABELS, ReportStatus, TaskState, utcnow
from web import env
from web.downloads import XLSX, download, wants_xlsx

from .assessment import assessment_extras
from .office_pages import office_extras
from .common import date_arg, page_arg, safe_next
from .reports_pages import report_extras
from .session_auth import current_user, login_required

bp = Blueprint("task_pages", __name__)
WORKERS = ("safety_director", "county_officer", "city_officer", "province_officer", "center_expert",
           "inspection_officer", "reporter")  # a reporter sees only a task the diagram gives them (补充材料)
PER_PAGE = 20


def _inbox_filter() -> InboxFilter:
    args = request.args
    return InboxFilter(status=args.get("status") if args.get("status") in STATUSES else "open",
                       kind=args.get("kind") if args.get("kind") in {k.value for k in KIND_LABELS} else None,
                       category=args.get("category") or None, division=args.get("division") or None,
                       date_from=date_arg("from"), date_to=date_arg("to"), q=(args.get("q") or "").strip() or None,
                       sort=args.get("sort") if args.get("sort") in SORT_LABELS else "due")


@bp.get("/tasks")
@login_required(*WORKERS)
def inbox():
    """Tasks the person may work, filtered, sorted and paged."""
    user, filters = current_user(), _inbox_filter()
    if wants_xlsx():
        content, name = export_inbox(env(), user, filters)
        return download(content, XLSX, name)
    result = search_tasks(env(), user, filters, page_arg(), PER_PAGE)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("tasks/inbox.html", result=result, f=filters, args=args, statuses=STATUSES,
                           sorts=SORT_LABELS, kinds=KIND_LABELS, categories=equipment_categories(env()),
                           divisions=divisions_in_jurisdiction(env(), user),
                           saved=saved_filters.list_filters(env(), user))


def _render_task(task_id: str, values: dict | None = None, errors: dict | None = None, error: str | None = None,
                 status: int = 200):
    user = current_user()
    task = task_service.get_task(env(), user, task_id)
    report = report_service.get_report(env(), user, task.report_id)
    names = user_names(env(), [task.claimed_by_id, task.completed_by_id])
    is_open = task.state == TaskState.OPEN
    suspended = is_open and bool(suspended_instances(env(), [task.instance_id]))
    due = urgency(task, utcnow(), env().settings.reminder_lead_hours)
    page = render_template("tasks/task.html", task=task, form=task_form(env(), task), report=report, values=values or {}, errors=errors or {},
                           error=error, names=names, urgency=due, is_open=is_open,
                           suspended=suspended, **report_extras(report),
                           **assessment_extras(task, report), **office_extras(task, report))
    return page, status


@bp.get("/tasks/<task_id>")
@login_required(*WORKERS)
def show_task(task_id: str):
    """The report, attachments, timeline, diagram, comments and the task's form."""
    return _render_task(task_id)


@bp.post("/tasks/<task_id>/complete")
@login_required(*WORKERS)
def complete(task_id: str):
    """Complete the task with the form data (validated again by the service) and say where it went."""
    user = current_user()
    task = task_service.get_task(env(), user, task_id)
    if task.state != TaskState.OPEN:
        flash(f"“{task.name}”已办理或已失效，请刷新待办列表", "error")
        return redirect(url_for("task_pages.inbox"))
    fields = task_form(env(), task).get("fields", [])
    data = {f["id"]: request.form.get(f["id"], "") for f in fields}
    try:
        task = task_service.complete_task(env(), user, task_id, data)
    except Invalid as exc:
        env().session.rollback()  # end the failed unit of work (it may hold SQLite's write lock)
        errors = {d["field"]: d["message"] for d in (exc.details or []) if isinstance(d, dict) and "field" in d}
        return _render_task(task_id, data, errors, exc.message, 422)
    except ServiceError as exc:
        env().session.rollback()  # end the failed unit of work (it may hold SQLite's write lock)
        if exc.status != 409:
            raise
        flash(exc.message, "error")
        return redirect(url_for("task_pages.inbox"))
    flash(f"已办理“{task.name}”。{_where_next(task)}", "success")
    return redirect(url_for("task_pages.inbox"))


AFTER_LAST_STEP = {ReportStatus.CLOSED: "该报送信息已办结，处置流程到此结束。",
                   ReportStatus.TERMINATED: "该报送信息已终止处理，处置流程到此结束。"}


def _where_next(task) -> str:
    """Where the report went: the open tasks, or plainly that the report is closed."""
    steps = next_steps(env(), task)
    if steps:
        return "已转至：" + "；".join(steps)
    report = report_service.get_report(env(), current_user(), task.report_id)
    return AFTER_LAST_STEP.get(report.status, "该环节已完成，下一步由系统自动处理，完成后会通知相关人员。")


@bp.post("/tasks/<task_id>/claim")
@login_required(*WORKERS)
def claim(task_id: str):
    """Take the task."""
    return _claim_action(task_id, task_service.claim, "已认领该任务")


@bp.post("/tasks/<task_id>/unclaim")
@login_required(*WORKERS)
def unclaim(task_id: str):
    """Give the task back to the group."""
    return _claim_action(task_id, task_service.unclaim, "已释放该任务")


def _claim_action(task_id: str, action, message: str):
    try:
        action(env(), current_user(), task_id)
        flash(message, "success")
    except ServiceError as exc:
        env().session.rollback()  # end the failed unit of work (it may hold SQLite's write lock)
        if exc.status in (403, 404):
            raise
        flash(exc.message, "error")
    return redirect(safe_next(url_for("task_pages.inbox")))
