"""The reporter's own unit (safety director, point manager) and the workflow owner never learn who reported."""
from __future__ import annotations

import io

import pytest

from pages_helpers import PNG, signed_in

REPORTER_NAME = "综合体信息报送员"  # reporter.unit's display name


@pytest.fixture
def unit_report(api):
    """A report by reporter.unit with one attachment the reporter added afterwards."""
    report = api.submit("reporter.unit", title="商场自动扶梯梯级缺损")
    res = api.post(f"/reports/{report['id']}/attachments", "reporter.unit",
                   data={"file": (io.BytesIO(PNG), "现场.png")}, content_type="multipart/form-data")
    assert res.status_code == 201, res.get_json()
    return report


def _timeline(api, user, report_id):
    res = api.get(f"/reports/{report_id}", user)
    assert res.status_code == 200, res.get_json()
    return res.get_json()["timeline"]


@pytest.mark.parametrize("viewer", ["director.unit", "manager.unit", "owner"])
def test_unit_side_sees_the_role_not_the_person_in_the_api(api, unit_report, viewer):
    reporter_id = api.get("/me", "reporter.unit").get_json()["id"]
    events = _timeline(api, viewer, unit_report["id"])
    kinds = {e["kind"] for e in events}
    assert {"submitted", "attachment_added"} <= kinds
    assert all(e["actor_id"] != reporter_id for e in events)
    assert all(REPORTER_NAME not in e["message"] for e in events)
    added = next(e for e in events if e["kind"] == "attachment_added")
    assert added["message"].startswith("信息报送员 上传了附件")


@pytest.mark.parametrize("viewer", ["director.unit", "manager.unit"])
def test_unit_side_sees_the_role_not_the_person_on_the_pages(app, unit_report, viewer):
    html = signed_in(app, viewer).get(f"/reports/{unit_report['id']}").get_data(as_text=True)
    assert "信息报送员 上传了附件" in html
    assert REPORTER_NAME not in html


def test_officers_and_the_reporter_see_who_reported(api, app, unit_report):
    reporter_id = api.get("/me", "reporter.unit").get_json()["id"]
    for viewer in ("county.610113", "admin", "reporter.unit"):
        events = _timeline(api, viewer, unit_report["id"])
        submitted = next(e for e in events if e["kind"] == "submitted")
        assert submitted["actor_id"] == reporter_id
        assert any(REPORTER_NAME in e["message"] for e in events if e["kind"] == "attachment_added")
    html = signed_in(app, "county.610113").get(f"/reports/{unit_report['id']}").get_data(as_text=True)
    assert f"{REPORTER_NAME} 上传了附件" in html
