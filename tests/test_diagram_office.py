"""The shipped diagram's office rules through the API: overdue urges, 提级办理, 退回 to the reporter, 会签,
the director's own state, the entry table and who may see a task (issues 12 and 13)."""
from __future__ import annotations

import time

import pytest
from owner_diagrams import replace_once, seed_xml, sign_in, upload, upload_and_publish
from sqlalchemy import select

from services.demo import create_user
from services.timers import fire_due_timers
from storage.models import HumanTask, MonitoringPoint, Notification, ProcessInstance, Report, TaskState, User
from web.extensions import db

COUNTY = "county.610113"
COUNTY_ESCALATE = {"decision": "escalate", "measures": "现场核查", "risk_level": "major", "quality_score": 5}
COUNTY_RESOLVE = {"decision": "resolve", "measures": "已整改", "risk_level": "general", "quality_score": 4}
CITY = {"assessment_opinion": "研判意见", "risk_level": "significant", "quality_score": 3}
CENTER = {"risk_level": "major", "hazard_grade": "major", "assessment_summary": "重大隐患",
          "mitigation_measures": "专项排查", "quality_score": 5}


def add_user(app, username, roles, division, point_username=None):
    with app.app_context():
        point_id = None
        if point_username:
            point_id = db.session.scalar(select(User.monitoring_point_id).where(User.username == point_username))
        create_user(db.session, username, username, roles, division, point_id)
        db.session.commit()


def open_tasks(api, user, rid):
    res = api.get(f"/tasks?report_id={rid}", user)
    assert res.status_code == 200, res.get_json()
    return res.get_json()["items"]


def timeline(api, rid, user="reporter.agency"):
    return api.get(f"/reports/{rid}", user).get_json()["timeline"]


def with_timer(xml: str, element: str, old: str, new: str) -> str:
    start = xml.index(f'<bpmn:boundaryEvent id="{element}"')
    end = xml.index("</bpmn:boundaryEvent>", start)
    return xml[:start] + replace_once(xml[start:end], old, new) + xml[end:]


# -- 提级办理 ----------------------------------------------------------------------------------
def test_the_city_takes_over_a_county_task(api, app):
    rid = api.submit()["id"]
    county = api.task(COUNTY, rid, "county_disposal")
    assert api.post(f"/tasks/{county['id']}/take-over", COUNTY, json={}).status_code == 403
    assert api.post(f"/tasks/{county['id']}/take-over", "province", json={}).status_code == 403
    add_user(app, "city.610200", ["city_officer"], "610200")
    assert api.post(f"/tasks/{county['id']}/take-over", "city.610200", json={}).status_code == 403
    assert api.post(f"/tasks/{county['id']}/take-over", "city.610100", json={"reason": 5}).status_code == 422
    assert api.post("/tasks/no-such-task/take-over", "city.610100", json={}).status_code == 404
    res = api.post(f"/tasks/{county['id']}/take-over", "city.610100", json={"reason": "长期逾期，市局提级办理"})
    assert res.status_code == 200, res.get_json()
    assert open_tasks(api, COUNTY, rid) == []
    city = api.task("city.610100", rid, "city_assessment")
    events = timeline(api, rid)
    taken = [e for e in events if e["kind"] == "taken_over"]
    assert taken and "长期逾期" in taken[0]["message"]
    assert api.post(f"/tasks/{county['id']}/take-over", "city.610100", json={}).status_code == 409
    # the city task has no take-over event in the shipped diagram: refused, not ignored
    assert api.post(f"/tasks/{city['id']}/take-over", "province", json={}).status_code == 409


# -- overdue in the inbox ------------------------------------------------------------------------
def test_an_overdue_county_task_is_red_in_the_inbox(api, app, client):
    from web import env as make_env

    xml = with_timer(seed_xml(), "county_deadline", "${workdays(5)}", "PT1S")
    upload_and_publish(api, xml)
    rid = api.submit()["id"]
    time.sleep(1.5)
    with app.app_context():
        assert fire_due_timers(make_env()) == 1
    sign_in(client, COUNTY)
    page = client.get("/tasks?status=overdue").get_data(as_text=True)
    tracking = api.get(f"/reports/{rid}", "reporter.agency").get_json()["tracking_no"]
    assert tracking in page and "已超期" in page and "row-overdue" in page


