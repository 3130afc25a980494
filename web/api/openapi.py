"""The OpenAPI 3.0 document at /api/v1/openapi.json, generated from the registered routes."""
from __future__ import annotations

import re

from flask import current_app, jsonify

from . import api

SUMMARIES = {
    ("POST", "/auth/token"): "用户名密码换取访问令牌",
    ("GET", "/me"): "当前用户",
    ("POST", "/reports"): "报送信息",
    ("GET", "/reports"): "报送信息列表（按权限范围）",
    ("GET", "/reports/{report_id}"): "报送信息详情（含处置时间线）",
    ("POST", "/reports/{report_id}/attachments"): "上传附件（图片、PDF）",
    ("GET", "/tasks"): "我的待办任务",
    ("POST", "/tasks/{task_id}/claim"): "认领任务",
    ("POST", "/tasks/{task_id}/unclaim"): "释放任务",
    ("POST", "/tasks/{task_id}/complete"): "办理任务（提交表单）",
    ("GET", "/monitoring-points"): "监测点列表",
    ("POST", "/monitoring-points"): "登记监测点",
    ("POST", "/monitoring-points/{point_id}/confirm"): "确认监测点",
    ("GET", "/process-versions"): "流程版本列表",
    ("POST", "/process-versions"): "上传流程图（校验后存为草稿）",
    ("POST", "/process-versions/{version_id}/publish"): "发布流程版本",
    ("GET", "/admin/instances"): "流程实例（运维）",
    ("GET", "/stats/summary"): "统计汇总",
}
ERROR_SCHEMA = {"type": "object", "properties": {"error": {"type": "object", "properties": {
    "code": {"type": "string"}, "message": {"type": "string"}, "details": {}}}}}


def _paths() -> dict:
    paths: dict = {}
    prefix = api.url_prefix
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith(prefix + "/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(prefix):])
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                      for n in re.findall(r"{([^}]+)}", path)]
            paths.setdefault(path, {})[method.lower()] = {
                "summary": SUMMARIES.get((method, path), rule.endpoint),
                "operationId": rule.endpoint.replace(".", "_") + "_" + method.lower(),
                "parameters": params,
                "security": [] if path in ("/auth/token", "/openapi.json") else [{"bearer": []}],
                "responses": {"200": {"description": "成功"}, "default": {
                    "description": "错误", "content": {"application/json": {"schema": ERROR_SCHEMA}}}},
            }
    return paths


@api.get("/openapi.json", endpoint="openapi_document")
def openapi_document():
    """This API described as OpenAPI 3.0."""
    return jsonify({
        "openapi": "3.0.3",
        "info": {"title": "陕西省特种设备风险监测平台 API", "version": "1.0.0",
                 "description": "列表返回 {items, total}；错误返回 {error: {code, message, details?}}。"},
        "servers": [{"url": api.url_prefix}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": _paths(),
    })
