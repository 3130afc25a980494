"""Bad API input answers 400/401/404/422 with a Chinese message in the error envelope, never a 500."""
from __future__ import annotations

import re

import pytest

CJK = re.compile(r"[\u4e00-\u9fff]")
GOOD = {"kind": "risk_hazard", "domain": "use", "equipment_type_code": "3110", "title": "电梯层门门锁回路被短接",
        "content": "现场检查发现层门门锁回路被短接。"}
COUNTY_RESOLVE = {"decision": "resolve", "measures": "现场督促整改", "risk_level": "general", "quality_score": 4}


def assert_error(res, status, code=None):
    assert res.status_code == status, (res.status_code, res.get_data(as_text=True)[:500])
    body = res.get_json()
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), body
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert CJK.search(body["error"]["message"]), body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def reports_count(api, user="reporter.agency"):
    return api.get("/reports", user).get_json()["total"]


@pytest.mark.parametrize("raw, content_type", [
    ('{"kind": "problem",', "application/json"),
    ("not json at all", "application/json"),
    ('{"kind": "problem"}', "text/plain"),
    ("", "application/json"),
])
def test_malformed_body_is_400(api, raw, content_type):
    res = api.post("/reports", "reporter.agency", data=raw, headers={"Content-Type": content_type})
    assert_error(res, 400)


@pytest.mark.parametrize("body", [[GOOD], "text", 42, None])
def test_non_object_json_body_is_400(api, body):
    import json

    res = api.post("/reports", "reporter.agency", data=json.dumps(body), content_type="application/json")
    assert_error(res, 400)


@pytest.mark.parametrize("change, field", [
    ({"kind": "complaint"}, "kind"),
    ({"domain": "somewhere"}, "domain"),
    ({"content": None}, "content"),
    ({"content": ""}, "content"),
    ({"content": 12345}, "content"),
    ({"content": ["列表"]}, "content"),
    ({"content": "长" * 25_000}, "content"),
    ({"equipment_type_code": "9999"}, None),
    ({"equipment_type_code": 3110}, "equipment_type_code"),
    ({"title": "题" * 500}, "title"),
    ({"title": {"a": 1}}, "title"),
])
def test_bad_report_fields_are_422(api, change, field):
    before = reports_count(api)
    body = {**GOOD, **change}
    res = api.post("/reports", "reporter.agency", json=body)
    err = assert_error(res, 422, "invalid")
    if field:
        assert field in err["message"] or any(d.get("field") == field for d in err.get("details") or [])
    assert reports_count(api) == before


@pytest.mark.parametrize("missing", ["kind", "domain", "content", "equipment_type_code"])
def test_missing_report_field_is_422(api, missing):
    body = {k: v for k, v in GOOD.items() if k != missing}
    err = assert_error(api.post("/reports", "reporter.agency", json=body), 422)
    assert missing in err["message"]


def test_whitespace_only_content_is_refused(api):
    assert_error(api.post("/reports", "reporter.agency", json={**GOOD, "content": "   \n  "}), 422)


def test_unknown_keys_are_refused_or_ignored_but_never_500(api):
    res = api.post("/reports", "reporter.agency", json={**GOOD, "reporter_id": 1, "status": "closed"})
    assert res.status_code in (201, 422), res.get_data(as_text=True)
    if res.status_code == 201:
        assert res.get_json()["status"] != "closed"


def test_officer_cannot_submit_report(api):
    assert_error(api.post("/reports", "county.610113", json=GOOD), 403)


@pytest.fixture
def county_task(api):
    rid = api.submit("reporter.agency")["id"]
    return api.task("county.610113", rid, "county_disposal")


def complete(api, task, body, user="county.610113"):
    return api.post(f"/tasks/{task['id']}/complete", user, json=body)


@pytest.mark.parametrize("body", [
    {"data": [1, 2]}, {"data": "resolve"}, {"data": None}, {"data": 3}, {}, {"decision": "resolve"},
])
def test_complete_with_data_not_an_object(api, county_task, body):
    assert_error(complete(api, county_task, body), 422)


