"""Issue 13 item 5: a supervision agency's own reports enter one tier up when the admin setting
监管部门报送员的报送进入层级 says 上一级 (agency_entry = "above"); by default (本级) they enter at their own tier,
which CONTRACT.md's smoke check (reporter.agency → county_disposal for county.610113) relies on."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from owner_diagrams import seed_xml, sign_in, upload, upload_and_publish
from sqlalchemy import select

import legacy_diagrams
from engine import ExpressionEnvironment, Runtime, parse_bundle
from engine.dry_run import DryRunner, dry_run
from engine.dry_run_choices import output_variants
from handlers.outputs import DECLARED_OUTPUTS
from services.calendar import CalendarCache, expression_functions
from services.publish_checks import resolvable_group
from storage.models import (
    HumanTask, InstanceEvent, MonitoringPoint, ProcessInstance, Report, Role, SystemSetting, TaskState,
    User,
)
from web.extensions import db

PROCESSES = Path(__file__).resolve().parent.parent / "processes"
TABLE = (PROCESSES / "entry_routing.dmn").read_text(encoding="utf-8")
COUNTY, CITY = "county.610113", "city.610100"
COUNTY_RESOLVE = {"decision": "resolve", "measures": "已整改", "risk_level": "general", "quality_score": 4}


# -- the table alone, at engine level --------------------------------------------------------------
@pytest.fixture(scope="module")
def bundle():
    return parse_bundle((PROCESSES / "risk_disposal.bpmn").read_text(encoding="utf-8"), decisions=(TABLE,))


def first_tasks(bundle, **variables) -> list[str]:
    """The user tasks open right after register_report set `variables` (over an agency report's defaults)."""
    data = dict(report_kind="risk_hazard", domain="use", point_tier="county", is_enterprise=False,
                point_kind="supervision_agency", agency_entry="same", tracking_no="SX-2026-000001")
    data.update(variables)
    data["entry_tier"] = data["point_tier"]
    data = {k: v for k, v in data.items() if v is not ...}
    runtime = Runtime(ExpressionEnvironment(expression_functions(CalendarCache())))
    workflow = runtime.create(bundle, {"report_id": 1})

    def call_topic(task, topic, params):
        if topic == "register_report":
            task.data.update(data)
    assert runtime.run(workflow, call_topic) == []
    return sorted(t.element_id for t in runtime.snapshot(workflow).open_tasks)


TIER_TASK = {"county": "county_disposal", "city": "city_assessment", "province": "center_select_panel",
             "center": "center_summary"}


@pytest.mark.parametrize("variables, entry", [
    # a supervision agency's own report: the setting decides
    ({}, "county"),
    ({"agency_entry": "above"}, "city"),
    ({"point_tier": "city"}, "city"),
    ({"point_tier": "city", "agency_entry": "above"}, "province"),
    ({"point_tier": "province", "agency_entry": "above"}, "province"),  # nothing above the province
    # other kinds of point never move, whatever the setting
    ({"point_kind": "controlled_user_unit", "is_enterprise": True, "agency_entry": "above"}, "county"),
    ({"point_kind": "production_filling_unit", "is_enterprise": True, "agency_entry": "above"}, "county"),
    ({"point_kind": "inspection_institution", "agency_entry": "above"}, "county"),
    ({"point_kind": "inspection_institution", "point_tier": "city", "agency_entry": "above"}, "city"),
    # 意见建议 still go to the centre, 行政监管 still one tier up, with either setting
    ({"report_kind": "suggestion", "agency_entry": "above"}, "center"),
    ({"report_kind": "suggestion", "point_tier": "city", "agency_entry": "above"}, "center"),
    ({"domain": "administrative_supervision"}, "city"),
    ({"domain": "administrative_supervision", "agency_entry": "above"}, "city"),
    ({"domain": "administrative_supervision", "point_tier": "city", "agency_entry": "above"}, "province"),
    ({"domain": "administrative_supervision", "point_kind": "controlled_user_unit", "is_enterprise": True}, "city"),
    # data of a diagram run before the variable existed, and values no handler produces: the row does not match
    ({"agency_entry": ...}, "county"),
    ({"agency_entry": None}, "county"),
    ({"agency_entry": "ABOVE"}, "county"),
    ({"agency_entry": "上一级"}, "county"),
    ({"agency_entry": ["above"]}, "county"),
    ({"point_kind": ..., "agency_entry": "above"}, "county"),
])
def test_the_table_decides_entry_by_kind_point_kind_and_setting(bundle, variables, entry):
    assert TIER_TASK[entry] in first_tasks(bundle, **variables)


def test_the_dry_run_samples_reach_both_agency_rows_and_every_entry_tier(bundle):
    """handlers/outputs.py's samples, run through the shipped table: the 上一级 rows and all four entry tiers."""
    reached = set()
    for variant in output_variants(DECLARED_OUTPUTS["register_report"]):
        variables = {k: variant[k] for k in ("report_kind", "domain", "point_tier", "point_kind", "agency_entry")}
        (first,) = [t for t in first_tasks(bundle, **variables) if t != "director_acknowledge"]
        reached.add(first)
        if variant["point_kind"] == "supervision_agency":
            assert variant["agency_entry"] == "above" and variant["report_kind"] != "suggestion"
            assert variant["domain"] != "administrative_supervision"
    assert reached == set(TIER_TASK.values())
    agency = {v["point_tier"] for v in output_variants(DECLARED_OUTPUTS["register_report"])
              if v["point_kind"] == "supervision_agency"}
    assert agency == {"county", "city"}


def run_dry(xml: str, decisions: tuple[str, ...]):
    runtime = Runtime(ExpressionEnvironment(expression_functions(CalendarCache())))
    runner = DryRunner(runtime, DECLARED_OUTPUTS, [r.value for r in Role], resolvable_group)
    return dry_run(runner, parse_bundle(xml, decisions=decisions), xml, decisions)


def test_the_shipped_diagram_and_table_pass_the_dry_run():
    xml = (PROCESSES / "risk_disposal.bpmn").read_text(encoding="utf-8")
    result = run_dry(xml, (TABLE,))
    assert result.ok, [p.as_dict() for p in result.problems]
    assert result.notes == []


def owner_table(rows) -> str:
    """An owner's entry table on (report_kind, point_kind, agency_entry, point_tier)."""
    names = ("report_kind", "point_kind", "agency_entry", "point_tier")
    inputs = "".join(f'<input id="Input_{n}" label="{n}"><inputExpression id="Expr_{n}" typeRef="string">'
                     f"<text>{n}</text></inputExpression></input>" for n in names)
    rules = ""
    for i, (*cells, out) in enumerate(rows):
        entries = "".join(f'<inputEntry id="In_{i}_{j}"><text>{v}</text></inputEntry>' for j, v in enumerate(cells))
        rules += f'<rule id="Rule_{i}">{entries}<outputEntry id="Out_{i}"><text>{out}</text></outputEntry></rule>'
    return ('<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" '
            'id="Definitions_owner" name="进入层级" namespace="http://camunda.org/schema/1.0/dmn">'
            '<decision id="entry_routing" name="进入层级（监察机构直报省级）">'
            f'<decisionTable id="Table_owner" hitPolicy="FIRST">{inputs}'
            f'<output id="Output_entry" label="进入层级" name="entry_tier" typeRef="string" />{rules}'
            '</decisionTable></decision></definitions>')


PROVINCE_FOR_AGENCIES = owner_table([
    ('"suggestion"', "-", "-", "-", '"center"'),
    ("-", '"supervision_agency"', '"above"', "-", '"province"'),
    ("-", "-", "-", '"city"', '"city"'), ("-", "-", "-", '"province"', '"province"'), ("-", "-", "-", "-", '"county"')])


@pytest.mark.parametrize("rule", ["Out_agency_county", "Out_agency_city"])
def test_a_broken_above_row_of_the_shipped_table_fails_the_dry_run(rule):
    """Found by hand with `riskmon deploy`: before the samples were reordered, no sample reached these rows."""
    broken = TABLE.replace(f'<outputEntry id="{rule}"><text>', f'<outputEntry id="{rule}"><text>1 / 0 if True else ')
    assert broken != TABLE
    result = run_dry(seed_xml(), (broken,))
    assert not result.ok
    assert result.problems[0].element_id == "decide_entry", result.problems[0].as_dict()


def test_an_owner_row_for_above_that_fails_is_refused_by_the_dry_run():
    """A row only an agency report with 上一级 reaches, whose output cannot be computed: caught before publishing."""
    table = owner_table([('"suggestion"', "-", "-", "-", '"center"'),
                         ("-", '"supervision_agency"', '"above"', '"county"', "1 / 0"),
                         ("-", "-", "-", "-", '"county"')])
    result = run_dry(seed_xml(), (table,))
    assert not result.ok
    problem = result.problems[0]
    assert problem.element_id == "decide_entry", problem.as_dict()
    assert any("agency_entry=above" in step for step in problem.path), problem.path


# -- through the API and the database ------------------------------------------------------------
def open_tasks(api, user, rid) -> list[dict]:
    res = api.get(f"/tasks?report_id={rid}", user)
    assert res.status_code == 200, res.get_json()
    return res.get_json()["items"]


def set_entry(api, value, user="admin"):
    return api.call("PUT", "/admin/settings/agency_entry", user, json={"value": value})


def instance_data(app, rid) -> dict:
    """The task data of the report's first open user task (what register_report set)."""
    with app.app_context():
        store = app.extensions["riskmon.store"]
        instance = db.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == rid))
        workflow = store.load(db.session, instance)
        task_id = db.session.scalar(select(HumanTask.id).where(HumanTask.report_id == rid,
                                                               HumanTask.state == TaskState.OPEN))
        return dict(store.runtime.open_user_task(workflow, task_id).data)


