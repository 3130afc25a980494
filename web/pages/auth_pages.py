"""Sign-in and sign-out pages."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from services.auth import authenticate
from services.errors import ServiceError
from web import env

from .session_auth import check_csrf, current_user, sign_in, sign_out

bp = Blueprint("auth_pages", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form."""
    if request.method == "POST":
        check_csrf()
        try:
            user = authenticate(env(), request.form.get("username", "").strip(), request.form.get("password", ""))
        except ServiceError as exc:
            flash(exc.message, "error")
            return render_template("auth/login.html", username=request.form.get("username", "")), exc.status
        sign_in(user)
        target = request.args.get("next") or "/"
        return redirect(target if target.startswith("/") and not target.startswith("//") else "/")
    if current_user() is not None:
        return redirect("/")
    return render_template("auth/login.html", username="")


@bp.post("/logout")
def logout():
    check_csrf()
    sign_out()
    flash("您已安全退出", "info")
    return redirect(url_for("auth_pages.login"))
