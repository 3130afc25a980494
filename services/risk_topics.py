"""Risk topics (风险专题): the center merges duplicate or similar reports and follows them as one.

Every change is written to the timeline of each report it touches, so the people working a report see
that it is being followed under a topic.
"""
from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from storage.database import begin_write
from storage.models import Report, RiskTopic, RiskTopicMember, User, utcnow
from storage.repositories import add_event, count

from .context import Env
from .errors import Conflict, Forbidden, Invalid, NotFound

TOPIC_ROLES = ("center_expert", "province_officer", "admin")
TITLE_MAX = 200
SUMMARY_MAX = 5000
_SEPARATORS = re.compile(r"[\s,，、;；]+")


def may_manage(user: User) -> bool:
    """Whether the person works with topics (center experts, province officers, administrators)."""
    return user.has_role(*TOPIC_ROLES)


def _require(user: User) -> None:
    if not may_manage(user):
        raise Forbidden("只有省中心专家和省局可以查看和管理风险专题")


def _clean(title: str, summary: str) -> tuple[str, str]:
    title, summary = (title or "").strip(), (summary or "").strip()
    if not title:
        raise Invalid("专题名称不能为空", [{"field": "title", "message": "请填写专题名称"}])
    if len(title) > TITLE_MAX:
        raise Invalid(f"专题名称不能超过 {TITLE_MAX} 个字符", [{"field": "title", "message": "专题名称过长"}])
    if len(summary) > SUMMARY_MAX:
        raise Invalid(f"专题说明不能超过 {SUMMARY_MAX} 个字符", [{"field": "summary", "message": "专题说明过长"}])
    return title, summary


def _topic(env: Env, topic_id: int) -> RiskTopic:
    topic = env.session.get(RiskTopic, topic_id)
    if topic is None:
        raise NotFound("风险专题不存在")
    return topic


def _reports(env: Env, report_ids: list[int]) -> list[Report]:
    ids = list(dict.fromkeys(report_ids))
    rows = {r.id: r for r in env.session.scalars(select(Report).where(Report.id.in_(ids)))}
    if len(rows) != len(ids):
        raise NotFound("所选报送信息不存在")
    return [rows[i] for i in ids]


def _check_free(env: Env, reports: list[Report]) -> None:
    stmt = (select(Report.tracking_no, RiskTopic.title).join(RiskTopicMember, RiskTopicMember.report_id == Report.id)
            .join(RiskTopic, RiskTopic.id == RiskTopicMember.topic_id)
            .where(Report.id.in_([r.id for r in reports])))
    taken = env.session.execute(stmt).first()
    if taken is not None:
        raise Conflict(f"报送信息 {taken[0]} 已属于专题《{taken[1]}》，一条报送信息只能并入一个专题")


def _join(env: Env, user: User, topic: RiskTopic, reports: list[Report]) -> None:
    now = utcnow()
    for report in reports:
        env.session.add(RiskTopicMember(topic_id=topic.id, report_id=report.id, added_by_id=user.id, added_at=now))
        add_event(env.session, "topic_joined", f"{user.display_name} 将本报送信息并入专题《{topic.title}》",
                  report_id=report.id, actor_id=user.id, data={"topic_id": topic.id})


def _commit(env: Env) -> None:
    try:
        env.session.commit()
    except IntegrityError:  # a concurrent merge took one of the reports first (unique report_id)
        env.session.rollback()
        raise Conflict("所选报送信息刚被并入其他专题，请刷新后重试") from None


def create_topic(env: Env, user: User, report_id: int, member_ids: list[int], title: str,
                 summary: str = "") -> RiskTopic:
    """Open a topic with a report and the similar reports chosen with it."""
    _require(user)
    title, summary = _clean(title, summary)
    ids = list(dict.fromkeys([report_id, *member_ids]))
    if len(ids) < 2:
        raise Invalid("请至少勾选一条相似报送信息并入专题")
    begin_write(env.session)
    reports = _reports(env, ids)
    _check_free(env, reports)
    topic = RiskTopic(title=title, summary=summary, created_by_id=user.id, created_at=utcnow())
    env.session.add(topic)
    env.session.flush()
    _join(env, user, topic, reports)
    _commit(env)
    return topic


def add_members(env: Env, user: User, topic_id: int, report_ids: list[int]) -> list[Report]:
    """Merge more reports into an existing topic."""
    _require(user)
    if not report_ids:
        raise Invalid("请选择要并入专题的报送信息")
    begin_write(env.session)
    topic = _topic(env, topic_id)
    reports = _reports(env, report_ids)
    _check_free(env, reports)
    _join(env, user, topic, reports)
    _commit(env)
    return reports


