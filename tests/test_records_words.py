"""Measures and opinions come from the diagram too (records=measures / records=opinion), and a 会签 keeps one
quality score per expert (issue 13 leftovers)."""
from __future__ import annotations

import shutil
import subprocess
from io import BytesIO

import pytest
from openpyxl import load_workbook
from owner_diagrams import replace_once, seed_xml, upload_and_publish
from pages_helpers import signed_in
from sqlalchemy import select

from services import cases, quality, stats
from services.demo import create_user
from storage.models import Notification, Report, ReportQualityScore, User
from web import env as make_env
from web.extensions import db

COUNTY = "county.610113"
CITY = "city.610100"
MEASURES_TEXT = "更换层门门锁并复查回路"
OPINION_TEXT = "市局研判：隐患已消除，同意办结"


def renamed() -> str:
    """The owner's version: the county's measures field is `cuoshi`, the city's opinion field `yanpan`."""
    xml = replace_once(seed_xml(), '<camunda:formField id="measures" label="处置措施" type="string">',
                       '<camunda:formField id="cuoshi" label="县级处置措施" type="string">')
    return replace_once(xml, '<camunda:formField id="assessment_opinion" label="研判意见" type="string">',
                        '<camunda:formField id="yanpan" label="市级研判意见" type="string">')


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return "".join(out.split())


def report_section(flat: str) -> str:
    """Section 一 of the 处置单 (the report itself), not the per-step opinions below it."""
    return flat[flat.index("一、报送信息"):flat.index("二、各级办理意见")]


needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")


@needs_poppler
def test_renamed_measures_field_reaches_detail_outcome_feedback_and_sheet(api, app, tmp_path):
    upload_and_publish(api, renamed())
    rid = api.submit()["id"]
    task = api.task(COUNTY, rid, "county_disposal")
    assert {f["id"]: f.get("records") for f in task["form"]["fields"]}["cuoshi"] == "measures"
    api.complete(COUNTY, rid, "county_disposal", {"decision": "resolve", "cuoshi": MEASURES_TEXT,
                                                  "risk_level": "general", "quality_score": 4})
    detail = api.get(f"/reports/{rid}", "province").get_json()
    assert detail["status"] == "closed"
    assert detail["measures"] == MEASURES_TEXT and detail["opinion"] is None
    assert detail["outcome"] == MEASURES_TEXT  # closing takes the recorded words, whatever the field's id
    mine = signed_in(app, "reporter.agency").get(f"/reports/{rid}").get_data(as_text=True)
    assert f"处置完毕：{MEASURES_TEXT}" in mine
    page = signed_in(app, COUNTY).get(f"/reports/{rid}").get_data(as_text=True)
    words = page[page.index('id="latest-words"'):]
    assert MEASURES_TEXT in words[:words.index("</dl>")]
    sheet = api.get(f"/reports/{rid}/sheet.pdf", "province")
    assert sheet.status_code == 200
    assert MEASURES_TEXT in report_section(pdf_text(sheet.data, tmp_path))
    export = load_workbook(BytesIO(api.get("/reports?format=xlsx", "province").data)).active
    rows = [list(r) for r in export.iter_rows(values_only=True)]
    header = next(r for r in rows if "处置结果" in r)
    row = next(r for r in rows if r[0] == detail["tracking_no"])
    assert row[header.index("处置结果")] == MEASURES_TEXT
    with app.app_context():
        province = db.session.scalar(select(User).where(User.username == "province"))
        draft = cases.draft_for(make_env(), province, rid)
        assert f"【处置结果】\n{MEASURES_TEXT}" in draft.write_up


@needs_poppler
def test_renamed_opinion_field_is_the_latest_tiers_words(api, app, tmp_path):
    upload_and_publish(api, renamed())
    rid = api.submit()["id"]
    api.complete(COUNTY, rid, "county_disposal", {"decision": "escalate", "cuoshi": "县级现场核查",
                                                  "risk_level": "major", "quality_score": 5})
    assert api.get(f"/reports/{rid}", CITY).get_json()["measures"] == "县级现场核查"
    api.complete(CITY, rid, "city_assessment", {"decision": "resolve", "yanpan": OPINION_TEXT,
                                                "risk_level": "general", "quality_score": 4})
    detail = api.get(f"/reports/{rid}", "province").get_json()
    assert detail["status"] == "closed" and detail["outcome"] == OPINION_TEXT
    assert detail["opinion"] == OPINION_TEXT and detail["measures"] is None  # the city's form replaced both
    page = signed_in(app, CITY).get(f"/reports/{rid}").get_data(as_text=True)
    assert "办理意见（最近一级）" in page and OPINION_TEXT in page
    flat = pdf_text(api.get(f"/reports/{rid}/sheet.pdf", "province").data, tmp_path)
    assert OPINION_TEXT in report_section(flat) and "办理意见（最近一级）" in report_section(flat)


def test_a_return_to_the_reporter_gives_the_recorded_measures_as_reason(api, app):
    upload_and_publish(api, renamed())
    rid = api.submit()["id"]
    api.complete(COUNTY, rid, "county_disposal", {"decision": "return_to_reporter", "cuoshi": "请补充铭牌照片",
                                                  "risk_level": "general", "quality_score": 3})
    events = api.get(f"/reports/{rid}", "reporter.agency").get_json()["timeline"]
    returned = [e for e in events if e["kind"] == "returned_to_reporter"]
    assert returned and returned[0]["data"]["reason"] == "请补充铭牌照片"


