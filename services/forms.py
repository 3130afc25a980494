"""Checking task form data against the form the diagram declares."""
from __future__ import annotations

from datetime import date

from .errors import Invalid
from .outcomes import QUALITY_SCORE, SCORE_RANGE, field_records

MAX_TEXT = 20_000


def clean_form_data(form: dict, data: object) -> dict:
    """Coerce and validate submitted data; 422 listing each bad field. Unknown keys are dropped."""
    if not isinstance(data, dict):
        raise Invalid("表单数据必须是对象（JSON object）")
    cleaned, problems = {}, []
    for field in form.get("fields", []):
        fid, label = field["id"], field.get("label") or field["id"]
        if "readonly" in (field.get("constraints") or {}):
            continue  # shown, never taken from the person filling the form
        raw = data.get(fid)
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            if field.get("required"):
                problems.append({"field": fid, "message": f"“{label}”为必填项"})
            continue
        try:
            cleaned[fid] = _bounded(field, _coerce(field, raw))
        except ValueError as exc:
            problems.append({"field": fid, "message": f"“{label}”{exc}"})
    if problems:
        raise Invalid("表单填写有误：" + "；".join(p["message"] for p in problems), details=problems)
    return cleaned


def _bounded(field: dict, value):
    """The diagram's minlength/maxlength (text) and min/max (numbers) constraints."""
    limits = {k: int(v) for k, v in (field.get("constraints") or {}).items() if k != "readonly" and v is not None}
    size = len(value) if isinstance(value, str) else value
    if "minlength" in limits and isinstance(value, str) and size < limits["minlength"]:
        raise ValueError(f"至少 {limits['minlength']} 个字符")
    if "maxlength" in limits and isinstance(value, str) and size > limits["maxlength"]:
        raise ValueError(f"不能超过 {limits['maxlength']} 个字符")
    if "min" in limits and isinstance(value, int) and value < limits["min"]:
        raise ValueError(f"不能小于 {limits['min']}")
    if "max" in limits and isinstance(value, int) and value > limits["max"]:
        raise ValueError(f"不能大于 {limits['max']}")
    return value


def _coerce_long(field: dict, raw) -> int:
    if isinstance(raw, bool) or not str(raw).strip().lstrip("-").isdigit():
        raise ValueError("必须是整数")
    value = int(str(raw).strip())
    low, high = SCORE_RANGE
    if field_records(field) == QUALITY_SCORE and not low <= value <= high:
        raise ValueError(f"必须在 {low} 到 {high} 之间")
    return value


def _coerce_boolean(field: dict, raw) -> bool:
    if isinstance(raw, bool):
        return raw
    if str(raw).lower() in ("true", "1", "on", "yes", "是"):
        return True
    if str(raw).lower() in ("false", "0", "off", "no", "否"):
        return False
    raise ValueError("必须是“是”或“否”")


def _coerce_date(field: dict, raw) -> str:
    try:
        return date.fromisoformat(str(raw)[:10]).isoformat()
    except ValueError:
        raise ValueError("必须是日期（YYYY-MM-DD）") from None


def _coerce_enum(field: dict, raw) -> str:
    if str(raw) not in [o["id"] for o in field.get("options", [])]:
        names = "、".join(o["name"] for o in field.get("options", []))
        raise ValueError(f"必须是以下选项之一：{names}")
    return str(raw)


def _coerce_text(field: dict, raw) -> str:
    if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
        raise ValueError("必须是文本")
    text = str(raw)
    if len(text) > MAX_TEXT:
        raise ValueError(f"不能超过 {MAX_TEXT} 个字符")
    return text


_COERCERS = {"long": _coerce_long, "boolean": _coerce_boolean, "date": _coerce_date, "enum": _coerce_enum}


def _coerce(field: dict, raw):
    return _COERCERS.get(field.get("type") or "string", _coerce_text)(field, raw)
