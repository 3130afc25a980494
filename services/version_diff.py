"""Comparing two process versions for owners: what was added, removed or changed, by element id."""
from __future__ import annotations

from sqlalchemy import select

from engine.diagram_diff import DiagramDiff, diff_decision_tables, diff_diagrams
from storage.models import DecisionTable, ProcessVersion

from .context import Env
from .errors import Invalid, NotFound


def compare_versions(env: Env, from_id: int, to_id: int) -> tuple[ProcessVersion, ProcessVersion, DiagramDiff]:
    """The two versions and their element-level difference (old → new)."""
    old, new = env.session.get(ProcessVersion, from_id), env.session.get(ProcessVersion, to_id)
    if old is None or new is None:
        raise NotFound("流程版本不存在")
    if old.id == new.id:
        raise Invalid("请选择两个不同的版本进行比较")
    diff = diff_diagrams(old.bpmn_xml, new.bpmn_xml, max(env.settings.max_bpmn_bytes, 4 * 1024 * 1024))
    tables = diff_decision_tables(_tables(env, old.id), _tables(env, new.id))
    for key in ("added", "removed", "changed"):
        getattr(diff, key).extend(getattr(tables, key))
    return old, new, diff


def _tables(env: Env, version_id: int) -> dict[str, str]:
    rows = env.session.scalars(select(DecisionTable).where(DecisionTable.process_version_id == version_id))
    return {row.decision_id: row.dmn_xml for row in rows}
