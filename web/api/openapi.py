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
    ("POST", "/tasks/{task_id}/take-over"): "提级办理（上一级接办下级任务）",
    ("GET", "/monitoring-points"): "监测点列表",
    ("POST", "/monitoring-points"): "登记监测点",
    ("POST", "/monitoring-points/{point_id}/confirm"): "确认监测点",
    ("GET", "/process-versions"): "流程版本列表",
    ("POST", "/process-versions"): "上传流程图（校验后存为草稿）",
    ("POST", "/process-versions/{version_id}/publish"): "发布流程版本",
    ("GET", "/admin/instances"): "流程实例（运维）",
    ("GET", "/stats/summary"): "统计汇总",
    ("GET", "/admin/audit"): "运维审计日志",
    ("POST", "/admin/instances/bulk-retry"): "批量重试出错实例",
    ("GET", "/admin/instances/{instance_id}"): "流程实例详情（错误、待办、定时器、事件）",
    ("POST", "/admin/instances/{instance_id}/data"): "修改任务数据（须填写原因）",
    ("POST", "/admin/instances/{instance_id}/reset"): "退回到先前的任务",
    ("POST", "/admin/instances/{instance_id}/resume"): "恢复挂起的实例",
    ("POST", "/admin/instances/{instance_id}/retry"): "重试失败的任务",
    ("POST", "/admin/instances/{instance_id}/skip"): "跳过失败的任务（带数据）",
    ("POST", "/admin/instances/{instance_id}/suspend"): "挂起实例",
    ("POST", "/admin/instances/{instance_id}/terminate"): "终止实例（须填写原因）",
    ("POST", "/admin/tasks/{task_id}/reassign"): "改派已认领的任务",
    ("POST", "/admin/tasks/{task_id}/release"): "强制释放已认领的任务",
    ("GET", "/calendar"): "工作日历（节假日与调休）",
    ("GET", "/calendar/deadline"): "按工作日计算期限",
    ("DELETE", "/calendar/{day}"): "删除日历日",
    ("PUT", "/calendar/{day}"): "设置节假日或调休工作日",
    ("GET", "/cases"): "典型案例库",
    ("GET", "/cases/{case_id}"): "典型案例详情",
    ("GET", "/me/notifications"): "我的通知",
    ("POST", "/me/notifications/{notification_id}/read"): "标记通知已读",
    ("GET", "/me/preferences"): "我的通知渠道设置",
    ("PUT", "/me/preferences"): "修改通知渠道设置",
    ("GET", "/monitoring-points/{point_id}"): "监测点详情",
    ("POST", "/monitoring-points/{point_id}/safety-directors"): "登记安全总监",
    ("DELETE", "/monitoring-points/{point_id}/safety-directors/{user_id}"): "移除安全总监",
    ("GET", "/openapi.json"): "本接口文档",
    ("GET", "/outbox/dead-letters"): "投递失败的通知（死信）",
    ("POST", "/outbox/{message_id}/requeue"): "重新投递通知",
    ("GET", "/process-versions/{version_id}"): "流程版本详情",
    ("POST", "/process-versions/{version_id}/approve"): "审核流程版本（双人复核）",
    ("GET", "/process-versions/{version_id}/decisions"): "流程版本的决策表",
    ("GET", "/process-versions/{version_id}/decisions/{decision_id}"): "下载决策表（DMN）",
    ("GET", "/process-versions/{version_id}/xml"): "下载流程图（BPMN）",
    ("GET", "/reports/{report_id}/attachments"): "附件列表",
    ("GET", "/reports/{report_id}/attachments/{attachment_id}"): "下载附件",
    ("GET", "/reports/{report_id}/director-receipts"): "安全总监通知回执",
    ("GET", "/reports/{report_id}/similar"): "相似报送信息",
    ("GET", "/stats/divisions"): "按区划逐级统计",
    ("GET", "/stats/handling-time"): "办理时长分布",
    ("GET", "/stats/offices"): "各单位按时办结率与逾期率",
    ("GET", "/stats/quality/points"): "监测点信息质量排名",
    ("GET", "/stats/quality/reporters"): "信息报送员信息质量排名",
    ("GET", "/stats/trend"): "月度趋势",
    ("GET", "/tasks/{task_id}"): "任务详情",
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
