"""Duplicate / similar report suggestions for the assessing expert."""
from __future__ import annotations

from flask import jsonify

from services.similarity import similar_reports
from web import env

from . import api
from .openapi import doc
from .params import SimilarQuery
from .responses import SimilarList
from .auth import current_user
from .common import int_arg


@api.get("/reports/<int:report_id>/similar")
@doc("相似报送信息", query=SimilarQuery, response=SimilarList)
def report_similar(report_id: int):
    """Reports whose text looks like this one's (character-bigram Jaccard, computed locally)."""
    limit = min(20, max(1, int_arg("limit") or 5))
    return jsonify({"items": similar_reports(env(), current_user(), report_id, limit)})
