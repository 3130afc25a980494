"""The OpenAPI document describes every /api/v1 operation: parameters, bodies, answers, errors, security."""
from __future__ import annotations

import re

ERROR_REF = "#/components/schemas/ErrorEnvelope"


def document(api) -> dict:
    res = api.get("/openapi.json")
    assert res.status_code == 200
    return res.get_json()


def undescribed(app, doc: dict) -> list[str]:
    """Every /api/v1 route and method whose operation lacks a described success answer or error envelope."""
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len("/api/v1"):])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            op = doc["paths"].get(path, {}).get(method.lower())
            responses = (op or {}).get("responses", {})
            success = [c for c in responses if c.startswith("2")]
            errors = [c for c, r in responses.items() if c.startswith(("4", "5"))
                      and r["content"]["application/json"]["schema"]["$ref"] == ERROR_REF]
            if not (success and {"400", "403", "422", "503"} <= set(errors)):
                missing.append(f"{method} {path}")
    return missing


def test_every_api_route_is_described(app, api):
    assert undescribed(app, document(api)) == []


def test_an_undocumented_endpoint_is_caught(app):
    from web.api.openapi import build_document

    app.add_url_rule("/api/v1/not-yet-documented", "api.not_yet_documented", lambda: "", methods=["GET"])
    assert undescribed(app, build_document(app)) == ["GET /not-yet-documented"]


def test_bodies_parameters_and_answers_come_from_the_schemas(api):
    doc = document(api)
    schemas = doc["components"]["schemas"]
    create = doc["paths"]["/reports"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ReportCreate")
    assert set(schemas["ReportCreate"]["required"]) == {"kind", "domain", "equipment_type_code", "content"}
    assert schemas["ReportCreate"]["properties"]["kind"]["enum"] == ["problem", "risk_hazard", "suggestion"]
    assert create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/ReportOut")
    tasks = {p["name"]: p for p in doc["paths"]["/tasks"]["get"]["parameters"]}
    assert {"page", "per_page", "report_id", "element_id", "q"} <= set(tasks)
    assert tasks["per_page"]["schema"]["maximum"] == 100
    detail = doc["paths"]["/reports/{report_id}"]["get"]
    assert detail["parameters"][0]["schema"] == {"type": "integer", "format": "int32", "minimum": 0,
                                                 "maximum": 2**31 - 1}
    assert "404" in detail["responses"]
    assert schemas["ReportPage"]["properties"]["items"]["items"]["$ref"].endswith("/ReportOut")
    upload = doc["paths"]["/reports/{report_id}/attachments"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"] and "413" in upload["responses"]
    assert "409" in doc["paths"]["/tasks/{task_id}/complete"]["post"]["responses"]


def test_error_envelope_and_security(api):
    doc = document(api)
    envelope = doc["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["required"] == ["error"]
    assert set(doc["components"]["schemas"]["ErrorBody"]["required"]) == {"code", "message"}
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": "POST /auth/token 取得的访问令牌"}
    assert doc["paths"]["/auth/token"]["post"]["security"] == []
    assert "401" in doc["paths"]["/auth/token"]["post"]["responses"]
    assert "401" not in doc["paths"]["/openapi.json"]["get"]["responses"]
    assert doc["paths"]["/me"]["get"]["security"] == [{"bearer": []}]
    assert "401" in doc["paths"]["/me"]["get"]["responses"]


def test_day_paths_are_dates_so_deadline_is_its_own_operation(api):
    doc = document(api)
    assert doc["paths"]["/calendar/{day}"]["put"]["parameters"][0]["schema"]["format"] == "date"
    assert set(doc["paths"]["/calendar/deadline"]) == {"get"}
