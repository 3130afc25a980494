"""The yellow "due soon" state: the last quarter of a task's own time, at most REMINDER_LEAD_HOURS (inbox and task page)."""
from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from services.settings import Settings
from storage.models import HumanTask, TaskState, utcnow
from web import create_app
from web.extensions import db

from conftest import Api
from pages_helpers import signed_in


@pytest.fixture
def lead_app(settings, request):
    """The app with REMINDER_LEAD_HOURS as the test asks (parametrized indirectly)."""
    application = create_app(dataclasses.replace(settings, reminder_lead_hours=request.param))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def task_due_in(app, hours: float, given: float = 200) -> tuple[str, str]:
    """A county task of a new report, due `hours` from now and `given` hours in all; returns (tracking no, task id)."""
    report = Api(app.test_client()).submit()
    with app.app_context():
        task = db.session.scalar(select(HumanTask).where(HumanTask.report_id == report["id"],
                                                         HumanTask.state == TaskState.OPEN))
        task.due_at = utcnow() + timedelta(hours=hours)
        task.created_at = task.due_at - timedelta(hours=given)
        db.session.commit()
        tid = task.id
        db.session.remove()
    return report["tracking_no"], tid


def row_class(html: str, tracking_no: str) -> str:
    match = re.search(r'<tr class="([^"]*)"[^>]*>\s*<td data-label="跟踪编号">' + tracking_no, html)
    assert match, "row not found"
    return match.group(1)


def test_the_setting_is_read_from_the_environment():
    assert Settings.from_env({"REMINDER_LEAD_HOURS": "48"}).reminder_lead_hours == 48
    assert Settings.from_env({}).reminder_lead_hours == 24


@pytest.mark.parametrize("lead_app", [48], indirect=True)
def test_yellow_within_a_48_hour_lead_time(lead_app):
    tracking_no, tid = task_due_in(lead_app, 30)
    client = signed_in(lead_app, "county.610113")
    html = client.get("/tasks").get_data(as_text=True)
    assert "row-soon" in row_class(html, tracking_no).split()
    assert "最多提前 48 小时" in html
    page = client.get(f"/tasks/{tid}").get_data(as_text=True)
    assert '<strong class="tag-yellow">即将到期</strong>' in page


@pytest.mark.parametrize("lead_app", [24], indirect=True)
def test_not_yellow_with_the_default_24_hours(lead_app):
    tracking_no, tid = task_due_in(lead_app, 30)
    client = signed_in(lead_app, "county.610113")
    html = client.get("/tasks").get_data(as_text=True)
    assert "row-soon" not in row_class(html, tracking_no).split()
    assert "最多提前 24 小时" in html
    page = client.get(f"/tasks/{tid}").get_data(as_text=True)
    assert "即将到期</strong>" not in page and "已超期</strong>" not in page


@pytest.mark.parametrize("lead_app", [48], indirect=True)
def test_past_the_deadline_is_red_whatever_the_lead_time(lead_app):
    tracking_no, _ = task_due_in(lead_app, -1)
    html = signed_in(lead_app, "county.610113").get("/tasks").get_data(as_text=True)
    assert "row-overdue" in row_class(html, tracking_no).split()


@pytest.mark.parametrize("lead_app", [24], indirect=True)
def test_a_one_day_task_is_not_yellow_from_birth(lead_app):
    tracking_no, tid = task_due_in(lead_app, 23.9, given=24)
    client = signed_in(lead_app, "county.610113")
    assert "row-soon" not in row_class(client.get("/tasks").get_data(as_text=True), tracking_no).split()
    assert "即将到期</strong>" not in client.get(f"/tasks/{tid}").get_data(as_text=True)


@pytest.mark.parametrize("lead_app", [24], indirect=True)
def test_a_one_day_task_turns_yellow_in_its_last_quarter(lead_app):
    tracking_no, tid = task_due_in(lead_app, 5, given=24)  # 5 h left of 24: inside the last 6 h
    client = signed_in(lead_app, "county.610113")
    assert "row-soon" in row_class(client.get("/tasks").get_data(as_text=True), tracking_no).split()
    assert '<strong class="tag-yellow">即将到期</strong>' in client.get(f"/tasks/{tid}").get_data(as_text=True)


def test_the_warning_lead_is_a_quarter_of_the_duration_capped_by_the_setting():
    from services.inbox import warning_lead_hours
    now = utcnow()
    day = HumanTask(created_at=now, due_at=now + timedelta(hours=24))
    month = HumanTask(created_at=now, due_at=now + timedelta(days=30))
    assert warning_lead_hours(day, 24) == 6
    assert warning_lead_hours(month, 24) == 24
    assert warning_lead_hours(HumanTask(created_at=now, due_at=None), 24) == 24
    assert warning_lead_hours(HumanTask(created_at=now, due_at=now - timedelta(hours=1)), 24) == 0
