"""The signed-in person's account: change password."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request

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