def test_by_default_the_contract_holds(api, app):
    """CONTRACT.md: a report of reporter.agency creates a county_disposal task for county.610113."""
    setting = api.get("/admin/settings/agency_entry", "admin").get_json()
    assert setting["value"] == "same" and setting["value_label"] == "本级" and setting["default"] == "same"
    rid = api.submit(kind="problem", domain="use", equipment_type_code="3110")["id"]
    assert [t["element_id"] for t in open_tasks(api, COUNTY, rid)] == ["county_disposal"]
    assert open_tasks(api, CITY, rid) == []
    assert instance_data(app, rid)["agency_entry"] == "same"
    api.complete(COUNTY, rid, "county_disposal", COUNTY_RESOLVE)
    assert api.get(f"/reports/{rid}", "reporter.agency").get_json()["status"] == "closed"


def test_with_above_the_agency_report_enters_at_the_city(api, app):
    res = set_entry(api, "above")
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["value"] == "above" and res.get_json()["value_label"] == "上一级"
    assert res.get_json()["updated_by"] and datetime.fromisoformat(res.get_json()["updated_at"]).tzinfo
    rid = api.submit()["id"]
    assert open_tasks(api, COUNTY, rid) == []
    city = api.task(CITY, rid, "city_assessment")
    assert city["division_code"] == "610100"
    detail = api.get(f"/reports/{rid}", "reporter.agency").get_json()
    assert detail["entry_tier"] == "city" and detail["current_tier"] == "city"
    assert instance_data(app, rid)["agency_entry"] == "above"
    # an enterprise's report, a suggestion and 行政监管 are untouched by the setting
    unit = api.submit("reporter.unit")["id"]
    assert api.task(COUNTY, unit, "county_disposal") and open_tasks(api, CITY, unit) == []
    suggestion = api.submit(kind="suggestion")["id"]
    assert api.task("center", suggestion, "center_summary") and open_tasks(api, CITY, suggestion) == []
    admin = api.submit(domain="administrative_supervision")["id"]
    assert api.task(CITY, admin, "city_assessment")
    # back to 本级: the next agency report is the county's again, the city's task stays where it is
    assert set_entry(api, "same").status_code == 200
    again = api.submit()["id"]
    assert api.task(COUNTY, again, "county_disposal") and open_tasks(api, CITY, again) == []
    assert api.task(CITY, rid, "city_assessment")


