"""Attachments: the name follows the sniffed type, downloads cannot be sniffed into something else, who may attach."""
from __future__ import annotations

import io

import pytest

from pages_helpers import PDF, PNG, signed_in, token


def _upload(api, user, report_id, data=PNG, name="x.exe"):
    return api.post(f"/reports/{report_id}/attachments", user, data={"file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")


def test_png_named_exe_is_stored_and_downloaded_as_png(api, app):
    rid = api.submit("reporter.agency")["id"]
    res = _upload(api, "reporter.agency", rid, PNG, "x.exe")
    assert res.status_code == 201, res.get_json()
    row = res.get_json()
    assert row["filename"] == "x.png" and row["content_type"] == "image/png"
    download = api.get(row["url"].removeprefix("/api/v1"), "county.610113")
    assert download.status_code == 200 and download.data == PNG
    assert download.headers["Content-Type"] == "image/png"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "x.png" in disposition and ".exe" not in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()
    page = signed_in(app, "county.610113").get(f"/reports/{rid}/attachments/{row['id']}")
    assert page.headers["Content-Type"] == "image/png"
    assert page.headers["Content-Disposition"].startswith("attachment") and "x.png" in page.headers["Content-Disposition"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    page.close()


@pytest.mark.parametrize(("data", "name", "stored"), [
    (PDF, "scan.html", "scan.pdf"), (PDF, "报告.PDF", "报告.PDF"), (PNG, "photo.jpeg", "photo.png"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 16, "IMG_1.JPEG", "IMG_1.JPEG"), (PNG, "noext", "noext.png"),
    (PNG, "evil.svg", "evil.png"), (PNG, ".htaccess", ".htaccess.png"),
])
def test_stored_name_carries_the_sniffed_extension(api, data, name, stored):
    rid = api.submit("reporter.agency")["id"]
    res = _upload(api, "reporter.agency", rid, data, name)
    assert res.status_code == 201 and res.get_json()["filename"] == stored


def test_only_the_reporter_and_officers_on_the_chain_may_attach(api):
    rid = api.submit("reporter.unit")["id"]
    for user in ("director.unit", "manager.unit", "admin", "owner"):
        res = _upload(api, user, rid, PNG, "a.png")
        assert res.status_code == 403, (user, res.get_json())
    for user in ("county.610112", "reporter.agency"):
        assert _upload(api, user, rid, PNG, "a.png").status_code == 403, user
    assert _upload(api, "reporter.unit", rid, PNG, "mine.png").status_code == 201
    assert _upload(api, "county.610113", rid, PNG, "county.png").status_code == 201
    assert _upload(api, "city.610100", rid, PNG, "city.png").status_code == 201


def test_director_cannot_attach_from_the_page_either(app, api):
    rid = api.submit("reporter.unit")["id"]
    director = signed_in(app, "director.unit")
    res = director.post(f"/reports/{rid}/attachments", content_type="multipart/form-data",
                        data={"attachments": [(io.BytesIO(PNG), "a.png")],
                              "csrf_token": token(director, f"/reports/{rid}")})
    assert res.status_code == 403


def test_ten_file_cap_stays(api):
    rid = api.submit("reporter.agency")["id"]
    for n in range(10):
        assert _upload(api, "reporter.agency", rid, PNG, f"{n}.png").status_code == 201
    res = _upload(api, "reporter.agency", rid, PNG, "11.png")
    assert res.status_code == 422 and "最多 10 个" in res.get_json()["error"]["message"]
