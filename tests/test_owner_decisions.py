"""A decision table (DMN) called through a business rule task: owners change a deadline in a table."""
from __future__ import annotations

import time
from datetime import datetime, timezone

from owner_diagrams import deadline_dmn, seed_xml, sign_in, upload, upload_and_publish, with_deadline_table

from services.timers import fire_due_timers
from storage.models import Report

COUNTY = "county.610113"


def county_task(api, report_id):
    return api.task(COUNTY, report_id, "county_disposal")


def days_until(iso: str) -> float:
    due = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return (due - datetime.now(timezone.utc)).total_seconds() / 86400


def test_business_rule_task_needs_its_table(api):
    res = upload(api, with_deadline_table(seed_xml()))
    assert res.status_code == 422
    details = res.get_json()["error"]["details"]
    assert any(d["element_id"] == "decide_county_deadline" and "county_deadline" in d["message"] for d in details)


def test_unsafe_or_hostile_tables_are_refused(api):
    rule = ('<rule id="Rule_x"><inputEntry id="In_x"><text>__import__("os")</text></inputEntry>'
            '<outputEntry id="Out_x"><text>"P1D"</text></outputEntry></rule>')
    res = upload(api, with_deadline_table(seed_xml()), decisions=(deadline_dmn(extra_rule=rule),))
    assert res.status_code == 422
    assert "__import__" in str(res.get_json()["error"]["details"])
    entity = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><definitions>&x;</definitions>'
    res = upload(api, with_deadline_table(seed_xml()), decisions=(entity,))
    assert res.status_code == 422 and "ENTITY" in str(res.get_json()["error"]["details"])


def test_owner_changes_the_deadline_in_the_table(api, client, app):
    from web import env as make_env

    version = upload_and_publish(api, with_deadline_table(seed_xml()), decisions=(deadline_dmn("P7D"),))
    tables = api.get(f"/process-versions/{version['id']}/decisions", "owner").get_json()["items"]
    assert [t["decision_id"] for t in tables] == ["county_deadline", "entry_routing"]  # the shipped table stays
    before = api.submit()["id"]
    assert 6.9 < days_until(county_task(api, before)["due_at"]) <= 7

    token = sign_in(client, "owner")
    res = client.post(f"/processes/{version['id']}/decisions", json={"xml": deadline_dmn("PT2S"), "note": "县级 2 秒"},
                      headers={"X-CSRF-Token": token, "Accept": "application/json"})
    assert res.status_code == 201, res.get_json()
    draft = res.get_json()
    diff = client.get(f"/processes/diff?from={version['id']}&to={draft['id']}").get_data(as_text=True)
    assert 'class="rm-row-changed" data-element-id="county_deadline"' in diff and "PT2S" in diff
    assert client.post(draft["publish_url"], data={"csrf_token": token}).status_code == 302

    after = api.submit()["id"]
    assert days_until(county_task(api, after)["due_at"]) < 0.001
    time.sleep(2.5)
    with app.app_context():
        assert fire_due_timers(make_env()) >= 1
        assert make_env().session.get(Report, after).overdue is True
        assert make_env().session.get(Report, before).overdue is False
    assert county_task(api, after)["overdue"] is True  # the table's deadline marks it; it stays with the county
    assert county_task(api, before)["overdue"] is False


def test_modeler_save_keeps_the_opened_versions_tables(api, client):
    version = upload_and_publish(api, with_deadline_table(seed_xml()), decisions=(deadline_dmn("P5D"),))
    token = sign_in(client, "owner")
    res = client.post("/processes/drafts", json={"xml": with_deadline_table(seed_xml()), "note": "仅改图",
                                                 "base_version_id": version["id"]},
                      headers={"X-CSRF-Token": token, "Accept": "application/json"})
    assert res.status_code == 201, res.get_json()
    tables = api.get(f"/process-versions/{res.get_json()['id']}/decisions", "owner").get_json()["items"]
    assert [t["decision_id"] for t in tables] == ["county_deadline", "entry_routing"]  # the shipped table stays
    page = client.get(f"/processes/{version['id']}/decisions/county_deadline").get_data(as_text=True)
    assert "dmn-modeler.production.min.js" in page and "county_deadline" in page
