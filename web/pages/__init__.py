"""Server-rendered pages (zh-CN). Each area registers its own blueprint here, one line each."""
from __future__ import annotations

from flask import Flask, redirect

from .session_auth import csrf_token, current_user


def register_pages(app: Flask) -> None:
    """Register every page blueprint and the template globals they share."""
    from .account_pages import bp as account_bp
    from .auth_pages import bp as auth_bp
    from .common import (LABELS, division_label, filesize, home_path, localtime, nav_links, point_label,
                         role_title, unit_titles_of, unread_notifications)
    from .notifications_pages import bp as notifications_bp
    from .points_pages import bp as points_bp
    from .processes import bp as processes_bp
    from .reports_pages import bp as reports_bp
    from .tasks_pages import bp as tasks_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(tasks_bp)
    app.register_blueprint(points_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(processes_bp)
    from .cases import bp as cases_bp
    from .stats import bp as stats_bp
    app.register_blueprint(stats_bp)
    app.register_blueprint(cases_bp)
    from .topics import bp as topics_bp
    app.register_blueprint(topics_bp)
    from .office_pages import bp as office_bp
    app.register_blueprint(office_bp)
    from .accounts_pages import bp as accounts_bp
    app.register_blueprint(accounts_bp)
    from ..health import bp as health_bp
    from .admin import bp as admin_bp
    app.register_blueprint(admin_bp)
    from .calendar_pages import bp as calendar_bp
    app.register_blueprint(calendar_bp)
    from .settings_pages import bp as settings_bp
    app.register_blueprint(settings_bp)
    app.register_blueprint(health_bp)
    from services.report_review import generate_due_reports  # scheduler: draft last period's reports, hourly check
    app.extensions.setdefault("riskmon.jobs", []).append(("periodic_reports", generate_due_reports, 3600))
    app.jinja_env.globals.update(csrf_token=csrf_token, current_user=current_user, nav_links=nav_links,
                                 unread_notifications=unread_notifications)
    from .date_fields import date_error, date_typed
    app.jinja_env.globals.update(date_error=date_error, date_typed=date_typed)
    app.jinja_env.filters.update(localtime=localtime, filesize=filesize)
    app.jinja_env.globals["labels"] = LABELS
    from services.wording import NON_PUNITIVE_NOTICE
    app.jinja_env.globals.update(non_punitive_notice=NON_PUNITIVE_NOTICE, division_label=division_label,
                                 role_title=role_title, unit_titles_of=unit_titles_of,
                                 point_label=point_label)

    @app.get("/")
    def index():
        user = current_user()
        if user is None:
            return redirect("/login")
        return redirect(home_path(user))
