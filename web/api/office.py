"""Officers' working tools in the API: 督办, the supervised list, 转办, 延期, saved inbox filters."""
from __future__ import annotations

from io import BytesIO

from flask import jsonify, request, send_file

from services import extensions, saved_filters, supervision
from services.supervised import SupervisedFilter, export_supervised, list_supervised
from web import env

from . import api
from .auth import current_user
from .common import BadRequest, json_body, listing, load, paging
from .openapi import doc
from .params import SupervisedQuery
from .presenters import iso, task_json
from .responses import ExtensionOut, PendingExtensionOut, SavedFilterOut, SupervisedTaskOut, TaskOut, page_of
from .schemas import ExtensionDecision, ExtensionRequest, SavedFilterCreate, TaskTransfer, TaskUrge

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUPERVISED_CONTENT = {"application/json": {"schema": page_of(SupervisedTaskOut)},
                      XLSX: {"schema": {"type": "string", "format": "binary"}}}


@api.post("/tasks/<task_id>/urge")
@doc("督办下级任务", body=TaskUrge, response=TaskOut, errors=(409,))
def urge_task(task_id: str):
    """督办 a lower tier's open task in the caller's jurisdiction; its candidates are notified."""
    body = load(TaskUrge(), json_body())
    return jsonify(task_json(supervision.urge_task(env(), current_user(), task_id, body["message"])))


@api.post("/tasks/<task_id>/transfer")
@doc("转办给同级单位", body=TaskTransfer, response=TaskOut, errors=(409,))
def transfer_task(task_id: str):
    """转办 to a peer division under the same parent."""
    body = load(TaskTransfer(), json_body())
    task = supervision.transfer_task(env(), current_user(), task_id, body["division_code"], body["reason"])
    return jsonify(task_json(task))


def _flag(name: str) -> bool | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    if raw not in ("0", "1", "true", "false"):
        raise BadRequest(f"参数 {name} 应为 1 或 0")
    return raw in ("1", "true")


def supervised_filter() -> SupervisedFilter:
    """The 督办 list filters from the query string (shared with the page)."""
    args = request.args
    return SupervisedFilter(division=args.get("division") or None, element=args.get("element") or None,
                            overdue=_flag("overdue"), urged=_flag("urged"), q=(args.get("q") or "").strip() or None)


@api.get("/tasks/supervised")
@doc("督办事项列表（辖区内下级的在办任务；format=xlsx 导出）", query=SupervisedQuery, content=SUPERVISED_CONTENT)
def supervised_tasks():
    """Open tasks of lower tiers in the caller's jurisdiction with overdue and urged flags; ?format=xlsx exports."""
    f = supervised_filter()
    if request.args.get("format") == "xlsx":
        content = export_supervised(env(), current_user(), f)
        return send_file(BytesIO(content), mimetype=XLSX, as_attachment=True, download_name="督办事项.xlsx")
    page, per_page = paging()
    rows, total = list_supervised(env(), current_user(), f, page, per_page)
    items = [task_json(r.task, r.report) | {"overdue": r.overdue, "urged": r.urged, "tier": r.tier,
                                            "division_name": r.division_name} for r in rows]
    return jsonify(listing(items, total, page, per_page))


def extension_json(row) -> dict:
    return {"id": row.id, "task_id": row.task_id, "report_id": row.report_id, "state": row.extension_state.value,
            "reason": row.reason, "old_due_at": iso(row.old_due_at), "requested_due_at": iso(row.requested_due_at),
            "requested_by": row.requested_by_id, "requested_at": iso(row.requested_at),
            "decided_by": row.decided_by_id, "decided_at": iso(row.decided_at), "decision_note": row.decision_note}


@api.post("/tasks/<task_id>/extension")
@doc("申请延期", body=ExtensionRequest, response=ExtensionOut, status=201, errors=(409,))
def request_extension(task_id: str):
    """延期: ask the tier above for a later due date (`due_date` or `working_days`)."""
    body = load(ExtensionRequest(), json_body())
    row = extensions.request_extension(env(), current_user(), task_id, body["reason"], body["due_date"],
                                       body["working_days"])
    return jsonify(extension_json(row)), 201


@api.get("/extension-requests")
@doc("待我审批的延期申请", response=page_of(PendingExtensionOut))
def pending_extension_requests():
    """Extension requests waiting for the caller's decision."""
    rows = extensions.pending_extensions(env(), current_user())
    items = [extension_json(x) | {"task_name": t.name, "tracking_no": r.tracking_no, "title": r.title,
                                  "division_code": t.division_code} for x, t, r in rows]
    return jsonify(listing(items, len(items), 1, max(len(items), 1)))


@api.post("/extension-requests/<int:extension_id>/decision")
@doc("审批延期申请", body=ExtensionDecision, response=ExtensionOut, errors=(409,))
def decide_extension_request(extension_id: int):
    """Approve (`{"approve": true}`) or refuse (`{"approve": false, "note"}`) an extension request."""
    body = load(ExtensionDecision(), json_body())
    row = extensions.decide_extension(env(), current_user(), extension_id, body["approve"], body["note"])
    return jsonify(extension_json(row))


def saved_filter_json(row) -> dict:
    return {"id": row.id, "name": row.name, "params": row.params or {}, "created_at": iso(row.created_at)}


@api.get("/me/saved-filters")
@doc("我保存的待办筛选条件", response=page_of(SavedFilterOut))
def my_saved_filters():
    """The caller's saved inbox filters."""
    items = [saved_filter_json(r) for r in saved_filters.list_filters(env(), current_user())]
    return jsonify(listing(items, len(items), 1, max(len(items), 1)))


@api.post("/me/saved-filters")
@doc("保存待办筛选条件（同名覆盖）", body=SavedFilterCreate, response=SavedFilterOut, status=201, errors=(409,))
def save_my_filter():
    """Save an inbox filter under a name (the same name overwrites)."""
    body = load(SavedFilterCreate(), json_body())
    row = saved_filters.save_filter(env(), current_user(), body["name"], body["params"])
    return jsonify(saved_filter_json(row)), 201


@api.delete("/me/saved-filters/<int:filter_id>")
@doc("删除保存的筛选条件", response=None, status=204)
def delete_my_filter(filter_id: int):
    """Delete one of the caller's saved filters."""
    saved_filters.delete_filter(env(), current_user(), filter_id)
    return "", 204
