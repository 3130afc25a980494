"""Duplicate / similar report suggestions, computed locally from character bigrams (no outside service).

Chinese has no spaces between words, so we compare sets of overlapping two-character pieces of the
title and content (punctuation and spaces removed) with the Jaccard index. Near-identical texts score
close to 1; reports about different equipment and problems share few bigrams and score near 0.
"""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from storage.models import STATUS_LABELS, Report, User

from .access import report_visibility
from .context import Env
from .errors import Forbidden, NotFound

SIMILAR_THRESHOLD = 0.35
CANDIDATE_WINDOW = timedelta(days=180)
MAX_CANDIDATES = 3000
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
SUPERVISOR_ROLES = ("county_officer", "city_officer", "province_officer", "center_expert", "inspection_officer",
                    "admin")


def normalise(text: str) -> str:
    """Lower-case and drop spaces and punctuation (full-width included)."""
    return _NOISE.sub("", (text or "").lower())


def ngrams(text: str, n: int = 2) -> frozenset[str]:
    """The set of character n-grams of the normalised text (the text itself when shorter than n)."""
    clean = normalise(text)
    if len(clean) < n:
        return frozenset({clean}) if clean else frozenset()
    return frozenset(clean[i:i + n] for i in range(len(clean) - n + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|A ∩ B| / |A ∪ B|; 0 when both are empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def text_similarity(left: str, right: str) -> float:
    """Bigram Jaccard similarity of two texts, 0..1."""
    return jaccard(ngrams(left), ngrams(right))


def rank_similar(target: str, candidates: list[tuple[int, str]], threshold: float = SIMILAR_THRESHOLD,
                 limit: int = 5) -> list[tuple[int, float]]:
    """(id, score) of the candidates at or above the threshold, most similar first."""
    grams = ngrams(target)
    scored = [(cid, jaccard(grams, ngrams(text))) for cid, text in candidates]
    hits = [(cid, round(score, 3)) for cid, score in scored if score >= threshold]
    return sorted(hits, key=lambda h: (-h[1], h[0]))[:limit]


def _report_text(title: str, content: str) -> str:
    return f"{title}\n{content}"


def similar_reports(env: Env, user: User, report_id: int, limit: int = 5,
                    threshold: float = SIMILAR_THRESHOLD) -> list[dict]:
    """Reports the person may read that look like duplicates of this one (same jurisdiction, last 180 days)."""
    if not user.has_role(*SUPERVISOR_ROLES):
        raise Forbidden("仅监管人员可查看相似报送")
    report = env.session.get(Report, report_id)
    if report is None:
        raise NotFound("报送信息不存在")
    visible = report_visibility(env.session, user)
    if env.session.scalar(select(Report.id).where(Report.id == report_id, visible)) is None:
        raise Forbidden("无权查看该报送信息")
    since = report.submitted_at - CANDIDATE_WINDOW
    stmt = (select(Report.id, Report.title, Report.content)
            .where(visible, Report.id != report.id, Report.submitted_at >= since)
            .order_by(Report.submitted_at.desc()).limit(MAX_CANDIDATES))
    candidates = [(rid, _report_text(title, content)) for rid, title, content in env.session.execute(stmt)]
    hits = rank_similar(_report_text(report.title, report.content), candidates, threshold, limit)
    rows = {r.id: r for r in env.session.scalars(select(Report).where(Report.id.in_([h[0] for h in hits])))}
    return [{"id": rid, "tracking_no": rows[rid].tracking_no, "title": rows[rid].title, "score": score,
             "status": rows[rid].status.value, "status_label": STATUS_LABELS.get(rows[rid].status),
             "equipment_type_code": rows[rid].equipment_type_code} for rid, score in hits]
