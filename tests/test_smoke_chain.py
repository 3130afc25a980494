"""The basic county → city → province chain through the JSON API."""
from escalation_path import ESCALATION_PATH


def test_agency_report_climbs_to_province_and_closes(api):
    report = api.submit()
    assert report["tracking_no"].startswith("SX-")
    rid = report["id"]
    for user, element, data in ESCALATION_PATH:
        api.complete(user, rid, element, data)
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
