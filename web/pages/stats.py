"""Statistics pages: charts and tables per jurisdiction, quality rankings, periodic reports."""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for

from services import quality, report_review, stats, stats_map
from services.errors import ServiceError
from storage.models import PERIODIC_REPORT_STATE_LABELS
from web import env
from web.downloads import download

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
    data["map"] = stats_map.map_view(env().session, f, data["drilldown"])
    return render_template("stats/overview.html", f=f, data=data, args=_filter_args(f),
                           divisions=stats.divisions_in(env().session, f.scope), titles=stats.DIMENSION_TITLES)


@bp.get("/stats/quality")
@login_required(*STATS_ROLES)
def quality_page():
    """Rankings of monitoring points and reporters by information quality, with the scoring criteria."""
    f = _filter()
    session = env().session
    return render_template("stats/quality.html", f=f, args=_filter_args(f), criteria=quality.QUALITY_CRITERIA,
                           ranking_rule=quality.RANKING_RULE, min_scored=quality.MIN_SCORED,
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
@login_required(*STATS_ROLES)
def periodic_list():
    """Periodic risk-assessment reports: drafts, review and 签发 for provincial staff, issued ones for all."""
    user = current_user()
    return render_template("stats/reports.html", entries=report_review.list_periodic(env(), user),
                           states=PERIODIC_REPORT_STATE_LABELS, may_draft=user.has_role(*report_review.REVIEW_ROLES),
                           may_review=user.has_role(report_review.NEEDS["review"]),
                           may_issue=user.has_role(report_review.NEEDS["issue"]))


def _periodic_action(action, message: str):
    try:
        row = action()
        flash(message.format(title=report_review.entry_for(env(), current_user(), row).title), "success")
    except ServiceError as exc:
        env().session.rollback()  # end the failed unit of work (it may hold SQLite's write lock)
        if exc.status in (403, 404):
            raise
        flash(exc.message, "error")
    return redirect(url_for("stats_pages.periodic_list"))


@bp.post("/stats/reports")
@login_required(*PROVINCE_ROLES)
def periodic_generate():
    """Generate a monthly / quarterly / annual report now, as a draft awaiting review."""
    kind, label = request.form.get("kind", ""), request.form.get("period", "")
    return _periodic_action(lambda: report_review.draft_report(env(), current_user(), kind, label)[0],
                            "已生成{title}草稿，待省风险监测中心专家审核")


@bp.post("/stats/reports/<int:report_id>/review")
@login_required("center_expert")
def periodic_review(report_id: int):
    """A centre expert approves the draft or returns it with a comment."""
    decision, comment = request.form.get("decision", ""), request.form.get("comment", "")
    return _periodic_action(lambda: report_review.review_report(env(), current_user(), report_id, decision, comment),
                            "已审核{title}" + ("，待省局签发" if decision == "approve" else "，已退回修改"))


@bp.post("/stats/reports/<int:report_id>/issue")
@login_required("province_officer")
def periodic_issue(report_id: int):
    """签发 by a province officer."""
    return _periodic_action(lambda: report_review.issue_report(env(), current_user(), report_id), "已签发{title}")


@bp.get("/stats/reports/<name>")
@login_required(*STATS_ROLES)
def periodic_download(name: str):
    """Download one report file: issued ones for every statistics reader, drafts only for the reviewers."""
    path = report_review.open_file(env(), current_user(), name)
    return download(path.read_bytes(), DOCX if name.endswith(".docx") else XLSX, name)
