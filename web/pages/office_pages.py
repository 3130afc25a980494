"""Officers' working tools as pages: 督办 list and action, 转办, 延期 requests and their approval, saved filters."""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from sqlalchemy import select

from services import extensions, saved_filters, supervision
from services.directory import division_names, divisions_in_jurisdiction, user_names
from services.errors import Invalid, ServiceError
from services.parties import reporter_identity, reporting_unit
from services.supervised import SupervisedFilter, export_supervised, list_supervised
from storage.models import EXTENSION_STATE_LABELS, ExtensionState, TaskExtension, TaskState
from web import env

from .common import page_arg, safe_next
from .session_auth import current_user, login_required

bp = Blueprint("office_pages", __name__)
SUPERVISORS = ("county_officer", "city_officer", "province_officer")
PER_PAGE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ELEMENTS = {"director_acknowledge": "安全总监确认", "county_disposal": "县级处置", "city_assessment": "市级研判",
            "inspection_consultation": "综合检验机构意见", "local_rectification": "属地整改落实"}


def office_extras(task, report) -> dict:
    """What the task page adds for the office tools: parties, transfer targets, extension state."""
    user = current_user()
    is_open = task.state == TaskState.OPEN
    rows = list(env().session.scalars(select(TaskExtension).where(TaskExtension.task_id == task.id)
                                      .order_by(TaskExtension.id)))
    return {"unit": reporting_unit(env(), report), "reporter": reporter_identity(env(), user, report),
            "transfer_targets": supervision.transfer_targets(env(), user, task) if is_open else [],
            "can_extend": is_open and user.has_role("county_officer", "city_officer")
            and supervision.task_tier(task) is not None and task.candidate_group != "safety_director",
            "extensions_of_task": rows, "extension_labels": EXTENSION_STATE_LABELS,
            "extension_pending": any(x.extension_state == ExtensionState.PENDING for x in rows)}


def _confirmed() -> None:
    if request.form.get("confirm") != "1":
        raise Invalid("请先勾选确认后再提交")


def _act(action, success: str, back: str):
    """Run one confirmed action; flash its outcome; 403/404 become error pages."""
    try:
        _confirmed()
        action()
        flash(success, "success")
    except ServiceError as exc:
        env().session.rollback()  # end the failed unit of work (it may hold SQLite's write lock)
        if exc.status in (403, 404):
            raise
        flash(exc.message, "error")
    return redirect(safe_next(back))


@bp.post("/tasks/<task_id>/urge")
@login_required(*SUPERVISORS)
def urge(task_id: str):
    """督办 from the supervised list."""
    return _act(lambda: supervision.urge_task(env(), current_user(), task_id, request.form.get("message")),
                "已督办，承办人员已收到通知", url_for("office_pages.supervised"))


@bp.post("/tasks/<task_id>/transfer")
@login_required("county_officer", "city_officer", "inspection_officer")
def transfer(task_id: str):
    """转办 from the task page; afterwards the task is no longer ours, so go back to the inbox."""
    form = request.form
    back = url_for("office_pages.supervised") if current_user().has_role("city_officer") else url_for("task_pages.inbox")
    return _act(lambda: supervision.transfer_task(env(), current_user(), task_id, form.get("division_code"),
                                                  form.get("reason")),
                "已转办", back)


@bp.post("/tasks/<task_id>/extension")
@login_required("county_officer", "city_officer")
def request_extension(task_id: str):
    """Ask the tier above for more time."""
    form = request.form
    return _act(lambda: extensions.request_extension(env(), current_user(), task_id, form.get("reason"),
                                                     form.get("due_date") or None, form.get("working_days") or None),
                "延期申请已提交，等待上一级审批", url_for("task_pages.show_task", task_id=task_id))


@bp.get("/tasks/extensions")
@login_required("city_officer", "province_officer")
def extension_inbox():
    """Extension requests waiting for the person's decision."""
    rows = extensions.pending_extensions(env(), current_user())
    return render_template("tasks/extensions.html", rows=rows,
                           names=user_names(env(), [x.requested_by_id for x, _, _ in rows]),
                           divisions=division_names(env(), [t.division_code for _, t, _ in rows]))


@bp.post("/tasks/extensions/<int:extension_id>/decide")
@login_required("city_officer", "province_officer")
def decide_extension(extension_id: int):
    """Approve or refuse one request."""
    approve = request.form.get("decision") == "approve"
    return _act(lambda: extensions.decide_extension(env(), current_user(), extension_id, approve,
                                                    request.form.get("note")),
                "已批准延期" if approve else "已不予批准", url_for("office_pages.extension_inbox"))


def _flag(name: str) -> bool | None:
    return {"1": True, "0": False}.get(request.args.get(name, ""))


@bp.get("/tasks/supervised")
@login_required(*SUPERVISORS)
def supervised():
    """Open tasks of lower tiers in the person's jurisdiction, with overdue and urged flags."""
    user, args = current_user(), request.args
    f = SupervisedFilter(division=args.get("division") or None, element=args.get("element") or None,
                         overdue=_flag("overdue"), urged=_flag("urged"), q=(args.get("q") or "").strip() or None)
    if args.get("format") == "xlsx":
        return send_file(BytesIO(export_supervised(env(), user, f)), mimetype=XLSX, as_attachment=True,
                         download_name="督办事项.xlsx")
    page = page_arg()
    rows, total = list_supervised(env(), user, f, page, PER_PAGE)
    kept = {k: v for k, v in args.items() if k not in ("page", "format") and v}
    divisions = divisions_in_jurisdiction(env(), user)
    counties = [d for d in divisions if d.level == "county"] if user.has_role("city_officer") else []
    return render_template("tasks/supervised.html", rows=rows, total=total, f=f, args=kept, page=page,
                           pages=max(1, -(-total // PER_PAGE)), elements=ELEMENTS, divisions=divisions,
                           counties=counties)


@bp.post("/tasks/saved-filters")
@login_required()
def save_filter():
    """Save the inbox's current filters under a name."""
    params = {k: request.form.get(k, "") for k in saved_filters.FILTER_KEYS}
    try:
        saved_filters.save_filter(env(), current_user(), request.form.get("name"), params)
        flash("筛选条件已保存", "success")
    except ServiceError as exc:
        env().session.rollback()
        flash(exc.message, "error")
    return redirect(url_for("task_pages.inbox", **{k: v for k, v in params.items() if v}))


@bp.post("/tasks/saved-filters/<int:filter_id>/delete")
@login_required()
def delete_filter(filter_id: int):
    """Delete one of the person's saved filters."""
    saved_filters.delete_filter(env(), current_user(), filter_id)
    flash("筛选条件已删除", "success")
    return redirect(url_for("task_pages.inbox"))
