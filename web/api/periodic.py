"""Periodic risk-assessment reports in the API: draft, centre expert review, 签发, and the files."""
from __future__ import annotations

from flask import jsonify
from marshmallow import RAISE, Schema, fields, validate

from services import report_review
from storage.models import PERIODIC_REPORT_STATE_LABELS
from web import env
from web.downloads import download

from . import api
from .auth import current_user
from .common import json_body, load
from .openapi import doc
from .presenters import iso
from .responses import Answer
from .schemas import REQUIRED

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PeriodicDraft(Schema):
    class Meta:
        unknown = RAISE

    kind = fields.String(required=True, validate=validate.OneOf(["monthly", "quarterly", "annual"]),
                         error_messages=REQUIRED, metadata={"description": "monthly / quarterly / annual"})
    period = fields.String(required=True, validate=validate.Length(max=16), error_messages=REQUIRED,
                           metadata={"description": "统计周期：2026-11、2026-Q4 或 2026"})


class PeriodicReview(Schema):
    class Meta:
        unknown = RAISE

    decision = fields.String(required=True, validate=validate.OneOf(["approve", "return"]), error_messages=REQUIRED,
                             metadata={"description": "approve：审核通过；return：退回修改"})
    comment = fields.String(load_default=None, allow_none=True, error_messages=REQUIRED,
                            validate=validate.Length(max=report_review.COMMENT_MAX),
                            metadata={"description": "审核意见（退回时必填）"})


class PeriodicReportOut(Answer):
    id = fields.Integer(required=True)
    kind, label, title, state, state_label = (fields.String(required=True) for _ in range(5))
    draft_number = fields.Integer()
    review_comment = fields.String(allow_none=True)
    drafted_by, reviewed_by, issued_by = (fields.String(allow_none=True) for _ in range(3))
    drafted_at, reviewed_at, issued_at = (fields.String(allow_none=True, metadata={"format": "date-time"})
                                          for _ in range(3))
    files = fields.List(fields.String(), metadata={"description": "本人可下载的文件名"})


class PeriodicListOut(Answer):
    items = fields.List(fields.Nested(PeriodicReportOut), required=True)
    total = fields.Integer(required=True)


def _json(entry: report_review.PeriodicEntry) -> dict:
    row, names = entry.row, entry.names
    return {"id": row.id, "kind": row.kind, "label": row.label, "title": entry.title,
            "state": row.report_state.value, "state_label": PERIODIC_REPORT_STATE_LABELS[row.report_state],
            "draft_number": row.draft_number, "review_comment": row.review_comment,
            "drafted_by": names.get(row.drafted_by_id, "系统定时任务" if row.drafted_by_id is None else None),
            "reviewed_by": names.get(row.reviewed_by_id), "issued_by": names.get(row.issued_by_id),
            "drafted_at": iso(row.drafted_at), "reviewed_at": iso(row.reviewed_at), "issued_at": iso(row.issued_at),
            "files": entry.files}


def _entry(row) -> dict:
    return _json(report_review.entry_for(env(), current_user(), row))


@api.get("/periodic-reports")
@doc("定期风险评估报告列表（审核人员可见全部，其他统计人员只见已签发的）", response=PeriodicListOut)
def list_periodic_reports():
    """The periodic reports the caller may see, newest first."""
    items = [_json(e) for e in report_review.list_periodic(env(), current_user())]
    return jsonify({"items": items, "total": len(items)})


@api.post("/periodic-reports")
@doc("生成定期报告草稿（待省中心专家审核）", body=PeriodicDraft, response=PeriodicReportOut, status=201, errors=(409,))
def draft_periodic_report():
    """Generate (or regenerate after a return) a period's report as a draft."""
    body = load(PeriodicDraft(), json_body())
    row, _paths = report_review.draft_report(env(), current_user(), body["kind"], body["period"])
    return jsonify(_entry(row)), 201


@api.post("/periodic-reports/<int:report_id>/review")
@doc("省中心专家审核定期报告（通过或退回修改）", body=PeriodicReview, response=PeriodicReportOut, errors=(409,))
def review_periodic_report(report_id: int):
    """A centre expert approves the draft or returns it with a comment."""
    body = load(PeriodicReview(), json_body())
    row = report_review.review_report(env(), current_user(), report_id, body["decision"], body["comment"])
    return jsonify(_entry(row))


@api.post("/periodic-reports/<int:report_id>/issue")
@doc("省局签发定期报告", response=PeriodicReportOut, errors=(409,))
def issue_periodic_report(report_id: int):
    """签发: the approved report goes out under the centre's masthead."""
    return jsonify(_entry(report_review.issue_report(env(), current_user(), report_id)))


@api.get("/periodic-reports/files/<name>")
@doc("下载定期报告文件（未签发的仅审核人员可下载草稿）",
     content={DOCX: {"schema": {"type": "string", "format": "binary"}},
              XLSX: {"schema": {"type": "string", "format": "binary"}}})
def periodic_report_file(name: str):
    """One report file the caller may download."""
    path = report_review.open_file(env(), current_user(), name)
    return download(path.read_bytes(), DOCX if name.endswith(".docx") else XLSX, name)
