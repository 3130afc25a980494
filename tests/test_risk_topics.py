"""Risk topics: merging near-identical reports, unique membership, timelines, pages, report-page hooks."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services import risk_topics
from services.errors import Conflict, Forbidden, Invalid
from services.similarity import similar_reports
from storage.models import STATUS_LABELS, InstanceEvent, ReportStatus, RiskTopicMember, User
from web.extensions import db

from pages_helpers import signed_in, token

DOOR_LOCK = "雁塔区某小区3号楼电梯层门门锁回路被维保人员用短接线短接，轿厢在层门未关闭时仍能启动，已责令停用。"
DOOR_LOCK_AGAIN = "雁塔区某小区3号楼的电梯层门门锁回路被维保人员短接线短接，层门未关闭时轿厢仍然能够启动，已责令停梯。"
BOILER = "某热力公司燃煤锅炉水位计玻璃板破损未更换，低水位联锁保护装置被解除，司炉人员无证上岗。"
TOPIC = "雁塔区层门门锁回路短接"


@pytest.fixture
def reports(api):
    """Two near-identical elevator reports and an unrelated boiler report, submitted through the API."""
    first = api.submit(title="层门门锁回路短接", content=DOOR_LOCK)
    second = api.submit(title="层门门锁回路短接", content=DOOR_LOCK_AGAIN)
    other = api.submit(equipment_type_code="1100", title="锅炉水位计破损", content=BOILER)
    return first, second, other


@pytest.fixture
def ctx(reports, app):
    """The reports, then a service environment (opened after the API calls, which need no outer context)."""
    from web import env as make_env

    with app.app_context():
        yield reports, make_env()
        db.session.remove()


def _user(session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


def _messages(session, report_id: int) -> list[str]:
    stmt = select(InstanceEvent.message).where(InstanceEvent.report_id == report_id).order_by(InstanceEvent.id)
    return list(session.scalars(stmt))


def _post(client, path: str, data: dict, page: str = "/topics"):
    return client.post(path, data={**data, "csrf_token": token(client, page)})


def test_near_identical_reports_merge_into_one_topic_with_timeline_events(ctx):
    (first, second, other), env = ctx
    center = _user(env.session, "center")
    suggested = [i["id"] for i in similar_reports(env, center, second["id"])]
    assert suggested == [first["id"]]  # the boiler report is not offered
    topic = risk_topics.create_topic(env, center, second["id"], suggested, TOPIC, "同一维保单位")
    found, members = risk_topics.get_topic(env, center, topic.id)
    assert found.title == TOPIC and found.created_by_id == center.id and found.summary == "同一维保单位"
    assert sorted(r.id for _, r in members) == sorted([first["id"], second["id"]])
    for rid in (first["id"], second["id"]):
        assert f"省中心专家 将本报送信息并入专题《{TOPIC}》" in _messages(env.session, rid)
        assert risk_topics.topic_for_report(env, center, rid).id == topic.id
    assert not any("专题" in m for m in _messages(env.session, other["id"]))
    assert risk_topics.topic_for_report(env, center, other["id"]) is None
    rows, total = risk_topics.list_topics(env, _user(env.session, "province"))
    assert total == 1 and [(t.id, n) for t, n in rows] == [(topic.id, 2)]


def test_a_report_belongs_to_one_topic_only(ctx):
    (first, second, other), env = ctx
    center = _user(env.session, "center")
    topic = risk_topics.create_topic(env, center, second["id"], [first["id"]], TOPIC)
    with pytest.raises(Conflict, match=first["tracking_no"]):
        risk_topics.create_topic(env, center, other["id"], [first["id"]], "另一个专题")
    with pytest.raises(Conflict):
        risk_topics.add_members(env, center, topic.id, [first["id"]])
    assert len(env.session.scalars(select(RiskTopicMember)).all()) == 2  # the refused merge left nothing behind
    with pytest.raises(Invalid):
        risk_topics.create_topic(env, center, other["id"], [], "只有一条")
    with pytest.raises(Invalid):
        risk_topics.create_topic(env, center, other["id"], [first["id"]], "  ")
    # the database itself refuses a second membership
    env.session.add(RiskTopicMember(topic_id=topic.id, report_id=first["id"], added_by_id=center.id))
    with pytest.raises(IntegrityError):
        env.session.flush()
    env.session.rollback()
    # once taken out, the report may join another topic; both moves are on its timeline
    risk_topics.remove_member(env, center, topic.id, first["id"])
    again = risk_topics.create_topic(env, center, other["id"], [first["id"]], "另一个专题")
    assert risk_topics.topic_for_report(env, center, first["id"]).id == again.id
    messages = _messages(env.session, first["id"])
    assert f"省中心专家 将本报送信息移出专题《{TOPIC}》" in messages
    assert "省中心专家 将本报送信息并入专题《另一个专题》" in messages


def test_members_added_by_tracking_number(ctx):
    (first, second, other), env = ctx
    province = _user(env.session, "province")
    topic = risk_topics.create_topic(env, province, second["id"], [first["id"]], TOPIC)
    added = risk_topics.add_members_by_tracking_no(env, province, topic.id, f" {other['tracking_no'].lower()}，")
    assert [r.id for r in added] == [other["id"]]
    assert len(risk_topics.get_topic(env, province, topic.id)[1]) == 3
    with pytest.raises(Invalid, match="SX-2000-999999"):
        risk_topics.add_members_by_tracking_no(env, province, topic.id, "SX-2000-999999")


@pytest.mark.parametrize("username", ["county.610113", "city.610100", "reporter.agency"])
def test_only_center_province_and_admin_work_with_topics(ctx, username):
    (first, second, _), env = ctx
    person = _user(env.session, username)
    with pytest.raises(Forbidden):
        risk_topics.create_topic(env, person, second["id"], [first["id"]], TOPIC)
    with pytest.raises(Forbidden):
        risk_topics.list_topics(env, person)
    assert env.session.scalars(select(RiskTopicMember)).all() == []
    topic = risk_topics.create_topic(env, _user(env.session, "admin"), second["id"], [first["id"]], TOPIC)
    assert risk_topics.topic_for_report(env, person, first["id"]) is None  # not shown to them
    with pytest.raises(Forbidden):
        risk_topics.remove_member(env, person, topic.id, first["id"])


def test_pages_refuse_county_officers_and_reporters(app, reports):
    first, second, _ = reports
    for username in ("county.610113", "reporter.agency"):
        client = signed_in(app, username)
        res = client.post("/topics", data={"report_id": second["id"], "member_ids": first["id"], "title": TOPIC,
                                           "csrf_token": token(client, "/reports")})
        assert res.status_code == 403
        assert client.get("/topics").status_code == 403
    with app.app_context():
        assert db.session.scalars(select(RiskTopicMember)).all() == []


def test_center_merges_from_the_similar_panel_and_sees_the_topic_pages(app, api, reports):
    first, second, other = reports
    statuses = {api.get(f"/reports/{r['id']}", "center").get_json()["status"] for r in (first, second)}
    center = signed_in(app, "center")
    fragment = center.get(f"/cases/similar/{second['id']}").get_data(as_text=True)
    assert f'name="member_ids" value="{first["id"]}"' in fragment and ">并入专题</button>" in fragment
    assert '<label for="topic-title">专题名称</label>' in fragment
    res = _post(center, "/topics", {"report_id": second["id"], "member_ids": first["id"], "title": TOPIC})
    assert res.status_code == 302
    topic_url = res.headers["Location"]
    assert re.fullmatch(r"/topics/\d+", topic_url)
    listing = center.get("/topics").get_data(as_text=True)
    assert TOPIC in listing and f'href="{topic_url}"' in listing
    page = center.get(topic_url).get_data(as_text=True)
    assert first["tracking_no"] in page and second["tracking_no"] in page and other["tracking_no"] not in page
    assert all(f">{STATUS_LABELS[ReportStatus(s)]}</span>" in page for s in statuses)
    assert "未研判" in page  # no risk level assessed yet
    detail = center.get(f"/reports/{first['id']}").get_data(as_text=True)
    assert "所属专题" in detail and f"《{TOPIC}》" in detail
    # the panel now says so, and offers no second merge of the same reports
    fragment = center.get(f"/cases/similar/{second['id']}").get_data(as_text=True)
    assert f"已并入专题<a href=\"{topic_url}\">《{TOPIC}》</a>" in fragment and 'name="member_ids"' not in fragment
    # a city officer sees the similar reports but no merge form and no topic
    city = signed_in(app, "city.610100").get(f"/cases/similar/{second['id']}").get_data(as_text=True)
    assert first["tracking_no"] in city and "<form" not in city and TOPIC not in city
    assert "所属专题" not in signed_in(app, "reporter.agency").get(f"/reports/{first['id']}").get_data(as_text=True)


def test_removing_a_member_from_the_topic_page(app, reports):
    first, second, _ = reports
    center = signed_in(app, "center")
    topic_url = _post(center, "/topics", {"report_id": second["id"], "member_ids": first["id"],
                                          "title": TOPIC}).headers["Location"]
    res = _post(center, f"{topic_url}/members/{first['id']}/remove", {}, topic_url)
    assert res.status_code == 302
    page = center.get(topic_url).get_data(as_text=True)
    assert second["tracking_no"] in page and first["tracking_no"] not in page
    assert "所属专题" not in center.get(f"/reports/{first['id']}").get_data(as_text=True)


def test_closed_report_offers_the_case_link_to_the_province_only(app, api):
    report = api.submit()
    api.complete("county.610113", report["id"], "county_disposal",
                 {"decision": "resolve", "measures": "现场督促整改", "risk_level": "general", "quality_score": 4})
    open_report = api.submit(title="另一条电梯报送", content="电梯制动器异响，尚未处置。")
    link = f'href="/cases/new?report_id={report["id"]}"'
    for username in ("province", "center"):
        page = signed_in(app, username).get(f"/reports/{report['id']}").get_data(as_text=True)
        assert link in page and "列为典型案例" in page
    assert "列为典型案例" not in signed_in(app, "province").get(f"/reports/{open_report['id']}").get_data(as_text=True)
    for username in ("reporter.agency", "county.610113"):
        page = signed_in(app, username).get(f"/reports/{report['id']}").get_data(as_text=True)
        assert report["tracking_no"] in page and "列为典型案例" not in page and link not in page
    # the link leads to the existing case form for the province
    assert signed_in(app, "province").get(f"/cases/new?report_id={report['id']}").status_code == 200


def test_panel_offers_the_existing_topic_when_one_side_is_already_merged(app, api, reports):
    first, second, _ = reports
    third = api.submit(title="层门门锁回路短接", content=DOOR_LOCK + "再次报送。")
    center = signed_in(app, "center")
    topic_url = _post(center, "/topics", {"report_id": second["id"], "member_ids": first["id"],
                                          "title": TOPIC}).headers["Location"]
    # from the merged report: the unmerged similar one can be ticked into the same topic
    fragment = center.get(f"/cases/similar/{second['id']}").get_data(as_text=True)
    assert f'action="{topic_url}/members"' in fragment
    assert f'name="report_ids" value="{third["id"]}"' in fragment and ">并入本专题</button>" in fragment
    # from the unmerged report: one button joins it to the topic its duplicates are in
    fragment = center.get(f"/cases/similar/{third['id']}").get_data(as_text=True)
    assert f'action="{topic_url}/members"' in fragment and f"将本报送信息并入专题《{TOPIC}》" in fragment
    res = _post(center, f"{topic_url}/members", {"report_ids": third["id"]}, topic_url)
    assert res.status_code == 302 and res.headers["Location"] == topic_url
    assert third["tracking_no"] in center.get(topic_url).get_data(as_text=True)
    # merging it twice is refused with a message, not an error page
    res = _post(center, f"{topic_url}/members", {"report_ids": third["id"]}, topic_url)
    assert res.status_code == 302
    assert "已属于专题" in center.get(topic_url).get_data(as_text=True)
