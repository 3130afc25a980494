"""Full-text search over report title and content, kept in the transaction that writes the report.

SQLite: an FTS5 table with the trigram tokenizer (created by the migration, outside the models).
PostgreSQL: a `simple` tsvector of character bigrams in report_search (a GIN index), because the
stock parsers do not split Chinese into words. Both only narrow the candidates; callers still
check the words with LIKE, so the two databases answer the same.
"""
from __future__ import annotations

import re

from sqlalchemy import Integer, bindparam, column, delete, func, insert, select, text
from sqlalchemy.orm import Session

from .models import Report, ReportSearch
from .prepared import Prepared

FTS_TABLE = "report_fts"
_WORD = re.compile(r"[\w\u3400-\u9fff]+")
MAX_DOCUMENT_TERMS = 20_000


def outside_metadata(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic include_name hook: the FTS5 table and its shadow tables are not in the models."""
    return not (type_ == "table" and name and name.startswith(FTS_TABLE))


def bigrams(value: str) -> list[str]:
    """Lower-cased character bigrams of each word (a one-character word stands for itself)."""
    terms: list[str] = []
    for word in _WORD.findall((value or "").lower()):
        terms.extend([word] if len(word) == 1 else [word[i:i + 2] for i in range(len(word) - 1)])
    return terms


def _document(report: Report) -> str:
    terms = dict.fromkeys(bigrams(report.title) + bigrams(report.content))
    return " ".join(list(terms)[:MAX_DOCUMENT_TERMS])


def index_report(session: Session, report: Report, new: bool = False) -> None:
    """Write (or rewrite) the report's search row (`new`: the report was just inserted, it has none)."""
    session.flush()
    if session.get_bind().dialect.name == "sqlite":
        if not new:
            session.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": report.id})
        _INSERT_FTS.execute(session, {"id": report.id, "title": report.title, "content": report.content})
        return
    if not new:
        session.execute(delete(ReportSearch).where(ReportSearch.report_id == report.id))
    _INSERT_SEARCH.execute(session, {"new_report_id": report.id, "document": _document(report)})


_INSERT_FTS = Prepared(text(f"INSERT INTO {FTS_TABLE}(rowid, title, content) VALUES (:id, :title, :content)"))
_INSERT_SEARCH = Prepared(insert(ReportSearch.__table__).values(
    report_id=bindparam("new_report_id"), search_vector=func.to_tsvector("simple", bindparam("document"))))


def _fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def candidate_ids(session: Session, words: list[str]):
    """A select of report ids whose title or content may contain every word (None: no index helps)."""
    if session.get_bind().dialect.name == "sqlite":
        usable = [w for w in words if len(w) >= 3]  # trigram needs three characters
        if not usable:
            return None
        match = " AND ".join(_fts_phrase(w) for w in usable)
        return text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match").bindparams(match=match).columns(
            column("rowid", Integer))
    terms = sorted({t for w in words for t in bigrams(w)})
    if not terms:
        return None
    query = " & ".join("'" + t.replace("'", "''") + "'" for t in terms)
    return select(ReportSearch.report_id).where(
        ReportSearch.search_vector.op("@@")(func.to_tsquery("simple", query)))
