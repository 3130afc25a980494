"""The notification list behind the bell."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from services import notifications
from web import env

from .common import page_arg
from .session_auth import current_user, login_required

bp = Blueprint("notification_pages", __name__)
PER_PAGE = 20


@bp.get("/notifications")
@login_required()
def list_notifications():
    """The person's notices, newest first, unread highlighted."""
    page = page_arg()
    unread_only = request.args.get("unread") == "1"
    rows, total = notifications.list_notifications(env(), current_user(), page, PER_PAGE, unread_only)
    return render_template("notifications/list.html", rows=rows, total=total, page=page, unread_only=unread_only,
                           pages=max(1, -(-total // PER_PAGE)), link_of=notifications.link_of)


@bp.post("/notifications/<int:notification_id>/open")
@login_required()
def open_notification(notification_id: int):
    """Mark read and go where the notice points."""
    note = notifications.mark_read(env(), current_user(), notification_id)
    return redirect(notifications.link_of(note))


@bp.post("/notifications/read-all")
@login_required()
def read_all():
    """Mark everything read."""
    changed = notifications.mark_all_read(env(), current_user())
    flash(f"已将 {changed} 条通知标为已读", "success")
    return redirect(url_for("notification_pages.list_notifications"))
