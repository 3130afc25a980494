"""The signed-in person's account: change password, choose notification channels."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from services import preferences
from services.auth import PASSWORD_RULES, change_password, must_change_password
from services.auth import revoke_sessions as revoke_all
from services.passwords import MIN_LENGTH
from services.errors import Invalid, ServiceError
from web import env

from .common import home_path
from .redirects import same_origin_path
from .session_auth import current_user, login_required, sign_in

bp = Blueprint("account_pages", __name__)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required()
def password():
    """Change password: old one, new one twice, the rules shown; forced when expired or reset by an admin."""
    user = current_user()
    forced = must_change_password(env(), user)
    if request.method == "GET":
        return _password_page(forced)
    form = request.form
    try:
        if form.get("new_password", "") != form.get("confirm_password", ""):
            raise Invalid("两次输入的新密码不一致")
        change_password(env(), user, form.get("old_password", ""), form.get("new_password", ""))
    except ServiceError as exc:
        env().session.rollback()  # end the failed unit of work (it may hold SQLite's write lock)
        return _password_page(forced, exc.message), exc.status
    sign_in(user)  # a fresh session (and CSRF token) after a credential change; other sessions have ended
    flash("密码已修改，其他设备上的登录已失效", "success")
    return redirect(same_origin_path(request.values.get("next"), home_path(user)))


def _password_page(forced: bool, error: str | None = None) -> str:
    return render_template("account/password.html", rules=PASSWORD_RULES, error=error, forced=forced,
                           min_length=MIN_LENGTH)


@bp.post("/account/revoke-sessions")
@login_required()
def revoke_sessions():
    """Sign out everywhere: every other browser and every API token stops working; this one stays."""
    user = current_user()
    revoke_all(env(), user, actor=user)
    sign_in(user)
    flash("已使您在所有其他设备和客户端上的登录失效", "success")
    return redirect(url_for("account_pages.password"))


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
