"""Safety-director notice receipts: opening the report marks the notice read, acknowledging records the
time, and supervisors see the receipts on the report page."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from services.receipts import director_receipts
from storage.models import HumanTask, Notification, utcnow
from web.pages.common import localtime

from pages_helpers import signed_in, token

ACK = {"handling_arrangement": "立即停用并安排校验", "responsible_person": "陈志强", "handling_deadline": "2026-12-05"}


def director_notice(env, report_id: int) -> Notification:
    env.session.rollback()  # see what the requests committed
    return env.session.scalar(select(Notification).where(Notification.report_id == report_id,
                                                         Notification.kind == "safety_director"))


def test_opening_the_report_page_marks_the_directors_notice_read(app, api, env):
    report = api.submit("reporter.unit")
    assert director_notice(env, report["id"]).read_at is None
    signed_in(app, "county.610113").get(f"/reports/{report['id']}")  # someone else reading changes nothing
    assert director_notice(env, report["id"]).read_at is None
    before = utcnow()
    assert signed_in(app, "director.unit").get(f"/reports/{report['id']}").status_code == 200
    opened = director_notice(env, report["id"]).read_at
    assert opened is not None and before - timedelta(seconds=1) <= opened <= utcnow()
    [receipt] = director_receipts(env, report["id"])
    assert receipt.opened_at == opened and receipt.acknowledged_at is None and receipt.status_label == "已读"


def test_opening_the_task_page_marks_it_read_and_acknowledging_records_the_time(app, api, env):
    report = api.submit("reporter.unit")
    tid = api.task("director.unit", report["id"], "director_acknowledge")["id"]
    director = signed_in(app, "director.unit")
    assert director.get(f"/tasks/{tid}").status_code == 200
    assert director_notice(env, report["id"]).read_at is not None
    res = director.post(f"/tasks/{tid}/complete", data={**ACK, "csrf_token": token(director, f"/tasks/{tid}")})
    assert res.status_code == 302
    env.session.rollback()
    task = env.session.get(HumanTask, tid)
    [receipt] = director_receipts(env, report["id"])
    assert receipt.acknowledged_at == task.completed_at and receipt.acknowledged_at is not None
    assert receipt.acknowledged_by_id == receipt.user_id and receipt.status_label == "已确认"


def test_supervisors_see_the_receipts_on_the_report_page(app, api, env):
    report = api.submit("reporter.unit")
    county = signed_in(app, "county.610113")
    html = county.get(f"/reports/{report['id']}").get_data(as_text=True)
    assert "安全总监通知回执" in html and "<strong>未读</strong>" in html and "未确认" in html

    api.complete("director.unit", report["id"], "director_acknowledge", ACK)
    html = county.get(f"/reports/{report['id']}").get_data(as_text=True)
    [receipt] = director_receipts(env, report["id"])
    assert "<strong>已确认</strong>" in html and f"{receipt.acknowledged_by}确认" in html
    shown = re.search(r'data-label="确认时间">(\d{4}-\d\d-\d\d \d\d:\d\d)', html)
    assert shown and shown.group(1) == localtime(receipt.acknowledged_at)
    assert re.search(r'data-label="已读时间">\d{4}-\d\d-\d\d \d\d:\d\d', html)

    for username in ("reporter.unit", "director.unit"):  # not supervisors: no receipts section
        page = signed_in(app, username).get(f"/reports/{report['id']}").get_data(as_text=True)
        assert "安全总监通知回执" not in page


def test_a_report_without_director_notices_shows_no_receipts(app, api):
    report = api.submit()  # reporter.agency: not an enterprise, nobody to notify
    html = signed_in(app, "county.610113").get(f"/reports/{report['id']}").get_data(as_text=True)
    assert "安全总监通知回执" not in html
