"""The OpenAPI 3.0 document at /api/v1/openapi.json, built from the routes and marshmallow schemas.

How to document an endpoint — two lines next to the view:

    from .openapi import doc

    @api.post("/reports/<int:report_id>/urge")
    @doc("督办", body=UrgeBody, response=TaskOut, errors=(409,))
    def urge_task(report_id: int): ...

- `summary` (Chinese) is what people read in the document.
- `body` is the marshmallow schema of the JSON request body (or a ready OpenAPI `content` dict, e.g.
  `MULTIPART_FILE` for uploads); `query` a schema whose fields are the query arguments.
- `response` is the schema of the success answer (`page_of(ItemOut)` for list envelopes; `None` with
  `status=204` for no content; `content=` for a non-JSON answer such as a file download). `status`
  defaults to 200.
- Every operation also documents the error envelope `{"error": {"code", "message", "details"?}}` for
  400, 401, 403, 422 and 503, 404 when its path has parameters, and whatever `errors=` adds (409, 413 …).
- Path parameters come from the URL rule itself (`<int:…>` is an id up to 2³¹−1, `<day:…>` a date).
- `public=True` drops the bearer-token requirement (sign-in, this document).

`tests/test_openapi.py` fails for any /api/v1 route without `@doc`, and the schemathesis run checks each
answer against what is written here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, jsonify

from ..input_guards import MAX_ID
from . import api
from .responses import ErrorEnvelope

COMMON_ERRORS = (400, 401, 403, 422, 503)
ERROR_TEXT = {400: "请求格式不正确", 401: "未登录或令牌无效", 403: "无权执行该操作", 404: "资源不存在",
              409: "状态冲突（如任务已被办理）", 413: "上传内容过大", 422: "提交的数据不合法", 423: "账户已锁定",
              429: "请求过于频繁", 501: "未配置该功能", 503: "服务暂时不可用（数据库），请稍后重试"}
SUCCESS_TEXT = {200: "成功", 201: "已创建", 204: "成功，无内容"}
MULTIPART_FILE = {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": "上传的文件"}}}}}
XML_FILE = {"application/xml": {"schema": {"type": "string"}}}
ANY_FILE = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "image/*": {"schema": {"type": "string", "format": "binary"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}}}
PATH_PARAMS = {"int": {"type": "integer", "format": "int32", "minimum": 0, "maximum": MAX_ID},
               "day": {"type": "string", "format": "date"}}


@dataclass(frozen=True)
class Operation:
    """What `@doc` records on a view."""

    summary: str
    body: object = None
    query: object = None
    response: object = None
    status: int = 200
    content: dict | None = None
    errors: tuple = ()
    public: bool = False
    description: str | None = None
    extra: dict = field(default_factory=dict)


def doc(summary: str, **kwargs):
    """Describe a view for the OpenAPI document (see the module docstring)."""
    operation = Operation(summary, **kwargs)

    def mark(view):
        view.openapi_operation = operation
        return view
    return mark


def _request_body(op: Operation) -> dict | None:
    if op.body is None:
        return None
    content = op.body if isinstance(op.body, dict) else {"application/json": {"schema": op.body}}
    return {"required": True, "content": content}


def _responses(op: Operation, has_path_params: bool) -> dict:
    success: dict = {"description": SUCCESS_TEXT.get(op.status, "成功")}
    if op.content is not None:
        success["content"] = op.content
    elif op.response is not None:
        success["content"] = {"application/json": {"schema": op.response}}
    codes = set(COMMON_ERRORS) | set(op.errors) | ({404} if has_path_params else set())
    if op.public and 401 not in op.errors:
        codes.discard(401)
    responses = {str(op.status): success}
    for code in sorted(codes):
        responses[str(code)] = {"description": ERROR_TEXT.get(code, "错误"),
                                "content": {"application/json": {"schema": ErrorEnvelope}}}
    return responses


def _path_and_params(rule) -> tuple[str, list[dict]]:
    params = []
    for converter, name in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule):
        schema = PATH_PARAMS.get(converter, {"type": "string", "minLength": 1})
        params.append({"name": name, "in": "path", "required": True, "schema": dict(schema)})
    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(api.url_prefix):])
    return path, params


def _operation(rule, method: str, view) -> dict:
    op: Operation | None = getattr(view, "openapi_operation", None)
    path, params = _path_and_params(rule)
    operation_id = rule.endpoint.removeprefix("api.") + ("" if len(rule.methods - {"HEAD", "OPTIONS"}) == 1
                                                          else "_" + method.lower())
    if op is None:  # undocumented: still listed, so the test that every route is described fails loudly
        return {"operationId": operation_id, "summary": rule.endpoint, "parameters": params,
                "responses": {"default": {"description": "未描述"}}}
    data = {"operationId": operation_id, "summary": op.summary, "parameters": list(params),
            "responses": _responses(op, bool(params)),
            "security": [] if op.public else [{"bearer": []}], **op.extra}
    if op.description:
        data["description"] = op.description
    if op.query is not None:
        data["parameters"].append({"in": "query", "schema": op.query})
    body = _request_body(op)
    if body:
        data["requestBody"] = body
    return data


def build_document(app) -> dict:
    """The whole OpenAPI document for the app's /api/v1 routes."""
    spec = APISpec(title="陕西省特种设备风险监测平台 API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "列表返回 {items, total, page, per_page}；"
                                        "错误返回 {error: {code, message, details?}}。"},
                   servers=[{"url": api.url_prefix}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "description": "POST /auth/token 取得的访问令牌"})
    spec.components.schema("ErrorEnvelope", schema=ErrorEnvelope)
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(api.url_prefix + "/"):
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            path, _params = _path_and_params(rule)
            paths.setdefault(path, {})[method.lower()] = _operation(rule, method, view)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@api.get("/openapi.json", endpoint="openapi_document")
@doc("本接口文档（OpenAPI 3.0）", public=True, content={"application/json": {"schema": {"type": "object"}}})
def openapi_document():
    """This API described as OpenAPI 3.0 (built once per application)."""
    app = current_app._get_current_object()
    if "riskmon.openapi" not in app.extensions:
        app.extensions["riskmon.openapi"] = build_document(app)
    return jsonify(app.extensions["riskmon.openapi"])