def add_members_by_tracking_no(env: Env, user: User, topic_id: int, text: str) -> list[Report]:
    """Merge reports given by tracking numbers (separated by spaces, commas or 、)."""
    _require(user)
    numbers = [n.upper() for n in _SEPARATORS.split(text or "") if n]
    if not numbers:
        raise Invalid("请填写要并入专题的跟踪编号")
    found = dict(env.session.execute(select(Report.tracking_no, Report.id).where(Report.tracking_no.in_(numbers))).all())
    missing = [n for n in numbers if n not in found]
    if missing:
        raise Invalid("未找到跟踪编号：" + "、".join(missing))
    return add_members(env, user, topic_id, [found[n] for n in numbers])


def remove_member(env: Env, user: User, topic_id: int, report_id: int) -> None:
    """Take a report out of a topic (it may then be merged elsewhere)."""
    _require(user)
    begin_write(env.session)
    topic = _topic(env, topic_id)
    member = env.session.scalar(select(RiskTopicMember).where(RiskTopicMember.topic_id == topic.id,
                                                              RiskTopicMember.report_id == report_id))
    if member is None:
        raise NotFound("该报送信息不在本专题中")
    env.session.delete(member)
    add_event(env.session, "topic_left", f"{user.display_name} 将本报送信息移出专题《{topic.title}》",
              report_id=report_id, actor_id=user.id, data={"topic_id": topic.id})
    env.session.commit()


def update_topic(env: Env, user: User, topic_id: int, title: str, summary: str) -> RiskTopic:
    """Rename a topic or edit its summary."""
    _require(user)
    title, summary = _clean(title, summary)
    begin_write(env.session)
    topic = _topic(env, topic_id)
    topic.title, topic.summary = title, summary
    env.session.commit()
    return topic


def get_topic(env: Env, user: User, topic_id: int) -> tuple[RiskTopic, list[tuple[RiskTopicMember, Report]]]:
    """A topic and its member reports, oldest report first."""
    _require(user)
    topic = _topic(env, topic_id)
    stmt = (select(RiskTopicMember, Report).join(Report, Report.id == RiskTopicMember.report_id)
            .where(RiskTopicMember.topic_id == topic.id).order_by(Report.submitted_at, Report.id))
    return topic, [(m, r) for m, r in env.session.execute(stmt)]


def list_topics(env: Env, user: User, page: int = 1, per_page: int = 20) -> tuple[list[tuple[RiskTopic, int]], int]:
    """Topics, newest first, with how many reports each holds."""
    _require(user)
    members = (select(RiskTopicMember.topic_id, func.count(RiskTopicMember.id).label("n"))
               .group_by(RiskTopicMember.topic_id).subquery())
    stmt = (select(RiskTopic, func.coalesce(members.c.n, 0)).outerjoin(members, members.c.topic_id == RiskTopic.id)
            .order_by(RiskTopic.created_at.desc(), RiskTopic.id.desc()))
    total = count(env.session, select(RiskTopic))
    rows = env.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    return [(t, n) for t, n in rows], total


def topics_for_reports(env: Env, user: User, report_ids: list[int]) -> dict[int, RiskTopic]:
    """The topic each of these reports belongs to (empty for people who do not work with topics)."""
    if not may_manage(user) or not report_ids:
        return {}
    stmt = (select(RiskTopicMember.report_id, RiskTopic).join(RiskTopic, RiskTopic.id == RiskTopicMember.topic_id)
            .where(RiskTopicMember.report_id.in_(report_ids)))
    return {report_id: topic for report_id, topic in env.session.execute(stmt)}


def merge_options(env: Env, user: User, report_id: int, similar_ids: list[int]) -> dict:
    """What the similar-reports panel offers: whether the person may merge, the topics involved, a title."""
    topics = topics_for_reports(env, user, [report_id, *similar_ids])
    report = env.session.get(Report, report_id)
    return {"report_id": report_id, "may_merge": may_manage(user), "own_topic": topics.get(report_id),
            "item_topics": topics, "default_title": report.title if report is not None else ""}


def topic_for_report(env: Env, user: User, report_id: int) -> RiskTopic | None:
    """The topic a report belongs to, if any and if the person works with topics."""
    return topics_for_reports(env, user, [report_id]).get(report_id)