# -- the director's own state ----------------------------------------------------------------
def test_director_is_reminded_repeatedly_then_the_manager_and_county_are_told(api, app):
    from web import env as make_env

    xml = with_timer(seed_xml(), "director_reminder", '"R30/P1D"', '"R30/PT1S"')
    xml = with_timer(xml, "director_deadline", "${workdays(3)}", "PT3S")
    upload_and_publish(api, xml)
    rid = api.submit("reporter.unit")["id"]
    api.complete(COUNTY, rid, "county_disposal", COUNTY_RESOLVE)
    assert api.get(f"/reports/{rid}", "reporter.unit").get_json()["status"] == "closed"
    for _ in range(4):
        time.sleep(1.1)
        with app.app_context():
            fire_due_timers(make_env())
    with app.app_context():
        names = dict(db.session.execute(select(User.id, User.username)).all())
        notes = db.session.scalars(select(Notification).where(Notification.report_id == rid)).all()
        reminded = [names[n.user_id] for n in notes if n.kind == "reminder"]
        told = sorted(names[n.user_id] for n in notes if n.kind == "director_overdue")
        assert reminded.count("director.unit") >= 2
        assert told == ["county.610113", "principal.unit"]
        assert db.session.get(Report, rid).director_ack.value == "overdue"
    detail = api.get(f"/reports/{rid}", "reporter.unit").get_json()
    assert detail["status"] == "closed" and detail["director_ack_label"] == "逾期未确认"
    assert api.task("director.unit", rid, "director_acknowledge")  # still open, still reminding


# -- the entry table -------------------------------------------------------------------------
def test_a_suggestion_goes_to_the_centre_for_summary(api):
    rid = api.submit(kind="suggestion", title="建议统一电梯应急救援电话标识")["id"]
    assert open_tasks(api, COUNTY, rid) == []
    summary = api.task("center", rid, "center_summary")
    assert summary["candidate_group"] == "center_expert"
    api.complete("center", rid, "center_summary", {"summary_note": "纳入全省汇总", "reply": "感谢您的建议"})
    detail = api.get(f"/reports/{rid}", "reporter.agency").get_json()
    assert detail["status"] == "closed" and detail["entry_tier"] == "province"


def test_an_administrative_supervision_report_enters_at_the_tier_above(api):
    rid = api.submit(domain="administrative_supervision")["id"]
    assert open_tasks(api, COUNTY, rid) == []
    assert api.task("city.610100", rid, "city_assessment")
    assert api.get(f"/reports/{rid}", "reporter.agency").get_json()["entry_tier"] == "city"


def agency_table() -> str:
    """The owner's entry table with a row on point_kind: a supervision agency's own reports go up a tier."""
    rows = [("suggestion", "-", "-", '"center"'), ("-", "supervision_agency", "county", '"city"'),
            ("-", "-", "city", '"city"'), ("-", "-", "province", '"province"'), ("-", "-", "-", '"county"')]
    rules = ""
    for i, (kind, point_kind, tier, out) in enumerate(rows):
        cells = "".join(f'<inputEntry id="In_{i}_{j}"><text>{v if v == "-" else chr(34) + v + chr(34)}</text>'
                        f"</inputEntry>" for j, v in enumerate((kind, point_kind, tier)))
        rules += f'<rule id="Rule_{i}">{cells}<outputEntry id="Out_{i}"><text>{out}</text></outputEntry></rule>'
    inputs = "".join(f'<input id="Input_{n}" label="{n}"><inputExpression id="Expr_{n}" typeRef="string">'
                     f"<text>{n}</text></inputExpression></input>" for n in ("report_kind", "point_kind", "point_tier"))
    return ('<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" '
            'id="Definitions_owner" name="进入层级" namespace="http://camunda.org/schema/1.0/dmn">'
            '<decision id="entry_routing" name="进入层级（含监察机构本级报送）">'
            f'<decisionTable id="Table_owner" hitPolicy="FIRST">{inputs}'
            f'<output id="Output_entry" label="进入层级" name="entry_tier" typeRef="string" />{rules}'
            '</decisionTable></decision></definitions>')


