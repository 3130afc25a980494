"""The report page: every decision on the timeline in its own step's words, and who read the report —
for officers of the chain and admins only (issue 13: timeline labels, ReportView shown)."""
from __future__ import annotations

import re
from datetime import timedelta

from escalation_path import ESCALATION_PATH
from pages_helpers import signed_in
from sqlalchemy import select

from storage.models import ReportView, User, utcnow
from web.extensions import db



def decisions_on_page(html: str) -> list[str]:
    """The value shown under each 处置结论/研判结论/… heading on the timeline, in order."""
    timeline = html[html.index('class="timeline"'):]
    timeline = timeline[:timeline.index("</ol>")]
    return re.findall(r"<dt>(?:处置|研判|汇总|研究|核查|复核)结论</dt><dd>([^<]*)</dd>", timeline)


def test_each_decision_shows_its_own_steps_label(api, app):
    rid = api.submit()["id"]
    for user, element, data in ESCALATION_PATH:
        api.complete(user, rid, element, data)
    html = signed_in(app, "province").get(f"/reports/{rid}").get_data(as_text=True)
    shown = decisions_on_page(html)
    assert shown == ["上报市级", "上报省级", "报省局研究", "提出措施意见并指导属地", "核查属实，报省局复核", "同意销号"]
    assert "<dd>close</dd>" not in html and "<dd>escalate</dd>" not in html
    # the city's escalation is 上报省级, never the county's words
    assert shown.count("上报市级") == 1


def test_officers_and_admins_see_who_read_the_report(api, app):
    rid = api.submit()["id"]
    api.get(f"/reports/{rid}", "reporter.agency")  # the reporter's own read, through the API
    signed_in(app, "county.610113").get(f"/reports/{rid}")
    html = signed_in(app, "city.610100").get(f"/reports/{rid}").get_data(as_text=True)
    reads = html[html.index('id="report-reads"'):]
    reads = reads[:reads.index("</section>")]
    assert "查阅记录" in reads and "雁塔区局监管员" in reads and "雁塔区局信息报送员" in reads
    assert "<td>县级监管人员</td>" in reads and "<td>信息报送员</td>" in reads
    assert "接口（小程序）" in reads and "网页" in reads
    rows = re.findall(r"<tr><td>([^<]*)</td>", reads)
    assert rows[0] == "西安市局监管员"  # the newest read first: this very page view
    admin = signed_in(app, "admin").get(f"/reports/{rid}").get_data(as_text=True)
    assert 'id="report-reads"' in admin


def test_the_unit_side_and_the_owner_never_see_the_reads(api, app):
    rid = api.submit("reporter.unit")["id"]
    signed_in(app, "county.610113").get(f"/reports/{rid}")
    for username in ("reporter.unit", "director.unit", "manager.unit"):
        res = signed_in(app, username).get(f"/reports/{rid}")
        if res.status_code == 200:
            html = res.get_data(as_text=True)
            assert 'id="report-reads"' not in html and "查阅记录" not in html
            assert "雁塔区局监管员" not in html
    assert signed_in(app, "reporter.unit").get(f"/reports/{rid}").status_code == 200
    assert signed_in(app, "director.unit").get(f"/reports/{rid}").status_code == 200


def test_the_read_log_pages_by_fifty(api, app):
    rid = api.submit()["id"]
    with app.app_context():
        county = db.session.scalar(select(User.id).where(User.username == "county.610113"))
        start = utcnow() - timedelta(days=1)
        db.session.add_all(ReportView(report_id=rid, user_id=county, channel="web",
                                      viewed_at=start + timedelta(minutes=i)) for i in range(60))
        db.session.commit()
    client = signed_in(app, "admin")
    first = client.get(f"/reports/{rid}").get_data(as_text=True)
    assert "共 61 次查阅" in first and "第 1 / 2 页" in first
    assert first[first.index('id="report-reads"'):].count("<tr><td>") == 50
    second = client.get(f"/reports/{rid}?reads_page=2").get_data(as_text=True)
    assert second[second.index('id="report-reads"'):].count("<tr><td>") == 12  # 62 reads now, 12 on page 2
    for bad in ("abc", "-5", "99999999999999999999"):
        res = client.get(f"/reports/{rid}?reads_page={bad}")
        assert res.status_code == 200 and 'id="report-reads"' in res.get_data(as_text=True)
