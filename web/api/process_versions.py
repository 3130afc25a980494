"""Process versions for workflow owners: list, upload a validated draft, publish."""
from __future__ import annotations

from flask import Response, jsonify, request

from services import processes
from services.errors import Forbidden, Invalid, NotFound
from storage.models import ProcessVersion
from web import env

from . import api
from .auth import current_user
from .presenters import iso


def _owner():
    user = current_user()
    if not user.has_role("workflow_owner", "admin"):
        raise Forbidden("只有流程管理员可以管理流程版本")
    return user


def version_json(version: ProcessVersion) -> dict:
    return {"id": version.id, "process_id": version.process_id, "version": version.version,
            "state": version.state.value, "content_hash": version.content_hash, "note": version.note,
            "created_by": version.created_by_id, "created_at": iso(version.created_at),
            "published_by": version.published_by_id, "published_at": iso(version.published_at)}


@api.get("/process-versions")
def list_versions():
    _owner()
    rows = processes.list_versions(env(), request.args.get("process_id") or None)
    return jsonify({"items": [version_json(v) for v in rows], "total": len(rows), "page": 1, "per_page": len(rows)})


@api.post("/process-versions")
def upload_version():
    """Upload a .bpmn: 201 with the draft, or 422 with details [{element_id, message}]."""
    user = _owner()
    upload = request.files.get("file")
    if upload is None:
        raise Invalid("请以 multipart/form-data 上传字段名为 file 的 .bpmn 文件")
    limit = env().settings.max_bpmn_bytes
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise Invalid(f"流程图文件过大（上限 {limit // 1024} KB）",
                      details=[{"element_id": None, "message": f"文件超过 {limit // 1024} KB"}])
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("流程图必须是 UTF-8 编码的 XML 文件",
                      details=[{"element_id": None, "message": "不是 UTF-8 文本"}]) from None
    version = processes.create_draft(env(), data, user.id, request.form.get("note") or None)
    return jsonify(version_json(version)), 201


@api.get("/process-versions/<int:version_id>")
def get_version(version_id: int):
    _owner()
    version = env().session.get(ProcessVersion, version_id)
    if version is None:
        raise NotFound("流程版本不存在")
    return jsonify(version_json(version))


@api.get("/process-versions/<int:version_id>/xml")
def download_version(version_id: int):
    _owner()
    version = env().session.get(ProcessVersion, version_id)
    if version is None:
        raise NotFound("流程版本不存在")
    return Response(version.bpmn_xml, mimetype="application/xml", headers={
        "Content-Disposition": f"attachment; filename={version.process_id}_v{version.version}.bpmn"})


@api.post("/process-versions/<int:version_id>/publish")
def publish_version(version_id: int):
    user = _owner()
    return jsonify(version_json(processes.publish(env(), version_id, user.id)))
