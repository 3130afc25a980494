"""Workflow owners' pages: versions, upload, web modeler, publish/approve, diff, migration."""
from __future__ import annotations

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for

from services import decisions, processes
from services.errors import Invalid, NotFound, ServiceError
from services.migration import migrate_instances, preview_migration
from services.process_catalogue import candidate_groups, diagram_variables, field_records, field_types, topics
from services.version_diff import compare_versions
from services.version_overview import version_overview
from storage.models import ProcessVersion, VersionState
from web import env
from web.downloads import xml_file
from web.input_guards import parse_id

from ..api.process_versions import read_upload
from .session_auth import current_user, login_required

bp = Blueprint("processes", __name__, url_prefix="/processes")
OWNERS = ("workflow_owner", "admin")
STATE_LABELS = {VersionState.DRAFT: "草稿", VersionState.PUBLISHED: "已发布", VersionState.RETIRED: "已停用"}


@bp.app_context_processor
def _labels():
    return {"version_state_labels": STATE_LABELS}


def _version(version_id: int) -> ProcessVersion:
    version = env().session.get(ProcessVersion, version_id)
    if version is None:
        raise NotFound("流程版本不存在")
    return version


def _int_arg(name: str) -> int | None:
    return parse_id(request.args.get(name) or request.form.get(name))


@bp.get("")
@login_required(*OWNERS)
def index():
    """Versions with state, people, dates and instance counts; upload, compare and migrate forms."""
    return render_template("processes/index.html", **_index_context())


def _index_with_error(exc: ServiceError):
    """The version list again, with the refusal and its per-element problems on top."""
    env().session.rollback()
    return render_template("processes/index.html", **_index_context(
        problems=exc.details or [], error=exc.message)), exc.status


def _index_context(**extra) -> dict:
    return dict(rows=version_overview(env()), topics=topics(), variables=diagram_variables(), tables=decisions.tables_by_version(env()),
                four_eyes=env().settings.four_eyes_publish, **extra)


@bp.post("/upload")
@login_required(*OWNERS)
def upload():
    """A .bpmn made in Camunda Modeler becomes a validated draft, or the problems are listed."""
    upload_file = request.files.get("file")
    limit = env().settings.max_bpmn_bytes
    try:
        if upload_file is None or not upload_file.filename:
            raise Invalid("请选择要上传的 .bpmn 文件")
        data = read_upload(upload_file, limit, "流程图")
        tables = [read_upload(f, limit, "决策表").decode("utf-8")
                  for f in request.files.getlist("decisions") if f.filename]
        version = processes.create_draft(env(), data, current_user().id, request.form.get("note") or None,
                                         decisions=tables)
    except ServiceError as exc:
        return _index_with_error(exc)
    flash(f"已保存为草稿 v{version.version}，校验通过，可以发布", "info")
    return redirect(url_for(".index"))


@bp.get("/<int:version_id>/download")
@login_required(*OWNERS)
def download(version_id: int):
    """The diagram file (also what the modeler and the diff viewer load)."""
    version = _version(version_id)
    return xml_file(version.bpmn_xml, f"{version.process_id}_v{version.version}.bpmn",
                    inline=bool(request.args.get("inline")))


@bp.get("/modeler")
@login_required(*OWNERS)
def modeler():
    """The embedded web modeler, opening the given version or the published one."""
    version_id = _int_arg("version")
    version = _version(version_id) if version_id else processes.current_version(env())
    return render_template("processes/modeler.html", version=version, topics=topics(), variables=diagram_variables(),
                           groups=candidate_groups(), field_types=field_types())


@bp.post("/drafts")
@login_required(*OWNERS)
def save_draft():
    """The modeler saves: 201 with the new draft, or 422 with problems tied to element ids."""
    body = request.get_json(silent=True) or {}
    xml = body.get("xml")
    if not isinstance(xml, str) or not xml.strip():
        raise Invalid("没有收到流程图内容", details=[{"element_id": None, "message": "流程图为空"}])
    base = body.get("base_version_id")  # the opened version: its decision tables stay with the diagram
    version = processes.create_draft(env(), xml.encode("utf-8"), current_user().id, body.get("note") or None,
                                     base_version_id=base if isinstance(base, int) else None)
    return jsonify({"id": version.id, "version": version.version, "state": version.state.value,
                    "publish_url": url_for(".publish", version_id=version.id),
                    "approve_url": url_for(".approve", version_id=version.id),
                    "diff_url": url_for(".diff", **{"from": base, "to": version.id}) if isinstance(base, int) else None,
                    }), 201


@bp.post("/validate")
@login_required(*OWNERS)
def validate():
    """Check the modeler's current diagram without saving it: the upload checks, then the publish dry run
    (its problems carry the path and are marked on the diagram like any other)."""
    body = request.get_json(silent=True) or {}
    xml = body.get("xml") if isinstance(body.get("xml"), str) else ""
    base = body.get("base_version_id")
    base = base if isinstance(base, int) else None
    problems = [p.as_dict() for p in decisions.validate_with_tables(env(), xml, base)]
    if problems:
        return jsonify({"problems": problems})
    findings = processes.dry_run_diagram(env(), xml, base)  # valid: then what publishing would find
    return jsonify({"problems": findings.problems, "warnings": findings.warnings, "paths": findings.paths})


@bp.post("/<int:version_id>/approve")
@login_required(*OWNERS)
def approve(version_id: int):
    """Four-eyes rule: a second owner approves the draft."""
    try:
        version = processes.approve(env(), version_id, current_user().id)
    except ServiceError as exc:
        return _index_with_error(exc)
    flash(f"已审核通过草稿 v{version.version}", "info")
    return redirect(url_for(".index"))


