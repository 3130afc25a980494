"""Every API and page route, as an admin and as a reporter, with the worst legal-looking input: no 5xx.

The routes come from `app.url_map` and the query, form and JSON names from the source of each view's
module, so a new endpoint is swept without anyone adding it here.
"""
from __future__ import annotations

import inspect
import json
import re
import sys

import pytest
from pages_helpers import signed_in

OVERLONG = "99999999999999999999"
QUERY_VALUES = [OVERLONG, "bogus", "9999-12-31"]  # each name alone
ALL_AT_ONCE = ["9999-12-30T23:59:59+00:00", "9" * 5000, "0001-01-01", "-1", "a\x00b"]  # every name together
JSON_VALUES = [10**20, "bogus", "9999-12-31", "\ud800", "a\x00b", [], {}]
USERS = ("admin", "reporter.agency")
ARG_NAME = re.compile(r"""(?:args\.get|int_arg|date_arg|enum_arg|form\.get|form\.getlist)\(\s*["'](\w+)["']""")
FIELD_NAME = re.compile(r"^\s+(\w+) = fields\.", re.M)


def _names(view, pattern) -> list[str]:
    source = inspect.getsource(sys.modules[inspect.unwrap(view).__module__])
    extra = {"page", "per_page"} if pattern is ARG_NAME else set()
    return sorted(set(pattern.findall(source)) | extra)


def _path(rule, int_value: str, text_value: str) -> str:
    def fill(match):
        converter = match.group(1) or "default"
        return {"int": int_value, "day": "2026-12-01", "path": "x"}.get(converter, text_value)
    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>", fill, rule.rule)


def _routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, app.view_functions[rule.endpoint]


class Caller:
    """Sends one request as API bearer or signed-in page session and insists it is not a 5xx."""

    def __init__(self, app, api, user):
        self.app, self.api, self.user = app, api, user
        self.page_client = signed_in(app, user)
        with self.page_client.session_transaction() as session:
            self.csrf = session["csrf_token"]
        self.failures: list[str] = []
        self.sent = 0

    def send(self, method, path, **kwargs):
        if path.startswith("/api/v1"):
            headers = {"Authorization": f"Bearer {self.api.token(self.user)}"}
            res = self.api.client.open(path, method=method, headers=headers, **kwargs)
        else:
            if method != "GET" and "data" in kwargs and isinstance(kwargs["data"], dict):
                kwargs["data"] = {**kwargs["data"], "csrf_token": self.csrf}
            res = self.page_client.open(path, method=method, **kwargs)
        if res.status_code >= 500:
            self.failures.append(f"{self.user} {method} {path} {kwargs!r:.200} → {res.status_code}")
        elif path.startswith("/api/v1") and res.status_code >= 400:
            body = res.get_json(silent=True)
            if not (isinstance(body, dict) and isinstance(body.get("error"), dict)):
                self.failures.append(f"{self.user} {method} {path}: {res.status_code} without the error envelope")
        res.close()
        self.sent += 1
        return res


def _sweep_route(caller, rule, method, view):
    for int_value, text_value in ((OVERLONG, OVERLONG), (OVERLONG, "bogus"), ("1", "\x00")):
        res = caller.send(method, _path(rule, int_value, text_value))
        if "<int:" in rule.rule and int_value == OVERLONG:
            assert res.status_code in (404, 405), (method, rule.rule, res.status_code)
    path = _path(rule, "1", "bogus")
    names = _names(view, ARG_NAME)
    for value in ALL_AT_ONCE:
        caller.send(method, path, query_string={name: value for name in names})
    if method == "GET":
        for name in names:
            for value in QUERY_VALUES:
                caller.send(method, path, query_string={name: value})
        return
    if path.startswith("/api/v1"):
        fields = _names(view, FIELD_NAME) + ["data", "ids"]
        for value in JSON_VALUES:
            caller.send(method, path, data=json.dumps({name: value for name in fields}), content_type="application/json")
    else:
        for value in QUERY_VALUES + ALL_AT_ONCE:
            caller.send(method, path, data={name: value for name in names})


@pytest.mark.slow
@pytest.mark.parametrize("user", USERS)
def test_no_route_answers_5xx_to_bad_input(app, api, user):
    api.submit("reporter.agency")  # report, instance and task 1 exist, so id 1 reaches the views
    caller = Caller(app, api, user)
    for rule, method, view in list(_routes(app)):
        if rule.rule in ("/logout",):
            continue
        _sweep_route(caller, rule, method, view)
    assert not caller.failures, f"{len(caller.failures)} of {caller.sent}:\n" + "\n".join(caller.failures[:80])


@pytest.mark.postgres
@pytest.mark.slow
def test_ids_past_an_integer_column_are_4xx_on_postgres(pg_settings):
    """PostgreSQL's INTEGER ids stop at 2³¹−1: a bigger one in a path, query or body is a 4xx, not a 503."""
    from conftest import Api

    from web import create_app
    from web.extensions import db

    app = create_app(pg_settings)
    api = Api(app.test_client())
    api.submit("reporter.agency")
    caller, past = Caller(app, api, "admin"), str(2**31)
    for rule, method, view in list(_routes(app)):
        if rule.rule == "/logout":
            continue
        caller.send(method, _path(rule, past, past))
        path = _path(rule, "1", "x")
        names = [n for n in _names(view, ARG_NAME) if method == "GET" or n not in ("page", "per_page")]
        for name in names:
            caller.send(method, path, query_string={name: past})
        if method != "GET" and path.startswith("/api/v1"):
            body = {name: 2**31 for name in _names(view, FIELD_NAME) + ["ids"]}
            caller.send(method, path, data=json.dumps(body), content_type="application/json")
        elif method != "GET":
            caller.send(method, path, data={name: past for name in names})
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    assert not caller.failures, f"{len(caller.failures)} of {caller.sent}:\n" + "\n".join(caller.failures[:80])
