"""SAMR orders 73/74: a producer's or filler's director is its 质量安全总监 (officer 质量安全员), a using unit's
its 安全总监 (安全员). One role id serves the diagram; the unit's kind decides the title people read."""
from __future__ import annotations

from sqlalchemy import select

from handlers.context import HandlerContext
from handlers.deadlines import director_overdue
from storage.models import MonitoringPoint, MonitoringPointKind, Notification, ProcessInstance, Report, User
from storage.models import unit_titles
from pages_helpers import signed_in


def _user(session, username) -> User:
    return session.scalar(select(User).where(User.username == username))


def _notes(env, username, report_id, kind):
    env.session.rollback()
    return env.session.scalars(select(Notification).where(
        Notification.user_id == _user(env.session, username).id, Notification.report_id == report_id,
        Notification.kind == kind)).all()


def test_titles_follow_the_point_kind():
    producer, user = (unit_titles(MonitoringPointKind.PRODUCTION_FILLING_UNIT),
                      unit_titles(MonitoringPointKind.CONTROLLED_USER_UNIT))
    assert (producer.director, producer.officer) == ("质量安全总监", "质量安全员") and "第73号" in producer.order
    assert (user.director, user.officer) == ("安全总监", "安全员") and "第74号" in user.order


def test_filling_unit_director_is_told_as_quality_safety_director(app, api, env):
    report = api.submit("reporter.filling", equipment_type_code="2310", title="气瓶超期未检仍在充装")
    [note] = _notes(env, "director.filling", report["id"], "safety_director")
    assert note.title.startswith("质量安全总监：") and "第73号" in note.body and "质量安全员" in note.body
    assert api.task("director.filling", report["id"], "director_acknowledge")  # same candidate group works
    timeline = api.get(f"/reports/{report['id']}", "county.610112").get_json()["timeline"]
    assert any("已同步通知质量安全总监" in e["message"] for e in timeline)
    html = signed_in(app, "county.610112").get(f"/reports/{report['id']}").get_data(as_text=True)
    assert "单位质量安全总监确认：" in html and "质量安全总监通知回执" in html


def test_using_unit_director_is_told_as_safety_director(api, env):
    report = api.submit("reporter.unit")
    [note] = _notes(env, "director.unit", report["id"], "safety_director")
    assert note.title.startswith("安全总监：") and "第74号" in note.body and "安全员" in note.body
    assert "质量安全" not in note.title + note.body


def test_unacknowledged_director_escalates_to_the_principal(api, env):
    report = api.submit("reporter.unit")
    row = env.session.get(Report, report["id"])
    instance = env.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == row.id))
    director_overdue(HandlerContext(env.session, instance, row, "director_overdue", {}))
    env.session.commit()
    for username in ("principal.unit", "county.610113"):
        [note] = _notes(env, username, report["id"], "director_overdue")
        assert note.title.startswith("安全总监逾期未确认")
    assert _notes(env, "manager.unit", report["id"], "director_overdue") == []  # the point manager is not 主要负责人
    assert api.get(f"/reports/{report['id']}", "principal.unit").status_code == 200  # the link in the notice opens


def test_pages_show_the_title_of_each_unit(app, env):
    filling = env.session.scalar(select(MonitoringPoint).where(
        MonitoringPoint.kind == MonitoringPointKind.PRODUCTION_FILLING_UNIT))
    unit = _user(env.session, "director.unit").monitoring_point_id
    county = signed_in(app, "county.610112")
    html = county.get(f"/points/{filling.id}").get_data(as_text=True)
    assert '<h2 id="sd-h">质量安全总监</h2>' in html and "第73号" in html
    html = signed_in(app, "county.610113").get(f"/points/{unit}").get_data(as_text=True)
    assert '<h2 id="sd-h">安全总监</h2>' in html and "质量安全总监" not in html
    accounts = signed_in(app, "admin").get("/admin/users?q=director").get_data(as_text=True)
    assert "<td data-label=\"角色\">质量安全总监</td>" in accounts and "<td data-label=\"角色\">安全总监</td>" in accounts
