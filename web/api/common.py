"""Helpers every API module uses: JSON bodies, schemas, pagination, list envelopes."""
from __future__ import annotations

from flask import request
from marshmallow import Schema, ValidationError

from services.errors import Invalid, ServiceError

from ..input_guards import MAX_ID, MAX_PAGE, JSONRefused, load_request_json, refused_as_error

MAX_PER_PAGE = 100


class BadRequest(ServiceError):
    code, status = "bad_request", 400


def read_json():
    """The JSON body (None when absent or not JSON); 400/422 when too deep or holding unstorable values."""
    if not request.is_json:
        return None
    try:
        return load_request_json(request.get_data(cache=True))
    except JSONRefused as exc:
        raise refused_as_error(exc) from None
    except ValueError:
        return None


def json_body() -> dict:
    """The request's JSON object, or 400 with a Chinese message."""
    data = read_json()
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
        details = [{"field": k, "message": m} for k, m in _flatten(exc.messages)]
        raise Invalid("提交的数据不合法：" + "；".join(f"{d['field']}：{d['message']}" for d in details),
                      details=details) from None


def _flatten(messages, prefix: str = ""):
    """marshmallow's nested messages as (field path, text) pairs: `ids[0]`, `data.measures`."""
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        yield prefix, "；".join(messages)
        return
    if not isinstance(messages, dict):
        yield prefix, str(messages)
        return
    for key, value in messages.items():
        path = f"{prefix}[{key}]" if isinstance(key, int) else (f"{prefix}.{key}" if prefix else str(key))
        yield from _flatten(value, path)


def paging() -> tuple[int, int]:
    """`page` and `per_page` query arguments, bounded."""
    page, per_page = int_arg("page", MAX_ID), int_arg("per_page", MAX_ID)
    if page is not None and page > MAX_PAGE:
        raise Invalid(f"参数 page 超出范围（最大 {MAX_PAGE}）", details=[{"field": "page", "message": "超出范围"}])
    return max(1, page or 1), min(MAX_PER_PAGE, max(1, 20 if per_page is None else per_page))


def int_arg(name: str, bound: int = MAX_ID) -> int | None:
    """An optional integer query argument; 400 when not an integer, 422 when beyond ±`bound` (an id's range)."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    text = raw.strip()
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not (digits.isascii() and digits.isdigit()):
        raise BadRequest(f"参数 {name} 必须是整数")
    value = int(text) if len(digits) <= 19 else None
    if value is None or not -bound - 1 <= value <= bound:
        raise Invalid(f"参数 {name} 超出范围", details=[{"field": name, "message": "超出范围"}])
    return value


def enum_arg(name: str, enum) -> str | None:
    """An optional query argument that must be one of an Enum's values; 422 naming them otherwise."""
    raw = request.args.get(name) or None
    allowed = [member.value for member in enum]
    if raw is not None and raw not in allowed:
        raise Invalid(f"参数 {name} 取值不正确，应为：{'、'.join(allowed)}",
                      details=[{"field": name, "message": "取值不正确"}])
    return raw


def listing(items: list, total: int | None, page: int, per_page: int, **extra) -> dict:
    """The list envelope of CONTRACT.md."""
    return {"items": items, "total": total, "page": page, "per_page": per_page, **extra}
