"""Periodic reports go out only after review: draft → centre expert review (approve / return with comment) →
签发 by a province officer; who may do what, a wrong state is a 409, every step is audited, only 签发 reports
reach other readers, and the DOCX charts are real images."""
from __future__ import annotations

import zipfile
from io import BytesIO

import pytest
from docx import Document
from sqlalchemy import select

from services import periodic_reports
from services.demo import create_user
from services.periodic_documents import DRAFT_MARK, ISSUER
from storage.models import InstanceEvent, User
from web.extensions import db

from stats_data import generate_reports, generate_tasks

STEM = "risk_report_monthly_2026-11"


def _draft(api, user="province", period="2026-11"):
    return api.post("/periodic-reports", user, json={"kind": "monthly", "period": period})


def _review(api, rid, user, decision, comment=None):
    body = {"decision": decision} | ({"comment": comment} if comment is not None else {})
    return api.post(f"/periodic-reports/{rid}/review", user, json=body)


def _text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(BytesIO(data)).paragraphs)


def _images(data: bytes) -> list[str]:
    with zipfile.ZipFile(BytesIO(data)) as parts:
        return [n for n in parts.namelist() if n.startswith("word/media/") and n.endswith(".png")]


def test_draft_review_return_redraft_approve_issue(api, env):
    res = _draft(api)
    assert res.status_code == 201, res.get_json()
    report = res.get_json()
    rid = report["id"]
    assert report["state"] == "draft" and report["draft_number"] == 1
    assert report["files"] == [f"{STEM}.draft.docx", f"{STEM}.xlsx"]
    assert api.post(f"/periodic-reports/{rid}/issue", "province").status_code == 409  # not reviewed yet
    assert _review(api, rid, "center", "return").status_code == 422  # a return needs a comment
    returned = _review(api, rid, "center", "return", "请补充重大风险的整改情况")
    assert returned.status_code == 200 and returned.get_json()["state"] == "returned"
    assert returned.get_json()["review_comment"] == "请补充重大风险的整改情况"
    assert _review(api, rid, "center", "approve").status_code == 409  # returned: a new draft is due first
    assert api.post(f"/periodic-reports/{rid}/issue", "province").status_code == 409
    again = _draft(api)
    assert again.status_code == 201 and again.get_json()["id"] == rid and again.get_json()["draft_number"] == 2
    assert _review(api, rid, "center", "approve", "同意").get_json()["state"] == "approved"
    assert _review(api, rid, "center", "approve").status_code == 409  # already reviewed
    assert _draft(api).status_code == 409  # an approved report is not regenerated
    assert api.post(f"/periodic-reports/{rid}/issue", "center").status_code == 403  # only a province officer signs
    issued = api.post(f"/periodic-reports/{rid}/issue", "province")
    assert issued.status_code == 200 and issued.get_json()["state"] == "issued"
    assert api.post(f"/periodic-reports/{rid}/issue", "province").status_code == 409
    assert _draft(api).status_code == 409
    kinds = [e.kind for e in env.session.scalars(select(InstanceEvent).where(
        InstanceEvent.kind.like("periodic_report_%")).order_by(InstanceEvent.id))]
    assert kinds == ["periodic_report_drafted", "periodic_report_returned", "periodic_report_drafted",
                     "periodic_report_approved", "periodic_report_issued"]
    returned_event = env.session.scalar(select(InstanceEvent).where(InstanceEvent.kind == "periodic_report_returned"))
    assert returned_event.actor_id is not None and returned_event.data["comment"] == "请补充重大风险的整改情况"


