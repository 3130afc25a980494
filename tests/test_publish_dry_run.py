"""Publish = proven: the API, the /processes page and `riskmon deploy` refuse a draft the dry run breaks,
name the element and the path in Chinese, and tell the owner what a missing element id would disable."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest
from conftest import Api
from dry_run_diagrams import (
    ALIEN_RISK_DISPOSAL, with_archive_loop, with_condition_failing_on_a_sample, with_dead_end_option,
    with_element_renamed, with_group, with_manual_task, with_rework_due_garbage,
)
from legacy_diagrams import seed_xml, sign_in, upload, with_county_deadline

from storage.models import ProcessVersion, VersionState
from web import create_app
from web.extensions import db


@pytest.fixture
def four_eyes_api(settings):
    app = create_app(replace(settings, four_eyes_publish=True))
    yield Api(app.test_client())
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def draft(api, xml: str) -> dict:
    res = upload(api, xml)
    assert res.status_code == 201, res.get_json()
    return res.get_json()


def published_version(api) -> int:
    items = api.get("/process-versions", "owner").get_json()["items"]
    return next(v["version"] for v in items if v["state"] == "published")


def test_publish_refuses_a_dead_end_option_naming_gateway_and_path(api):
    version = draft(api, with_dead_end_option(seed_xml()))
    res = api.post(f"/process-versions/{version['id']}/publish", "owner")
    assert res.status_code == 422, res.get_json()
    error = res.get_json()["error"]
    assert "试运行未通过" in error["message"]
    detail = next(d for d in error["details"] if d["element_id"] == "gw_city_decision")
    assert "出口流向" in detail["message"]
    assert detail["path"][-1] == "市级研判：研判结论=已消除隐患，办结"
    assert published_version(api) == 1
    assert api.submit()["status"]  # new reports still start on v1


def test_dry_run_endpoint_reports_without_publishing(api):
    good = draft(api, with_county_deadline(seed_xml(), "P5D"))
    res = api.post(f"/process-versions/{good['id']}/dry-run", "owner")
    assert res.status_code == 200
    body = res.get_json()
    assert body["ok"] is True and body["problems"] == [] and body["paths"] >= 6
    bad = draft(api, with_condition_failing_on_a_sample(seed_xml()))
    body = api.post(f"/process-versions/{bad['id']}/dry-run", "owner").get_json()
    assert body["ok"] is False
    assert body["problems"][0]["element_id"] == "gw_enterprise"
    assert any("is_enterprise=False" in step for step in body["problems"][0]["path"])
    states = {v["id"]: v["state"] for v in api.get("/process-versions", "owner").get_json()["items"]}
    assert states[good["id"]] == states[bad["id"]] == "draft"
    assert api.post(f"/process-versions/{good['id']}/dry-run", "county.610113").status_code == 403
    assert api.post("/process-versions/999/dry-run", "owner").status_code == 404


def test_risk_disposal_without_contract_ids_is_refused_and_reports_keep_working(api):
    version = draft(api, ALIEN_RISK_DISPOSAL)
    res = api.post(f"/process-versions/{version['id']}/publish", "owner")
    assert res.status_code == 422, res.get_json()
    messages = " ".join(d["message"] for d in res.get_json()["error"]["details"])
    assert "没有任何平台约定的元素标识" in messages
    assert "缺少服务主题 register_report" in messages and "缺少服务主题 close_report" in messages
    assert published_version(api) == 1
    report = api.submit()
    assert report["tracking_no"]


def test_a_missing_contract_id_publishes_with_warnings_naming_what_stops_working(api):
    xml = with_element_renamed(seed_xml(), "county_disposal", "county_handling")
    version = draft(api, xml)
    body = api.post(f"/process-versions/{version['id']}/dry-run", "owner").get_json()
    assert body["ok"] is True, body
    warning = next(w["message"] for w in body["warnings"] if "county_disposal" in w["message"])
    assert warning.startswith("缺少 county_disposal：") and "演示数据" in warning
    res = api.post(f"/process-versions/{version['id']}/publish", "owner")
    assert res.status_code == 200, res.get_json()
    assert any("county_disposal" in w["message"] for w in res.get_json()["warnings"])
    assert res.get_json()["state"] == "published"


def test_unresolvable_group_refused_also_when_approving_under_four_eyes(four_eyes_api):
    api = four_eyes_api
    version = draft(api, with_group(seed_xml(), "inspection_consultation", "workflow_owner"))
    res = api.post(f"/process-versions/{version['id']}/approve", "admin")
    assert res.status_code == 422
    detail = res.get_json()["error"]["details"][0]
    assert detail["element_id"] == "inspection_consultation" and "workflow_owner" in detail["message"]


def test_openapi_lists_the_dry_run(api):
    paths = api.get("/openapi.json").get_json()["paths"]
    assert paths["/process-versions/{version_id}/dry-run"]["post"]["summary"].startswith("试运行")


def test_page_dry_run_shows_findings_and_refuses_publish(client, api, app):
    bad = draft(api, with_dead_end_option(seed_xml()))
    token = sign_in(client, "owner")
    page = client.get("/processes").get_data(as_text=True)
    assert f'action="/processes/{bad["id"]}/dry-run"' in page and "试运行 v2" in page
    res = client.post(f"/processes/{bad['id']}/dry-run", data={"csrf_token": token})
    html = res.get_data(as_text=True)
    assert res.status_code == 200 and "试运行未通过" in html
    assert "gw_city_decision" in html and "路径：" in html and "市级研判：研判结论=已消除隐患，办结" in html
    res = client.post(f"/processes/{bad['id']}/publish", data={"csrf_token": token})
    assert res.status_code == 422 and "gw_city_decision" in res.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ProcessVersion, bad["id"]).state == VersionState.DRAFT


def test_page_publish_with_warnings_asks_for_confirmation_first(client, api, app):
    version = draft(api, with_element_renamed(seed_xml(), "inspection_consultation", "inspection_opinion_task"))
    token = sign_in(client, "owner")
    res = client.post(f"/processes/{version['id']}/publish", data={"csrf_token": token})
    html = res.get_data(as_text=True)
    assert res.status_code == 200 and "确认发布" in html and "缺少 inspection_consultation" in html
    with app.app_context():
        assert db.session.get(ProcessVersion, version["id"]).state == VersionState.DRAFT
    assert re.search(r'name="confirm" value="1"', html)
    res = client.post(f"/processes/{version['id']}/publish", data={"csrf_token": token, "confirm": "1"})
    assert res.status_code == 302
    with app.app_context():
        assert db.session.get(ProcessVersion, version["id"]).state == VersionState.PUBLISHED
    assert "提醒：缺少 inspection_consultation" in client.get("/processes").get_data(as_text=True)


def test_cli_deploy_reports_findings_and_exits_non_zero(app, tmp_path):
    bad = tmp_path / "bad.bpmn"
    bad.write_text(with_dead_end_option(seed_xml()), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["deploy", str(bad)])
    assert result.exit_code != 0
    assert "gw_city_decision" in result.output and "路径：" in result.output and "试运行未通过" in result.output
    with app.app_context():
        assert db.session.query(ProcessVersion).count() == 1  # nothing stored
    good = tmp_path / "good.bpmn"
    good.write_text(with_county_deadline(seed_xml(), "P9D"), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["deploy", str(good)])
    assert result.exit_code == 0, result.output
    assert "已发布 risk_disposal 第 2 版（试运行" in result.output


def test_modeler_validate_adds_the_dry_run_with_paths(client):
    token = sign_in(client, "owner")
    res = client.post("/processes/validate", json={"xml": with_dead_end_option(seed_xml())},
                      headers={"X-CSRF-Token": token})
    body = res.get_json()
    assert res.status_code == 200
    assert [p["element_id"] for p in body["problems"]] == ["gw_city_decision"]
    assert body["problems"][0]["path"][-1] == "市级研判：研判结论=已消除隐患，办结"
    body = client.post("/processes/validate", json={"xml": seed_xml()}, headers={"X-CSRF-Token": token}).get_json()
    assert body["problems"] == [] and body["paths"] >= 6
    with client.get("/static/js/modeler.js") as script:
        assert "路径：" in script.get_data(as_text=True)


ATTACKS = [
    ("dead_end_option", with_dead_end_option, "gw_city_decision"),
    ("group_without_jurisdiction", lambda x: with_group(x, "inspection_consultation", "workflow_owner"),
     "inspection_consultation"),
    ("manual_task", with_manual_task, "inspection_consultation"),
    ("due_garbage_after_rework", with_rework_due_garbage, "local_rectification"),
    ("loop_without_person", with_archive_loop, "close_report"),
    ("condition_fails_on_sample", with_condition_failing_on_a_sample, "gw_enterprise"),
    ("alien_risk_disposal", lambda x: ALIEN_RISK_DISPOSAL, "risk_disposal"),
]


@pytest.mark.parametrize("make,element_id", [(m, e) for _, m, e in ATTACKS], ids=[a[0] for a in ATTACKS])
def test_drafts_accepted_at_upload_are_refused_at_publish(api, make, element_id):
    res = upload(api, make(seed_xml()))
    if res.status_code == 422:  # a stricter upload check got there first: also fine, never published
        assert res.get_json()["error"]["details"]
        return
    assert res.status_code == 201, res.get_json()
    res = api.post(f"/process-versions/{res.get_json()['id']}/publish", "owner")
    assert res.status_code == 422, res.get_json()
    details = res.get_json()["error"]["details"]
    assert element_id in [d["element_id"] for d in details], details
    assert all(set(d) >= {"element_id", "message"} for d in details)
    assert published_version(api) == 1