def test_with_above_a_city_agency_report_enters_at_the_province(api, app):
    with app.app_context():
        point_id = db.session.scalar(select(User.monitoring_point_id).where(User.username == "reporter.agency"))
        db.session.get(MonitoringPoint, point_id).division_code = "610100"
        db.session.commit()
    assert set_entry(api, "above").status_code == 200
    rid = api.submit()["id"]
    assert open_tasks(api, CITY, rid) == [] and open_tasks(api, COUNTY, rid) == []
    assert api.get(f"/reports/{rid}", "reporter.agency").get_json()["entry_tier"] == "province"


@pytest.mark.parametrize("value", ["上一级", "ABOVE", "above ", "", "x" * 65, "above'; DROP TABLE system_setting;--"])
def test_a_value_outside_the_choices_is_refused_and_changes_nothing(api, app, value):
    res = set_entry(api, value)
    assert res.status_code == 422, res.get_json()
    error = res.get_json()["error"]
    assert error["code"] == "invalid" and re.search(r"[\u4e00-\u9fff]", error["message"])
    assert api.get("/admin/settings/agency_entry", "admin").get_json()["value"] == "same"
    with app.app_context():
        assert db.session.get(SystemSetting, "agency_entry") is None
        assert db.session.scalar(select(InstanceEvent.id).where(InstanceEvent.kind == "admin_setting_changed")) is None


