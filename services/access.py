"""Who may see what. Reports serve assistance only: every read is scoped (and logged elsewhere)."""
from __future__ import annotations

from sqlalchemy import and_, false, or_, select

from storage.models import Division, HumanTask, Report, Role, User

OFFICER_ROLES = ("county_officer", "city_officer", "province_officer", "center_expert", "inspection_officer")
PROVINCE_WIDE = ("province_officer", "center_expert", "admin", "workflow_owner")


def task_visibility(user: User):
    """SQL condition: tasks whose candidate group the person holds, in their jurisdiction."""
    clauses = []
    roles = set(user.roles)
    groups = [r for r in OFFICER_ROLES if r in roles]
    if groups:
        clauses.append(and_(HumanTask.candidate_group.in_(groups), HumanTask.division_code == user.division_code))
    if Role.SAFETY_DIRECTOR.value in roles and user.monitoring_point_id:
        clauses.append(and_(HumanTask.candidate_group == "safety_director",
                            HumanTask.monitoring_point_id == user.monitoring_point_id))
    return or_(*clauses) if clauses else false()


def can_work_task(user: User, task: HumanTask) -> bool:
    """The person holds the task's candidate group and their jurisdiction covers it."""
    if not user.has_role(task.candidate_group):
        return False
    if task.candidate_group == "safety_director":
        return task.monitoring_point_id is not None and task.monitoring_point_id == user.monitoring_point_id
    return task.division_code == user.division_code


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
    if roles & {"safety_director", "point_manager"} and user.monitoring_point_id:
        clauses.append(Report.monitoring_point_id == user.monitoring_point_id)
    return or_(*clauses)


def can_view_report(session, user: User, report: Report) -> bool:
    """Evaluate report_visibility for one report."""
    stmt = select(Report.id).where(Report.id == report.id, report_visibility(session, user))
    return session.scalar(stmt) is not None


def sees_reporter_identity(user: User) -> bool:
    """Reporter identity is for supervisors in the chain only."""
    return bool(set(user.roles) & set(OFFICER_ROLES + ("admin",)))
