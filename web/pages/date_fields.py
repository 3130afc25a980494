"""Dates typed as 年-月-日 in filter forms: lenient parsing, and a Chinese error shown beside the field."""
from __future__ import annotations

import re
from datetime import date

from flask import g, request

from web.input_guards import date_in_range

FORMAT_ERROR = "日期格式应为 年-月-日，例如 2026-11-01"
RANGE_ERROR = "日期须在 2000-01-01 至 2099-12-31 之间"
# 2026-11-01, 2026/11/1, 2026.11.1, 2026年11月1日 and 20261101 all mean the same day.
SEPARATED = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", re.ASCII)
COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)
MAX_RAW = 32


def parse_day(raw: str) -> date:
    """The day a person typed, or ValueError with the Chinese message to show them."""
    text = raw.strip()
    match = (SEPARATED.fullmatch(text) or COMPACT.fullmatch(text)) if len(text) <= MAX_RAW else None
    if match is None:
        raise ValueError(FORMAT_ERROR)
    try:
        value = date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValueError(f"没有这一天：{text}（{FORMAT_ERROR}）") from None
    if not date_in_range(value):
        raise ValueError(RANGE_ERROR)
    return value


def date_arg(name: str) -> date | None:
    """An optional date query argument; a malformed one is ignored for filtering and remembered for the form."""
    raw = request.args.get(name, "")
    if not raw.strip():
        return None
    try:
        return parse_day(raw)
    except ValueError as exc:
        if "date_errors" not in g:
            g.date_errors = {}
        g.date_errors[name] = (str(exc), raw[:MAX_RAW])
        return None


def date_error(name: str) -> str | None:
    """The Chinese error for a date argument of this request (template global)."""
    return g.get("date_errors", {}).get(name, (None, ""))[0]


def date_typed(name: str) -> str:
    """What the person typed into a refused date field, so that they can correct it (template global)."""
    return g.get("date_errors", {}).get(name, (None, ""))[1]
