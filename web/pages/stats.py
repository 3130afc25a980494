"""Statistics pages: charts and tables per jurisdiction, quality rankings, periodic reports."""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for

from services import periodic_reports, quality, stats
from services.errors import ServiceError
from web import env

from .common import date_arg
from .session_auth import current_user, login_required

bp = Blueprint("stats_pages", __name__)
STATS_ROLES = tuple(sorted(stats.STATS_ROLES))
# Periodic reports cover the whole province, so only provincial staff read and generate them.
PROVINCE_ROLES = tuple(sorted(stats.PROVINCE_ROLES))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _filter() -> stats.StatsFilter:
    start, end = date_arg("from"), date_arg("to")  # a malformed date is shown beside its field, not applied
    return stats.build_filter(env().session, current_user(), start and start.isoformat(), end and end.isoformat(),
                              request.args.get("division") or None)


def _filter_args(f: stats.StatsFilter) -> dict:
    args = {"from": f.date_from.isoformat() if f.date_from else "", "to": f.date_to.isoformat() if f.date_to else ""}
    if f.focus.code != f.scope.code:
        args["division"] = f.focus.code
    return {k: v for k, v in args.items() if v}


@bp.get("/stats")
@login_required(*STATS_ROLES)
def overview():
    """Statistics of the person's jurisdiction with filters, drill-down and charts."""
    f = _filter()
    data = stats.full_statistics(env().session, f)
    return render_template("stats/overview.html", f=f, data=data, args=_filter_args(f),
                           divisions=stats.divisions_in(env().session, f.scope), titles=stats.DIMENSION_TITLES)


@bp.get("/stats/quality")
@login_required(*STATS_ROLES)
def quality_page():
    """Rankings of monitoring points and reporters by information quality, with the scoring criteria."""
    f = _filter()
    session = env().session
    return render_template("stats/quality.html", f=f, args=_filter_args(f), criteria=quality.QUALITY_CRITERIA,
                           points=quality.point_rankings(session, f),
                           reporters=quality.reporter_rankings(session, f, current_user()),
                           divisions=stats.divisions_in(session, f.scope),
                           may_export_identity=current_user().has_role(*stats.PROVINCE_ROLES))


@bp.get("/stats/quality/commendation.xlsx")
@login_required(*STATS_ROLES)
def commendation_export():
    """The commendation list; reporter names only when the province asks for them (identity=1)."""
    f = _filter()
    identity = request.args.get("identity") == "1"
    content = quality.commendation_xlsx(env().session, f, current_user(), with_identity=identity)
    return send_file(BytesIO(content), mimetype=XLSX, as_attachment=True, download_name="信息质量表彰名单.xlsx")


@bp.get("/stats/reports")
@login_required(*PROVINCE_ROLES)
def periodic_list():
    """Generated periodic risk-assessment reports, and a form to generate one."""
    return render_template("stats/reports.html", files=periodic_reports.list_generated(env()))


@bp.post("/stats/reports")
@login_required(*PROVINCE_ROLES)
def periodic_generate():
    """Generate a monthly / quarterly / annual report now."""
    kind, label = request.form.get("kind", ""), request.form.get("period", "")
    try:
        paths = periodic_reports.generate(env(), kind, label)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("stats_pages.periodic_list"))
    flash(f"已生成：{'、'.join(p.name for p in paths)}", "info")
    return redirect(url_for("stats_pages.periodic_list"))


@bp.get("/stats/reports/<name>")
@login_required(*PROVINCE_ROLES)
def periodic_download(name: str):
    """Download one generated file (names are checked against the folder's listing)."""
    if name not in {f["name"] for f in periodic_reports.list_generated(env())}:
        abort(404)
    path = periodic_reports.reports_dir(env()) / name
    return send_file(path, mimetype=DOCX if name.endswith(".docx") else XLSX, as_attachment=True, download_name=name)
