"""The admin's system settings page (/admin/settings): each setting with its choices; a change is confirmed first."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from services import system_settings
from services.errors import ServiceError
from web import env

from .session_auth import current_user, login_required

bp = Blueprint("settings_pages", __name__, url_prefix="/admin/settings")


@bp.get("")
@login_required("admin")
def show():
    """Every setting: what it does, its current value, who changed it last, a form to change it."""
    return render_template("admin/settings.html", settings=system_settings.list_settings(env(), current_user()))


@bp.post("/<key>")
@login_required("admin")
def change(key: str):
    """First the confirmation page (before → after); with confirm=1 the change is saved and audit-logged."""
    value = request.form.get("value", "")
    try:
        setting = system_settings.get_setting(env(), current_user(), key)
        if request.form.get("confirm") != "1":
            return _confirm(setting, value)
        saved = system_settings.change_setting(env(), current_user(), key, value)
    except ServiceError as exc:
        env().session.rollback()
        if exc.status == 404:
            abort(404)
        flash(exc.message, "error")
        return redirect(url_for("settings_pages.show"))
    flash(f"已将“{saved['label']}”设为“{saved['value_label']}”", "success")
    return redirect(url_for("settings_pages.show"))


def _confirm(setting: dict, value: str):
    options = {o["id"]: o["name"] for o in setting["options"]}
    if value not in options:
        flash(f"请选择“{setting['label']}”的取值：{'、'.join(options.values())}", "error")
        return redirect(url_for("settings_pages.show"))
    if value == setting["value"]:
        flash(f"“{setting['label']}”已是“{options[value]}”，未作修改", "success")
        return redirect(url_for("settings_pages.show"))
    return render_template("admin/settings_confirm.html", setting=setting, value=value, value_label=options[value])
