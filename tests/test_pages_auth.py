"""Sign-in pages: labels, lockout, CSRF, idle timeout, logout, change password."""
from __future__ import annotations

import re
import time

PASSWORD = "Demo#2026"


def token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, username: str, password: str = PASSWORD):
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token(client)})


def test_login_page_has_labelled_fields(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<label for="username">用户名</label>' in html
    assert '<label for="password">密码</label>' in html
    assert ">登录</button>" in html


def test_login_and_role_navigation(app, client):
    res = login(client, "reporter.unit")
    assert res.status_code == 302
    html = client.get("/reports").get_data(as_text=True)
    assert 'href="/reports/new"' in html and "我的报送" in html
    assert 'href="/processes"' not in html and 'href="/admin"' not in html
    officer = app.test_client()
    login(officer, "county.610113")
    html = officer.get("/tasks").get_data(as_text=True)
    for path in ("/tasks", "/points", "/stats", "/cases", "/notifications"):
        assert f'href="{path}"' in html
    assert 'href="/reports/new"' not in html


def test_wrong_password_then_lockout_after_five_failures(client):
    for attempt in range(4):
        res = login(client, "reporter.agency", "wrong")
        assert res.status_code == 401
        assert "用户名或密码错误" in res.get_data(as_text=True)
    res = login(client, "reporter.agency", "wrong")
    assert res.status_code == 423
    assert "账户已锁定 15 分钟" in res.get_data(as_text=True)
    res = login(client, "reporter.agency")
    assert res.status_code == 423
    assert "已锁定" in res.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client):
    res = client.post("/login", data={"username": "reporter.unit", "password": PASSWORD})
    assert res.status_code == 400
    assert "CSRF" in res.get_data(as_text=True)
    login(client, "reporter.unit")
    res = client.post("/reports/new", data={"kind": "problem", "domain": "use", "eq_category": "3000",
                                            "content": "没有令牌"})
    assert res.status_code == 400
    res = client.post("/reports/new", data={"kind": "problem", "domain": "use", "eq_category": "3000",
                                            "content": "错误令牌", "csrf_token": "forged"})
    assert res.status_code == 400


def test_pages_require_sign_in(client):
    res = client.get("/tasks")
    assert res.status_code == 302 and "/login" in res.headers["Location"]


def test_idle_timeout_signs_out(client):
    login(client, "county.610113")
    assert client.get("/tasks").status_code == 200
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 31 * 60
    res = client.get("/tasks")
    assert res.status_code == 302 and "/login" in res.headers["Location"]
    assert "30 分钟未操作" in client.get("/login").get_data(as_text=True)


def test_logout(client):
    login(client, "county.610113")
    res = client.post("/logout", data={"csrf_token": token(client, "/tasks")})
    assert res.status_code == 302
    assert client.get("/tasks").status_code == 302


def test_change_password_checks_rules_and_old_password(client):
    login(client, "reporter.unit")
    form = {"old_password": PASSWORD, "new_password": "short", "confirm_password": "short"}
    res = client.post("/account/password", data={**form, "csrf_token": token(client, "/account/password")})
    assert res.status_code == 422 and "密码至少 10 位" in res.get_data(as_text=True)
    form = {"old_password": "nope", "new_password": "Better#2027", "confirm_password": "Better#2027"}
    res = client.post("/account/password", data={**form, "csrf_token": token(client, "/account/password")})
    assert res.status_code == 422 and "原密码不正确" in res.get_data(as_text=True)
    form = {"old_password": PASSWORD, "new_password": "Better#2027", "confirm_password": "Better#2028"}
    res = client.post("/account/password", data={**form, "csrf_token": token(client, "/account/password")})
    assert res.status_code == 422 and "不一致" in res.get_data(as_text=True)
    form = {"old_password": PASSWORD, "new_password": "Better#2027", "confirm_password": "Better#2027"}
    res = client.post("/account/password", data={**form, "csrf_token": token(client, "/account/password")})
    assert res.status_code == 302
    client.post("/logout", data={"csrf_token": token(client, "/reports")})
    assert login(client, "reporter.unit", "Better#2027").status_code == 302


def test_responses_carry_security_headers_and_httponly_session_cookie(client):
    res = client.get("/login")
    assert res.headers["X-Content-Type-Options"] == "nosniff"
    assert res.headers["X-Frame-Options"] == "SAMEORIGIN"
    cookie = res.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookies_setting_marks_the_session_cookie_secure(settings):
    from dataclasses import replace

    from web import create_app

    from web.extensions import db

    app = create_app(replace(settings, secure_cookies=True))
    res = app.test_client().get("/login")
    assert "Secure" in res.headers.get("Set-Cookie", "")
    with app.app_context():
        db.engine.dispose()
