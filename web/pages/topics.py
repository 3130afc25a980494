"""Risk topic pages (/topics): reports merged as duplicates or similar, and the hooks other pages show."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from services import cases as case_service
from services import risk_topics as topic_service
from services.errors import ServiceError
from web import env

from .common import page_arg, safe_next
from .session_auth import current_user, login_required

bp = Blueprint("topic_pages", __name__)
PER_PAGE = 20


@bp.get("/topics")
@login_required(*topic_service.TOPIC_ROLES)
def index():
    """Topics, newest first, with their member counts."""
    page = page_arg()
    rows, total = topic_service.list_topics(env(), current_user(), page, PER_PAGE)
    return render_template("topics/list.html", rows=rows, total=total, page=page,
                           pages=(total + PER_PAGE - 1) // PER_PAGE)


@bp.get("/topics/<int:topic_id>")
@login_required(*topic_service.TOPIC_ROLES)
def detail(topic_id: int):
    """A topic and its member reports with tracking number, status and risk level."""
    topic, members = topic_service.get_topic(env(), current_user(), topic_id)
    return render_template("topics/detail.html", topic=topic, members=members)


@bp.post("/topics")
@login_required(*topic_service.TOPIC_ROLES)
def create():
    """Merge a report and the similar reports ticked on its panel into a new topic."""
    report_id = request.form.get("report_id", type=int)
    members = request.form.getlist("member_ids", type=int)
    back = safe_next(url_for("report_pages.show_report", report_id=report_id) if report_id else url_for(".index"))
    return _act(lambda: topic_service.create_topic(env(), current_user(), report_id or 0, members,
                                                   request.form.get("title", ""), request.form.get("summary", "")),
                lambda topic: (f"已并入专题《{topic.title}》", url_for(".detail", topic_id=topic.id)), back)


@bp.post("/topics/<int:topic_id>/members")
@login_required(*topic_service.TOPIC_ROLES)
def add_members(topic_id: int):
    """Merge ticked reports, or reports given by tracking number, into the topic."""
    ids = request.form.getlist("report_ids", type=int)
    text = request.form.get("tracking_nos", "")
    back = safe_next(url_for(".detail", topic_id=topic_id))

    def merge():
        if ids:
            return topic_service.add_members(env(), current_user(), topic_id, ids)
        return topic_service.add_members_by_tracking_no(env(), current_user(), topic_id, text)

    return _act(merge, lambda rows: (f"已将 {len(rows)} 条报送信息并入专题", url_for(".detail", topic_id=topic_id)),
                back)


@bp.post("/topics/<int:topic_id>/members/<int:report_id>/remove")
@login_required(*topic_service.TOPIC_ROLES)
def remove_member(topic_id: int, report_id: int):
    """Take a report out of the topic."""
    here = url_for(".detail", topic_id=topic_id)
    return _act(lambda: topic_service.remove_member(env(), current_user(), topic_id, report_id),
                lambda _: ("已将该报送信息移出专题", here), here)


@bp.post("/topics/<int:topic_id>/edit")
@login_required(*topic_service.TOPIC_ROLES)
def edit(topic_id: int):
    """Rename the topic or edit its summary."""
    here = url_for(".detail", topic_id=topic_id)
    return _act(lambda: topic_service.update_topic(env(), current_user(), topic_id, request.form.get("title", ""),
                                                   request.form.get("summary", "")),
                lambda _: ("专题已保存", here), here)


def _act(action, success, back: str):
    """Run one service call; flash its outcome and redirect (403 and 404 become error pages)."""
    try:
        result = action()
    except ServiceError as exc:
        env().session.rollback()  # end the failed unit of work (it may hold SQLite's write lock)
        if exc.status in (403, 404):
            raise
        flash(exc.message, "error")
        return redirect(back)
    message, target = success(result)
    flash(message, "success")
    return redirect(target)


def merge_options(report_id: int, items: list[dict]) -> dict:
    """Context for the similar-reports fragment: who may merge, the topics involved, a suggested title."""
    return topic_service.merge_options(env(), current_user(), report_id, [i["id"] for i in items])


@bp.app_context_processor
def report_page_helpers() -> dict:
    """Functions the report page uses for 所属专题 and 列为典型案例."""
    return {"topic_of_report": _topic_of_report, "case_of_report": _case_of_report}


def _topic_of_report(report_id: int):
    user = current_user()
    return topic_service.topic_for_report(env(), user, report_id) if user is not None else None


def _case_of_report(report_id: int):
    return case_service.case_for_report(env(), report_id)
