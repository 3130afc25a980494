"""The typical case library, read-only over the API."""
from __future__ import annotations

from flask import jsonify, request

from services import cases as case_service
from storage.models import KIND_LABELS, TypicalCase
from web import env

from . import api
from .openapi import doc
from .params import CaseQuery
from .responses import CaseOut, page_of
from .auth import current_user
from .common import listing, paging
from .presenters import iso


def case_json(case: TypicalCase) -> dict:
    return {"id": case.id, "title": case.title, "write_up": case.write_up,
            "equipment_type_code": case.equipment_type_code, "equipment_category_code": case.equipment_category_code,
            "kind": case.kind.value, "kind_label": KIND_LABELS.get(case.kind),
            "risk_level": case.risk_level.value if case.risk_level else None, "published": case.published,
            "updated_at": iso(case.updated_at)}


@api.get("/cases")
@doc("典型案例库", query=CaseQuery, response=page_of(CaseOut))
def list_cases():
    """Typical cases by equipment type, kind and words."""
    page, per_page = paging()
    rows, total = case_service.search_cases(env(), current_user(), request.args.get("equipment") or None,
                                            request.args.get("kind") or None, request.args.get("q") or None,
                                            page, per_page)
    return jsonify(listing([case_json(c) for c in rows], total, page, per_page))


@api.get("/cases/<int:case_id>")
@doc("典型案例详情", response=CaseOut)
def get_case(case_id: int):
    """One typical case."""
    return jsonify(case_json(case_service.get_case(env(), current_user(), case_id)))
