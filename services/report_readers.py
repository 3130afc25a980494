"""Who read a report: the `report_view` log (written on every read) shown to officers of the chain and
admins, never to the unit side (reporter, safety director, point manager) or the workflow owner."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from storage.models import Report, ReportView, User

from .access import sees_reporter_identity
from .context import Env
from .directory import role_label

PER_PAGE = 50
CHANNEL_LABELS = {"web": "网页", "api": "接口（小程序）"}


@dataclass
class Reading:
    """One read: who (name and roles), when, through which channel."""

    name: str
    roles: str
    viewed_at: datetime
    channel: str


@dataclass
class ReadLog:
    """One page of a report's reads, newest first."""

    items: list[Reading]
    total: int
    page: int
    pages: int


def may_see_reads(viewer: User) -> bool:
    """Officers of the chain and admins (those who may know the reporter) see who read a report."""
    return sees_reporter_identity(viewer)


def read_log(env: Env, viewer: User, report: Report, page: int = 1, per_page: int = PER_PAGE) -> ReadLog | None:
    """The newest reads of a report the viewer already may read, or None for viewers who may not see them."""
    if not may_see_reads(viewer):
        return None
    total = env.session.scalar(select(func.count(ReportView.id)).where(ReportView.report_id == report.id)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    stmt = (select(ReportView, User).join(User, User.id == ReportView.user_id)
            .where(ReportView.report_id == report.id)
            .order_by(ReportView.viewed_at.desc(), ReportView.id.desc())
            .limit(per_page).offset((page - 1) * per_page))
    items = [Reading(user.display_name, "、".join(role_label(r) for r in user.roles), view.viewed_at,
                     CHANNEL_LABELS.get(view.channel, view.channel))
             for view, user in env.session.execute(stmt)]
    return ReadLog(items, total, page, pages)