@pytest.mark.parametrize("body", [{"value": 1}, {"value": None}, {"value": ["above"]}, {"value": True}, {},
                                  {"value": "above", "extra": 1}])
def test_odd_bodies_are_refused_with_422(api, body):
    res = api.call("PUT", "/admin/settings/agency_entry", "admin", json=body)
    assert res.status_code == 422, res.get_json()
    assert api.get("/admin/settings/agency_entry", "admin").get_json()["value"] == "same"


def test_only_admins_change_settings_and_unknown_keys_are_404(api):
    for user in ("owner", "province", "city.610100", "reporter.agency"):
        assert set_entry(api, "above", user).status_code == 403
        assert api.get("/admin/settings", user).status_code == 403
    assert api.call("PUT", "/admin/settings/no_such_setting", "admin", json={"value": "above"}).status_code == 404
    assert api.get("/admin/settings/" + "k" * 300, "admin").status_code == 404
    res = api.call("PUT", "/admin/settings/agency_entry", "admin", data="not json", content_type="application/json")
    assert res.status_code == 400
    listing = api.get("/admin/settings", "admin").get_json()
    assert listing["total"] == 1 and listing["items"][0]["key"] == "agency_entry"
    assert [o["name"] for o in listing["items"][0]["options"]] == ["本级", "上一级"]


def test_a_value_written_around_the_service_never_reaches_the_diagram(api, app):
    """A hand-edited row (SQL console, a bad import) reads as the default: the diagram only ever sees same/above."""
    with app.app_context():
        db.session.add(SystemSetting(key="agency_entry", value="above'); import os; ("))
        db.session.commit()
    assert api.get("/admin/settings/agency_entry", "admin").get_json()["value"] == "same"
    rid = api.submit()["id"]
    assert api.task(COUNTY, rid, "county_disposal")
    assert instance_data(app, rid)["agency_entry"] == "same"
    # saving "same" over the odd row repairs it, and the audit names what was stored
    assert set_entry(api, "same").status_code == 200
    with app.app_context():
        assert db.session.get(SystemSetting, "agency_entry").value == "same"
        event = db.session.scalar(select(InstanceEvent).where(InstanceEvent.kind == "admin_setting_changed"))
        assert event.data["value_before"].startswith("above')") and event.data["value_after"] == "same"


def test_every_change_is_audited_with_who_when_before_after(api, app, client):
    assert set_entry(api, "above").status_code == 200
    assert set_entry(api, "above").status_code == 200  # no change, no entry
    assert set_entry(api, "same").status_code == 200
    with app.app_context():
        events = db.session.scalars(select(InstanceEvent).where(InstanceEvent.kind == "admin_setting_changed")
                                    .order_by(InstanceEvent.id)).all()
        admin_id = db.session.scalar(select(User.id).where(User.username == "admin"))
        assert [(e.data["before"], e.data["after"]) for e in events] == [("本级", "上一级"), ("上一级", "本级")]
        assert all(e.actor_id == admin_id and e.created_at is not None for e in events)
        assert "监管部门报送员的报送进入层级" in events[0].message
    res = api.get("/admin/audit?kind=admin_setting_changed", "admin").get_json()
    assert res["total"] == 2 and res["items"][0]["kind_label"] == "修改系统设置"
    sign_in(client, "admin")
    page = client.get("/admin/audit?kind=admin_setting_changed").get_data(as_text=True)
    assert "修改系统设置" in page and "上一级" in page and "设置项" in page


