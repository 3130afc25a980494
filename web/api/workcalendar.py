"""The working-day calendar (/calendar): everyone reads, admins edit holidays and make-up days."""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask import current_app, jsonify, request
from marshmallow import RAISE, Schema, fields, validate

from services import calendar as work_calendar
from services import calendar_admin
from services.errors import Invalid
from storage.models import CalendarDayKind
from web import env
from web.input_guards import MAX_DATE, MIN_DATE, date_in_range

from . import api
from .openapi import doc
from .params import CalendarQuery, DeadlineQuery
from .responses import CalendarDayOut, CalendarImportOut, DeadlineOut, page_of
from .auth import current_user
from .common import int_arg, json_body, load
from .schemas import REQUIRED


class CalendarDayUpdate(Schema):
    class Meta:
        unknown = RAISE

    kind = fields.String(required=True, error_messages=REQUIRED, validate=validate.OneOf(
        [k.value for k in CalendarDayKind], error="应为 holiday（放假）或 workday（调休上班）"))
    name = fields.String(load_default="", validate=validate.Length(max=64, error="名称不能超过 {max} 个字符"))


class CalendarImport(Schema):
    class Meta:
        unknown = RAISE

    year = fields.Integer(required=True, strict=True, error_messages=REQUIRED, validate=validate.Range(
        min=calendar_admin.MIN_YEAR, max=calendar_admin.MAX_YEAR, error="年份须在 {min} 至 {max} 之间"))
    text = fields.String(required=True, error_messages=REQUIRED, metadata={
        "description": "每行一条：日期或日期范围，放假或上班，名称，如“2027-01-01~2027-01-03，放假，元旦”"},
        validate=validate.Length(max=calendar_admin.IMPORT_MAX_CHARS, error="不能超过 {max} 个字符"))


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"日期格式应为 YYYY-MM-DD，当前为 {text!r}") from None
    _in_range(day, "日期")
    return day


def _in_range(day: date, what: str) -> None:
    if not date_in_range(day):
        raise Invalid(f"{what}须在 {MIN_DATE.isoformat()} 至 {MAX_DATE.isoformat()} 之间",
                      details=[{"field": "start" if what == "start" else "day", "message": "超出范围"}])


def _cache() -> work_calendar.CalendarCache:
    return current_app.extensions["riskmon.calendar"]


@api.get("/calendar")
@doc("工作日历（节假日与调休）", query=CalendarQuery, response=page_of(CalendarDayOut, paged=False))
def list_calendar():
    """Holidays and make-up working days (`?year=2026`)."""
    items = work_calendar.list_days(env(), int_arg("year"))
    return jsonify({"items": items, "total": len(items)})


@api.put("/calendar/<day:day>")
@doc("设置节假日或调休工作日", body=CalendarDayUpdate, response=CalendarDayOut)
def put_calendar_day(day: str):
    """Admin: set a date as holiday or make-up working day."""
    body = load(CalendarDayUpdate(), json_body())
    return jsonify(work_calendar.set_day(env(), current_user(), _day(day), body["kind"], body["name"], _cache()))


@api.delete("/calendar/<day:day>")
@doc("删除日历日", status=204)
def delete_calendar_day(day: str):
    """Admin: the date follows the Monday–Friday rule again."""
    work_calendar.delete_day(env(), current_user(), _day(day), _cache())
    return "", 204


@api.post("/calendar/import")
@doc("导入一年的节假日安排（替换该年全部特殊日期，有错误时不导入）", body=CalendarImport, response=CalendarImportOut)
def import_calendar_year():
    """Admin: replace a year's holidays and make-up working days with the given lines (all or nothing)."""
    body = load(CalendarImport(), json_body())
    days = calendar_admin.import_year(env(), current_user(), body["year"], body["text"], _cache())
    return jsonify({"year": body["year"], "days": days})


@api.get("/calendar/deadline")
@doc("按工作日计算期限", query=DeadlineQuery, response=DeadlineOut)
def calendar_deadline():
    """When `workdays=n` working days counted from `start` (default now) end."""
    n = int_arg("workdays")
    if n is None or not 0 <= n <= work_calendar.MAX_WORKDAYS:
        raise Invalid(f"workdays 须为 0 到 {work_calendar.MAX_WORKDAYS} 之间的整数")
    start = request.args.get("start")
    try:
        now = datetime.fromisoformat(start.replace("Z", "+00:00")) if start else datetime.now(timezone.utc)
    except ValueError:
        raise Invalid("start 须为 ISO-8601 时间") from None
    if now.tzinfo is None:
        now = now.replace(tzinfo=work_calendar.CHINA_TZ)
    _in_range(now.date(), "start")
    due = _cache().get().deadline(n, now)
    return jsonify({"workdays": n, "start": now.isoformat(), "due_at": due.isoformat(),
                    "due_at_local": due.astimezone(work_calendar.CHINA_TZ).isoformat()})
