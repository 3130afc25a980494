"""Server-rendered pages (zh-CN). Each area registers its own blueprint here, one line each."""
from __future__ import annotations

from flask import Flask, redirect

from .session_auth import csrf_token, current_user


def register_pages(app: Flask) -> None:
    """Register every page blueprint and the template globals they share."""
    from .auth_pages import bp as auth_bp

    app.register_blueprint(auth_bp)
    app.jinja_env.globals.update(csrf_token=csrf_token, current_user=current_user)

    @app.get("/")
    def index():
        user = current_user()
        if user is None:
            return redirect("/login")
        if user.has_role("reporter") and len(user.roles) == 1:
            return redirect("/reports")
        return redirect("/tasks")
