"""Sign-in and sign-out pages."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from services.auth import authenticate, must_change_password, revoke_sessions
from services.errors import ServiceError
from web import env

from .common import home_path
from .redirects import same_origin_path
from .session_auth import check_csrf, current_user, sign_in, sign_out

bp = Blueprint("auth_pages", __name__)


def after_sign_in(user) -> str:
    """Where the browser goes once signed in: the `next` page on this site, else the person's home."""
    return same_origin_path(request.values.get("next"), home_path(user))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form."""
    if request.method == "POST":
        check_csrf()
        username = request.form.get("username", "").strip()
        try:
            user = authenticate(env(), username, request.form.get("password", ""), client=request.remote_addr or "")
        except ServiceError as exc:
            flash(exc.message, "error")
            return render_template("auth/login.html", username=request.form.get("username", "")), exc.status
        sign_in(user)
        if must_change_password(env(), user):
            flash("您的密码已过期或由管理员重置，请先设置新密码", "info")
            return redirect(url_for("account_pages.password", next=after_sign_in(user)))
        return redirect(after_sign_in(user))
    user = current_user()
    if user is not None:
        return redirect(after_sign_in(user))
    return render_template("auth/login.html", username="")


@bp.post("/logout")
def logout():
    """Sign out: this session and every copy of it (and the person's API tokens) stop working."""
    check_csrf()
    user = current_user()
    if user is not None:
        revoke_sessions(env(), user)
    sign_out()
    flash("您已安全退出", "info")
    return redirect(url_for("auth_pages.login"))
