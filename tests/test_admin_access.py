"""Admin-only: every admin page and endpoint answers 403 to everyone else, and changes nothing."""
from __future__ import annotations

import re

import pytest

PASSWORD = "Demo#2026"
NON_ADMINS = ["county.610113", "owner", "reporter.unit"]

# (method, rule as registered, concrete path)
API_ROUTES = [
    ("GET", "/api/v1/admin/instances", "/admin/instances?status=stuck"),
    ("GET", "/api/v1/admin/instances/<int:instance_id>", "/admin/instances/1"),
    ("POST", "/api/v1/admin/instances/<int:instance_id>/retry", "/admin/instances/1/retry"),
    ("POST", "/api/v1/admin/instances/<int:instance_id>/skip", "/admin/instances/1/skip"),
    ("POST", "/api/v1/admin/instances/<int:instance_id>/suspend", "/admin/instances/1/suspend"),
    ("POST", "/api/v1/admin/instances/<int:instance_id>/resume", "/admin/instances/1/resume"),
    ("POST", "/api/v1/admin/instances/<int:instance_id>/terminate", "/admin/instances/1/terminate"),
    ("POST", "/api/v1/admin/instances/<int:instance_id>/reset", "/admin/instances/1/reset"),
    ("POST", "/api/v1/admin/instances/<int:instance_id>/data", "/admin/instances/1/data"),
    ("POST", "/api/v1/admin/instances/bulk-retry", "/admin/instances/bulk-retry"),
    ("POST", "/api/v1/admin/tasks/<task_id>/reassign", "/admin/tasks/{task}/reassign"),
    ("POST", "/api/v1/admin/tasks/<task_id>/release", "/admin/tasks/{task}/release"),
    ("GET", "/api/v1/admin/audit", "/admin/audit"),
    ("POST", "/api/v1/admin/users/<int:user_id>/revoke-sessions", "/admin/users/1/revoke-sessions"),
    ("POST", "/api/v1/admin/users/<int:user_id>/reset-password", "/admin/users/1/reset-password"),
    ("GET", "/api/v1/admin/settings", "/admin/settings"),
    ("GET", "/api/v1/admin/settings/<key>", "/admin/settings/agency_entry"),
    ("PUT", "/api/v1/admin/settings/<key>", "/admin/settings/agency_entry"),
]
PAGE_ROUTES = [
    ("GET", "/admin", "/admin"),
    ("GET", "/admin/instances", "/admin/instances?status=error"),
    ("GET", "/admin/stuck", "/admin/stuck"),
    ("GET", "/admin/instances/<int:instance_id>", "/admin/instances/1"),
    ("GET", "/admin/audit", "/admin/audit"),
    ("POST", "/admin/instances/<int:instance_id>/<action>", "/admin/instances/1/suspend"),
    ("POST", "/admin/instances/<int:instance_id>/<action>", "/admin/instances/1/terminate"),
    ("POST", "/admin/instances/bulk-retry", "/admin/instances/bulk-retry"),
    ("POST", "/admin/tasks/<task_id>/<action>", "/admin/tasks/{task}/release"),
    ("GET", "/admin/calendar", "/admin/calendar"),
    ("POST", "/admin/calendar/day", "/admin/calendar/day"),
    ("POST", "/admin/calendar/import", "/admin/calendar/import"),
    ("GET", "/admin/settings", "/admin/settings"),
    ("POST", "/admin/settings/<key>", "/admin/settings/agency_entry"),
]
BODY = {"reason": "越权尝试", "data": {}, "element_id": "county_disposal", "task_id": "x", "changes": {"a": 1},
        "user_id": 1, "ids": [1], "value": "above"}


@pytest.fixture
def claimed(api):
    """Instance 1 with its county task claimed, so every repair would have something to do."""
    report = api.submit()
    task = api.task("county.610113", report["id"], "county_disposal")
    assert api.post(f"/tasks/{task['id']}/claim", "county.610113").status_code == 200
    return task["id"]


# Account administration is open to city and county officers for their own points' people (scoped and tested
# in test_accounts.py and test_accounts_pages.py); only the session and password repairs are admin-only.
ACCOUNT_RULE = re.compile(r"^(/api/v1)?/admin/users(/|$)(?!.*(revoke-sessions|reset-password))")


def test_route_lists_cover_every_admin_rule(app):
    registered = {(m, r.rule) for r in app.url_map.iter_rules()
                  if r.rule.startswith(("/api/v1/admin", "/admin")) and not ACCOUNT_RULE.match(r.rule)
                  for m in r.methods - {"HEAD", "OPTIONS"}}
    assert registered == {(m, rule) for m, rule, _ in API_ROUTES + PAGE_ROUTES}


@pytest.mark.parametrize("user", NON_ADMINS)
@pytest.mark.parametrize("method, rule, path", API_ROUTES, ids=[f"{m} {p}" for m, _, p in API_ROUTES])
def test_api_refuses_non_admins(api, claimed, user, method, rule, path):
    res = api.call(method, path.format(task=claimed), user, json=BODY if method in ("POST", "PUT") else None)
    assert res.status_code == 403, res.get_data(as_text=True)
    assert res.get_json()["error"]["code"] == "forbidden"
    assert "系统管理员" in res.get_json()["error"]["message"]
    detail = api.get("/admin/instances/1", "admin").get_json()
    assert detail["status"] == "user_input_required"
    assert detail["open_tasks"][0]["claimed_by"] is not None
    assert api.get("/admin/audit", "admin").get_json()["total"] == 0


def test_api_requires_a_token(api):
    assert api.get("/admin/instances").status_code == 401


def page_login(client, username):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    res = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert res.status_code == 302, res.get_data(as_text=True)
    page = client.get("/account/password").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


@pytest.mark.parametrize("user", NON_ADMINS)
@pytest.mark.parametrize("method, rule, path", PAGE_ROUTES, ids=[f"{m} {p}" for m, _, p in PAGE_ROUTES])
def test_pages_refuse_non_admins(app, api, claimed, user, method, rule, path):
    client = app.test_client()
    token = page_login(client, user)
    data = {"csrf_token": token, "reason": "越权尝试", "ids": "1", "value": "above", "confirm": "1"} \
        if method == "POST" else None
    res = client.open(path.format(task=claimed), method=method, data=data)
    assert res.status_code == 403
    assert "无权" in res.get_data(as_text=True)
    detail = api.get("/admin/instances/1", "admin").get_json()
    assert detail["status"] == "user_input_required" and detail["open_tasks"][0]["claimed_by"] is not None


@pytest.mark.parametrize("method, rule, path", PAGE_ROUTES, ids=[f"{m} {p}" for m, _, p in PAGE_ROUTES])
def test_pages_send_strangers_to_login(client, claimed, method, rule, path):
    res = client.open(path.format(task=claimed), method=method)
    assert res.status_code == 302 and "/login" in res.headers["Location"]


def test_admin_may_open_every_page(app, api, claimed):
    client = app.test_client()
    page_login(client, "admin")
    for method, _, path in PAGE_ROUTES:
        if method == "GET":
            res = client.get(path)
            assert res.status_code == 200, (path, res.get_data(as_text=True)[:500])


@pytest.mark.parametrize("user", ["owner", "reporter.unit", "director.unit"])
def test_account_administration_refuses_people_who_manage_nobody(api, user):
    assert api.get("/admin/users", user).status_code == 403
    body = {"username": "x.new", "display_name": "新", "password": "Abcdef#12345", "role": "reporter",
            "division_code": "610113"}
    assert api.post("/admin/users", user, json=body).status_code == 403
