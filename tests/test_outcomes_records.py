"""Outcomes come from the diagram: a form field declares what it records (`records`), so an owner may
rename fields and statistics stay right (issue 13, item 7)."""
from __future__ import annotations

import pytest
from owner_diagrams import replace_once, seed_xml, upload, upload_and_publish
from sqlalchemy import select

from services import stats
from services.errors import Invalid
from services.forms import clean_form_data
from services.publish_checks import dependency_findings
from storage.models import Report, ReportQualityScore, User
from web.extensions import db

COUNTY = "county.610113"
COUNTY_FORM_START = '<bpmn:userTask id="county_disposal"'


def county_form(xml: str) -> tuple[int, int]:
    start = xml.index(COUNTY_FORM_START)
    return start, xml.index("</bpmn:extensionElements>", start)


def in_county_form(xml: str, old: str, new: str) -> str:
    """Edit the county disposal form only (the city and centre forms keep their fields)."""
    start, end = county_form(xml)
    return xml[:start] + replace_once(xml[start:end], old, new) + xml[end:]


def renamed() -> str:
    """The owner's version: the county's risk level and score fields renamed, their records kept."""
    xml = in_county_form(seed_xml(), '<camunda:formField id="risk_level" label="风险等级"',
                         '<camunda:formField id="county_risk" label="风险等级（县级初判）"')
    return in_county_form(xml, '<camunda:formField id="quality_score"', '<camunda:formField id="county_score"')


def test_renamed_fields_keep_the_statistics_right(api, app):
    upload_and_publish(api, renamed())
    rid = api.submit()["id"]
    task = api.task(COUNTY, rid, "county_disposal")
    fields = {f["id"]: f.get("records") for f in task["form"]["fields"]}
    assert fields["county_risk"] == "risk_level" and fields["county_score"] == "quality_score"
    assert "risk_level" not in fields and "quality_score" not in fields
    bad = api.post(f"/tasks/{task['id']}/complete", COUNTY, json={"data": {
        "decision": "resolve", "measures": "已整改", "county_risk": "major", "county_score": 9}})
    assert bad.status_code == 422 and "1 到 5" in bad.get_json()["error"]["message"]  # the range follows records
    api.complete(COUNTY, rid, "county_disposal", {"decision": "resolve", "measures": "已整改",
                                                  "county_risk": "major", "county_score": 4})
    detail = api.get(f"/reports/{rid}", "reporter.agency").get_json()
    assert detail["status"] == "closed" and detail["risk_level"] == "major"
    with app.app_context():
        scores = db.session.execute(select(ReportQualityScore.tier, ReportQualityScore.score)
                                    .where(ReportQualityScore.report_id == rid)).all()
        assert [tuple(s) for s in scores] == [("county", 4)]
        province = db.session.scalar(select(User).where(User.username == "province"))
        summary = stats.summary(db.session, stats.build_filter(db.session, province))
        assert summary["by_risk_level"]["major"] == 1


def test_a_field_named_like_an_outcome_records_nothing_without_the_property(api, app):
    """Ids mean nothing: the county form's risk_level without `records` leaves the report unassessed."""
    xml = in_county_form(seed_xml(), '<camunda:properties><camunda:property id="records" value="risk_level" />'
                                     '</camunda:properties>', "")
    upload_and_publish(api, xml)
    rid = api.submit()["id"]
    api.complete(COUNTY, rid, "county_disposal", {"decision": "resolve", "measures": "已整改",
                                                  "risk_level": "major", "quality_score": 5})
    with app.app_context():
        report = db.session.get(Report, rid)
        assert report.risk_level is None and report.quality_score == 5


def test_an_unknown_records_value_is_refused_in_chinese(api):
    xml = in_county_form(seed_xml(), 'value="quality_score"', 'value="speed"')
    res = upload(api, xml)
    assert res.status_code == 422
    problems = res.get_json()["error"]["details"]
    found = [p for p in problems if "speed" in p["message"]]
    assert found and found[0]["element_id"] == "county_disposal" and "不受支持" in found[0]["message"]


def test_two_fields_recording_the_same_outcome_in_one_form_are_refused(api):
    xml = in_county_form(seed_xml(), '<camunda:formField id="hazard_grade" label="隐患等级" type="enum">'
                                     '<camunda:properties><camunda:property id="records" value="hazard_grade" />',
                         '<camunda:formField id="hazard_grade" label="隐患等级" type="enum">'
                         '<camunda:properties><camunda:property id="records" value="risk_level" />')
    res = upload(api, xml)
    assert res.status_code == 422
    found = [p for p in res.get_json()["error"]["details"] if "risk_level" in p["message"]]
    assert found and found[0]["element_id"] == "county_disposal" and "只能由一个字段记录" in found[0]["message"]
    assert upload(api, renamed()).status_code == 201  # the same outcome in different forms is fine


def test_publish_warnings_follow_records_not_ids():
    assert not [m for _, m in dependency_findings(renamed()) if "records" in m["message"]]
    stripped = seed_xml().replace('<camunda:properties><camunda:property id="records" value="quality_score" />'
                                  '</camunda:properties>', "")
    warnings = [m["message"] for severe, m in dependency_findings(stripped) if not severe]
    assert any("quality_score" in w and "信息质量" in w for w in warnings)


def test_the_score_range_keys_on_records():
    form = {"fields": [{"id": "pingfen", "label": "评分", "type": "long", "records": "quality_score"},
                       {"id": "quality_score", "label": "件数", "type": "long", "records": None}]}
    with pytest.raises(Invalid):
        clean_form_data(form, {"pingfen": 6})
    assert clean_form_data(form, {"pingfen": 5, "quality_score": 12}) == {"pingfen": 5, "quality_score": 12}
    legacy = {"fields": [{"id": "quality_score", "label": "评分", "type": "long"}]}  # stored before records
    with pytest.raises(Invalid):
        clean_form_data(legacy, {"quality_score": 0})


def test_the_owner_help_lists_what_a_field_may_record(app):
    from pages_helpers import signed_in

    page = signed_in(app, "owner").get("/processes/topics").get_data(as_text=True)
    table = page[page.index('id="field-records"'):]
    table = table[:table.index("</table>")]
    for value in ("risk_level", "hazard_grade", "quality_score"):
        assert f"<code>{value}</code>" in table
    assert "1～5分" in table and "只能由一个字段记录" in table


def test_a_recording_field_must_fit_what_it_records(api):
    as_text = in_county_form(seed_xml(), '<camunda:formField id="quality_score" label="信息质量评分（1～5分）" type="long">',
                             '<camunda:formField id="quality_score" label="信息质量评分（1～5分）" type="string">')
    res = upload(api, as_text)
    assert res.status_code == 422
    assert any("类型须为 long" in p["message"] for p in res.get_json()["error"]["details"])
    odd_option = in_county_form(seed_xml(), '<camunda:value id="low" name="低" />',
                                '<camunda:value id="tiny" name="极低" />')
    res = upload(api, odd_option)
    assert res.status_code == 422
    found = [p for p in res.get_json()["error"]["details"] if "tiny" in p["message"]]
    assert found and found[0]["element_id"] == "county_disposal"


def test_the_validator_knows_the_reports_own_values():
    from engine.dialect_walk import RECORD_FIELDS
    from storage.models import HazardGrade, RiskLevel

    assert set(RECORD_FIELDS["risk_level"][1]) == {r.value for r in RiskLevel}
    assert set(RECORD_FIELDS["hazard_grade"][1]) == {h.value for h in HazardGrade}
