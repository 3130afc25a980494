"""Reports: submit, list (scoped), detail with timeline."""
from __future__ import annotations

from datetime import date

from flask import jsonify, request

from services import reports as report_service
from services.access import sees_reporter_identity
from services.errors import Invalid
from services.feedback import feedback_texts
from services.list_exports import export_reports
from services.parties import reporter_identity, reporting_unit
from services.sheet_pdf import report_sheet_pdf
from services.inbox import field_labels
from services.timeline import data_labels, report_timeline
from services.report_filters import ReportFilter
from storage.models import ReportKind, ReportStatus
from web import env
from web.downloads import PDF, XLSX, download, wants_xlsx
from web.input_guards import date_in_range

from . import api
from .openapi import doc
from .params import ReportQuery
from .responses import ReportDetailOut, ReportOut, page_of
from .auth import current_user
from .common import enum_arg, json_body, listing, load, paging
from .presenters import event_json, report_json
from .schemas import ReportCreate


# One schema instance for every submission: building a marshmallow schema costs about three times its load, and
# a schema without state or context is safe to share between requests and threads.
REPORT_CREATE = ReportCreate()


@api.post("/reports")
@doc("报送信息", body=ReportCreate, response=ReportOut, status=201)
def create_report():
    """Submit a report; its tracking number is assigned at once."""
    body = load(REPORT_CREATE, json_body())
    report = report_service.submit_report(env(), current_user(), report_service.ReportInput(**body))
    return jsonify(report_json(report)), 201


REPORTS_CONTENT = {"application/json": {"schema": page_of(ReportOut)},
                   XLSX: {"schema": {"type": "string", "format": "binary"}}}


def _day(name: str) -> date | None:
    raw = request.args.get(name) or None
    if raw is None:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        value = None
    if value is None or not date_in_range(value):
        raise Invalid(f"参数 {name} 应为 2000-01-01 至 2099-12-31 之间的日期（YYYY-MM-DD）",
                      details=[{"field": name, "message": "日期不正确"}])
    return value


def report_filter() -> ReportFilter:
    """The report library's criteria from the query string: kind, equipment category, division, dates."""
    args = request.args
    return ReportFilter(kind=enum_arg("kind", ReportKind), category=(args.get("category") or "")[:8] or None,
                        division=(args.get("division") or "")[:6] or None, date_from=_day("from"), date_to=_day("to"))


@api.get("/reports")
@doc("报送信息列表（按权限范围；format=xlsx 按当前筛选导出 Excel）", query=ReportQuery, content=REPORTS_CONTENT)
def list_reports():
    """Reports the caller may read, newest first; ?format=xlsx exports every matching row."""
    user = current_user()
    q = (request.args.get("q") or "").strip()[:200] or None
    mine, status, f = request.args.get("mine") == "1", enum_arg("status", ReportStatus), report_filter()
    if wants_xlsx():
        content, name = export_reports(env(), user, mine=mine, status=status, q=q, filters=f)
        return download(content, XLSX, name)
    page, per_page = paging()
    rows, total = report_service.list_reports(env(), user, page, per_page, mine=mine, status=status, q=q, filters=f)
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
    labels = field_labels(env(), report.id)
    data["timeline"] = [event_json(e) | {"data_labels": data_labels(e, labels)}
                        for e in report_timeline(env(), user, report)]
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
