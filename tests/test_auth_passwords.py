"""Sign-in that reveals nothing and cannot lock others out; the password policy; expiry and admin resets."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from pages_helpers import PASSWORD, token
from storage.models import User, utcnow
from web.extensions import db

STRONG = "Better#2027x"


def _token_attempt(client, username, password, address="10.0.0.1"):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _page_attempt(client, username, password, address):
    csrf = token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf},
                       environ_base={"REMOTE_ADDR": address})


def test_unknown_and_known_usernames_get_the_same_answers(client):
    for _ in range(4):
        known = _token_attempt(client, "county.610113", "wrong-password")
        unknown = _token_attempt(client, "nobody.here", "wrong-password")
        assert known.status_code == unknown.status_code == 401
        assert known.get_json()["error"]["message"] == unknown.get_json()["error"]["message"]
    known, unknown = _token_attempt(client, "county.610113", "x"), _token_attempt(client, "nobody.here", "x")
    assert known.status_code == unknown.status_code == 423
    assert known.get_json()["error"]["message"] == unknown.get_json()["error"]["message"]


def test_deactivated_account_answers_like_a_wrong_password(app, client):
    with app.app_context():
        db.session.query(User).filter_by(username="county.610112").one().active = False
        db.session.commit()
        db.session.remove()
    inactive = _token_attempt(client, "county.610112", PASSWORD, "10.0.0.2")
    wrong = _token_attempt(client, "county.610113", "wrong", "10.0.0.3")
    assert inactive.status_code == wrong.status_code == 401
    assert inactive.get_json()["error"]["message"] == wrong.get_json()["error"]["message"]


def test_unknown_username_costs_a_password_verification(client, monkeypatch):
    import services.auth as auth

    calls = []
    real = auth.verify_password

    def spy(stored_hash, password):
        calls.append(stored_hash)
        return real(stored_hash, password)

    monkeypatch.setattr(auth, "verify_password", spy)
    assert _token_attempt(client, "nobody.here", "whatever").status_code == 401
    assert len(calls) == 1 and calls[0].startswith("$argon2")


def test_lockout_is_per_client_so_the_real_user_still_signs_in(app):
    attacker, owner = app.test_client(), app.test_client()
    for _ in range(4):
        assert _page_attempt(attacker, "county.610113", "guess", "203.0.113.9").status_code == 401
    assert _page_attempt(attacker, "county.610113", "guess", "203.0.113.9").status_code == 423
    # The attacker is locked out even with the right password ...
    assert _page_attempt(attacker, "county.610113", PASSWORD, "203.0.113.9").status_code == 423
    # ... while the officer at the office signs in, through the page and the API.
    assert _page_attempt(owner, "county.610113", PASSWORD, "198.51.100.7").status_code == 302
    assert _token_attempt(app.test_client(), "county.610113", PASSWORD, "198.51.100.7").status_code == 200
    # The attacker's lock covers that one account, not its neighbours.
    assert _token_attempt(app.test_client(), "county.610112", PASSWORD, "203.0.113.9").status_code == 200


def test_lock_ends_after_fifteen_minutes_and_success_clears_the_count(app, client):
    from storage.models import LoginThrottle

    for _ in range(5):
        _token_attempt(client, "county.610113", "guess", "203.0.113.10")
    with app.app_context():
        row = db.session.query(LoginThrottle).filter_by(client="203.0.113.10").one()
        assert row.username == "county.610113" and row.locked_until > utcnow()
        row.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
        db.session.remove()
    assert _token_attempt(client, "county.610113", PASSWORD, "203.0.113.10").status_code == 200
    with app.app_context():
        assert db.session.query(LoginThrottle).filter_by(client="203.0.113.10").count() == 0
        db.session.remove()


@pytest.mark.parametrize("weak", [
    "Passw0rd", "abc12345!", "Passw0rd2026!", "P@ssw0rd2026", "Admin@123456", "1qaz2wsx3edc", "1Qaz2wsx3edc!",
    "Qwerty!2026", "Woaini@1314520", "short#A1", "alllowercase1", "ALLUPPER#####", "Demo#2026",
])
def test_weak_passwords_are_refused(weak):
    from services.errors import Invalid
    from services.passwords import check_password_strength

    with pytest.raises(Invalid):
        check_password_strength(weak, "someone")


def test_password_containing_the_username_is_refused():
    from services.errors import Invalid
    from services.passwords import check_password_strength

    with pytest.raises(Invalid, match="用户名"):
        check_password_strength("My-COUNTY.610113-pw", "county.610113")
    check_password_strength("Huang-He-Flows9", "county.610113")
    check_password_strength(STRONG, "county.610113")


def test_the_common_list_is_bundled_and_read():
    from services.passwords import COMMON_LIST, common_passwords

    assert COMMON_LIST.parent.name == "data" and COMMON_LIST.is_file()
    assert {"password", "qwerty", "1qaz2wsx", "woaini"} <= common_passwords()
    assert not any(line.startswith("#") for line in common_passwords())


def _age_password(app, username, days):
    with app.app_context():
        db.session.query(User).filter_by(username=username).one().password_changed_at = utcnow() - timedelta(days=days)
        db.session.commit()
        db.session.remove()


def test_expired_password_forces_the_change_page(app):
    _age_password(app, "county.610113", 91)
    client = app.test_client()
    res = _page_attempt(client, "county.610113", PASSWORD, "10.1.1.1")
    assert res.status_code == 302 and res.headers["Location"].startswith("/account/password")
    res = client.get("/tasks")
    assert res.status_code == 302 and res.headers["Location"].startswith("/account/password")
    assert "须先设置新密码" in client.get("/account/password").get_data(as_text=True)
    form = {"old_password": PASSWORD, "new_password": STRONG, "confirm_password": STRONG,
            "csrf_token": token(client, "/account/password")}
    assert client.post("/account/password", data=form).status_code == 302
    assert client.get("/tasks").status_code == 200


def test_expired_password_api_answers_403_until_changed(app, api):
    _age_password(app, "county.610113", 120)
    assert api.get("/me", "county.610113").get_json()["must_change_password"] is True
    res = api.get("/tasks", "county.610113")
    assert res.status_code == 403 and res.get_json()["error"]["code"] == "password_expired"
    bad = api.post("/me/password", "county.610113", json={"old_password": PASSWORD, "new_password": "Passw0rd2026!"})
    assert bad.status_code == 422
    res = api.post("/me/password", "county.610113", json={"old_password": PASSWORD, "new_password": STRONG})
    assert res.status_code == 200
    assert api.get("/tasks", "county.610113").status_code == 401  # the old token ended with the change
    fresh = api.client.post("/api/v1/auth/token", json={"username": "county.610113", "password": STRONG})
    headers = {"Authorization": f"Bearer {fresh.get_json()['token']}"}
    assert api.client.get("/api/v1/tasks", headers=headers).status_code == 200


def test_zero_max_age_turns_expiry_off(settings):
    from web import create_app

    app = create_app(replace(settings, password_max_age_days=0))
    _age_password(app, "county.610113", 3650)
    res = _page_attempt(app.test_client(), "county.610113", PASSWORD, "10.1.1.2")
    assert res.headers["Location"] == "/tasks"
    with app.app_context():
        db.engine.dispose()


def test_max_age_setting_is_read_from_the_environment():
    from services.settings import Settings, SettingsError

    assert Settings.from_env({"SECRET_KEY": "x"}).password_max_age_days == 90
    assert Settings.from_env({"SECRET_KEY": "x", "PASSWORD_MAX_AGE_DAYS": "0"}).password_max_age_days == 0
    with pytest.raises(SettingsError, match="PASSWORD_MAX_AGE_DAYS"):
        Settings.from_env({"SECRET_KEY": "x", "PASSWORD_MAX_AGE_DAYS": "-1"})


def test_admin_reset_forces_a_change_at_next_sign_in(app, api):
    uid = api.get("/me", "reporter.agency").get_json()["id"]
    assert api.post(f"/admin/users/{uid}/reset-password", "county.610113", json={"password": STRONG}).status_code == 403
    assert api.post(f"/admin/users/{uid}/reset-password", "admin", json={"password": "abc12345!"}).status_code == 422
    assert api.post(f"/admin/users/{uid}/reset-password", "admin", json={"password": STRONG}).status_code == 200
    assert api.get("/me", "reporter.agency").status_code == 401  # signed out everywhere
    client = app.test_client()
    res = _page_attempt(client, "reporter.agency", STRONG, "10.1.1.3")
    assert res.headers["Location"].startswith("/account/password")
    assert client.get("/reports/new").headers["Location"].startswith("/account/password")
    form = {"old_password": STRONG, "new_password": "Fresh-Start-42", "confirm_password": "Fresh-Start-42",
            "csrf_token": token(client, "/account/password")}
    assert client.post("/account/password", data=form).status_code == 302
    assert client.get("/reports/new").status_code == 200
    with app.app_context():
        assert db.session.get(User, uid).must_change_password is False
        db.session.remove()
