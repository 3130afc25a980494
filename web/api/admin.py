"""The admin console's JSON API: instance lists (stuck view), detail, repairs, audit log. Admins only."""
from __future__ import annotations

from functools import wraps

from flask import jsonify, request
from marshmallow import Schema, fields, validate

from services import admin_actions as actions
from services import admin_queries as queries
from services.directory import division_names
from services.errors import Forbidden
from storage.models import INSTANCE_STATUS_LABELS
from web import env

from . import api
from .openapi import doc
from .params import AuditQuery, InstanceQuery
from .responses import AuditEntryOut, BulkRetryOut, InstanceDetailOut, InstanceOut, TaskOut, page_of
from .auth import current_user
from .common import BadRequest, int_arg, listing, load, paging, read_json
from .presenters import event_json, iso, task_json
from .schemas import Id



class ReasonBody(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class RetryBody(ReasonBody):
    element_id = fields.String(load_default=None, allow_none=True)


class SkipBody(RetryBody):
    data = fields.Dict(load_default=dict)


class TerminateBody(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class ResetBody(TerminateBody):
    element_id = fields.String(required=True)


class DataBody(TerminateBody):
    task_id = fields.String(required=True)
    changes = fields.Dict(load_default=dict)
    removed = fields.List(fields.String(), load_default=list)


class ReassignBody(ReasonBody):
    user_id = Id(required=True)


class BulkRetryBody(ReasonBody):
    ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=200))


def admin_only(view):
    """403 for anyone but admins, before the body is even read."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user().has_role("admin"):
            raise Forbidden("只有系统管理员可以访问运维接口")
        return view(*args, **kwargs)
    return wrapped


def _body(schema: Schema) -> dict:
    data = read_json()
    if data is None and request.data:
        raise BadRequest("请求体不是合法的 JSON（需要 Content-Type: application/json）")
    if data is not None and not isinstance(data, dict):
        raise BadRequest("请求体必须是 JSON 对象")
    return load(schema, data or {})


def instance_json(inst, report=None, version=None, reasons=(), divisions=None) -> dict:
    """One instance as the admin list shows it; `divisions` (code → name) names the report's division."""
    data = {"id": inst.id, "report_id": inst.report_id, "status": inst.status.value,
            "status_label": INSTANCE_STATUS_LABELS.get(inst.status), "waiting_element": inst.waiting_element,
            "since": iso(inst.updated_at), "created_at": iso(inst.created_at),
            "process_version_id": inst.process_version_id, "next_timer_at": iso(inst.next_timer_at),
            "error_element": inst.error_element,
            "error_summary": (inst.error_message or "").splitlines()[0] if inst.error_message else None,
            "stuck_reasons": list(reasons), "stuck_reason": "；".join(reasons) or None}
    if report is not None:
        data.update(tracking_no=report.tracking_no, title=report.title, division_code=report.division_code,
                    division_name=(divisions or {}).get(report.division_code))
    if version is not None:
        data["version"] = version
    return data


def _filters() -> queries.InstanceFilter:
    return queries.InstanceFilter(status=request.args.get("status") or None,
                                  element=request.args.get("element") or None, version_id=int_arg("version"),
                                  division=request.args.get("division") or None,
                                  min_age_days=int_arg("min_age_days"))


@api.get("/admin/instances")
@doc("流程实例（运维）", query=InstanceQuery, response=page_of(InstanceOut))
@admin_only
def admin_list_instances():
    """Instances by status (or `stuck`, with the reasons), element, version, division, age."""
    page, per_page = paging()
    rows, total = queries.list_instances(env(), current_user(), _filters(), page, per_page)
    names = division_names(env(), [r.report.division_code for r in rows if r.report is not None])
    return jsonify(listing([instance_json(r.instance, r.report, r.version, r.reasons, names) for r in rows],
                           total, page, per_page))


def _admin_task_json(task, names: dict[str, str]) -> dict:
    return task_json(task) | {"division_name": names.get(task.division_code)}


@api.get("/admin/instances/<int:instance_id>")
@doc("流程实例详情（错误、待办、定时器、事件）", response=InstanceDetailOut)
@admin_only
def admin_get_instance(instance_id: int):
    """Error element, message and traceback, open tasks, timers, element states, task data, events."""
    d = queries.instance_detail(env(), current_user(), instance_id)
    names = division_names(env(), [d.report.division_code if d.report else None, *(t.division_code for t in d.tasks)])
    data = instance_json(d.instance, d.report, d.version.version, d.reasons, names)
    data.update(
        error_message=d.instance.error_message, error_traceback=d.instance.error_traceback,
        tasks=[_admin_task_json(t, names) for t in d.tasks],
        open_tasks=[_admin_task_json(t, names) for t in d.tasks if t.state.value == "open"],
        timers=[{**t, "due_at": iso(t["due_at"])} for t in d.timers],
        elements={"completed": d.states.completed, "active": d.states.active, "failed": d.states.failed},
        task_data=[vars(t) for t in d.task_data], resettable=[{"element_id": e, "name": n} for e, n in d.resettable],
        events=[{**event_json(e), "actor": d.actors.get(e.actor_id)} for e in d.events])
    return jsonify(data)


