"""The monitoring-point registry: list in jurisdiction, register, confirm (确认), safety directors."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from services import monitoring_points as points
from services import accounts, point_reporters
from services.directory import director_candidates, divisions_in_jurisdiction, division_names
from services.errors import Invalid, ServiceError
from storage.models import POINT_KIND_LABELS
from web import env
from web.input_guards import parse_id

from .common import page_arg
from .session_auth import current_user, login_required

bp = Blueprint("point_pages", __name__)
REGISTRY_ROLES = ("point_manager",) + points.SUPERVISOR_ROLES
PER_PAGE = 20


@bp.get("/points")
@login_required(*REGISTRY_ROLES)
def list_points():
    """Points in the person's jurisdiction (a point manager sees their own)."""
    kind = request.args.get("kind") if request.args.get("kind") in {k.value for k in POINT_KIND_LABELS} else None
    confirmed = {"1": True, "0": False}.get(request.args.get("confirmed", ""))
    page = page_arg()
    rows, total = points.list_points(env(), current_user(), page, PER_PAGE, kind, confirmed)
    return render_template("points/list.html", rows=rows, total=total, page=page, pages=max(1, -(-total // PER_PAGE)),
                           kinds=POINT_KIND_LABELS, kind=kind, confirmed=request.args.get("confirmed", ""),
                           divisions=division_names(env(), [p.division_code for p in rows]),
                           args={k: v for k, v in request.args.items() if k != "page" and v})


def _form(values: dict, error: str | None = None, status: int = 200):
    return render_template("points/new.html", values=values, error=error, kinds=POINT_KIND_LABELS,
                           divisions=divisions_in_jurisdiction(env(), current_user())), status


@bp.get("/points/new")
@login_required(*REGISTRY_ROLES)
def new_point():
    """The registration form."""
    return _form({"division_code": current_user().division_code})


@bp.post("/points/new")
@login_required(*REGISTRY_ROLES)
def create_point():
    """Register a point; it waits for the supervising agency to confirm it."""
    form = request.form
    try:
        level = form.get("control_level") or None
        if level is not None and level not in ("1", "2"):
            raise Invalid("管控级别应为 1（一级）或 2（二级）")
        if len((form.get("name") or "").strip()) < 2:
            raise Invalid("单位名称至少 2 个字")
        data = points.PointInput(name=form.get("name", ""), kind=form.get("kind", ""),
                                 division_code=form.get("division_code", ""),
                                 control_level=int(level) if level else None,
                                 credit_code=form.get("credit_code") or None, address=form.get("address") or None,
                                 responsible_person=form.get("responsible_person") or None,
                                 responsible_phone=form.get("responsible_phone") or None)
        point = points.register_point(env(), current_user(), data)
    except ServiceError as exc:
        env().session.rollback()  # end the failed unit of work (it may hold SQLite's write lock)
        if exc.status == 403:
            raise
        return _form(form.to_dict(), exc.message, exc.status)
    flash(f"监测点“{point.name}”已登记，等待监管部门确认", "success")
    return redirect(url_for("point_pages.show_point", point_id=point.id))


@bp.get("/points/<int:point_id>")
@login_required(*REGISTRY_ROLES)
def show_point(point_id: int):
    """One point: details, confirmation, safety directors."""
    user = current_user()
    point = points.get_point(env(), user, point_id)
    return render_template("points/detail.html", point=point, kinds=POINT_KIND_LABELS,
                           reporters=point_reporters.list_reporters(env(), user, point_id),
                           can_register=point_reporters.can_register_reporters(user, point),
                           can_manage=accounts.can_manage_accounts(user),
                           division=division_names(env(), [point.division_code]).get(point.division_code, ""),
                           can_confirm=user.has_role(*points.SUPERVISOR_ROLES) and not point.confirmed,
                           candidates=director_candidates(env(), point) if point.is_enterprise else [])


def _act(point_id: int, action, message: str):
    try:
        action()
        flash(message, "success")
    except ServiceError as exc:
        env().session.rollback()  # end the failed unit of work (it may hold SQLite's write lock)
        if exc.status in (403, 404):
            raise
        flash(exc.message, "error")
    return redirect(url_for("point_pages.show_point", point_id=point_id))


@bp.post("/points/<int:point_id>/confirm")
@login_required(*points.SUPERVISOR_ROLES)
def confirm(point_id: int):
    """The supervising agency confirms the point."""
    return _act(point_id, lambda: points.confirm_point(env(), current_user(), point_id), "监测点已确认")


@bp.post("/points/<int:point_id>/directors")
@login_required(*REGISTRY_ROLES)
def add_director(point_id: int):
    """Register a safety director for the unit."""
    user_id = parse_id(request.form.get("user_id"))
    if user_id is None:
        flash("请选择要登记的人员", "error")
        return redirect(url_for("point_pages.show_point", point_id=point_id))
    return _act(point_id, lambda: points.assign_safety_director(env(), current_user(), point_id, user_id),
                "已登记")


@bp.post("/points/<int:point_id>/directors/<int:user_id>/remove")
@login_required(*REGISTRY_ROLES)
def remove_director(point_id: int, user_id: int):
    """Remove a safety director registration."""
    return _act(point_id, lambda: points.remove_safety_director(env(), current_user(), point_id, user_id),
                "已移除")


@bp.post("/points/<int:point_id>/reporters")
@login_required(*REGISTRY_ROLES)
def add_reporter(point_id: int):
    """Register a reporter; the initial password is shown once."""
    form = request.form
    data = point_reporters.ReporterInput(display_name=form.get("display_name", ""), username=form.get("username", ""),
                                         phone=form.get("phone", ""), position=form.get("position") or None,
                                         is_expert=form.get("is_expert") == "1")
    try:
        reporter, password = point_reporters.register_reporter(env(), current_user(), point_id, data)
        flash(f"已登记信息报送员 {reporter.display_name}（登录名 {reporter.username}），初始密码：{password}"
              "。该密码只显示这一次，请告知本人并提醒其登录后修改。", "success")
    except ServiceError as exc:
        env().session.rollback()  # end the failed unit of work (it may hold SQLite's write lock)
        if exc.status in (403, 404):
            raise
        flash(exc.message, "error")
    return redirect(url_for("point_pages.show_point", point_id=point_id) + "#reporters")
