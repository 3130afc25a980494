"""Who may see what. Reports serve assistance only: every read is scoped (and logged elsewhere)."""
from __future__ import annotations

from sqlalchemy import and_, false, or_, select

from storage.models import Division, HumanTask, HumanTaskCandidate, Report, Role, User

OFFICER_ROLES = ("county_officer", "city_officer", "province_officer", "center_expert", "inspection_officer")
PROVINCE_WIDE = ("province_officer", "center_expert", "admin", "workflow_owner")


def task_visibility(user: User):
    """SQL condition: tasks whose candidate group the person holds, in their jurisdiction, and — when the
    diagram names an assignee or candidate users — only for those accounts."""
    clauses = []
    roles = set(user.roles)
    groups = [r for r in OFFICER_ROLES if r in roles]
    if groups:
        clauses.append(and_(HumanTask.candidate_group.in_(groups), HumanTask.division_code == user.division_code))
        clauses.append(HumanTask.candidates.any(and_(HumanTaskCandidate.candidate_group.in_(groups),
                                                     HumanTaskCandidate.division_code == user.division_code)))
    if Role.SAFETY_DIRECTOR.value in roles and user.monitoring_point_id:
        clauses.append(and_(HumanTask.candidate_group == "safety_director",
                            HumanTask.monitoring_point_id == user.monitoring_point_id))
    if Role.REPORTER.value in roles and user.monitoring_point_id:
        clauses.append(and_(HumanTask.candidate_group == Role.REPORTER.value,
                            HumanTask.monitoring_point_id == user.monitoring_point_id))
    if not clauses:
        return false()
    named = and_(or_(HumanTask.assignee.is_(None), HumanTask.assignee == user.username),
                 or_(~HumanTask.candidates.any(HumanTaskCandidate.username.isnot(None)),
                     HumanTask.candidates.any(HumanTaskCandidate.username == user.username)))
    return and_(or_(*clauses), named)


def can_work_task(user: User, task: HumanTask) -> bool:
    """The person holds one of the task's candidate groups, their jurisdiction covers it, and they are its
    assignee / one of its candidate users when the diagram names any."""
    if task.assignee is not None and task.assignee != user.username:
        return False
    users = task.candidate_usernames()
    if users and user.username not in users:
        return False
    offices = [(task.candidate_group, task.division_code, task.monitoring_point_id)]
    offices += [(c.candidate_group, c.division_code, c.monitoring_point_id) for c in task.extra_groups()]
    return any(_holds(user, group, division, point) for group, division, point in offices)


def _holds(user: User, group: str, division_code: str | None, point_id: int | None) -> bool:
    if not user.has_role(group):
        return False
    if group in ("safety_director", Role.REPORTER.value):
        return point_id is not None and point_id == user.monitoring_point_id
    return division_code == user.division_code


def report_visibility(session, user: User):
    """SQL condition on Report for what this person may read."""
    roles = set(user.roles)
    clauses = [Report.reporter_id == user.id]
    if roles & set(PROVINCE_WIDE):
        return Report.id.isnot(None)
    if roles & {"city_officer", "inspection_officer"}:
        counties = select(Division.code).where(Division.supervising_code == user.division_code)
        clauses.append(or_(Report.city_code == user.division_code, Report.county_code.in_(counties)))
    if "county_officer" in roles:
        clauses.append(Report.county_code == user.division_code)
    if roles & {"safety_director", "point_manager", "principal"} and user.monitoring_point_id:
        clauses.append(Report.monitoring_point_id == user.monitoring_point_id)
    return or_(*clauses)


def can_view_report(session, user: User, report: Report) -> bool:
    """Evaluate report_visibility for one report."""
    stmt = select(Report.id).where(Report.id == report.id, report_visibility(session, user))
    return session.scalar(stmt) is not None


def sees_reporter_identity(user: User) -> bool:
    """Reporter identity is for supervisors in the chain only."""
    return bool(set(user.roles) & set(OFFICER_ROLES + ("admin",)))
