"""Sessions: where `next` may send the browser, and signing out for real (copied cookies and tokens die)."""
from __future__ import annotations

import pytest

from pages_helpers import PASSWORD, signed_in, token
from web.extensions import db

HOSTILE_NEXT = [
    "/\t/evil.example/", "/%09/evil.example/", "//evil.example/", "///evil.example/", "/\\evil.example/",
    "/\\/evil.example/", "\\\\evil.example/", "\\/evil.example", "https://evil.example/", "http:evil.example",
    "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "/%2F/evil.example/",
    "/%5Cevil.example/", "%2F%2Fevil.example", "/\n/evil.example/", "/\r\n/evil.example/", "/%0a/evil.example",
    "evil.example", "//evil.example@riskmon/", "/ /evil.example", "\x00/evil", "data:text/html,x",
    "//%09evil.example", "/%252F%252Fevil.example", "https:/\\evil.example",
]


def _login(client, next_value, username="county.610113"):
    csrf = token(client, "/login")
    return client.post("/login", query_string={"next": next_value},
                       data={"username": username, "password": PASSWORD, "csrf_token": csrf})


def _stays_here(location: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(location)
    return (not parts.scheme and not parts.netloc and location.startswith("/") and not location.startswith("//")
            and "\\" not in location and not any(ch.isspace() for ch in location))


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_hostile_next_after_sign_in_goes_home(app, target):
    res = _login(app.test_client(), target)
    if "\x00" in target:  # a NUL in the query string is refused outright by the input guards
        assert res.status_code == 400 and "Location" not in res.headers
        return
    assert res.status_code == 302
    assert res.headers["Location"] == "/tasks", (target, res.headers["Location"])


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_hostile_next_after_a_form_post_stays_on_the_site(app, target):
    client = signed_in(app, "county.610113")
    res = client.post("/tasks/nope/claim", data={"csrf_token": token(client, "/tasks"), "next": target})
    location = res.headers.get("Location", "/tasks")
    assert _stays_here(location), (target, location)


def test_same_site_next_is_kept_with_its_query(app):
    res = _login(app.test_client(), "/reports?status=closed&page=2#top")
    assert res.headers["Location"] == "/reports?status=closed&page=2#top"


def test_one_function_decides_for_login_and_form_posts():
    from web.pages.redirects import same_origin_path

    for target in HOSTILE_NEXT:
        assert same_origin_path(target, "/home") == "/home", target
    assert same_origin_path("/tasks?q=电梯", "/home") == "/tasks?q=电梯"


def _copy_cookie(source, app):
    """A second browser holding the same session cookie (what a stolen or saved cookie is)."""
    thief = app.test_client()
    cookie = source.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    return thief


def test_saved_cookie_stops_working_after_sign_out(app):
    client = signed_in(app, "county.610113")
    thief = _copy_cookie(client, app)
    assert thief.get("/tasks").status_code == 200
    client.post("/logout", data={"csrf_token": token(client, "/tasks")})
    res = thief.get("/tasks")
    assert res.status_code == 302 and "/login" in res.headers["Location"]


def test_saved_cookie_and_token_stop_working_after_a_password_change(app, api):
    client = signed_in(app, "reporter.unit")
    thief = _copy_cookie(client, app)
    bearer = api.token("reporter.unit")
    form = {"old_password": PASSWORD, "new_password": "Better#2027x", "confirm_password": "Better#2027x",
            "csrf_token": token(client, "/account/password")}
    assert client.post("/account/password", data=form).status_code == 302
    assert client.get("/reports").status_code == 200  # the browser that changed it stays signed in
    assert thief.get("/reports").status_code == 302
    res = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {bearer}"})
    assert res.status_code == 401


def test_deactivation_ends_page_sessions_and_tokens(app, api):
    from services.auth import revoke_sessions
    from storage.models import User
    from web import env

    client = signed_in(app, "county.610112")
    bearer = api.token("county.610112")
    with app.app_context():
        user = db.session.query(User).filter_by(username="county.610112").one()
        user.active = False
        revoke_sessions(env(), user)
        db.session.remove()
    assert client.get("/tasks").status_code == 302
    assert api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {bearer}"}).status_code == 401
    res = api.client.post("/api/v1/auth/token", json={"username": "county.610112", "password": PASSWORD})
    assert res.status_code == 401


def test_admin_signs_a_person_out_everywhere(app, api):
    client = signed_in(app, "county.610113")
    bearer = api.token("county.610113")
    uid = api.get("/me", "county.610113").get_json()["id"]
    assert api.post(f"/admin/users/{uid}/revoke-sessions", "county.610112").status_code == 403
    assert api.post("/admin/users/99999999/revoke-sessions", "admin").status_code == 404
    res = api.post(f"/admin/users/{uid}/revoke-sessions", "admin")
    assert res.status_code == 200
    assert client.get("/tasks").status_code == 302
    assert api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {bearer}"}).status_code == 401
    fresh = api.client.post("/api/v1/auth/token", json={"username": "county.610113", "password": PASSWORD})
    assert fresh.status_code == 200  # signing in again works
    with app.app_context():
        from storage.models import InstanceEvent

        event = db.session.query(InstanceEvent).filter_by(kind="sessions_revoked").one()
        assert event.data == {"user_id": uid}


def test_me_revoke_sessions_ends_every_token_and_page_session(app, api):
    client = signed_in(app, "reporter.agency")
    other = api.client.post("/api/v1/auth/token", json={"username": "reporter.agency", "password": PASSWORD})
    assert api.post("/me/revoke-sessions", "reporter.agency").status_code == 200
    assert api.get("/me", "reporter.agency").status_code == 401
    headers = {"Authorization": f"Bearer {other.get_json()['token']}"}
    assert api.client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.get("/reports").status_code == 302


def test_sign_out_everywhere_button_keeps_this_browser(app):
    client = signed_in(app, "county.610113")
    thief = _copy_cookie(client, app)
    html = client.get("/account/password").get_data(as_text=True)
    assert "退出所有其他设备" in html and 'action="/account/revoke-sessions"' in html
    res = client.post("/account/revoke-sessions", data={"csrf_token": token(client, "/account/password")})
    assert res.status_code == 302
    assert client.get("/tasks").status_code == 200
    assert thief.get("/tasks").status_code == 302


def test_encoded_spaces_in_the_query_survive():
    from web.pages.redirects import same_origin_path

    assert same_origin_path("/tasks?q=%E7%94%B5%E6%A2%AF%20%E9%97%A8%E9%94%81", "/h") == \
        "/tasks?q=%E7%94%B5%E6%A2%AF%20%E9%97%A8%E9%94%81"
