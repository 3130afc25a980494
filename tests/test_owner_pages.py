"""The owners' pages: version list, modeler save/validate, four-eyes approval, diff, migration."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest
from owner_diagrams import (
    seed_xml, sign_in, upload, upload_and_publish, with_county_deadline, with_double_check, with_script_task,
)

from storage.models import InstanceEvent, ProcessInstance
from web import create_app
from web.extensions import db

COUNTY = "county.610113"
COUNTY_DATA = {"decision": "escalate", "measures": "现场核查", "risk_level": "general", "quality_score": 4}


def save_draft(client, token, xml, note="测试草稿"):
    return client.post("/processes/drafts", json={"xml": xml, "note": note},
                       headers={"X-CSRF-Token": token, "Accept": "application/json"})


def test_version_list_shows_state_people_and_instance_counts(client, api):
    api.submit()
    sign_in(client, "owner")
    page = client.get("/processes").get_data(as_text=True)
    assert "risk_disposal v1" in page and "已发布" in page
    assert re.search(r"<td data-label=\"运行中 / 全部实例\">1 / 1</td>", page), "instance count of v1"
    assert "register_report" in page and "登记报送信息" in page  # topics list for owners
    assert client.get("/processes/1/download").get_data(as_text=True).startswith("<?xml")


def test_other_roles_cannot_open_process_pages(client):
    sign_in(client, COUNTY)
    assert client.get("/processes").status_code == 403
    assert client.get("/processes/modeler").status_code == 403


def test_modeler_page_loads_the_vendor_modeler_with_csrf(client):
    sign_in(client, "owner")
    page = client.get("/processes/modeler").get_data(as_text=True)
    assert "camunda-platform-modeler.production.min.js" in page
    assert 'name="csrf-token"' in page and "js/modeler.js" in page
    with client.get("/static/js/modeler.js") as res:
        assert res.status_code == 200


def test_modeler_saves_a_draft_or_returns_problems_per_element(client):
    token = sign_in(client, "owner")
    assert client.post("/processes/drafts", json={"xml": seed_xml()}).status_code == 400  # no CSRF
    res = save_draft(client, token, with_script_task(seed_xml()))
    assert res.status_code == 422
    assert "dispatch_guidance" in [d["element_id"] for d in res.get_json()["error"]["details"]]
    res = client.post("/processes/validate", json={"xml": with_script_task(seed_xml())},
                      headers={"X-CSRF-Token": token})
    assert [p["element_id"] for p in res.get_json()["problems"]] == ["dispatch_guidance"]
    res = save_draft(client, token, with_county_deadline(seed_xml(), "P5D"))
    assert res.status_code == 201, res.get_json()
    draft = res.get_json()
    assert draft["state"] == "draft" and draft["version"] == 2
    res = client.post(draft["publish_url"], data={"csrf_token": token})
    assert res.status_code == 302
    assert "已发布 v2" in client.get("/processes").get_data(as_text=True)


def test_page_upload_lists_problems(client):
    import io

    token = sign_in(client, "owner")
    res = client.post("/processes/upload", data={"csrf_token": token, "file": (io.BytesIO(
        with_script_task(seed_xml()).encode()), "bad.bpmn")}, content_type="multipart/form-data")
    assert res.status_code == 422
    assert "dispatch_guidance" in res.get_data(as_text=True) and "脚本任务" in res.get_data(as_text=True)


@pytest.fixture
def four_eyes_client(settings):
    app = create_app(replace(settings, four_eyes_publish=True))
    yield app.test_client()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_four_eyes_needs_a_second_owner(four_eyes_client):
    client = four_eyes_client
    token = sign_in(client, "owner")
    draft = save_draft(client, token, with_county_deadline(seed_xml(), "P6D")).get_json()
    vid = draft["id"]
    client.post(f"/processes/{vid}/publish", data={"csrf_token": token})
    assert "双人复核" in client.get("/processes").get_data(as_text=True)
    res = client.post(f"/processes/{vid}/approve", data={"csrf_token": token})
    assert res.status_code == 409  # the author cannot approve their own draft
    client.post("/logout", data={"csrf_token": token})

    admin_token = sign_in(client, "admin")
    assert client.post(f"/processes/{vid}/approve", data={"csrf_token": admin_token}).status_code == 302
    assert client.post(f"/processes/{vid}/publish", data={"csrf_token": admin_token}).status_code == 409
    client.post("/logout", data={"csrf_token": admin_token})

    token = sign_in(client, "owner")
    assert client.post(f"/processes/{vid}/publish", data={"csrf_token": token}).status_code == 302
    row = re.search(rf'data-version-id="{vid}" data-state="(\w+)"', client.get("/processes").get_data(as_text=True))
    assert row.group(1) == "published"


def test_diff_colours_and_lists_added_and_changed_elements(client, api):
    upload(api, with_double_check(seed_xml()))
    sign_in(client, "owner")
    page = client.get("/processes/diff?from=1&to=2").get_data(as_text=True)
    assert 'class="rm-row-added" data-element-id="county_double_check"' in page
    assert 'class="rm-row-changed" data-element-id="flow_county_decision"' in page
    assert "targetRef：gw_county_decision → county_double_check" in page
    assert "navigated-viewer.production.min.js" in page


def test_migration_preview_and_move(client, api, app):
    old = api.submit()["id"]
    upload_and_publish(api, with_double_check(seed_xml()))
    new = api.submit()["id"]
    api.complete(COUNTY, new, "county_disposal", COUNTY_DATA)  # now at county_double_check on v2
    token = sign_in(client, "owner")

    preview = client.get("/processes/migrate?to=1").get_data(as_text=True)  # back to v1
    assert "不能迁移" in preview and "县级复核" in preview and "在目标版本中已删除" in preview
    page = client.get("/processes/migrate?to=2&from=1").get_data(as_text=True)
    instance_id = re.search(r'name="instance_id" value="(\d+)"', page).group(1)
    assert "可以迁移" in page
    res = client.post("/processes/migrate", data={"csrf_token": token, "to": "2", "instance_id": instance_id})
    assert res.status_code == 200 and "已迁移" in res.get_data(as_text=True)

    api.complete(COUNTY, old, "county_disposal", COUNTY_DATA)
    tasks = api.get(f"/tasks?report_id={old}", COUNTY).get_json()["items"]
    assert [t["element_id"] for t in tasks] == ["county_double_check"]
    with app.app_context():
        instance = db.session.get(ProcessInstance, int(instance_id))
        assert instance.process_version_id == 2
        kinds = [e.kind for e in db.session.query(InstanceEvent).filter_by(instance_id=instance.id)]
        assert "migrated" in kinds