def test_only_issued_reports_reach_other_readers(api, env):
    rid = _draft(api).get_json()["id"]
    for name in (f"{STEM}.draft.docx", f"{STEM}.docx", f"{STEM}.xlsx"):
        assert api.get(f"/periodic-reports/files/{name}", "city.610100").status_code == 404, name
    assert api.get("/periodic-reports", "city.610100").get_json()["items"] == []
    assert api.get(f"/periodic-reports/files/{STEM}.docx", "province").status_code == 404  # not out yet, for anyone
    draft = api.get(f"/periodic-reports/files/{STEM}.draft.docx", "center")
    assert draft.status_code == 200 and DRAFT_MARK in _text(draft.data) and ISSUER + "\n" not in _text(draft.data)[:60]
    _review(api, rid, "center", "approve")
    assert api.get(f"/periodic-reports/files/{STEM}.docx", "city.610100").status_code == 404
    api.post(f"/periodic-reports/{rid}/issue", "province")
    listed = api.get("/periodic-reports", "city.610100").get_json()["items"]
    assert [(i["id"], i["state"], i["files"]) for i in listed] == [(rid, "issued", [f"{STEM}.docx", f"{STEM}.xlsx"])]
    final = api.get(f"/periodic-reports/files/{STEM}.docx", "county.610113")
    assert final.status_code == 200
    text = _text(final.data)
    province = env.session.scalar(select(User.display_name).where(User.username == "province"))
    assert text.startswith(ISSUER) and f"签发人：{province}" in text and DRAFT_MARK not in text
    assert "（签发日期）" not in text and "年" in text.splitlines()[-3]
    assert api.get(f"/periodic-reports/files/{STEM}.draft.docx", "county.610113").status_code == 404
    assert api.get("/periodic-reports/files/..%2F..%2Friskmon.db", "province").status_code == 404
    assert api.get("/periodic-reports", "reporter.agency").status_code == 403


def test_who_may_draft_review_and_issue(api, app):
    for user in ("city.610100", "county.610113", "reporter.agency", "director.unit"):
        assert _draft(api, user).status_code == 403, user
    rid = _draft(api).get_json()["id"]
    for user in ("province", "city.610100", "admin"):
        assert _review(api, rid, user, "approve").status_code == 403, user
    assert _review(api, rid, "center", "maybe").status_code == 422
    assert _review(api, rid, "center", "return", "长" * 2001).status_code == 422
    assert _review(api, rid, "center", "approve", ["x"]).status_code == 422
    assert _review(api, 999999, "center", "approve").status_code == 404
    assert api.post("/periodic-reports/999999/issue", "province").status_code == 404
    assert _draft(api, period="2026-13").status_code == 422
    assert api.post("/periodic-reports", "province", json={"kind": "weekly", "period": "2026-01"}).status_code == 422
    # four eyes: the expert who drafted may not review their own draft; another expert may
    with app.app_context():
        create_user(db.session, "center.b", "专家乙", ["center_expert"], "610000", None)
        db.session.commit()
    own = _draft(api, "center", "2026-10").get_json()["id"]
    assert _review(api, own, "center", "approve").status_code == 403
    assert _review(api, own, "center.b", "approve").status_code == 200


def test_the_pages_run_the_same_review(api, app, client):
    from pages_helpers import signed_in, token

    province = signed_in(app, "province")
    res = province.post("/stats/reports", data={"csrf_token": token(province, "/stats/reports"), "kind": "monthly",
                                                "period": "2026-11"})
    assert res.status_code == 302
    center = signed_in(app, "center")
    page = center.get("/stats/reports").get_data(as_text=True)
    assert "待审核" in page and "审核通过" in page and f"{STEM}.draft.docx" in page
    rid = api.get("/periodic-reports", "center").get_json()["items"][0]["id"]
    csrf = token(center, "/stats/reports")
    center.post(f"/stats/reports/{rid}/review", data={"csrf_token": csrf, "decision": "return", "comment": ""})
    assert "退回修改时请填写审核意见" in center.get("/stats/reports").get_data(as_text=True)
    center.post(f"/stats/reports/{rid}/review", data={"csrf_token": csrf, "decision": "approve", "comment": "同意"})
    assert province.post(f"/stats/reports/{rid}/issue", data={"csrf_token": token(province, "/stats/reports")}
                         ).status_code == 302
    city = signed_in(app, "city.610100")
    page = city.get("/stats/reports").get_data(as_text=True)
    assert "已签发" in page and f"{STEM}.docx" in page and "draft" not in page
    assert city.get(f"/stats/reports/{STEM}.docx").status_code == 200
    assert city.post(f"/stats/reports/{rid}/issue", data={"csrf_token": token(city, "/stats/reports")}
                     ).status_code == 403