def test_an_owner_adds_a_row_sending_agency_reports_up(api):
    """The table is the owner's: a row on point_kind routes a supervision agency's own reports to the city."""
    upload_and_publish(api, seed_xml(), decisions=(agency_table(),))
    agency = api.submit()["id"]
    assert open_tasks(api, COUNTY, agency) == [] and api.task("city.610100", agency, "city_assessment")
    unit = api.submit("reporter.unit")["id"]
    assert api.task(COUNTY, unit, "county_disposal")


# -- 退回 to the reporter ------------------------------------------------------------------------
def test_the_county_returns_a_report_to_its_own_reporter(api, app):
    add_user(app, "reporter.agency2", ["reporter"], "610113", point_username="reporter.agency")
    rid = api.submit()["id"]
    api.complete(COUNTY, rid, "county_disposal", {**COUNTY_ESCALATE, "decision": "return_to_reporter",
                                                  "supplement_request": "请补充设备注册代码和现场照片"})
    assert open_tasks(api, "reporter.agency2", rid) == []  # a colleague at the same point sees nothing
    assert open_tasks(api, "reporter.unit", rid) == []
    task = api.task("reporter.agency", rid, "reporter_supplement")
    assert "设备注册代码" in task["form"]["notice"] and task["assignee"] == "reporter.agency"
    res = api.post(f"/tasks/{task['id']}/complete", "reporter.agency2", json={"data": {"supplement_text": "x"}})
    assert res.status_code == 403
    with app.app_context():
        reporter = db.session.scalar(select(User).where(User.username == "reporter.agency"))
        assert db.session.scalar(select(Notification.id).where(Notification.task_id == task["id"],
                                                               Notification.user_id == reporter.id))
    with app.app_context():
        from services.stuck_detection import stuck_reasons, tasks_without_person
        from web import env as make_env

        instance_id = db.session.scalar(select(ProcessInstance.id).where(ProcessInstance.report_id == rid))
        reasons = stuck_reasons(make_env(), instance_ids=[instance_id]).get(instance_id, [])
        assert not any("无人可办" in r for r in reasons), reasons  # the reporter is the person
        assert tasks_without_person(make_env()) == 0
    api.complete("reporter.agency", rid, "reporter_supplement", {"supplement_text": "注册代码 31106101002019"})
    county = api.task(COUNTY, rid, "county_disposal")
    assert "31106101002019" in county["form"]["notice"]


def test_the_city_returns_to_the_county_with_its_reason(api, client):
    rid = api.submit()["id"]
    api.complete(COUNTY, rid, "county_disposal", COUNTY_ESCALATE)
    api.complete("city.610100", rid, "city_assessment", {**CITY, "decision": "return", "return_reason": "缺少现场照片"})
    county = api.task(COUNTY, rid, "county_disposal")
    assert "缺少现场照片" in county["form"]["notice"]
    sign_in(client, COUNTY)
    page = client.get(f"/tasks/{county['id']}").get_data(as_text=True)
    assert 'id="task-notice"' in page and "缺少现场照片" in page