def test_the_shipped_diagram_records_its_handling_words(api):
    """Every tier's words field in the shipped diagram declares what it records (nothing keyed on ids)."""
    xml = seed_xml()
    for field, what in (("measures", "measures"), ("assessment_opinion", "opinion"),
                        ("verification_opinion", "opinion"), ("guidance", "measures")):
        start = xml.index(f'<camunda:formField id="{field}"')
        assert f'<camunda:property id="records" value="{what}" />' in xml[start:xml.index("</camunda:formField>", start)]


def test_each_expert_of_a_joint_assessment_keeps_their_own_score(api, app, env):
    with app.app_context():
        create_user(db.session, "center.b", "center.b", ["center_expert"], "610000", None)
        db.session.commit()
    rid = api.submit()["id"]
    api.complete(COUNTY, rid, "county_disposal", {"decision": "escalate", "measures": "现场核查",
                                                  "risk_level": "major", "quality_score": 5})
    api.complete(CITY, rid, "city_assessment", {"decision": "escalate", "assessment_opinion": "报省级",
                                                "risk_level": "major", "quality_score": 3})
    api.complete("center", rid, "center_select_panel", {"panel": "center.b"})
    center = {"risk_level": "major", "hazard_grade": "major", "assessment_summary": "重大隐患",
              "mitigation_measures": "专项排查"}
    api.complete("center.b", rid, "center_assessment", {**center, "quality_score": 2})
    api.complete("center", rid, "center_assessment", {**center, "quality_score": 5})
    rows = env.session.execute(select(ReportQualityScore.tier, ReportQualityScore.member, ReportQualityScore.score)
                               .where(ReportQualityScore.report_id == rid)).all()
    assert sorted(tuple(r) for r in rows) == [("center", "center", 5), ("center", "center.b", 2),
                                              ("city", "", 3), ("county", "", 5)]
    tier = quality.tier_scores().c
    tiers = dict(env.session.execute(select(tier.tier, tier.score).where(tier.report_id == rid)).all())
    assert {t: float(s) for t, s in tiers.items()} == {"county": 5.0, "city": 3.0, "center": 3.5}
    province = env.session.scalar(select(User).where(User.username == "province"))
    ranked = quality.reporter_rankings(env.session, stats.build_filter(env.session, province), province, min_scored=1)
    reporter = env.session.scalar(select(User).where(User.username == "reporter.agency"))
    mine = [r for r in ranked if r["reporter_id"] == reporter.id]
    # the panel counts as one tier (weight 1.5) with the experts' average: (5×1.0 + 3×1.2 + 3.5×1.5) / 3.7
    assert mine and mine[0]["scored"] == 1 and mine[0]["average"] == round((5 + 3.6 + 5.25) / 3.7, 2)
    assert env.session.get(Report, rid).quality_score == 5  # the display keeps the latest score given
    assert "会签" in quality.RANKING_RULE and "平均分作为省中心评分" in quality.RANKING_RULE


def test_renamed_province_guidance_is_what_the_locality_is_sent(api, app, env):
    xml = replace_once(seed_xml(), '<camunda:formField id="guidance" label="措施意见与指导意见" type="string">',
                       '<camunda:formField id="zhidao" label="措施意见与指导意见" type="string">')
    upload_and_publish(api, xml)
    rid = api.submit()["id"]
    api.complete(COUNTY, rid, "county_disposal", {"decision": "escalate", "measures": "现场核查",
                                                  "risk_level": "major", "quality_score": 5})
    api.complete(CITY, rid, "city_assessment", {"decision": "escalate", "assessment_opinion": "报省级",
                                                "risk_level": "major", "quality_score": 4})
    api.complete("center", rid, "center_select_panel", {"panel": ""})
    api.complete("center", rid, "center_assessment", {"risk_level": "major", "hazard_grade": "major",
                                                      "assessment_summary": "重大隐患", "mitigation_measures": "专项排查",
                                                      "quality_score": 5})
    api.complete("center", rid, "center_consolidation", {"decision": "to_province", "consolidated_opinion": "同意"})
    api.complete("province", rid, "province_decision", {"decision": "guide", "zhidao": "限期三日内完成门锁整改"})
    county = env.session.scalar(select(User).where(User.username == COUNTY))
    bodies = env.session.scalars(select(Notification.body).where(Notification.user_id == county.id,
                                                                 Notification.kind == "guidance")).all()
    assert bodies and "限期三日内完成门锁整改" in bodies[-1]
    assert api.get(f"/reports/{rid}", "province").get_json()["measures"] == "限期三日内完成门锁整改"


def test_a_diagram_recording_no_words_is_warned_about_at_publish():
    from services.publish_checks import dependency_findings

    assert not [m for _, m in dependency_findings(renamed()) if "records=" in m["message"]]
    stripped = seed_xml().replace('<camunda:property id="records" value="opinion" />', "")
    warnings = [m["message"] for severe, m in dependency_findings(stripped) if not severe]
    assert any("records=opinion" in w and "办理意见" in w for w in warnings)
    assert not any("records=measures" in w for w in warnings)
