"""Working comments on a report, for the people handling it (not shown to reporters)."""
from __future__ import annotations

from sqlalchemy import select

from storage.models import Report, ReportComment, User, utcnow

from .access import OFFICER_ROLES, can_view_report
from .context import Env
from .errors import Forbidden, Invalid, NotFound

COMMENT_MAX_CHARS = 2000
COMMENTER_ROLES = OFFICER_ROLES + ("safety_director", "admin")


def can_comment(user: User) -> bool:
    """Officers, safety directors and admins discuss a report; reporters do not see the notes."""
    return user.has_role(*COMMENTER_ROLES)


def list_comments(env: Env, user: User, report_id: int) -> list[tuple[ReportComment, str]]:
    """Comments on a report with their authors' names (empty for people who may not see them)."""
    if not can_comment(user):
        return []
    stmt = (select(ReportComment, User.display_name).join(User, User.id == ReportComment.author_id)
            .where(ReportComment.report_id == report_id).order_by(ReportComment.id))
    return [(row, name) for row, name in env.session.execute(stmt)]


def add_comment(env: Env, user: User, report_id: int, body: str, task_id: str | None = None) -> ReportComment:
    """Add a comment to a report the person may read."""
    report = env.session.get(Report, report_id)
    if report is None:
        raise NotFound("报送信息不存在")
    if not can_comment(user) or not can_view_report(env.session, user, report):
        raise Forbidden("无权对该报送信息发表意见")
    text = (body or "").strip()
    if not text:
        raise Invalid("意见内容不能为空")
    if len(text) > COMMENT_MAX_CHARS:
        raise Invalid(f"意见内容不能超过 {COMMENT_MAX_CHARS} 个字符")
    row = ReportComment(report_id=report.id, author_id=user.id, task_id=task_id, body=text, created_at=utcnow())
    env.session.add(row)
    env.session.commit()
    return row
