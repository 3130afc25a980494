"""Reporters' pages: submit (/reports/new), my reports, the report page with timeline and attachments."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, send_file, url_for

from services import attachments as attachment_service
from services import comments as comment_service
from services import reports as report_service
from services.directory import (
    divisions_in_jurisdiction, equipment_categories, equipment_path, equipment_tree, user_names,
)
from services.access import sees_reporter_identity
from services.errors import Conflict, ServiceError
from services.feedback import feedback_texts
from services.list_exports import export_reports
from services.parties import reporter_identity, reporting_unit
from services.inbox import diagram_for_report, field_labels
from services.report_readers import PER_PAGE as READS_PER_PAGE, read_log
from services.receipts import receipts_for_supervisor
from services.sheet_pdf import report_sheet_pdf
from services.report_filters import ReportFilter
from services.timeline import report_timeline
from services.wording import NON_PUNITIVE_NOTICE
from services.take_over import take_over, take_over_candidates
from storage.models import CONTENT_MAX_CHARS, DOMAIN_LABELS, KIND_LABELS, STATUS_LABELS
from web import env
from web.downloads import PDF, XLSX, download, wants_xlsx

from .common import date_arg, page_arg, safe_next
from .session_auth import current_user, login_required

bp = Blueprint("report_pages", __name__)
NOTICE = NON_PUNITIVE_NOTICE
# An attachment shown inline is an image or a PDF (sniffed): nothing in it may run or load anything else.
FILE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; frame-ancestors 'self'"
PER_PAGE = 20


def _form_context(values: dict, error: str | None = None) -> dict:
    settings = env().settings
    return {"values": values, "error": error, "kinds": KIND_LABELS, "domains": DOMAIN_LABELS,
            "equipment": equipment_tree(env()), "content_max": CONTENT_MAX_CHARS,
            "max_upload_bytes": settings.max_upload_bytes, "max_files": attachment_service.MAX_FILES_PER_REPORT,
            "upload_limits": attachment_service.limit_text(settings.max_upload_bytes),
            "upload_size": attachment_service.size_text(settings.max_upload_bytes)}


@bp.get("/reports/new")
@login_required("reporter")
def new_report():
    """The submit form (or, for a point not yet confirmed, the reason it cannot be used)."""
    refusal = report_service.submission_refusal(env(), current_user())
    return render_template("reports/new.html", **_form_context({}), refusal=refusal)


@bp.post("/reports/new")
@login_required("reporter")
def create_report():
    """Check the files, submit the report together with them (one transaction), show the tracking number."""
    form = request.form
    code = form.get("eq_variety") or form.get("eq_class") or form.get("eq_category") or ""
    data = report_service.ReportInput(kind=form.get("kind", ""), domain=form.get("domain", ""),
                                      equipment_type_code=code, content=form.get("content", ""),
                                      title=form.get("title") or None,
                                      equipment_code=form.get("equipment_code") or None,
                                      registration_cert_no=form.get("registration_cert_no") or None)
    try:
        report = report_service.submit_with_attachments(env(), current_user(), data, _uploads())
    except ServiceError as exc:
        env().session.rollback()  # end the failed unit of work (it may hold SQLite's write lock)
        refusal = exc.message if isinstance(exc, Conflict) else None
        return render_template("reports/new.html", **_form_context(form.to_dict(), exc.message),
                               refusal=refusal), exc.status
    flash(f"报送成功！跟踪编号：{report.tracking_no}。请保存该编号，可在“我的报送”中查看办理进度。", "success")
    return redirect(url_for("report_pages.show_report", report_id=report.id, submitted=1))


def _uploads() -> list[attachment_service.Upload]:
    settings = env().settings
    files = [f for f in request.files.getlist("attachments") if f and f.filename]
    if len(files) > attachment_service.MAX_FILES_PER_REPORT:
        raise attachment_service.Invalid(f"每条报送最多 {attachment_service.MAX_FILES_PER_REPORT} 个附件")
    uploads = [attachment_service.read_upload(f.stream, f.filename, settings.max_upload_bytes) for f in files]
    for upload in uploads:
        attachment_service.check_upload(upload, settings.max_upload_bytes)
    return uploads


@bp.get("/reports")
@login_required()
def list_reports():
    """Reporters see their own; unit people their unit's; officers their jurisdiction's."""
    user = current_user()
    mine = user.has_role("reporter") and len(user.roles) == 1
    status = request.args.get("status") or None
    status = status if status in {s.value for s in STATUS_LABELS} else None
    page = page_arg()
    q = (request.args.get("q") or "").strip()[:200] or None
    f = ReportFilter() if mine else _library_filter()
    if wants_xlsx():
        content, name = export_reports(env(), user, mine=mine, status=status, q=q, filters=f)
        return download(content, XLSX, name)
    rows, total = report_service.list_reports(env(), user, page, PER_PAGE, mine=mine, status=status, q=q, filters=f)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    choices = {} if mine else {"kinds": KIND_LABELS, "categories": equipment_categories(env()),
                               "divisions": divisions_in_jurisdiction(env(), user)}
    return render_template("reports/list.html", rows=rows, total=total, page=page, per_page=PER_PAGE,
                           pages=max(1, -(-total // PER_PAGE)), status=status, statuses=STATUS_LABELS, mine=mine,
                           q=q, args=args, feedback=feedback_texts(env(), rows), f=f, **choices)


def _library_filter() -> ReportFilter:
    """The report library's criteria from the query string (the inbox's: kind, equipment, division, dates)."""
    args = request.args
    return ReportFilter(kind=args.get("kind") if args.get("kind") in {k.value for k in KIND_LABELS} else None,
                        category=(args.get("category") or "")[:8] or None, division=(args.get("division") or "")[:6] or None,
                        date_from=date_arg("from"), date_to=date_arg("to"))


@bp.get("/reports/<int:report_id>")
@login_required()
def show_report(report_id: int):
    """The report, its timeline and attachments; the read is logged."""
    user = current_user()
    report = report_service.get_report(env(), user, report_id)
    return render_template("reports/detail.html", report=report, **report_extras(report),
                           receipts=receipts_for_supervisor(env(), user, report),
                           feedback=feedback_texts(env(), [report]).get(report.id),
                           unit=reporting_unit(env(), report) if sees_reporter_identity(user) else None,
                           reporter=reporter_identity(env(), user, report),
                           take_over=take_over_candidates(env(), user, report.id),
                           reads=read_log(env(), user, report, request.args.get("reads_page", 1, type=int)),
                           reads_per_page=READS_PER_PAGE,
                           submitted=request.args.get("submitted") == "1")


@bp.get("/reports/<int:report_id>/sheet.pdf")
@login_required()
def report_sheet(report_id: int):
    """打印处置单: the report's PDF sheet, scoped and masked like this page."""
    content, name = report_sheet_pdf(env(), current_user(), report_id)
    return download(content, PDF, name)


