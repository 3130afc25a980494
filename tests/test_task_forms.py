"""Task forms live in the cached spec of the task's version; a human_task row keeps only its own part
(issue 15 item 2, "cache what does not change per step")."""
from __future__ import annotations

import copy
import json

import pytest
from owner_diagrams import replace_once, seed_xml, upload_and_publish
from pages_helpers import signed_in
from sqlalchemy import inspect, select

import engine.task_forms as task_forms_module
from engine.form_prefill import NOT_CARRIED
from engine.runtime import form_to_dict
from engine.task_forms import FormCache, shown_form
from storage.models import HumanTask, InstanceEvent, ProcessInstance, TaskState
from web import env as make_env
from web.extensions import db

COUNTY, CITY_USER = "county.610113", "city.610100"
ESCALATE = {"decision": "escalate", "measures": "现场核查", "risk_level": "major", "quality_score": 5}
CITY = {"assessment_opinion": "门锁回路短接属实", "risk_level": "significant", "quality_score": 3}


def previous_round_before(form: dict, answers: dict) -> dict:
    """How the projection built a stored form before this change (engine/form_prefill.with_previous_round)."""
    if not answers:
        return form
    fields = []
    for fld in form.get("fields", []):
        value = answers.get(fld["id"])
        if fld["id"] not in NOT_CARRIED and value not in (None, ""):
            fld = {**fld, "default": value}
        fields.append(fld)
    return {**form, "fields": fields}


def form_before(app, task_id: str, notice: str | None) -> dict:
    """The form the old projection would have stored for this open task: the spec form, the notice, the
    last completion's answers as defaults."""
    with app.app_context():
        task = db.session.get(HumanTask, task_id)
        instance = db.session.get(ProcessInstance, task.instance_id)
        bundle = make_env().store.bundle_for(db.session, instance.process_version_id)
        spec = next(s for s in bundle.spec.task_specs.values() if getattr(s, "bpmn_id", None) == task.element_id)
        form = form_to_dict(spec.form)
        if notice:
            form["notice"] = notice
        answers = db.session.scalar(select(InstanceEvent.data).where(
            InstanceEvent.instance_id == task.instance_id, InstanceEvent.element_id == task.element_id,
            InstanceEvent.kind == "task_completed", InstanceEvent.created_at < task.created_at)
            .order_by(InstanceEvent.id.desc()).limit(1)) or {}
        return previous_round_before(form, answers)


def returned_county_task(api) -> tuple[int, dict]:
    rid = api.submit()["id"]
    api.complete(COUNTY, rid, "county_disposal", ESCALATE)
    api.complete(CITY_USER, rid, "city_assessment", {**CITY, "decision": "return", "return_reason": "缺少现场照片"})
    return rid, api.task(COUNTY, rid, "county_disposal")


def test_a_fresh_task_shows_exactly_the_spec_form(api, app):
    rid = api.submit()["id"]
    task = api.task(COUNTY, rid, "county_disposal")
    assert task["form"] == form_before(app, task["id"], None)
    assert "notice" not in task["form"] and all(f["default"] is None for f in task["form"]["fields"])
    assert {f["id"] for f in task["form"]["fields"]} >= {"decision", "measures", "risk_level", "quality_score"}
    with app.app_context():
        assert db.session.get(HumanTask, task["id"]).form_overlay is None  # nothing particular to store


def test_a_returned_task_shows_the_notice_and_the_previous_answers(api, app):
    rid, task = returned_county_task(api)
    assert task["form"] == form_before(app, task["id"], "上一环节退回，理由：缺少现场照片")
    defaults = {f["id"]: f["default"] for f in task["form"]["fields"]}
    assert defaults["measures"] == "现场核查" and defaults["risk_level"] == "major" and defaults["quality_score"] == 5
    assert defaults["decision"] is None  # the route is chosen afresh
    html = signed_in(app, COUNTY).get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert 'id="task-notice">上一环节退回，理由：缺少现场照片</div>' in html
    assert ">现场核查</textarea>" in html and '<option value="major" selected>' in html
    with app.app_context():
        row = db.session.get(HumanTask, task["id"])
        assert row.form_overlay == {"defaults": {"measures": "现场核查", "risk_level": "major", "quality_score": 5},
                                    "notice": "上一环节退回，理由：缺少现场照片"}
        columns = {c["name"] for c in inspect(db.engine).get_columns("human_task")}
        assert "form" not in columns and {"form_overlay", "process_version_id"} <= columns


