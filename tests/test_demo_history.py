"""The demo looks like the province (issue 16.2): cities, a year of months, every state, dates that agree."""
from __future__ import annotations

from sqlalchemy import func, select

from services.demo_history import seed_demo_history
from services.stats import month_expr
from storage.models import (
    DirectorAck, HumanTask, InstanceEvent, Report, ReportStatus, TaskState, Tier, User, utcnow,
)

CONTRACT_ACCOUNTS = {  # username: (role, division) as CONTRACT.md lists them
    "admin": ("admin", "610000"), "province": ("province_officer", "610000"), "center": ("center_expert", "610000"),
    "city.610100": ("city_officer", "610100"), "inspect.610100": ("inspection_officer", "610100"),
    "county.610113": ("county_officer", "610113"), "county.610112": ("county_officer", "610112"),
    "reporter.unit": ("reporter", "610113"), "director.unit": ("safety_director", "610113"),
    "reporter.agency": ("reporter", "610113"), "owner": ("workflow_owner", "610000"),
}


def _counts(session, column, *where):
    return dict(session.execute(select(column, func.count()).where(*where).group_by(column)).all())


def test_demo_history_spans_the_province_a_year_and_every_state(env):
    before = {u.username: (sorted(u.roles), u.division_code, u.monitoring_point_id)
              for u in env.session.scalars(select(User).where(User.username.in_(CONTRACT_ACCOUNTS)))}
    assert seed_demo_history(env) >= 40
    session = env.session
    session.expire_all()
    cities = {c for c in session.scalars(select(Report.city_code).distinct()) if c}
    assert len(cities) >= 8, cities
    months = set(session.scalars(select(month_expr(session, Report.submitted_at)).distinct()))
    assert len(months) >= 10, months

    statuses = _counts(session, Report.status)
    # SUBMITTED lasts only until the diagram's first step numbers the report, inside the same transaction
    assert {ReportStatus.PROCESSING, ReportStatus.RECTIFYING, ReportStatus.CLOSED, ReportStatus.TERMINATED} <= set(
        statuses), statuses
    open_tiers = set(_counts(session, Report.current_tier, Report.status == ReportStatus.PROCESSING))
    assert {Tier.COUNTY, Tier.CITY, Tier.PROVINCE} <= open_tiers
    closed_tiers = set(_counts(session, Report.resolved_tier, Report.status == ReportStatus.CLOSED))
    assert {Tier.COUNTY, Tier.CITY, Tier.PROVINCE} <= closed_tiers
    overdue = set(session.scalars(select(Report.id).where(Report.overdue.is_(True))))
    assert overdue
    # the marks are the engine's: each overdue report's deadline timer fired and logged it
    marked = set(session.scalars(select(InstanceEvent.report_id).where(InstanceEvent.kind == "overdue")))
    assert overdue == marked
    acks = _counts(session, Report.director_ack)
    assert acks.get(DirectorAck.PENDING, 0) >= 1 and acks.get(DirectorAck.OVERDUE, 0) >= 1
    assert acks.get(DirectorAck.ACKNOWLEDGED, 0) >= 1
    open_elements = set(session.scalars(select(HumanTask.element_id).where(HumanTask.state == TaskState.OPEN)))
    # every tier's officer opens the demo to work waiting: the province decides and verifies too
    assert {"county_disposal", "city_assessment", "inspection_consultation", "local_rectification",
            "director_acknowledge", "center_select_panel", "province_decision", "province_verification"} <= open_elements

    after = {u.username: (sorted(u.roles), u.division_code, u.monitoring_point_id)
             for u in session.scalars(select(User).where(User.username.in_(CONTRACT_ACCOUNTS)))}
    assert after == before
    assert {name: (roles[0], division) for name, (roles, division, _p) in after.items()} == CONTRACT_ACCOUNTS


def test_demo_dates_agree_with_each_other(env):
    seed_demo_history(env)
    session = env.session
    now = utcnow()
    for report in session.scalars(select(Report)):
        assert report.submitted_at <= now
        if report.closed_at:
            assert report.submitted_at <= report.closed_at <= now
        tasks = session.scalars(select(HumanTask).where(HumanTask.report_id == report.id)).all()
        for task in tasks:
            assert report.submitted_at <= task.created_at <= now, (report.tracking_no, task.element_id)
            if task.completed_at:
                assert task.created_at <= task.completed_at <= now
        events = session.scalars(select(InstanceEvent.created_at).where(InstanceEvent.report_id == report.id)
                                 .order_by(InstanceEvent.id)).all()
        assert events == sorted(events), report.tracking_no  # the timeline keeps its order
    oldest = session.scalar(select(func.min(Report.submitted_at)))
    assert (now - oldest).days >= 300
