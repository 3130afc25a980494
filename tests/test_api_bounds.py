"""Issue 11, bad input: each value that used to be a 500 is now a clear 4xx naming the field."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest
from owner_diagrams import seed_xml, upload
from pages_helpers import signed_in
from test_api_input import assert_error

from web import create_app
from web.extensions import db

OVERLONG = "99999999999999999999"


def raw_json(api, method, path, user, text):
    return api.call(method, path, user, data=text, content_type="application/json")


@pytest.mark.parametrize("path", [f"/reports/{OVERLONG}", f"/reports/{OVERLONG}/attachments",
                                  f"/reports/1/attachments/{OVERLONG}", f"/admin/instances/{OVERLONG}",
                                  f"/cases/{OVERLONG}", f"/monitoring-points/{OVERLONG}",
                                  f"/process-versions/{OVERLONG}", "/reports/" + "9" * 5000, "/reports/2147483648",
                                  "/reports/9223372036854775807", "/reports/10000000000/attachments"])
def test_overlong_id_in_an_api_path_is_404(api, path):
    assert_error(api.get(path, "admin"), 404)


@pytest.mark.parametrize("limit", [0, 7, 10, 305, 2**31 - 1])
def test_the_id_regex_matches_exactly_zero_to_the_limit(limit):
    import random
    import re

    from web.input_guards import digits_up_to

    pattern = re.compile(digits_up_to(limit) + "$")
    numbers = list(range(0, 1100)) + [limit - 1, limit, limit + 1, limit * 10] + random.Random(7).sample(range(10**11), 2000)
    assert [n for n in numbers if n >= 0 and bool(pattern.match(str(n))) != (n <= limit)] == []


def test_overlong_ids_in_both_path_segments_are_404(api):
    res = api.call("DELETE", f"/monitoring-points/1/safety-directors/{OVERLONG}", "admin")
    assert_error(res, 404)


@pytest.mark.parametrize("path", [f"/reports/{OVERLONG}", f"/points/{OVERLONG}", f"/admin/instances/{OVERLONG}",
                                  f"/cases/{OVERLONG}", f"/topics/{OVERLONG}"])
def test_overlong_id_in_a_page_path_is_404(app, path):
    res = signed_in(app, "admin").get(path)
    assert res.status_code == 404
    assert "请求的资源不存在" in res.get_data(as_text=True)


@pytest.mark.parametrize("path, field", [
    (f"/tasks?page={OVERLONG}", "page"), (f"/tasks?per_page={OVERLONG}", "per_page"),
    (f"/tasks?report_id={OVERLONG}", "report_id"), (f"/tasks?report_id=-{OVERLONG}", "report_id"),
    (f"/reports?page={OVERLONG}", "page"), ("/reports?page=100001", "page"), ("/tasks?report_id=2147483648", "report_id"),
    ("/admin/audit?instance_id=9223372036854775807", "instance_id"),
    (f"/admin/instances?version={OVERLONG}", "version"), (f"/admin/audit?instance_id={OVERLONG}", "instance_id"),
    (f"/calendar?year={OVERLONG}", "year"), (f"/me/notifications?per_page={OVERLONG}", "per_page"),
])
def test_overlong_int_query_argument_is_422_naming_it(api, path, field):
    err = assert_error(api.get(path, "admin"), 422, "invalid")
    assert field in err["message"] and err["details"][0]["field"] == field


@pytest.mark.parametrize("user, path", [
    ("admin", f"/reports?page={OVERLONG}"), ("county.610113", f"/tasks?page={OVERLONG}"),
    ("admin", f"/admin/instances?page={OVERLONG}&version={OVERLONG}"), ("admin", f"/admin/audit?instance_id={OVERLONG}"),
    ("county.610113", "/tasks?from=9999-12-31&to=0001-01-01")])
def test_overlong_int_query_argument_on_a_page_is_ignored(app, user, path):
    assert signed_in(app, user).get(path).status_code == 200


def test_overlong_int_in_a_json_body_is_422_naming_the_field(api):
    res = raw_json(api, "POST", "/monitoring-points/1/safety-directors", "admin", f'{{"user_id": {OVERLONG}}}')
    err = assert_error(res, 422, "invalid")
    assert err["details"] == [{"field": "user_id", "message": err["message"]}]
    res = raw_json(api, "POST", "/admin/instances/bulk-retry", "admin", f'{{"ids": [1, {OVERLONG}]}}')
    assert assert_error(res, 422)["details"][0]["field"] == "ids[1]"


@pytest.mark.parametrize("path, body, field", [
    ("/monitoring-points/1/safety-directors", {"user_id": 2**31}, "user_id"),
    ("/admin/instances/bulk-retry", {"ids": [1, 2**40]}, "ids[1]"),
    ("/admin/tasks/x/reassign", {"user_id": 2**62}, "user_id"),
])
def test_id_past_an_integer_column_in_a_json_body_is_422(api, path, body, field):
    err = assert_error(api.post(path, "admin", json=body), 422, "invalid")
    assert err["details"][0]["field"] == field


def test_overlong_form_id_on_a_page_is_refused_without_500(app):
    client = signed_in(app, "admin")
    with client.session_transaction() as session:
        token = session["csrf_token"]
    res = client.post("/points/1/directors", data={"user_id": OVERLONG, "csrf_token": token})
    assert res.status_code == 302


def test_unknown_report_status_is_422_naming_the_values(api):
    err = assert_error(api.get("/reports?status=bogus", "province"), 422, "invalid")
    assert "status" in err["message"] and "closed" in err["message"]
    assert api.get("/reports?status=closed", "province").status_code == 200


@pytest.mark.parametrize("query, field", [("to=9999-12-31", "to"), ("from=0001-01-01", "from"),
                                          ("from=2026-01-01&to=9999-12-31", "to")])
@pytest.mark.parametrize("path", ["/stats/summary", "/stats/trend", "/stats/handling-time", "/stats/divisions",
                                  "/stats/offices", "/stats/quality/points", "/stats/quality/reporters"])
def test_stats_dates_outside_the_span_are_422(api, path, query, field):
    err = assert_error(api.get(f"{path}?{query}", "province"), 422, "invalid")
    assert err["details"][0]["field"] == field


@pytest.mark.parametrize("path", ["/stats?to=9999-12-31", "/stats?from=0001-01-01", "/stats/quality?to=9999-12-31"])
def test_stats_page_with_a_date_outside_the_span_is_not_500(app, path):
    assert signed_in(app, "province").get(path).status_code in (200, 422)


@pytest.mark.parametrize("start", ["9999-12-30T00:00:00", "9999-12-30T00:00:00Z", "0001-01-01T00:00:00+08:00"])
def test_deadline_far_from_now_is_422(api, start):
    err = assert_error(api.get(f"/calendar/deadline?workdays=365&start={start}", "admin"), 422, "invalid")
    assert "start" in err["message"]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_calendar_day_outside_the_span_is_422(api, day):
    res = api.call("PUT", f"/calendar/{day}", "admin", json={"kind": "holiday", "name": "远"})
    assert_error(res, 422)


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_deeply_nested_json_is_400(api, depth):
    body = '{"content": ' + "[" * depth + "]" * depth + "}"
    err = assert_error(raw_json(api, "POST", "/reports", "reporter.agency", body), 400)
    assert "嵌套" in err["message"]


def test_nesting_within_the_limit_still_reaches_the_schema(api):
    body = '{"data": ' + '{"a": ' * 20 + "1" + "}" * 20 + "}"
    res = raw_json(api, "POST", "/tasks/nope/complete", "county.610113", body)
    assert_error(res, 404)


@pytest.mark.parametrize("body, field", [
    ('{"kind": "risk_hazard", "domain": "use", "equipment_type_code": "3110", "title": "\\ud800", "content": "x"}',
     "title"),
    ('{"kind": "risk_hazard", "domain": "use", "equipment_type_code": "3110", "content": "坏\\udfff字"}', "content"),
    ('{"kind": "risk_hazard", "domain": "use", "equipment_type_code": "3110", "content": "空\\u0000字"}', "content"),
])
def test_lone_surrogate_or_nul_in_a_string_is_422_naming_the_field(api, body, field):
    before = api.get("/reports", "reporter.agency").get_json()["total"]
    err = assert_error(raw_json(api, "POST", "/reports", "reporter.agency", body), 422, "invalid")
    assert err["details"][0]["field"] == field and field in err["message"]
    assert api.get("/reports", "reporter.agency").get_json()["total"] == before


def test_lone_surrogate_in_a_key_and_in_task_data_is_422(api):
    rid = api.submit("reporter.agency")["id"]
    task = api.task("county.610113", rid, "county_disposal")
    body = json.dumps({"data": {"measures": "\ud800", "decision": "resolve"}})
    err = assert_error(raw_json(api, "POST", f"/tasks/{task['id']}/complete", "county.610113", body), 422)
    assert err["details"][0]["field"] == "data.measures"
    body = json.dumps({"data": {"\udc00": 1}})
    assert_error(raw_json(api, "POST", f"/tasks/{task['id']}/complete", "county.610113", body), 422)


def test_nan_and_infinity_are_refused(api):
    res = raw_json(api, "POST", "/monitoring-points/1/safety-directors", "admin", '{"user_id": NaN}')
    assert_error(res, 422)
    res = raw_json(api, "POST", "/monitoring-points/1/safety-directors", "admin", '{"user_id": 1e999}')
    assert_error(res, 422)


def test_nul_in_a_query_argument_is_400(api):
    err = assert_error(api.get("/tasks?q=a%00b", "county.610113"), 400)
    assert "q" in err["message"]


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_calendar_day_route_does_not_swallow_deadline(api, method):
    res = api.call(method, "/calendar/deadline", "admin", json={"kind": "holiday"})
    assert_error(res, 405, "method_not_allowed")
    assert "GET" in res.headers["Allow"] and "PUT" not in res.headers["Allow"]


def test_calendar_day_routes_still_work(api):
    assert api.call("PUT", "/calendar/2026-12-24", "admin", json={"kind": "holiday", "name": "测试"}).status_code == 200
    assert api.call("DELETE", "/calendar/2026-12-24", "admin").status_code == 204
    assert_error(api.call("PUT", "/calendar/2026-13-45", "admin", json={"kind": "holiday"}), 422)


@pytest.mark.parametrize("method, path, allowed", [("POST", "/me", {"GET"}), ("DELETE", "/reports", {"GET", "POST"}),
                                                   ("PATCH", "/tasks/x/complete", {"POST"})])
def test_405_carries_allow(api, method, path, allowed):
    res = api.call(method, path, "admin")
    assert_error(res, 405)
    assert allowed <= {m.strip() for m in res.headers["Allow"].split(",")}


def test_405_on_a_page_carries_allow(client):
    res = client.delete("/login")
    assert res.status_code == 405 and "GET" in res.headers["Allow"] and "POST" in res.headers["Allow"]


@pytest.fixture
def small_bpmn_app(settings):
    application = create_app(replace(settings, max_bpmn_bytes=16 * 1024))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_bpmn_over_the_size_cap_is_413(small_bpmn_app):
    from conftest import Api

    api = Api(small_bpmn_app.test_client())
    before = api.get("/process-versions", "owner").get_json()["total"]
    xml = seed_xml()
    assert len(xml.encode()) > 16 * 1024
    err = assert_error(upload(api, xml), 413, "too_large")
    assert "过大" in err["message"]
    assert api.get("/process-versions", "owner").get_json()["total"] == before