@pytest.mark.parametrize("change, field", [
    ({"decision": "ignore"}, "decision"),
    ({"risk_level": "catastrophic"}, "risk_level"),
    ({"quality_score": 0}, "quality_score"),
    ({"quality_score": 6}, "quality_score"),
    ({"quality_score": -1}, "quality_score"),
    ({"quality_score": "五"}, "quality_score"),
    ({"quality_score": 4.5}, "quality_score"),
    ({"quality_score": True}, "quality_score"),
    ({"measures": ""}, "measures"),
    ({"measures": None}, "measures"),
    ({"measures": {"x": 1}}, "measures"),
    ({"measures": "措" * 25_000}, "measures"),
])
def test_invalid_form_values_are_422_with_field_details(api, county_task, change, field):
    err = assert_error(complete(api, county_task, {"data": {**COUNTY_RESOLVE, **change}}), 422, "invalid")
    assert [d["field"] for d in err["details"]] == [field]
    # nothing moved: the task is still open for its officer
    assert api.task("county.610113", county_task["report_id"], "county_disposal")["id"] == county_task["id"]


@pytest.mark.parametrize("missing", ["decision", "measures", "risk_level", "quality_score"])
def test_missing_required_form_field_is_422(api, county_task, missing):
    data = {k: v for k, v in COUNTY_RESOLVE.items() if k != missing}
    err = assert_error(complete(api, county_task, {"data": data}), 422)
    assert any(d["field"] == missing for d in err["details"])
    assert "必填" in err["message"]


def test_bad_date_in_form_is_422(api):
    rid = api.submit("reporter.unit")["id"]
    task = api.task("director.unit", rid, "director_acknowledge")
    body = {"data": {"handling_arrangement": "检修", "responsible_person": "张三", "handling_deadline": "明天"}}
    err = assert_error(api.post(f"/tasks/{task['id']}/complete", "director.unit", json=body), 422)
    assert err["details"][0]["field"] == "handling_deadline"


def test_unknown_form_keys_do_not_reach_the_workflow(api, app, county_task):
    body = {"data": {**COUNTY_RESOLVE, "entry_tier": "province", "__class__": "x", "typename": "boom"}}
    assert complete(api, county_task, body).status_code == 200
    detail = api.get(f"/reports/{county_task['report_id']}", "reporter.agency").get_json()
    assert detail["status"] == "closed"
    completed = [e for e in detail["timeline"] if e["kind"] == "task_completed"][0]
    assert set(completed["data"]) == set(COUNTY_RESOLVE)


def test_malformed_json_on_complete_is_400(api, county_task):
    res = api.post(f"/tasks/{county_task['id']}/complete", "county.610113", data="{bad",
                   headers={"Content-Type": "application/json"})
    assert_error(res, 400)


@pytest.mark.parametrize("task_id", ["00000000-0000-0000-0000-000000000000", "nope", "1"])
def test_unknown_task_is_404(api, task_id):
    assert_error(api.get(f"/tasks/{task_id}", "county.610113"), 404)
    assert_error(api.post(f"/tasks/{task_id}/complete", "county.610113", json={"data": COUNTY_RESOLVE}), 404)
    assert_error(api.post(f"/tasks/{task_id}/claim", "county.610113"), 404)


def test_unknown_report_is_404(api):
    assert_error(api.get("/reports/424242", "province"), 404)


@pytest.mark.parametrize("query", ["report_id=abc", "page=x", "per_page=-"])
def test_bad_query_arguments_are_400(api, query):
    assert_error(api.get(f"/tasks?{query}", "county.610113"), 400)


@pytest.mark.parametrize("path, method", [("/me", "GET"), ("/reports", "GET"), ("/reports", "POST"),
                                          ("/tasks", "GET"), ("/tasks/x/complete", "POST")])
def test_no_token_is_401(api, path, method):
    assert_error(api.call(method, path, json=GOOD if method == "POST" else None), 401, "unauthorized")


@pytest.mark.parametrize("header", ["Bearer garbage", "Bearer ", "Basic dXNlcjpwYXNz", "bearer x", "Token abc"])
def test_bad_token_is_401(api, header):
    assert_error(api.get("/me", headers={"Authorization": header}), 401)


def test_token_signed_with_another_key_is_401(api, app):
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer("wrong-key", salt="riskmon-api-token").dumps({"uid": 1, "pw": "x"})
    assert_error(api.get("/me", headers={"Authorization": f"Bearer {forged}"}), 401)


def test_wrong_password_is_401_and_bad_login_body_422(api):
    res = api.post("/auth/token", json={"username": "county.610113", "password": "wrong"})
    assert_error(res, 401)
    assert_error(api.post("/auth/token", json={"username": "county.610113"}), 422)
    assert_error(api.post("/auth/token", json=["county.610113"]), 400)
