"""Report attachments: upload (multipart `file`), list, download; scoped like the report."""
from __future__ import annotations

from flask import jsonify, request, send_file

from services import attachments as attachment_service
from services.reports import get_report
from web import env

from . import api
from .openapi import ANY_FILE, MULTIPART_FILE, doc
from .responses import AttachmentOut, page_of
from .auth import current_user
from .common import BadRequest
from .presenters import iso


def attachment_json(row) -> dict:
    return {"id": row.id, "report_id": row.report_id, "filename": row.filename, "content_type": row.content_type,
            "size": row.size, "sha256": row.sha256, "created_at": iso(row.created_at),
            "url": f"/api/v1/reports/{row.report_id}/attachments/{row.id}"}


@api.post("/reports/<int:report_id>/attachments")
@doc("上传附件（图片、PDF）", body=MULTIPART_FILE, response=AttachmentOut, status=201, errors=(413,))
def upload_attachment(report_id: int):
    """Attach one file (JPEG/PNG/WEBP image or PDF, sniffed from its bytes); 413 when too big, 422 when not allowed."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BadRequest("请以 multipart/form-data 上传文件，字段名为 file")
    data = attachment_service.read_upload(upload.stream, upload.filename, env().settings.max_upload_bytes)
    rows = attachment_service.add_attachments(env(), current_user(), report_id, [data])
    return jsonify(attachment_json(rows[0])), 201


@api.get("/reports/<int:report_id>/attachments")
@doc("附件列表", response=page_of(AttachmentOut, paged=False))
def list_attachments(report_id: int):
    """A report's attachments (reading them is a read of the report, and is logged)."""
    get_report(env(), current_user(), report_id, channel="api")
    rows = attachment_service.list_attachments(env(), report_id)
    return jsonify({"items": [attachment_json(r) for r in rows], "total": len(rows)})


@api.get("/reports/<int:report_id>/attachments/<int:attachment_id>")
@doc("下载附件", content=ANY_FILE)
def download_attachment(report_id: int, attachment_id: int):
    """The file's bytes."""
    row, path = attachment_service.open_attachment(env(), current_user(), report_id, attachment_id)
    name = attachment_service.download_name(row.filename, row.content_type)
    response = send_file(path, mimetype=row.content_type, as_attachment=True, download_name=name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
