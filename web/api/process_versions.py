"""Process versions for workflow owners: list, upload a validated draft, publish."""
from __future__ import annotations

from flask import jsonify, request

from services import decisions, processes
from services.errors import Forbidden, Invalid, NotFound, ServiceError
from storage.models import ProcessVersion
from web import env
from web.downloads import xml_file

from . import api
from .openapi import XML_FILE, doc
from .params import VersionQuery
from .responses import DecisionTableOut, DryRunOut, VersionOut, page_of
from .auth import current_user
from .presenters import iso


BPMN_UPLOAD = {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": ".bpmn 流程图"},
                   "decisions": {"type": "array", "items": {"type": "string", "format": "binary"},
                                 "description": ".dmn 决策表（可多个）"},
                   "note": {"type": "string", "description": "版本说明"}}}}}


class DiagramTooLarge(ServiceError):
    """A diagram or decision table over the size cap: 413, like every other oversized body."""

    code, status = "too_large", 413


def _owner():
    user = current_user()
    if not user.has_role("workflow_owner", "admin"):
        raise Forbidden("只有流程管理员可以管理流程版本")
    return user


def version_json(version: ProcessVersion) -> dict:
    return {"id": version.id, "process_id": version.process_id, "version": version.version,
            "state": version.state.value, "content_hash": version.content_hash, "note": version.note,
            "created_by": version.created_by_id, "created_at": iso(version.created_at),
            "approved_by": version.approved_by_id,
            "published_by": version.published_by_id, "published_at": iso(version.published_at)}


@api.get("/process-versions")
@doc("流程版本列表", query=VersionQuery, response=page_of(VersionOut))
def list_versions():
    _owner()
    rows = processes.list_versions(env(), request.args.get("process_id") or None)
    return jsonify({"items": [version_json(v) for v in rows], "total": len(rows), "page": 1, "per_page": len(rows)})


@api.post("/process-versions")
@doc("上传流程图（校验后存为草稿）", body=BPMN_UPLOAD, response=VersionOut, status=201, errors=(409, 413))
def upload_version():
    """Upload a .bpmn (field `file`) and optional .dmn tables (fields `decisions`): 201 with the draft,
    or 422 with details [{element_id, message}]. Tables not uploaded are kept from the published version."""
    user = _owner()
    upload = request.files.get("file")
    if upload is None:
        raise Invalid("请以 multipart/form-data 上传字段名为 file 的 .bpmn 文件")
    data = read_upload(upload, env().settings.max_bpmn_bytes, "流程图")
    decisions = [read_upload(f, env().settings.max_bpmn_bytes, "决策表").decode("utf-8")
                 for f in request.files.getlist("decisions")]
    version = processes.create_draft(env(), data, user.id, request.form.get("note") or None, decisions=decisions)
    return jsonify(version_json(version)), 201


def read_upload(upload, limit: int, what: str) -> bytes:
    """The uploaded file's bytes: UTF-8 (else 422), at most `limit` bytes (else 413)."""
    with upload.stream:  # a large upload is spooled to a temporary file; close it at once
        data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise DiagramTooLarge(f"{what}文件过大（上限 {limit // 1024} KB）",
                      details=[{"element_id": None, "message": f"文件超过 {limit // 1024} KB"}])
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid(f"{what}必须是 UTF-8 编码的 XML 文件",
                      details=[{"element_id": None, "message": "不是 UTF-8 文本"}]) from None
    return data


@api.get("/process-versions/<int:version_id>")
@doc("流程版本详情", response=VersionOut)
def get_version(version_id: int):
    _owner()
    version = env().session.get(ProcessVersion, version_id)
    if version is None:
        raise NotFound("流程版本不存在")
    return jsonify(version_json(version))


@api.get("/process-versions/<int:version_id>/xml")
@doc("下载流程图（BPMN）", content=XML_FILE)
def download_version(version_id: int):
    _owner()
    version = env().session.get(ProcessVersion, version_id)
    if version is None:
        raise NotFound("流程版本不存在")
    return xml_file(version.bpmn_xml, f"{version.process_id}_v{version.version}.bpmn")


@api.post("/process-versions/<int:version_id>/publish")
@doc("发布流程版本", response=VersionOut, errors=(409,))
def publish_version(version_id: int):
    """Publish after the dry run: 200 with the version and `warnings` (features a missing id disables),
    or 422 with details [{element_id, message, path}] naming the element and the choices that lead there."""
    user = _owner()
    done = processes.publish_checked(env(), version_id, user.id)
    return jsonify(version_json(done.version) | {"warnings": done.warnings, "dry_run_paths": done.paths})


@api.post("/process-versions/<int:version_id>/dry-run")
@doc("试运行流程版本（走遍每条路径，不作改动）", response=DryRunOut)
def dry_run_version(version_id: int):
    """试运行: run the version in memory through every path; 200 {ok, paths, problems, warnings}."""
    _owner()
    return jsonify(processes.dry_run_version(env(), version_id).as_dict())


@api.post("/process-versions/<int:version_id>/approve")
@doc("审核流程版本（双人复核）", response=VersionOut, errors=(409,))
def approve_version(version_id: int):
    """Four-eyes rule: a second owner approves the draft before it may be published."""
    user = _owner()
    return jsonify(version_json(processes.approve(env(), version_id, user.id)))


@api.get("/process-versions/<int:version_id>/decisions")
@doc("流程版本的决策表", response=page_of(DecisionTableOut))
def list_decision_tables(version_id: int):
    """The version's decision tables (DMN), called by business rule tasks via camunda:decisionRef."""
    _owner()
    rows = decisions.decision_tables(env(), version_id)
    items = [{"decision_id": t.decision_id, "name": t.name, "content_hash": t.content_hash} for t in rows]
    return jsonify({"items": items, "total": len(items), "page": 1, "per_page": len(items)})


@api.get("/process-versions/<int:version_id>/decisions/<decision_id>")
@doc("下载决策表（DMN）", content=XML_FILE)
def download_decision_table(version_id: int, decision_id: str):
    _owner()
    table = decisions.decision_table(env(), version_id, decision_id)
    return xml_file(table.dmn_xml, f"{table.decision_id}.dmn")
