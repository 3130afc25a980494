"""Issue 17 item 8: no attachments on a closed report; each file says who added it and when (masked on the unit side)."""
from __future__ import annotations

import io
import re

import pytest

from pages_helpers import PNG, signed_in, token

REPORTER_NAME = "综合体信息报送员"  # reporter.unit's display name
RESOLVE = {"decision": "resolve", "measures": "现场督促整改", "risk_level": "general", "quality_score": 4}


def upload(api, user, report_id):
    return api.post(f"/reports/{report_id}/attachments", user, data={"file": (io.BytesIO(PNG), "现场.png")},
                    content_type="multipart/form-data")


def attachments_section(html: str) -> str:
    return re.search(r'<h2 id="att-h">附件</h2>(.*?)</section>', html, re.S).group(1)


def test_a_closed_report_takes_no_more_attachments(api, app):
    rid = api.submit()["id"]
    api.complete("county.610113", rid, "county_disposal", RESOLVE)
    assert api.get(f"/reports/{rid}", "reporter.agency").get_json()["status"] == "closed"
    for user in ("reporter.agency", "county.610113"):
        res = upload(api, user, rid)
        assert res.status_code == 409 and res.get_json()["error"]["message"] == "该报送信息已办结，不能再补充附件"
    client = signed_in(app, "county.610113")
    section = attachments_section(client.get(f"/reports/{rid}").get_data(as_text=True))
    assert 'type="file"' not in section and "该报送信息已办结，不能再补充附件。" in section
    res = client.post(f"/reports/{rid}/attachments", content_type="multipart/form-data", follow_redirects=True,
                      data={"csrf_token": token(client, f"/reports/{rid}"), "attachments": [(io.BytesIO(PNG), "a.png")],
                            "next": f"/reports/{rid}"})
    assert res.status_code == 200 and "该报送信息已办结，不能再补充附件" in res.get_data(as_text=True)
    assert "无附件" in attachments_section(client.get(f"/reports/{rid}").get_data(as_text=True))


def test_an_open_report_still_takes_attachments_with_an_upload_control(api, app):
    rid = api.submit()["id"]
    assert upload(api, "reporter.agency", rid).status_code == 201
    section = attachments_section(signed_in(app, "county.610113").get(f"/reports/{rid}").get_data(as_text=True))
    assert 'type="file"' in section


def test_officers_see_who_added_each_file_and_when(api, app):
    rid = api.submit("reporter.unit")["id"]
    assert upload(api, "reporter.unit", rid).status_code == 201
    assert upload(api, "county.610113", rid).status_code == 201
    section = attachments_section(signed_in(app, "county.610113").get(f"/reports/{rid}").get_data(as_text=True))
    assert re.search(REPORTER_NAME + r" 于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}[^<]* 添加", section)
    officer = api.get("/me", "county.610113").get_json()["display_name"]
    assert re.search(officer + r" 于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}[^<]* 添加", section)


@pytest.mark.parametrize("viewer", ["director.unit", "manager.unit"])
def test_the_unit_side_sees_the_role_not_the_reporter(api, app, viewer):
    rid = api.submit("reporter.unit")["id"]
    assert upload(api, "reporter.unit", rid).status_code == 201
    section = attachments_section(signed_in(app, viewer).get(f"/reports/{rid}").get_data(as_text=True))
    assert re.search(r'<span class="muted attachment-by">信息报送员 于 \d{4}-\d{2}-\d{2}', section)
    assert REPORTER_NAME not in section