def _done(instance):
    return jsonify(instance_json(instance, reasons=()))


@api.post("/admin/instances/<int:instance_id>/retry")
@doc("重试失败的任务", body=RetryBody, response=InstanceOut, errors=(409,))
@admin_only
def admin_retry(instance_id: int):
    body = _body(RetryBody())
    return _done(actions.retry_instance(env(), current_user(), instance_id, body["element_id"], body["reason"]))


@api.post("/admin/instances/<int:instance_id>/skip")
@doc("跳过失败的任务（带数据）", body=SkipBody, response=InstanceOut, errors=(409,))
@admin_only
def admin_skip(instance_id: int):
    body = _body(SkipBody())
    return _done(actions.skip_task(env(), current_user(), instance_id, body["data"], body["element_id"],
                                   body["reason"]))


@api.post("/admin/instances/<int:instance_id>/suspend")
@doc("挂起实例", body=ReasonBody, response=InstanceOut, errors=(409,))
@admin_only
def admin_suspend(instance_id: int):
    return _done(actions.suspend_instance(env(), current_user(), instance_id, _body(ReasonBody())["reason"]))


@api.post("/admin/instances/<int:instance_id>/resume")
@doc("恢复挂起的实例", body=ReasonBody, response=InstanceOut, errors=(409,))
@admin_only
def admin_resume(instance_id: int):
    return _done(actions.resume_instance(env(), current_user(), instance_id, _body(ReasonBody())["reason"]))


@api.post("/admin/instances/<int:instance_id>/terminate")
@doc("终止实例（须填写原因）", body=TerminateBody, response=InstanceOut, errors=(409,))
@admin_only
def admin_terminate(instance_id: int):
    return _done(actions.terminate_instance(env(), current_user(), instance_id, _body(TerminateBody())["reason"]))


@api.post("/admin/instances/<int:instance_id>/reset")
@doc("退回到先前的任务", body=ResetBody, response=InstanceOut, errors=(409,))
@admin_only
def admin_reset(instance_id: int):
    body = _body(ResetBody())
    return _done(actions.reset_instance(env(), current_user(), instance_id, body["element_id"], body["reason"]))


@api.post("/admin/instances/<int:instance_id>/data")
@doc("修改任务数据（须填写原因）", body=DataBody, response=InstanceOut, errors=(409,))
@admin_only
def admin_edit_data(instance_id: int):
    body = _body(DataBody())
    return _done(actions.edit_task_data(env(), current_user(), instance_id, body["task_id"], body["changes"],
                                        body["reason"], body["removed"]))


@api.post("/admin/instances/bulk-retry")
@doc("批量重试出错实例", body=BulkRetryBody, response=BulkRetryOut)
@admin_only
def admin_bulk_retry():
    body = _body(BulkRetryBody())
    return jsonify({"items": actions.bulk_retry(env(), current_user(), body["ids"], body["reason"])})


@api.post("/admin/tasks/<task_id>/reassign")
@doc("改派已认领的任务", body=ReassignBody, response=TaskOut, errors=(409,))
@admin_only
def admin_reassign(task_id: str):
    body = _body(ReassignBody())
    task = actions.reassign_task(env(), current_user(), task_id, body["user_id"], body["reason"])
    return jsonify(_admin_task_json(task, division_names(env(), [task.division_code])))


@api.post("/admin/tasks/<task_id>/release")
@doc("强制释放已认领的任务", body=ReasonBody, response=TaskOut, errors=(409,))
@admin_only
def admin_release(task_id: str):
    reason = _body(ReasonBody())["reason"]
    task = actions.reassign_task(env(), current_user(), task_id, None, reason)
    return jsonify(_admin_task_json(task, division_names(env(), [task.division_code])))


@api.get("/admin/audit")
@doc("运维审计日志", query=AuditQuery, response=page_of(AuditEntryOut))
@admin_only
def admin_audit():
    """Admin repairs, newest first; filters kind, actor, instance_id."""
    page, per_page = paging()
    filters = queries.AuditFilter(kind=request.args.get("kind") or None, actor=request.args.get("actor") or None,
                                  instance_id=int_arg("instance_id"))
    rows, total = queries.audit_log(env(), current_user(), filters, page, per_page)
    items = [{**event_json(e), "instance_id": e.instance_id, "report_id": e.report_id, "actor": name,
              "kind_label": queries.AUDIT_KIND_LABELS.get(e.kind, e.kind)} for e, name in rows]
    return jsonify(listing(items, total, page, per_page))