@bp.post("/reports/<int:report_id>/take-over/<task_id>")
@login_required("city_officer", "province_officer")
def take_over_task(report_id: int, task_id: str):
    """提级办理 from the report page: the tier above takes the task over."""
    try:
        task = take_over(env(), current_user(), task_id, request.form.get("reason", ""))
        flash(f"已提级办理“{task.name}”", "success")
    except ServiceError as exc:
        env().session.rollback()
        if exc.status in (403, 404):
            raise
        flash(exc.message, "error")
    return redirect(url_for("report_pages.show_report", report_id=report_id))


def report_extras(report) -> dict:
    """Timeline, attachments, comments and names for a report page (the task page shares them)."""
    user = current_user()
    events = report_timeline(env(), user, report)
    files = attachment_service.list_attachments(env(), report.id)
    return {"events": events, "attachments": files,
            "uploaders": attachment_service.uploader_labels(env(), user, report, files),
            "attachments_closed": report.status in attachment_service.FINISHED, "comments": comment_service.list_comments(env(), user, report.id),
            "can_comment": comment_service.can_comment(user), "actors": user_names(env(), [e.actor_id for e in events]),
            "upload_limits": attachment_service.limit_text(env().settings.max_upload_bytes),
            "show_event_data": not (user.has_role("reporter") and len(user.roles) == 1), "notice": NOTICE,
            "fields": field_labels(env(), report.id), "equipment_name": equipment_path(env(), report.equipment_type_code)}


@bp.post("/reports/<int:report_id>/attachments")
@login_required()
def upload_attachment(report_id: int):
    """Add files to a report from its page."""
    try:
        uploads = _uploads()
        if not uploads:
            raise attachment_service.Invalid("请选择要上传的文件")
        rows = attachment_service.add_attachments(env(), current_user(), report_id, uploads)
        flash(f"已上传 {len(rows)} 个附件", "success")
    except ServiceError as exc:
        env().session.rollback()  # end the failed unit of work (it may hold SQLite's write lock)
        if exc.status == 403:
            raise
        flash(exc.message, "error")
    return redirect(safe_next(url_for("report_pages.show_report", report_id=report_id)))


@bp.get("/reports/<int:report_id>/attachments/<int:attachment_id>")
@login_required()
def download_attachment(report_id: int, attachment_id: int):
    """The file, scoped like the report; images and PDF may be shown inline for preview."""
    row, path = attachment_service.open_attachment(env(), current_user(), report_id, attachment_id)
    inline = request.args.get("inline") == "1"
    name = attachment_service.download_name(row.filename, row.content_type)
    response = send_file(path, mimetype=row.content_type, as_attachment=not inline, download_name=name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_POLICY
    return response


@bp.post("/reports/<int:report_id>/comments")
@login_required()
def add_comment(report_id: int):
    """Leave a working comment on the report."""
    try:
        comment_service.add_comment(env(), current_user(), report_id, request.form.get("body", ""),
                                    request.form.get("task_id") or None)
        flash("意见已发表", "success")
    except ServiceError as exc:
        env().session.rollback()  # end the failed unit of work (it may hold SQLite's write lock)
        if exc.status in (403, 404):
            raise
        flash(exc.message, "error")
    return redirect(safe_next(url_for("report_pages.show_report", report_id=report_id)) + "#comments")


@bp.get("/reports/<int:report_id>/diagram.xml")
@login_required()
def diagram(report_id: int):
    """The BPMN XML of the version the report's instance runs on; open elements in a header."""
    xml, current = diagram_for_report(env(), current_user(), report_id)
    response = Response(xml, mimetype="application/xml")
    response.headers["X-Current-Elements"] = ",".join(current)
    return response
