"""The signed-in person's account: change password, choose notification channels."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from services import preferences
from services.auth import PASSWORD_RULES, change_password
from services.errors import Invalid, ServiceError
from web import env

from .session_auth import current_user, login_required, sign_in

bp = Blueprint("account_pages", __name__)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required()
def password():
    """Change password: old one, new one twice, complexity rules shown."""
    if request.method == "GET":
        return render_template("account/password.html", rules=PASSWORD_RULES, error=None)
    form = request.form
    try:
        if form.get("new_password", "") != form.get("confirm_password", ""):
            raise Invalid("两次输入的新密码不一致")
        change_password(env(), current_user(), form.get("old_password", ""), form.get("new_password", ""))
    except ServiceError as exc:
        env().session.rollback()  # end the failed unit of work (it may hold SQLite's write lock)
        return render_template("account/password.html", rules=PASSWORD_RULES, error=exc.message), exc.status
    sign_in(current_user())  # a fresh session (and CSRF token) after a credential change
    flash("密码已修改", "success")
    return redirect("/")


CHANNEL_FIELDS = ("email", "webhook")


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required()
def notifications():
    """Notification channels: in-app always; e-mail and the SMS/WeChat gateway with the person's address and number."""
    user = current_user()
    if request.method == "GET":
        return _channels_page(preferences.get_preferences(env(), user))
    form = request.form
    chosen = {name: form.get(name) == "1" for name in CHANNEL_FIELDS}
    try:
        preferences.save_channels(env(), user, form.get("email_address", ""), form.get("phone", ""), **chosen)
    except ServiceError as exc:
        env().session.rollback()  # end the failed unit of work (it may hold SQLite's write lock)
        pref = preferences.get_preferences(env(), user)
        pref.email, pref.webhook = chosen["email"], chosen["webhook"]
        return _channels_page(pref, form, exc), exc.status
    flash("通知渠道设置已保存", "success")
    return redirect(url_for("account_pages.notifications"))


def _channels_page(pref: preferences.Preferences, form=None, error: ServiceError | None = None) -> str:
    user = current_user()
    values = {"email_address": user.email or "", "phone": user.phone or ""} if form is None else form
    errors = {d["field"]: d["message"] for d in (getattr(error, "details", None) or []) if isinstance(d, dict)}
    return render_template("account/notifications.html", pref=pref, values=values, errors=errors,
                           error=error.message if error else None)