# -- the admin page ---------------------------------------------------------------------------------
def test_the_admin_page_changes_the_setting_after_confirmation(api, client):
    token = sign_in(client, "admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "监管部门报送员的报送进入层级" in page
    assert '<label for="agency_entry_same">本级（默认）</label>' in page
    assert '<label for="agency_entry_above">上一级</label>' in page
    assert 'id="agency_entry_same" name="value" type="radio" value="same" checked' in page
    assert 'href="/admin/settings"' in client.get("/admin").get_data(as_text=True)  # in the admin menu
    res = client.post("/admin/settings/agency_entry", data={"value": "above", "csrf_token": token})
    confirm = res.get_data(as_text=True)
    assert res.status_code == 200 and "确认修改" in confirm and "由 <strong>本级</strong> 改为 <strong>上一级</strong>" in confirm
    assert api.get("/admin/settings/agency_entry", "admin").get_json()["value"] == "same"  # not yet
    res = client.post("/admin/settings/agency_entry", data={"value": "above", "confirm": "1", "csrf_token": token})
    assert res.status_code == 302
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "已将“监管部门报送员的报送进入层级”设为“上一级”" in page
    assert 'id="agency_entry_above" name="value" type="radio" value="above" checked' in page
    assert api.get("/admin/settings/agency_entry", "admin").get_json()["value"] == "above"
    # an odd value from a hand-made form: a Chinese message, nothing saved
    res = client.post("/admin/settings/agency_entry", data={"value": "province", "confirm": "1", "csrf_token": token})
    assert res.status_code == 302
    assert "取值应为" in client.get("/admin/settings").get_data(as_text=True)
    assert api.get("/admin/settings/agency_entry", "admin").get_json()["value"] == "above"
    assert client.post("/admin/settings/nothing", data={"value": "same", "csrf_token": token}).status_code == 404


def test_the_page_is_for_admins_only(client):
    sign_in(client, "owner")
    assert client.get("/admin/settings").status_code in (302, 403)


def test_the_modeler_help_lists_agency_entry(client):
    sign_in(client, "owner")
    page = client.get("/processes/topics").get_data(as_text=True)
    assert "<code>agency_entry</code>" in page and "监管部门报送员的报送进入层级" in page


# -- owners' tables and old diagrams -----------------------------------------------------------------
def test_an_owner_table_using_agency_entry_publishes_and_routes(api):
    """The owner sends agency reports straight to the province when the setting is 上一级."""
    upload_and_publish(api, seed_xml(), decisions=(PROVINCE_FOR_AGENCIES,))
    assert set_entry(api, "above").status_code == 200
    rid = api.submit()["id"]
    assert open_tasks(api, COUNTY, rid) == [] and open_tasks(api, CITY, rid) == []
    assert api.get(f"/reports/{rid}", "reporter.agency").get_json()["entry_tier"] == "province"
    unit = api.submit("reporter.unit")["id"]
    assert api.task(COUNTY, unit, "county_disposal")


def test_an_owner_table_abusing_agency_entry_is_refused(api):
    hostile = owner_table([("-", "-", "agency_entry.upper()", "-", '"city"'), ("-", "-", "-", "-", '"county"')])
    res = upload(api, seed_xml(), decisions=(hostile,))
    assert res.status_code == 422, res.get_json()
    assert any(d["element_id"] == "decide_entry" for d in res.get_json()["error"]["details"]), res.get_json()


def test_an_owner_table_forgetting_above_leaves_agency_reports_at_their_own_tier(api):
    """No row matches an agency report with 上一级: entry_tier keeps the point's tier (register_report's value),
    so the report is worked at the county instead of failing."""
    forgetful = owner_table([('"suggestion"', "-", "-", "-", '"center"'), ("-", "-", '"same"', "-", '"county"')])
    upload_and_publish(api, seed_xml(), decisions=(forgetful,))
    assert set_entry(api, "above").status_code == 200
    rid = api.submit()["id"]
    assert api.task(COUNTY, rid, "county_disposal") and open_tasks(api, CITY, rid) == []


def test_an_old_published_diagram_runs_with_the_new_variable(api, app):
    """Version 1 (no entry table) branches on the point's tier; agency_entry is set and simply unused."""
    legacy_diagrams.upload_and_publish(api, legacy_diagrams.seed_xml())
    assert set_entry(api, "above").status_code == 200
    rid = api.submit()["id"]
    assert api.task(COUNTY, rid, "county_disposal") and open_tasks(api, CITY, rid) == []
    assert instance_data(app, rid)["agency_entry"] == "above"
    api.complete(COUNTY, rid, "county_disposal", COUNTY_RESOLVE)
    with app.app_context():
        assert db.session.get(Report, rid).status.value == "closed"
        assert db.session.scalar(select(ProcessInstance.status).where(ProcessInstance.report_id == rid)).value \
            == "completed"


@pytest.mark.postgres
def test_setting_routes_and_audits_on_postgres(pg_app):
    """The row lock (SELECT … FOR UPDATE) on a missing then present row, and routing, on PostgreSQL."""
    from conftest import Api

    api = Api(pg_app.test_client())
    assert set_entry(api, "above").status_code == 200
    rid = api.submit()["id"]
    assert open_tasks(api, COUNTY, rid) == [] and api.task(CITY, rid, "city_assessment")
    assert set_entry(api, "same").status_code == 200
    assert api.task(COUNTY, api.submit()["id"], "county_disposal")
    audit = api.get("/admin/audit?kind=admin_setting_changed", "admin").get_json()
    assert [i["message"].rsplit("改为", 1)[1] for i in audit["items"]] == ["“本级”", "“上一级”"]