# -- 会签 -------------------------------------------------------------------------------------------
def test_joint_assessment_by_the_chosen_experts(api, app):
    add_user(app, "center.b", ["center_expert"], "610000")
    rid = api.submit()["id"]
    api.complete(COUNTY, rid, "county_disposal", COUNTY_ESCALATE)
    api.complete("city.610100", rid, "city_assessment", {**CITY, "decision": "escalate"})
    api.complete("center", rid, "center_select_panel", {"panel": "center.b，nobody"})
    mine = open_tasks(api, "center", rid)
    theirs = open_tasks(api, "center.b", rid)
    assert [t["element_id"] for t in mine] == ["center_assessment"] and mine[0]["assignee"] == "center"
    assert [t["element_id"] for t in theirs] == ["center_assessment"] and theirs[0]["assignee"] == "center.b"
    assert mine[0]["id"] != theirs[0]["id"]
    res = api.post(f"/tasks/{theirs[0]['id']}/complete", "center", json={"data": CENTER})
    assert res.status_code == 403
    api.complete("center.b", rid, "center_assessment", {**CENTER, "assessment_summary": "专家乙：重大隐患"})
    assert open_tasks(api, "center.b", rid) == []
    api.complete("center", rid, "center_assessment", {**CENTER, "assessment_summary": "专家甲：重大隐患"})
    assert open_tasks(api, "center.b", rid) == []  # the consolidation is the organiser's
    api.complete("center", rid, "center_consolidation", {"decision": "to_province", "consolidated_opinion": "一致"})
    assert api.task("province", rid, "province_decision")["name"] == "省局研究提出措施意见并指导属地"
    events = timeline(api, rid)
    panel = [e for e in events if e["kind"] == "panel"]
    assert panel and "nobody" in panel[0]["message"]
    opinions = [e["data"]["assessment_summary"] for e in events
                if e["kind"] == "task_completed" and e["element_id"] == "center_assessment"]
    assert sorted(opinions) == ["专家乙：重大隐患", "专家甲：重大隐患"]


# -- assignee, candidateUsers, several candidate groups --------------------------------------------
def test_candidate_users_and_further_groups_are_honoured(api, app):
    add_user(app, "county.b", ["county_officer"], "610113")
    xml = replace_once(seed_xml(), 'camunda:candidateGroups="county_officer" camunda:dueDate="${workdays(5)}"',
                       'camunda:candidateGroups="county_officer,city_officer" camunda:candidateUsers="county.b,'
                       'city.610100" camunda:dueDate="${workdays(5)}"')
    upload_and_publish(api, xml)
    rid = api.submit()["id"]
    assert open_tasks(api, COUNTY, rid) == []
    assert [t["element_id"] for t in open_tasks(api, "county.b", rid)] == ["county_disposal"]
    assert [t["element_id"] for t in open_tasks(api, "city.610100", rid)] == ["county_disposal"]
    task = open_tasks(api, "city.610100", rid)[0]
    assert api.post(f"/tasks/{task['id']}/complete", COUNTY, json={"data": COUNTY_RESOLVE}).status_code == 403
    api.complete("city.610100", rid, "county_disposal", COUNTY_RESOLVE)
    assert api.get(f"/reports/{rid}", "reporter.agency").get_json()["status"] == "closed"


def test_a_literal_assignee_restricts_the_task(api, app):
    add_user(app, "county.b", ["county_officer"], "610113")
    xml = replace_once(seed_xml(), 'camunda:candidateGroups="county_officer" camunda:dueDate="${workdays(5)}"',
                       'camunda:candidateGroups="county_officer" camunda:assignee="county.b" '
                       'camunda:dueDate="${workdays(5)}"')
    upload_and_publish(api, xml)
    rid = api.submit()["id"]
    assert open_tasks(api, COUNTY, rid) == []
    assert open_tasks(api, "county.b", rid)[0]["assignee"] == "county.b"


@pytest.mark.parametrize("old, new, element", [
    ('camunda:candidateGroups="county_officer" camunda:dueDate="${workdays(5)}"',
     'camunda:candidateGroups="county_officer" camunda:assignee="${__import__(\'os\')}" camunda:dueDate="P5D"',
     "county_disposal"),
    ('camunda:candidateGroups="county_officer" camunda:dueDate="${workdays(5)}"',
     'camunda:candidateGroups="county_officer" camunda:candidateUsers="a b;c" camunda:dueDate="P5D"',
     "county_disposal"),
    ('camunda:collection="center_panel"', 'camunda:collection="center_panel.__class__"', "center_assessment"),
    ('camunda:elementVariable="center_member"', 'camunda:elementVariable="_x"', "center_assessment"),
    ('camunda:elementVariable="center_member" />',
     'camunda:elementVariable="center_member"><bpmn:completionCondition xsi:type="bpmn:tFormalExpression">'
     '__import__("os")</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>', "center_assessment"),
])
def test_unsafe_people_and_loop_settings_are_refused(api, old, new, element):
    res = upload(api, replace_once(seed_xml(), old, new))
    assert res.status_code == 422, res.get_json()
    assert element in [d["element_id"] for d in res.get_json()["error"]["details"]]


