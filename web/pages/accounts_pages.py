"""/admin/users: account administration for admins and city/county officers (list, create, edit,
deactivate/reactivate after a confirmation step, password reset, bulk import of reporters)."""
from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from sqlalchemy import select

from services import account_import, accounts, admin_labels
from services import auth as auth_service
from services.directory import divisions_in_jurisdiction
from services.errors import Invalid, ServiceError
from services.monitoring_points import _jurisdiction_clause
from storage.models import ROLE_LABELS, MonitoringPoint, Role
from web import env
from web.input_guards import parse_id

from .common import page_arg
from .session_auth import current_user, login_required

bp = Blueprint("account_admin_pages", __name__)
MANAGERS = ("admin", "county_officer", "city_officer", "point_manager")
PER_PAGE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _choices(user) -> dict:
    allowed = accounts.allowed_roles(user)
    roles = ROLE_LABELS if user.has_role("admin") else {r: ROLE_LABELS[r] for r in Role if r.value in allowed}
    points = env().session.scalars(select(MonitoringPoint).where(_jurisdiction_clause(user))
                                   .order_by(MonitoringPoint.id).limit(500))
    return {"roles": {r.value: label for r, label in roles.items()}, "points": list(points),
            "divisions": divisions_in_jurisdiction(env(), user), "is_admin": user.has_role("admin")}


def _list_page(values: dict | None = None, error: str | None = None, report: dict | None = None, status: int = 200):
    user = current_user()
    f = {k: request.args.get(k, "") for k in ("role", "division", "q")}
    page = page_arg()
    try:
        rows, total = accounts.list_accounts(env(), user, accounts.AccountFilter(
            role=f["role"] or None, division=f["division"] or None, q=f["q"] or None), page, PER_PAGE)
    except ServiceError as exc:
        if exc.status == 403:
            raise
        rows, total, error = [], 0, exc.message
    names = admin_labels.names_for(env(), division_codes=[u.division_code for u in rows],
                                   point_ids=[u.monitoring_point_id for u in rows])
    return render_template("accounts/list.html", rows=rows, total=total, page=page, names=names,
                           pages=max(1, -(-total // PER_PAGE)), f=f, values=values or {}, error=error,
                           report=report, args={k: v for k, v in f.items() if v}, labels=ROLE_LABELS,
                           **_choices(user)), status


@bp.get("/admin/users")
@login_required(*MANAGERS)
def list_users():
    """The accounts the person manages, with filters, paging and the create form."""
    return _list_page()


@bp.post("/admin/users")
@login_required(*MANAGERS)
def create_user():
    """Create one account from the form."""
    form = request.form
    values = {k: form.get(k, "").strip() for k in ("username", "display_name", "role", "division_code",
                                                    "monitoring_point_id", "phone")}
    try:
        data = accounts.AccountInput(
            username=values["username"], display_name=values["display_name"], password=form.get("password", ""),
            role=values["role"], division_code=values["division_code"],
            monitoring_point_id=parse_id(values["monitoring_point_id"]) if values["monitoring_point_id"] else None,
            phone=values["phone"] or None)
        user = accounts.create_account(env(), current_user(), data)
    except ServiceError as exc:
        env().session.rollback()
        return _list_page(values, exc.message, status=exc.status if exc.status != 404 else 422)
    flash(f"已创建账户 {user.display_name}（登录名 {user.username}），本人首次登录时须修改密码", "success")
    return redirect(url_for("account_admin_pages.list_users"))


def _edit_page(user_id: int, error: str | None = None, status: int = 200):
    me = current_user()
    target = accounts.get_account(env(), me, user_id)
    return render_template("accounts/edit.html", target=target, error=error, labels=ROLE_LABELS,
                           role=accounts._role_of(target), **_choices(me)), status


@bp.get("/admin/users/<int:user_id>")
@login_required(*MANAGERS)
def edit_user(user_id: int):
    """The edit form of one account."""
    return _edit_page(user_id)


@bp.post("/admin/users/<int:user_id>")
@login_required(*MANAGERS)
def update_user(user_id: int):
    """Save the edit form."""
    form = request.form
    changes = {k: form[k].strip() for k in ("display_name", "role", "division_code", "phone") if k in form}
    try:
        accounts.update_account(env(), current_user(), user_id, changes)
    except ServiceError as exc:
        env().session.rollback()
        if exc.status in (403, 404):
            raise
        return _edit_page(user_id, exc.message, 422)
    flash("已保存", "success")
    return redirect(url_for("account_admin_pages.edit_user", user_id=user_id))


@bp.get("/admin/users/<int:user_id>/status")
@login_required(*MANAGERS)
def confirm_status(user_id: int):
    """The confirmation step before deactivating or reactivating."""
    target = accounts.get_account(env(), current_user(), user_id)
    return render_template("accounts/confirm.html", target=target, labels=ROLE_LABELS)


@bp.post("/admin/users/<int:user_id>/status")
@login_required(*MANAGERS)
def set_status(user_id: int):
    """Deactivate (signs the person out everywhere at once) or reactivate, after confirmation."""
    if request.form.get("confirm") != "1":
        return redirect(url_for("account_admin_pages.confirm_status", user_id=user_id))
    active = request.form.get("active") == "1"
    try:
        target = accounts.update_account(env(), current_user(), user_id, {"active": active})
    except ServiceError as exc:
        env().session.rollback()
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return redirect(url_for("account_admin_pages.edit_user", user_id=user_id))
    flash(f"已{'启用' if active else '停用'}账户 {target.display_name}", "success")
    return redirect(url_for("account_admin_pages.list_users"))


@bp.post("/admin/users/<int:user_id>/password")
@login_required("admin")
def reset_password(user_id: int):
    """An admin sets a new password; the person must change it at the next sign-in."""
    try:
        auth_service.reset_password(env(), current_user(), user_id, request.form.get("password", ""))
    except ServiceError as exc:
        env().session.rollback()
        if exc.status in (403, 404):
            raise
        return _edit_page(user_id, exc.message, 422)
    flash("密码已重置，该人员下次登录时须修改密码", "success")
    return redirect(url_for("account_admin_pages.edit_user", user_id=user_id))


@bp.get("/admin/users/import-template")
@login_required(*MANAGERS)
def import_template():
    """The XLSX template of the bulk import."""
    return send_file(io.BytesIO(account_import.template_bytes()), mimetype=XLSX, as_attachment=True,
                     download_name="reporters-template.xlsx")


@bp.post("/admin/users/import")
@login_required(*MANAGERS)
def import_users():
    """Bulk import of reporters; the row-by-row report is shown on the list page."""
    upload = request.files.get("file")
    limit = env().settings.max_upload_bytes
    try:
        if upload is None or not upload.filename:
            raise Invalid("请选择要导入的 XLSX 文件")
        report = account_import.import_reporters(env(), current_user(), upload.stream.read(limit + 1), limit)
    except ServiceError as exc:
        env().session.rollback()
        return _list_page(error=exc.message, status=exc.status)
    return _list_page(report=report, status=200 if report["created"] else 422)
