"""Helpers every API module uses: JSON bodies, schemas, pagination, list envelopes."""
from __future__ import annotations

from flask import request
from marshmallow import Schema, ValidationError

from services.errors import Invalid, ServiceError

MAX_PER_PAGE = 100


class BadRequest(ServiceError):
    code, status = "bad_request", 400


def json_body() -> dict:
    """The request's JSON object, or 400 with a Chinese message."""
    data = request.get_json(silent=True)
    if data is None:
        raise BadRequest("请求体不是合法的 JSON（需要 Content-Type: application/json）")
    if not isinstance(data, dict):
        raise BadRequest("请求体必须是 JSON 对象")
    return data


def load(schema: Schema, data: dict) -> dict:
    """Validate with a marshmallow schema; 422 with field details."""
    try:
        return schema.load(data)
    except ValidationError as exc:
        details = [{"field": k, "message": "；".join(v) if isinstance(v, list) else str(v)}
                   for k, v in exc.messages.items()]
        raise Invalid("提交的数据不合法：" + "；".join(f"{d['field']}：{d['message']}" for d in details),
                      details=details) from None


def paging() -> tuple[int, int]:
    """`page` and `per_page` query arguments, bounded."""
    try:
        page = max(1, int(request.args.get("page", 1)))
        per_page = min(MAX_PER_PAGE, max(1, int(request.args.get("per_page", 20))))
    except ValueError:
        raise BadRequest("page 与 per_page 必须是正整数") from None
    return page, per_page


def int_arg(name: str) -> int | None:
    """An optional integer query argument."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"参数 {name} 必须是整数") from None


def listing(items: list, total: int | None, page: int, per_page: int, **extra) -> dict:
    """The list envelope of CONTRACT.md."""
    return {"items": items, "total": total, "page": page, "per_page": per_page, **extra}
