"""The admin finds the failed instance from the dashboard, sees the red element on the diagram, retries it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from services.monitoring_points import assign_safety_director, remove_safety_director
from services.reports import ReportInput, submit_report
from storage.models import User
from web import create_app
from web import env as make_env
from web.extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FAILED = '#admin-diagram .djs-element.el-failed[data-element-id="notify_safety_director"]'


def with_env(settings, fn):
    """Work on the live server's database through the services, from a separate app."""
    app = create_app(settings)
    with app.app_context():
        try:
            return fn(make_env())
        finally:
            db.session.remove()
            db.engine.dispose()


def named(env, username) -> User:
    return env.session.scalar(select(User).where(User.username == username))


def break_director(env):
    director = named(env, "director.unit")
    remove_safety_director(env, named(env, "admin"), director.monitoring_point_id, director.id)
    report = submit_report(env, named(env, "reporter.unit"),
                           ReportInput("risk_hazard", "use", "3110", "扶梯梯级缺损，存在绊倒风险。", "扶梯梯级缺损"))
    return report.tracking_no


def register_director(env):
    director = named(env, "director.unit")
    assign_safety_director(env, named(env, "admin"), director.monitoring_point_id, director.id)


def test_admin_finds_failed_instance_sees_red_element_and_retries(settings, open_session):
    tracking_no = with_env(settings, break_director)
    session = open_session("desk")
    page = session.login("admin")
    page.wait_for_url("**/admin")  # an admin lands on the console
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="系统管理").click()
    page.wait_for_url("**/admin")
    failed = page.get_by_role("region", name="出错的流程实例")
    assert failed.get_by_text(tracking_no).is_visible()
    assert failed.get_by_text("尚未登记安全总监").is_visible()
    session.shot("admin-dashboard")
    failed.get_by_role("link", name="实例").first.click()
    page.wait_for_url("**/admin/instances/*")

    page.wait_for_selector('#admin-diagram[data-ready="true"]')
    red = page.locator(FAILED)
    assert red.count() == 1
    stroke = red.evaluate("el => getComputedStyle(el.querySelector('.djs-visual > *')).stroke")
    assert stroke == "rgb(198, 40, 40)"
    active = page.locator('#admin-diagram .el-active[data-element-id="county_disposal"] .djs-visual > *').first
    assert active.evaluate("el => getComputedStyle(el).stroke") == "rgb(21, 101, 192)"
    assert page.locator("#error-message").inner_text().startswith("“通知安全总监”（notify_safety_director）执行失败")
    session.shot("admin-instance-failed")

    with_env(settings, register_director)
    page.get_by_label("重试原因").fill("已重新登记安全总监")
    page.get_by_role("button", name="重试", exact=True).click()
    page.wait_for_selector('#admin-diagram[data-ready="true"]')
    assert page.get_by_text("已重试，当前状态：待人工办理").is_visible()
    assert page.locator("#instance-status").inner_text() == "待人工办理"
    assert page.locator("#admin-diagram .el-failed").count() == 0
    assert page.locator('#admin-diagram .el-active[data-element-id="director_acknowledge"]').count() == 1
    session.shot("admin-instance-retried")

    page.get_by_role("link", name="审计日志").click()
    page.wait_for_url("**/admin/audit")
    assert page.get_by_role("cell", name="已重新登记安全总监", exact=True).is_visible()
    assert page.get_by_role("cell", name="重试", exact=True).is_visible()
