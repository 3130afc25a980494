"""The basic county → city → province chain through the JSON API."""


def test_agency_report_climbs_to_province_and_closes(api):
    report = api.submit()
    assert report["tracking_no"].startswith("SX-")
    rid = report["id"]
    api.complete("county.610113", rid, "county_disposal", {
        "decision": "escalate", "measures": "现场核查", "risk_level": "major", "quality_score": 5})
    api.complete("city.610100", rid, "city_assessment", {
        "decision": "escalate", "assessment_opinion": "需省级研判", "risk_level": "major", "quality_score": 4})
    api.complete("center", rid, "center_select_panel", {"panel": ""})
    api.complete("center", rid, "center_assessment", {
        "risk_level": "major", "hazard_grade": "major", "assessment_summary": "重大隐患",
        "mitigation_measures": "专项排查", "quality_score": 5})
    api.complete("center", rid, "center_consolidation", {"decision": "to_province", "consolidated_opinion": "同意"})
    api.complete("province", rid, "province_decision", {"decision": "guide", "guidance": "督促整改"})
    api.complete("county.610113", rid, "local_rectification", {"rectification_result": "已整改", "rectified_on": "2026-11-28"})
    api.complete("city.610100", rid, "city_rectification_check", {"decision": "confirm", "check_opinion": "属实"})
    api.complete("province", rid, "province_verification", {"decision": "close", "verification_opinion": "同意"})
    detail = api.get(f"/reports/{rid}", "reporter.agency").get_json()
    assert detail["status"] == "closed"
    assert detail["status_label"] == "已办结"
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds[0] == "submitted" and kinds[-1] == "closed"


def test_officers_are_notified_of_a_new_task_in_their_county_only(api, env):
    from sqlalchemy import select

    from storage.models import Notification, User

    report = api.submit()
    task = api.task("county.610113", report["id"], "county_disposal")
    owner_of = {u.id: u.username for u in env.session.scalars(select(User))}
    notes = list(env.session.scalars(select(Notification).where(Notification.task_id == task["id"])))
    assert [owner_of[n.user_id] for n in notes] == ["county.610113"]
    assert notes[0].link == f"/tasks/{task['id']}"
    assert report["tracking_no"] in notes[0].title