@bp.post("/<int:version_id>/publish")
@login_required(*OWNERS)
def publish(version_id: int):
    """Make the draft the version new reports start on, once the dry run passed and any warnings were
    confirmed (the confirmation lists what would stop working)."""
    try:
        if request.form.get("confirm") != "1":
            findings = processes.dry_run_version(env(), version_id)
            if findings.ok and findings.warnings:
                return render_template("processes/index.html", **_index_context(
                    dry_run=findings, dry_run_version=_version(version_id), confirming=True))
        done = processes.publish_checked(env(), version_id, current_user().id)
    except ServiceError as exc:
        return _index_with_error(exc)
    flash(f"已发布 v{done.version.version}：新报送将按此版本流转，运行中的实例仍按原版本"
          f"（试运行 {done.paths} 条路径均通过）", "info")
    for warning in done.warnings:
        flash(f"提醒：{warning['message']}", "warning")
    return redirect(url_for(".index"))


@bp.post("/<int:version_id>/dry-run")
@login_required(*OWNERS)
def dry_run(version_id: int):
    """试运行: the version runs in memory through every path; the findings are shown, nothing is published."""
    try:
        findings = processes.dry_run_version(env(), version_id)
    except ServiceError as exc:
        return _index_with_error(exc)
    return render_template("processes/index.html", **_index_context(
        dry_run=findings, dry_run_version=_version(version_id), confirming=False))


@bp.get("/topics")
@login_required(*OWNERS)
def topic_list():
    """Service topics, candidate groups and field types an owner may use."""
    return render_template("processes/topics.html", topics=topics(), variables=diagram_variables(),
                           groups=candidate_groups(),
                           field_types=field_types(), records=field_records())


@bp.get("/diff")
@login_required(*OWNERS)
def diff():
    """Two versions side by side, added/removed/changed elements coloured and listed."""
    old_id, new_id = _int_arg("from"), _int_arg("to")
    if not old_id or not new_id:
        raise Invalid("请选择要比较的两个版本")
    old, new, result = compare_versions(env(), old_id, new_id)
    return render_template("processes/diff.html", old=old, new=new, diff=result)


@bp.get("/migrate")
@login_required(*OWNERS)
def migrate_preview():
    """Which running instances can move to the target version, and why the others cannot."""
    target_id = _int_arg("to")
    if not target_id:
        raise Invalid("请选择目标版本")
    rows = preview_migration(env(), target_id, _int_arg("from"))
    return render_template("processes/migrate.html", target=_version(target_id), rows=rows,
                           source_id=_int_arg("from"), results=None)


@bp.post("/migrate")
@login_required(*OWNERS)
def migrate():
    """Move the selected instances; each result (moved or why not) is shown and logged."""
    target_id = _int_arg("to")
    ids = [i for i in map(parse_id, request.form.getlist("instance_id")) if i is not None]
    if not target_id:
        raise Invalid("请选择目标版本")
    results = migrate_instances(env(), target_id, ids, current_user().id)
    moved = sum(r.migrated for r in results)
    flash(f"已迁移 {moved} 个实例，{len(results) - moved} 个未迁移", "info")
    return render_template("processes/migrate.html", target=_version(target_id), rows=results,
                           source_id=_int_arg("from"), results=True)


@bp.get("/<int:version_id>/decisions/<decision_id>")
@login_required(*OWNERS)
def decision_editor(version_id: int, decision_id: str):
    """The dmn-js editor on one decision table of a version; saving makes a new draft."""
    table = decisions.decision_table(env(), version_id, decision_id)
    return render_template("processes/decision.html", version=_version(version_id), table=table,
                           xml_url=url_for(".decision_xml", version_id=version_id, decision_id=decision_id))


@bp.get("/<int:version_id>/decisions/new")
@login_required(*OWNERS)
def new_decision(version_id: int):
    """The dmn-js editor on a starting table, for a business rule task's camunda:decisionRef."""
    decision_id = request.args.get("decision_id", "").strip()
    decisions.new_table_xml(decision_id, request.args.get("name", ""))
    return render_template("processes/decision.html", version=_version(version_id), table=None,
                           decision_id=decision_id, xml_url=url_for(
                               ".decision_template", decision_id=decision_id, name=request.args.get("name", "")))


@bp.get("/<int:version_id>/decisions/<decision_id>/xml")
@login_required(*OWNERS)
def decision_xml(version_id: int, decision_id: str):
    """The DMN text of a version's table."""
    table = decisions.decision_table(env(), version_id, decision_id)
    return xml_file(table.dmn_xml, f"{table.decision_id}.dmn", inline=True)


@bp.get("/decisions/template")
@login_required(*OWNERS)
def decision_template():
    """A one-rule DMN to start a new table from."""
    xml = decisions.new_table_xml(request.args.get("decision_id", ""), request.args.get("name", ""))
    return Response(xml, mimetype="application/xml", headers={"Cache-Control": "no-store"})


@bp.post("/<int:version_id>/decisions")
@login_required(*OWNERS)
def save_decision(version_id: int):
    """Save the edited table: 201 with the new draft (diagram unchanged), or 422 with the problems."""
    body = request.get_json(silent=True) or {}
    xml = body.get("xml")
    if not isinstance(xml, str) or not xml.strip():
        raise Invalid("没有收到决策表内容", details=[{"element_id": None, "message": "决策表为空"}])
    version = decisions.save_decision(env(), version_id, xml, current_user().id, body.get("note") or None)
    return jsonify({"id": version.id, "version": version.version, "state": version.state.value,
                    "publish_url": url_for(".publish", version_id=version.id)}), 201
