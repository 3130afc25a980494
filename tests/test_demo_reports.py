"""The demo reports walk the shipped diagram's real paths (entry table, 会签, city check, director state)."""
from __future__ import annotations

from sqlalchemy import func, select

from services.demo_reports import seed_demo_reports
from storage.models import HumanTask, Report, ReportStatus, TaskState


def test_demo_reports_follow_the_diagram(env):
    assert seed_demo_reports(env, how_many=12) == 12
    env.session.rollback()
    statuses = dict(env.session.execute(select(Report.status, func.count()).group_by(Report.status)).all())
    assert statuses.get(ReportStatus.CLOSED, 0) >= 4 and statuses.get(ReportStatus.RECTIFYING, 0) >= 1
    open_elements = set(env.session.scalars(select(HumanTask.element_id).where(HumanTask.state == TaskState.OPEN)))
    assert "director_acknowledge" in open_elements
    # a report closed by the chain while its director has not acknowledged yet (issue 13.3)
    assert env.session.scalar(select(func.count()).select_from(Report).where(
        Report.status == ReportStatus.CLOSED, Report.director_ack == "pending")) >= 1
