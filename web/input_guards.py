"""Input bounds every route shares: 64-bit ids in URLs, safe JSON bodies, clean query text.

A value a database column cannot hold (an id past 64 bits, a lone UTF-16 surrogate, a NUL byte) or that
the interpreter cannot parse (JSON nested thousands deep) is refused here with a 4xx, so that it never
reaches SQLAlchemy, the encoder or the recursion limit and turns into a 500.
"""
from __future__ import annotations

import json
import math
from datetime import date

from flask import Flask, Request, request
from flask import json as flask_json
from werkzeug.routing import BaseConverter, IntegerConverter

from services.errors import Invalid, ServiceError
from services.stats import MAX_DATE, MIN_DATE

MAX_ID = 2**31 - 1  # ids are INTEGER columns: PostgreSQL refuses more (SQLite past 64 bits)
MAX_JSON_INT = 2**63 - 1  # any integer in a JSON body: what SQLite and a BIGINT can hold
MAX_JSON_DEPTH = 32
MAX_PAGE = 100_000  # page × per_page stays a small OFFSET


class BadText(ServiceError):
    code, status = "bad_request", 400


def digits_up_to(limit: int) -> str:
    """A regex for the decimal numbers 0..limit (leading zeros allowed up to limit's length)."""
    text = str(limit)
    branches = [f"[0-9]{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for i, digit in enumerate(text):
        if digit != "0":
            rest = len(text) - i - 1
            branches.append(text[:i] + f"[0-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    branches.append(text)
    return "(?:" + "|".join(branches) + ")"


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` up to MAX_ID, so a longer id is a 404, not an OverflowError or a database error.

    The bound is in the regex, not only in `to_python`: werkzeug answers 405 instead of 404 when a
    converter refuses a path that another method's rule would have matched.
    """

    regex = digits_up_to(MAX_ID)

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class DayConverter(BaseConverter):
    """`<day:…>`: a path segment shaped like YYYY-MM-DD (so `/calendar/deadline` is not a day)."""

    regex = r"\d{4}-\d{2}-\d{2}"


def parse_id(raw: str | None) -> int | None:
    """A positive id (at most MAX_ID) from form or query text, or None when it is not one."""
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def date_in_range(value: date | None) -> bool:
    """Whether a date lies in the span the platform's statistics and calendar compute over."""
    return value is None or MIN_DATE <= value <= MAX_DATE


class JSONRefused(ValueError):
    """A JSON body that parses but holds what no column can store; `status` 400 or 422."""

    def __init__(self, message: str, status: int = 422, field: str | None = None):
        super().__init__(message)
        self.message, self.status, self.field = message, status, field


def _refuse_constant(name: str):
    raise JSONRefused(f"JSON 中不能出现 {name}")


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "含有空字符（\\u0000）"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "含有无法编码的字符（孤立的 UTF-16 代理项）"
    return None


def _scalar_problem(value) -> str | None:
    if isinstance(value, str):
        return _text_problem(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and not -MAX_JSON_INT - 1 <= value <= MAX_JSON_INT:
        return "整数超出 64 位范围"
    if isinstance(value, float) and not math.isfinite(value):
        return "数值超出范围"
    return None


def _children(value, path: str):
    if isinstance(value, dict):
        named = ((k, v, str(k).encode("utf-8", "backslashreplace").decode("utf-8")) for k, v in value.items())
        return [(k, v, f"{path}.{name}" if path else name) for k, v, name in named]
    return [(None, v, f"{path}[{i}]") for i, v in enumerate(value)]


def check_json(value) -> None:
    """Refuse a parsed JSON value nested too deep or holding an unstorable scalar; names the field."""
    stack = [(value, "", 1)]
    while stack:
        node, path, depth = stack.pop()
        if not isinstance(node, (dict, list)):
            problem = _scalar_problem(node)
            if problem:
                raise JSONRefused(f"字段 {path or '（请求体）'} {problem}", field=path or None)
            continue
        if depth > MAX_JSON_DEPTH:
            raise JSONRefused(f"JSON 嵌套层数过深（最多 {MAX_JSON_DEPTH} 层）", status=400)
        for key, child, child_path in _children(node, path):
            problem = _text_problem(key) if key is not None else None
            if problem:
                raise JSONRefused(f"字段名 {child_path} {problem}", field=child_path)
            stack.append((child, child_path, depth + 1))


def load_request_json(data):
    """Parse a request body as JSON with the checks above (JSONRefused when they fail, ValueError if not JSON)."""
    try:
        value = json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        raise JSONRefused(f"JSON 嵌套层数过深（最多 {MAX_JSON_DEPTH} 层）", status=400) from None
    check_json(value)
    return value


class _GuardedJSON:
    """The `json_module` of requests: bodies are checked; responses and the session use Flask's own JSON."""

    loads = staticmethod(load_request_json)
    dumps = staticmethod(flask_json.dumps)


class GuardedRequest(Request):
    """Flask's request whose `get_json()` refuses what `check_json` refuses (silently: None)."""

    json_module = _GuardedJSON


def refused_as_error(exc: JSONRefused) -> ServiceError:
    """The service error (400 or 422 with the field) a refused body answers."""
    if exc.status == 400:
        return BadText(exc.message)
    details = [{"field": exc.field, "message": exc.message}] if exc.field else None
    return Invalid(exc.message, details=details)


def _refuse_bad_query_text():
    for name, value in request.args.items(multi=True):
        problem = _text_problem(name) or _text_problem(value)
        if problem:
            raise BadText(f"参数 {name} {problem}")


def install(app: Flask) -> None:
    """Register the bounded converters, the guarded request JSON, the query-text check and the 405 answer."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.url_map.converters["day"] = DayConverter
    app.request_class = GuardedRequest
    app.before_request(_refuse_bad_query_text)
    from .errors import register_method_not_allowed

    register_method_not_allowed(app)
