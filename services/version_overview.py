"""The owners' list of process versions: state, who and when, instances per version."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from storage.models import ProcessVersion, User

from .context import Env
from .processes import instance_counts, list_versions


@dataclass
class VersionRow:
    """A version with the people involved and its instance counts."""

    version: ProcessVersion
    created_by: str | None
    approved_by: str | None
    published_by: str | None
    running: int
    total: int


def version_overview(env: Env, process_id: str | None = None) -> list[VersionRow]:
    """All versions newest first, each with names and instance counts."""
    versions = list_versions(env, process_id)
    ids = {i for v in versions for i in (v.created_by_id, v.approved_by_id, v.published_by_id) if i}
    names = {u.id: u.display_name for u in env.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    counts = instance_counts(env)
    return [VersionRow(v, names.get(v.created_by_id), names.get(v.approved_by_id), names.get(v.published_by_id),
                       *counts.get(v.id, (0, 0))) for v in versions]
