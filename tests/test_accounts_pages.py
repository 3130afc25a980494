"""The /admin/users pages: create, edit, the confirmation step of deactivation, import, navigation."""
import io

from openpyxl import Workbook
from pages_helpers import signed_in, token
from sqlalchemy import select

from storage.models import MonitoringPoint, User

PASSWORD = "Officer#2026x"


def _form(client, path, **data):
    return client.post(path, data={"csrf_token": token(client, "/admin/users"), **data})


def test_admin_creates_a_county_officer_on_the_page_who_then_signs_in(app, env):
    admin = signed_in(app, "admin")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "账户管理" in page and "新建账户" in page
    res = _form(admin, "/admin/users", username="county.page", display_name="页面新建监管员", password=PASSWORD,
                role="county_officer", division_code="610113", monitoring_point_id="", phone="")
    assert res.status_code == 302, res.get_data(as_text=True)
    listed = admin.get("/admin/users?q=county.page").get_data(as_text=True)
    assert "页面新建监管员" in listed and "县级监管人员" in listed
    person = app.test_client()
    res = person.post("/login", data={"username": "county.page", "password": PASSWORD,
                                      "csrf_token": token(person, "/login")})
    assert res.status_code == 302
    assert "/account/password" in person.get("/tasks").headers["Location"]


def test_a_bad_create_shows_the_chinese_error_and_keeps_the_form(app):
    admin = signed_in(app, "admin")
    res = _form(admin, "/admin/users", username="reporter.unit", display_name="重复", password=PASSWORD,
                role="county_officer", division_code="610113")
    assert res.status_code == 409 and "已被使用" in res.get_data(as_text=True)


def test_deactivation_needs_the_confirmation_step_and_ends_the_session(app, env):
    target = env.session.scalar(select(User).where(User.username == "reporter.unit"))
    victim = signed_in(app, "reporter.unit")
    county = signed_in(app, "county.610113")
    confirm = county.get(f"/admin/users/{target.id}/status").get_data(as_text=True)
    assert "确认停用" in confirm and "立即失效" in confirm
    res = _form(county, f"/admin/users/{target.id}/status", active="0")  # no confirm=1: back to the step
    assert res.status_code == 302 and res.headers["Location"].endswith("/status")
    assert victim.get("/reports").status_code == 200
    res = _form(county, f"/admin/users/{target.id}/status", active="0", confirm="1")
    assert res.status_code == 302
    assert victim.get("/reports").status_code == 302
    assert "已停用" in county.get("/admin/users?q=reporter.unit").get_data(as_text=True)


def test_a_county_officer_sees_only_their_points_people_and_cannot_open_an_officer(app, env):
    county = signed_in(app, "county.610113")
    page = county.get("/admin/users").get_data(as_text=True)
    assert "reporter.unit" in page and "reporter.filling" not in page and "county.610112" not in page
    assert 'href="/admin/users"' in page  # in the navigation
    other = env.session.scalar(select(User.id).where(User.username == "county.610112"))
    assert county.get(f"/admin/users/{other}").status_code == 403
    assert signed_in(app, "reporter.unit").get("/admin/users").status_code == 403


def test_the_point_page_links_reporters_to_edit_and_deactivation(app, env):
    point = env.session.scalar(select(MonitoringPoint.id).where(MonitoringPoint.division_code == "610113")
                               .order_by(MonitoringPoint.id))
    county = signed_in(app, "county.610113")
    html = county.get(f"/points/{point}").get_data(as_text=True)
    assert "/admin/users/" in html and "停用" in html


def test_a_point_manager_edits_their_own_reporter(app, env):
    reporter = env.session.scalar(select(User).where(User.username == "reporter.unit"))
    manager = signed_in(app, "manager.unit")
    res = manager.post(f"/admin/users/{reporter.id}", data={"csrf_token": token(manager, "/admin/users"),
                                                            "display_name": "改过名的报送员"})
    assert res.status_code == 302
    env.session.expire_all()
    assert env.session.get(User, reporter.id).display_name == "改过名的报送员"
    director = env.session.scalar(select(User.id).where(User.username == "director.unit"))
    assert manager.get(f"/admin/users/{director}").status_code == 403


def test_the_import_page_lists_bad_rows_in_chinese(app):
    book = Workbook()
    book.active.append(["登录名", "姓名", "联系电话", "监测点编号", "初始密码"])
    book.active.append(["ok.name", "甲", "13800000000", 99999, PASSWORD])
    out = io.BytesIO()
    book.save(out)
    county = signed_in(app, "county.610113")
    res = county.post("/admin/users/import", data={"csrf_token": token(county, "/admin/users"),
                                                   "file": (io.BytesIO(out.getvalue()), "r.xlsx")},
                      content_type="multipart/form-data")
    html = res.get_data(as_text=True)
    assert res.status_code == 422 and "第 2 行" in html and "监测点 99999 不存在" in html
    assert "本次未导入任何账户" in html
    template = county.get("/admin/users/import-template")
    assert template.status_code == 200 and template.data.startswith(b"PK")