def test_a_task_on_an_older_version_shows_that_versions_form(api, app):
    old_rid = api.submit()["id"]
    upload_and_publish(api, replace_once(seed_xml(), 'formField id="measures" label="处置措施"',
                                         'formField id="measures" label="处置措施（第二版）"'))
    new_rid = api.submit()["id"]
    old = {f["id"]: f["label"] for f in api.task(COUNTY, old_rid, "county_disposal")["form"]["fields"]}
    new = {f["id"]: f["label"] for f in api.task(COUNTY, new_rid, "county_disposal")["form"]["fields"]}
    assert old["measures"] == "处置措施" and new["measures"] == "处置措施（第二版）"
    old_task = api.task(COUNTY, old_rid, "county_disposal")
    html = signed_in(app, COUNTY).get(f"/tasks/{old_task['id']}").get_data(as_text=True)
    assert '<label for="f_measures">处置措施 <span' in html and "第二版" not in html
    res = api.post(f"/tasks/{old_task['id']}/complete", COUNTY, json={"data": {**ESCALATE, "measures": ""}})
    assert res.status_code == 422 and "“处置措施”为必填项" in res.get_json()["error"]["message"]
    api.complete(COUNTY, old_rid, "county_disposal", ESCALATE)
    detail = api.get(f"/reports/{old_rid}", "reporter.agency")
    assert detail.status_code == 200


def test_an_inbox_page_reads_each_form_from_the_spec_once(api, app, monkeypatch):
    rids = [api.submit()["id"] for _ in range(4)]
    with app.app_context():
        store = make_env().store
        store.forms = FormCache(store.bundle_for)
    calls = []
    real = task_forms_module.spec_form
    monkeypatch.setattr(task_forms_module, "spec_form", lambda *a: calls.append(a[1]) or real(*a))
    res = api.get("/tasks?element_id=county_disposal&per_page=50", COUNTY)
    items = [t for t in res.get_json()["items"] if t["report_id"] in rids]
    assert len(items) == 4 and all(t["form"]["fields"] for t in items)
    assert calls == ["county_disposal"]
    api.get("/tasks?element_id=county_disposal&per_page=50", COUNTY)
    assert calls == ["county_disposal"]


def test_the_shown_form_is_a_copy_of_the_cached_one():
    static = {"fields": [{"id": "measures", "label": "处置措施", "default": None, "options": []}]}
    kept = copy.deepcopy(static)
    shown = shown_form(static, {"defaults": {"measures": "现场核查"}, "notice": "退回"})
    shown["fields"][0]["options"].append({"id": "x", "name": "x"})
    assert shown["fields"][0]["default"] == "现场核查" and shown["notice"] == "退回"
    assert static == kept


def test_a_form_stored_before_records_keeps_its_meaning():
    static = {"fields": [{"id": "quality_score", "label": "评分", "type": "long", "records": None}]}
    assert "records" not in shown_form(static, {"legacy_records": True})["fields"][0]
    assert shown_form(static, None)["fields"][0]["records"] is None


# -- migration forms_0001 ------------------------------------------------------------------------

def _forms_by_task(api, app) -> dict[str, dict]:
    with app.app_context():
        ids = list(db.session.scalars(select(ProcessInstance.id)))
    forms = {}
    for iid in ids:
        for task in api.get(f"/admin/instances/{iid}", "admin").get_json()["tasks"]:
            forms[task["id"]] = task["form"]
    return forms


def _migration_round_trip(app, api):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    rid, returned = returned_county_task(api)
    api.submit()
    before = _forms_by_task(api, app)
    assert len(before) >= 4 and before[returned["id"]]["notice"]
    legacy_id = next(tid for tid, form in before.items() if any(f["id"] == "quality_score" for f in form["fields"])
                     and tid != returned["id"])
    with app.app_context():
        db.session.remove()
        downgrade(revision="stats_0001")
        with db.engine.begin() as conn:
            rebuilt = dict(conn.execute(text("SELECT id, form FROM human_task")).all())
            rebuilt = {k: v if isinstance(v, dict) else json.loads(v) for k, v in rebuilt.items()}
            assert rebuilt == before  # the downgrade rebuilds what the old code stored
            legacy = copy.deepcopy(before[legacy_id])
            for fld in legacy["fields"]:
                fld.pop("records", None)  # a row stored before fields declared `records`
            conn.execute(text("UPDATE human_task SET form = :f WHERE id = :i"),
                         {"f": json.dumps(legacy, ensure_ascii=False), "i": legacy_id})
        upgrade()
        rows = {t.id: t for t in db.session.scalars(select(HumanTask))}
        assert rows[returned["id"]].form_overlay["notice"] == "上一环节退回，理由：缺少现场照片"
        assert rows[legacy_id].form_overlay.get("legacy_records") is True
        instances = {i.id: i.process_version_id for i in db.session.scalars(select(ProcessInstance))}
        assert all(t.process_version_id == instances[t.instance_id] for t in rows.values())
        assert any(t.state == TaskState.COMPLETED for t in rows.values())
        db.session.remove()
    after = _forms_by_task(api, app)
    assert after == {**before, legacy_id: legacy}


def test_migration_moves_existing_rows_on_sqlite(api, app):
    _migration_round_trip(app, api)


@pytest.mark.postgres
def test_migration_moves_existing_rows_on_postgres(pg_app):
    from conftest import Api

    _migration_round_trip(pg_app, Api(pg_app.test_client()))
