"""The admin's working-day calendar page (/admin/calendar): a year at a glance, single days, a year's import."""
from __future__ import annotations


from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from services import calendar as work_calendar
from services import calendar_admin
from services.errors import Invalid, ServiceError
from storage.models import CalendarDayKind
from web import env
from web.input_guards import parse_id

from .date_fields import parse_day
from .session_auth import current_user, login_required

bp = Blueprint("calendar_pages", __name__, url_prefix="/admin/calendar")


def _cache() -> work_calendar.CalendarCache:
    return current_app.extensions["riskmon.calendar"]


def _year(raw) -> int:
    today = calendar_admin.china_today()
    return calendar_admin.check_year(parse_id(raw), today.year)


def _render(year: int, import_year: int, text: str = "", error: str | None = None):
    return render_template("admin/calendar.html", view=calendar_admin.year_view(env(), year),
                           days=work_calendar.list_days(env(), year), kinds=CalendarDayKind,
                           warning=calendar_admin.next_year_warning(env()), import_year=import_year,
                           import_text=text, import_error=error,
                           recompute_pending=work_calendar.deadline_recompute_pending(env()) is not None)


@bp.get("")
@login_required("admin")
def show():
    """One year: month grids, the year's holidays and make-up days, forms to change and import."""
    return _render(_year(request.args.get("year")), calendar_admin.china_today().year + 1)


@bp.post("/day")
@login_required("admin")
def set_day():
    """Mark one date as 放假 or 调休上班, or (kind "normal") let it follow the Monday–Friday rule again."""
    form = request.form
    try:
        day = parse_day(form.get("day", ""))
    except ValueError as exc:
        flash(str(exc), "error")
        return redirect(url_for("calendar_pages.show"))
    year = calendar_admin.check_year(day.year, 0)
    try:
        if not year:
            raise Invalid(f"年份须在 {calendar_admin.MIN_YEAR} 至 {calendar_admin.MAX_YEAR} 之间")
        if form.get("kind") == "normal":
            work_calendar.delete_day(env(), current_user(), day, _cache())
            flash(f"{day.isoformat()} 已恢复按周一至周五计算", "success")
        else:
            work_calendar.set_day(env(), current_user(), day, form.get("kind", ""), form.get("name", ""), _cache())
            flash(f"{day.isoformat()} 已保存", "success")
    except ServiceError as exc:
        env().session.rollback()
        flash(exc.message, "error")
    return redirect(url_for("calendar_pages.show", year=day.year))


@bp.post("/import")
@login_required("admin")
def import_year():
    """Replace one year's holidays and make-up days with the pasted lines (all or nothing)."""
    year = _year(request.form.get("year"))
    try:
        n = calendar_admin.import_year(env(), current_user(), year, request.form.get("text", ""), _cache())
    except ServiceError as exc:
        env().session.rollback()
        return _render(year, year, request.form.get("text", "")[:calendar_admin.IMPORT_MAX_CHARS], exc.message), \
            exc.status
    flash(f"已导入 {year} 年的 {n} 个节假日和调休上班日", "success")
    return redirect(url_for("calendar_pages.show", year=year))
