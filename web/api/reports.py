"""Reports: submit, list (scoped), detail with timeline."""
from __future__ import annotations

from flask import jsonify, request

from services import reports as report_service
from services.access import sees_reporter_identity
from services.feedback import feedback_texts
from services.parties import reporter_identity, reporting_unit
from services.sheet_pdf import report_sheet_pdf
from services.timeline import report_timeline
from storage.models import ReportStatus
from web import env
from web.downloads import PDF, download

from . import api
from .openapi import doc
from .params import ReportQuery
from .responses import ReportDetailOut, ReportOut, page_of
from .auth import current_user
from .common import enum_arg, json_body, listing, load, paging
from .presenters import event_json, report_json
from .schemas import ReportCreate


@api.post("/reports")
@doc("报送信息", body=ReportCreate, response=ReportOut, status=201)
def create_report():
    """Submit a report; its tracking number is assigned at once."""
    body = load(ReportCreate(), json_body())
    report = report_service.submit_report(env(), current_user(), report_service.ReportInput(**body))
    return jsonify(report_json(report)), 201


@api.get("/reports")
@doc("报送信息列表（按权限范围）", query=ReportQuery, response=page_of(ReportOut))
def list_reports():
    """Reports the caller may read, newest first."""
    page, per_page = paging()
    user = current_user()
    q = (request.args.get("q") or "").strip()[:200] or None
    rows, total = report_service.list_reports(env(), user, page, per_page, mine=request.args.get("mine") == "1",
                                              status=enum_arg("status", ReportStatus), q=q)
    show = sees_reporter_identity(user)
    feedback = feedback_texts(env(), rows)
    items = [report_json(r, show) | {"feedback": feedback.get(r.id)} for r in rows]
    return jsonify(listing(items, total, page, per_page))


@api.get("/reports/<int:report_id>")
@doc("报送信息详情（含处置时间线）", response=ReportDetailOut)
def get_report(report_id: int):
    """One report with its timeline; the read is logged."""
    user = current_user()
    report = report_service.get_report(env(), user, report_id, channel="api")
    data = report_json(report, sees_reporter_identity(user))
    data["reporting_unit"] = reporting_unit(env(), report)
    data["reporter"] = reporter_identity(env(), user, report)
    data["feedback"] = feedback_texts(env(), [report]).get(report.id)
    data["timeline"] = [event_json(e) for e in report_timeline(env(), user, report)]
    instance = report_service.instance_for_report(env(), report.id)
    data["instance"] = {"id": instance.id, "status": instance.status.value,
                        "waiting_element": instance.waiting_element} if instance else None
    return jsonify(data)


@api.get("/reports/<int:report_id>/sheet.pdf")
@doc("打印处置单（PDF，含各级办理意见；范围同报送详情）",
     content={PDF: {"schema": {"type": "string", "format": "binary"}}})
def report_sheet(report_id: int):
    """The printable 处置单 as PDF, scoped and masked like the report detail; the read is logged."""
    content, name = report_sheet_pdf(env(), current_user(), report_id)
    return download(content, PDF, name)