@pytest.fixture
def reports(env):
    rows = generate_reports(env.session, n=300)
    generate_tasks(env.session, rows)
    return rows


def test_the_docx_charts_are_images_not_character_bars(env, reports, tmp_path):
    docx_path, _ = periodic_reports.generate(env, "quarterly", "2026-Q4", tmp_path)
    for path in (docx_path, periodic_reports.draft_path(docx_path)):
        data = path.read_bytes()
        images = _images(data)
        assert len(images) >= 3, images  # equipment categories, handling time, monthly trend
        with zipfile.ZipFile(BytesIO(data)) as parts:
            assert all(parts.read(name).startswith(b"\x89PNG") for name in images)
        doc = Document(str(path))
        assert len(doc.inline_shapes) == len(images)
        assert "■" not in "".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
        assert any(p.text.startswith("图3") for p in doc.paragraphs)


def test_periods_outside_the_calendar_are_a_422_not_a_500(api):
    """Year 0000 or 9999's last month has no date the statistics can compute over (date(0, 1, 1) and
    date(10000, 1, 1) raise); such a period is refused like a malformed one."""
    for kind, period in (("annual", "0000"), ("monthly", "0000-01"), ("monthly", "9999-12"),
                         ("quarterly", "9999-Q4"), ("annual", "1899"), ("annual", "99999")):
        res = api.post("/periodic-reports", "province", json={"kind": kind, "period": period})
        assert res.status_code == 422, (kind, period, res.get_json())
        assert "周期" in res.get_json()["error"]["message"]
    assert api.get("/periodic-reports", "province").get_json()["items"] == []


def test_report_titles_name_the_kind_once(api):
    res = api.post("/periodic-reports", "province", json={"kind": "annual", "period": "2026"})
    assert res.status_code == 201, res.get_json()
    assert res.get_json()["title"] == "2026年度风险评估报告"
    monthly = _draft(api).get_json()
    assert monthly["title"] == "2026年11月月度风险评估报告"


def test_typed_text_with_control_characters_and_markup_reaches_the_docx_intact(env, tmp_path):
    """A major risk's title and a published case come from what people typed: control characters that XML
    cannot hold are dropped instead of failing the draft (and the scheduler's monthly job), markup stays text."""
    from services.periodic_documents import write_docx

    data = periodic_reports.collect(env.session, periodic_reports.parse_period("monthly", "2026-11"))
    data["major_risks"] = [{"tracking_no": "SX-1", "equipment": "电梯", "division": "雁塔区", "hazard_grade": "一般",
                            "status": "已办结", "title": "门锁\x0b短接<w:p>&amp;</w:p>\x01"}]
    data["cases"] = [{"title": "案例\x0c标题<script>", "write_up": "经过\x1f说明</w:t>"}]
    path = tmp_path / "r.docx"
    write_docx(data, path)
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "门锁短接<w:p>&amp;</w:p>" in text and "案例标题<script>" in text and "经过说明</w:t>" in text


def test_a_signer_name_with_a_control_character_still_signs(tmp_path):
    """Accounts made before names were checked may hold one: 签发 drops it instead of failing with a 500."""
    from datetime import date

    from services.periodic_documents import SIGNER_PLACEHOLDER, sign_docx

    doc = Document()
    doc.add_paragraph(SIGNER_PLACEHOLDER)
    path = tmp_path / "r.docx"
    doc.save(str(path))
    sign_docx(path, "省局\x0b签发人", date(2026, 12, 7))
    assert "签发人：省局签发人" in _text(path.read_bytes())


def test_markup_in_a_review_comment_and_a_reviewer_name_is_shown_as_text(api, app):
    from pages_helpers import signed_in

    with app.app_context():
        create_user(db.session, "center.html", "<img src=x onerror=alert(1)>", ["center_expert"], "610000", None)
        db.session.commit()
    rid = _draft(api).get_json()["id"]
    res = _review(api, rid, "center.html", "return", "<script>alert('退回')</script>")
    assert res.status_code == 200, res.get_json()
    page = signed_in(app, "province").get("/stats/reports").get_data(as_text=True)
    assert "<script>alert(" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
