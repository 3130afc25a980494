"""The caller's open tasks and the actions on them."""
from __future__ import annotations

from flask import jsonify, request
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from services import tasks as task_service
from services.list_exports import export_tasks
from services.take_over import REASON_MAX
from storage.models import Report
from web import env
from web.downloads import XLSX, download, wants_xlsx

from . import api
from .openapi import doc
from .params import TaskQuery
from .responses import TaskOut, page_of
from .auth import current_user
from .common import int_arg, json_body, listing, load, paging
from .presenters import task_json
from .schemas import TaskComplete


class TakeOverBody(Schema):
    """The take-over request (the view reads it by hand: the body and `reason` may be left out)."""

    reason = fields.String(validate=validate.Length(max=REASON_MAX), metadata={"description": "提级办理理由（可不填）"})


TASKS_CONTENT = {"application/json": {"schema": page_of(TaskOut)},
                 XLSX: {"schema": {"type": "string", "format": "binary"}}}


@api.get("/tasks")
@doc("我的待办任务（format=xlsx 按当前筛选导出 Excel）", query=TaskQuery, content=TASKS_CONTENT)
def list_tasks():
    """Open tasks the caller may work, due soonest first; ?format=xlsx exports every matching row."""
    filters = {"report_id": int_arg("report_id"), "element_id": request.args.get("element_id") or None,
               "q": request.args.get("q") or None}
    sort = request.args.get("sort", "due")
    if wants_xlsx():
        content, name = export_tasks(env(), current_user(), sort=sort, **filters)
        return download(content, XLSX, name)
    page, per_page = paging()
    result = task_service.list_tasks(env(), current_user(), page, per_page, sort=sort,
                                     with_total=request.args.get("count", "1") != "0", **filters)
    ids = [t.report_id for t in result.items]
    reports = {r.id: r for r in env().session.scalars(select(Report).where(Report.id.in_(ids)))} if ids else {}
    items = [task_json(t, reports.get(t.report_id)) for t in result.items]
    return jsonify(listing(items, result.total, page, per_page, has_next=result.has_next))


@api.get("/tasks/<task_id>")
@doc("任务详情", response=TaskOut)
def get_task(task_id: str):
    """One task the caller may work."""
    task = task_service.get_task(env(), current_user(), task_id)
    return jsonify(task_json(task, env().session.get(Report, task.report_id)))


@api.post("/tasks/<task_id>/claim")
@doc("认领任务", response=TaskOut, errors=(409,))
def claim_task(task_id: str):
    return jsonify(task_json(task_service.claim(env(), current_user(), task_id)))


@api.post("/tasks/<task_id>/unclaim")
@doc("释放任务", response=TaskOut, errors=(409,))
def unclaim_task(task_id: str):
    return jsonify(task_json(task_service.unclaim(env(), current_user(), task_id)))


@api.post("/tasks/<task_id>/complete")
@doc("办理任务（提交表单）", body=TaskComplete, response=TaskOut, errors=(409,))
def complete_task(task_id: str):
    """Complete with form data: 409 if no longer open, 403 if not the caller's, 422 if invalid."""
    body = load(TaskComplete(), json_body())
    task = task_service.complete_task(env(), current_user(), task_id, body["data"])
    return jsonify(task_json(task))


@api.post("/tasks/<task_id>/take-over")
@doc("提级办理（上一级接手任务）", body=TakeOverBody, response=TaskOut, errors=(409,))
def take_over_task(task_id: str):
    """提级办理: the tier above takes the task over (the diagram's take-over event); body `{"reason"?}`."""
    from services.take_over import take_over

    body = request.get_json(silent=True) or {}
    reason = body.get("reason", "") if isinstance(body, dict) else None
    task = take_over(env(), current_user(), task_id, reason if reason is not None else "")
    return jsonify(task_json(task))
