"""A monitoring point not yet confirmed (确认) by its supervising agency may not submit: confirmation means
the agency vouches for the point and its reporter. The refusal names where urgent matters go instead."""
from __future__ import annotations

from sqlalchemy import select

from storage.models import MonitoringPoint, Report, User
from web.extensions import db
from pages_helpers import signed_in, token


def _unconfirm(app, username: str) -> int:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        point = db.session.get(MonitoringPoint, user.monitoring_point_id)
        point.confirmed, point.confirmed_at = False, None
        db.session.commit()
        return point.id


def _report_count(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Report.id)).all())


def test_demo_points_are_confirmed(app):
    with app.app_context():
        assert all(p.confirmed for p in db.session.scalars(select(MonitoringPoint)))


def test_api_refuses_an_unconfirmed_point_with_409(app, api):
    point_id = _unconfirm(app, "reporter.agency")
    res = api.post("/reports", "reporter.agency", json={"kind": "problem", "domain": "use",
                                                         "equipment_type_code": "3110", "content": "层门门锁异常。"})
    assert res.status_code == 409
    error = res.get_json()["error"]
    assert error["code"] == "conflict" and "尚未经属地特种设备安全监管部门确认" in error["message"]
    assert "96333" in error["message"] and error["details"] == {"monitoring_point_id": point_id, "confirmed": False}
    assert _report_count(app) == 0


def test_page_explains_the_refusal_and_offers_no_form(app):
    _unconfirm(app, "reporter.unit")
    client = signed_in(app, "reporter.unit")
    html = client.get("/reports/new").get_data(as_text=True)
    assert 'id="submit-refused"' in html and "暂不能报送信息" in html
    assert 'id="report-form"' not in html
    res = client.post("/reports/new", data={"kind": "problem", "domain": "use", "eq_category": "3000",
                                            "content": "x", "csrf_token": token(client, "/account/password")},
                      content_type="multipart/form-data")
    assert res.status_code == 409 and "暂不能报送信息" in res.get_data(as_text=True)
    assert _report_count(app) == 0


def test_confirming_the_point_lets_the_reporter_submit(app, api):
    point_id = _unconfirm(app, "reporter.agency")
    assert api.post(f"/monitoring-points/{point_id}/confirm", "county.610113").status_code == 200
    assert api.submit()["tracking_no"].startswith("SX-")
