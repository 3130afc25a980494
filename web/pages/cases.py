"""Typical case library pages, and the similar-report panel shown to the assessing expert."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from services import cases as case_service
from services.errors import ServiceError
from services.similarity import SUPERVISOR_ROLES, similar_reports
from storage.models import KIND_LABELS
from web import env

from .common import page_arg
from .session_auth import current_user, login_required
from .topics import merge_options

bp = Blueprint("case_pages", __name__)
PER_PAGE = 20


@bp.get("/cases")
@login_required(*case_service.READER_ROLES)
def index():
    """Search typical cases by equipment type, kind and words."""
    args = {k: request.args.get(k, "").strip() for k in ("equipment", "kind", "q")}
    page = page_arg()
    rows, total = case_service.search_cases(env(), current_user(), args["equipment"] or None, args["kind"] or None,
                                            args["q"] or None, page, PER_PAGE)
    return render_template("cases/list.html", cases=rows, total=total, page=page,
                           pages=(total + PER_PAGE - 1) // PER_PAGE, args={k: v for k, v in args.items() if v},
                           equipment=case_service.equipment_choices(env()), kinds=KIND_LABELS,
                           may_edit=current_user().has_role(*case_service.EDITOR_ROLES))


@bp.get("/cases/<int:case_id>")
@login_required(*case_service.READER_ROLES)
def detail(case_id: int):
    """One case."""
    case = case_service.get_case(env(), current_user(), case_id)
    return render_template("cases/detail.html", case=case, kinds=KIND_LABELS,
                           may_edit=current_user().has_role(*case_service.EDITOR_ROLES))


@bp.route("/cases/new", methods=["GET", "POST"])
@login_required(*case_service.EDITOR_ROLES)
def create():
    """Mark a closed report as a typical case, starting from an anonymised draft."""
    report_id = request.values.get("report_id", type=int)
    if report_id is None:
        flash("请从已办结的报送信息详情页进入“列为典型案例”", "error")
        return redirect(url_for("case_pages.index"))
    if request.method == "POST":
        data = _form_input()
        try:
            case = case_service.mark_typical(env(), current_user(), report_id, data)
        except ServiceError as exc:
            flash(exc.message, "error")
            return render_template("cases/form.html", data=data, report_id=report_id, case=None), exc.status
        flash("已列为典型案例", "info")
        return redirect(url_for("case_pages.detail", case_id=case.id))
    draft = case_service.draft_for(env(), current_user(), report_id)
    return render_template("cases/form.html", data=draft, report_id=report_id, case=None)


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
@login_required(*case_service.EDITOR_ROLES)
def edit(case_id: int):
    """Edit a case's anonymised write-up and publication."""
    case = case_service.get_case(env(), current_user(), case_id)
    if request.method == "POST":
        data = _form_input()
        try:
            case_service.update_case(env(), current_user(), case_id, data)
        except ServiceError as exc:
            flash(exc.message, "error")
            return render_template("cases/form.html", data=data, report_id=case.report_id, case=case), exc.status
        flash("案例已保存", "info")
        return redirect(url_for("case_pages.detail", case_id=case_id))
    data = case_service.CaseInput(case.title, case.write_up, case.published)
    return render_template("cases/form.html", data=data, report_id=case.report_id, case=case)


def _form_input() -> case_service.CaseInput:
    return case_service.CaseInput(title=request.form.get("title", ""), write_up=request.form.get("write_up", ""),
                                  published=request.form.get("published") == "1")


@bp.get("/cases/similar/<int:report_id>")
@login_required(*SUPERVISOR_ROLES)
def similar(report_id: int):
    """HTML fragment: possible duplicates of a report (for the center_assessment task page)."""
    items = similar_reports(env(), current_user(), report_id)
    return render_template("cases/_similar_items.html", items=items, **merge_options(report_id, items))
