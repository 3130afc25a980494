"""Phone photos: HEIC/HEIF made by pillow-heif itself arrives as JPEG; broken or oversized HEIC is refused."""
from __future__ import annotations

import io

import pillow_heif
from PIL import Image
from sqlalchemy import select

from services import image_conversion
from storage.models import Attachment
from web.extensions import db

from pages_helpers import signed_in
from test_pages_submit_attachments import submit


def heic_photo(width: int = 48, height: int = 32) -> bytes:
    """A real small HEIC image: a red left half and a blue right half."""
    image = Image.new("RGB", (width, height), (220, 20, 20))
    image.paste((20, 20, 220), (width // 2, 0, width, height))
    heif = pillow_heif.from_pillow(image)
    out = io.BytesIO()
    heif.save(out, quality=90)
    return out.getvalue()


def _upload(api, report_id, data, name, user="reporter.agency"):
    return api.post(f"/reports/{report_id}/attachments", user, data={"file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")


def test_a_heic_photo_is_stored_and_served_as_jpeg(api):
    photo = heic_photo()
    assert image_conversion.is_heif(photo) and photo[4:12] == b"ftypheic"
    report = api.submit()
    res = _upload(api, report["id"], photo, "IMG_0001.HEIC")
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    assert body["content_type"] == "image/jpeg" and body["filename"] == "IMG_0001.jpg"
    served = api.get(body["url"][len("/api/v1"):], "reporter.agency")
    data = served.data
    served.close()  # send_file's file handle
    assert served.status_code == 200 and data.startswith(b"\xff\xd8\xff")
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.size == (48, 32)
    left, right = image.getpixel((5, 16)), image.getpixel((43, 16))
    assert left[0] > 150 and left[2] < 100 and right[2] > 150 and right[0] < 100  # the picture survived


def test_a_broken_heic_is_refused_in_chinese(api):
    report = api.submit()
    broken = heic_photo()[:40] + b"\x00" * 200
    res = _upload(api, report["id"], broken, "IMG_0002.HEIC")
    assert res.status_code == 422
    assert "HEIC 格式但无法读取" in res.get_json()["error"]["message"]
    assert _upload(api, report["id"], b"\x00\x00\x00\x18ftypheic" + b"\x00" * 12, "x.heic").status_code == 422


def test_a_heic_declaring_too_many_pixels_is_refused_before_decoding(api, monkeypatch):
    monkeypatch.setattr(image_conversion, "MAX_PIXELS", 1000)
    report = api.submit()
    res = _upload(api, report["id"], heic_photo(), "big.heic")
    assert res.status_code == 422 and "分辨率过高" in res.get_json()["error"]["message"]


def test_the_submit_page_converts_heic_too(small_app):
    client = signed_in(small_app, "reporter.unit")
    res = submit(client, (heic_photo(), "现场.heic"))
    assert res.status_code == 302
    with small_app.app_context():
        row = db.session.scalars(select(Attachment).order_by(Attachment.id.desc())).first()
        assert (row.content_type, row.filename) == ("image/jpeg", "现场.jpg")
        db.session.remove()