# -- diagram variables, help, deploy -----------------------------------------------------------------
def test_register_report_sets_the_variables_owners_branch_on(api, app):
    rid = api.submit("reporter.unit", equipment_type_code="3110")["id"]
    with app.app_context():
        store = app.extensions["riskmon.store"]
        instance = db.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == rid))
        workflow = store.load(db.session, instance)
        task_id = db.session.scalar(select(HumanTask.id).where(HumanTask.report_id == rid,
                                                               HumanTask.element_id == "county_disposal",
                                                               HumanTask.state == TaskState.OPEN))
        data = store.runtime.open_user_task(workflow, task_id).data
        point = db.session.get(MonitoringPoint, db.session.get(Report, rid).monitoring_point_id)
    assert data["report_kind"] == "risk_hazard" and data["domain"] == "use"
    assert data["equipment_category"] == "3000" and data["equipment_class"] == "3100"
    assert data["equipment_variety"] == "3110"
    assert data["point_kind"] == "controlled_user_unit" and data["control_level"] == point.control_level == 1
    assert data["point_tier"] == "county" and data["entry_tier"] == "county" and data["is_enterprise"] is True


def test_the_modeler_help_lists_the_variables(client):
    sign_in(client, "owner")
    page = client.get("/processes/topics").get_data(as_text=True)
    for name in ("report_kind", "point_kind", "control_level", "entry_tier", "equipment_variety", "is_enterprise"):
        assert f"<code>{name}</code>" in page, name


def test_cli_deploy_takes_the_dmn_beside_the_bpmn(app, tmp_path):
    from pathlib import Path

    processes_dir = Path(__file__).resolve().parent.parent / "processes"
    runner = app.test_cli_runner()
    bpmn = tmp_path / "risk_disposal.bpmn"
    bpmn.write_text(with_timer(seed_xml(), "county_deadline", "${workdays(5)}", "${workdays(6)}"), encoding="utf-8")
    lonely = runner.invoke(args=["deploy", str(bpmn)])
    assert lonely.exit_code == 0, lonely.output  # the published version's table is kept
    result = runner.invoke(args=["deploy", str(processes_dir / "risk_disposal.bpmn"),
                                 str(processes_dir / "entry_routing.dmn")])
    assert result.exit_code == 0, result.output
    assert "决策表 1 个" in result.output
    bad = runner.invoke(args=["deploy", str(processes_dir / "entry_routing.dmn")])
    assert bad.exit_code != 0 and "bpmn" in bad.output


def test_the_city_takes_over_from_the_report_page(api, client):
    rid = api.submit()["id"]
    county = api.task(COUNTY, rid, "county_disposal")
    token = sign_in(client, COUNTY)
    assert 'id="take-over"' not in client.get(f"/reports/{rid}").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token})
    token = sign_in(client, "city.610100")
    page = client.get(f"/reports/{rid}").get_data(as_text=True)
    assert 'id="take-over"' in page and "提级办理“县级处置”" in page
    res = client.post(f"/reports/{rid}/take-over/{county['id']}", data={"csrf_token": token, "reason": "群众反映强烈"})
    assert res.status_code == 302
    assert api.task("city.610100", rid, "city_assessment")
    assert 'id="take-over"' not in client.get(f"/reports/{rid}").get_data(as_text=True)
    assert any("群众反映强烈" in e["message"] for e in timeline(api, rid) if e["kind"] == "taken_over")
