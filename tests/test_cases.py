"""The typical case library: the province marks closed reports, supervisors search and read."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from services import cases
from services.errors import Conflict, Forbidden
from storage.models import MonitoringPoint, Report, ReportStatus, User

from stats_data import generate_reports
from test_stats_api import sign_in


def _user(session, username) -> User:
    return session.scalar(select(User).where(User.username == username))


@pytest.fixture
def closed(env):
    """A few generated reports; returns (closed elevator report, closed boiler report, an open report)."""
    rows = generate_reports(env.session, n=300, seed=3)
    elevator = next(r for r in rows if r["status"] == ReportStatus.CLOSED and r["equipment_category_code"] == "3000")
    boiler = next(r for r in rows if r["status"] == ReportStatus.CLOSED and r["equipment_category_code"] == "1000"
                  and r["kind"] != elevator["kind"])
    still_open = next(r for r in rows if r["status"] == ReportStatus.PROCESSING)
    report = env.session.get(Report, elevator["id"])
    point = env.session.get(MonitoringPoint, report.monitoring_point_id)
    report.content = (f"{point.name}的电梯门锁回路被短接，联系人张经理，电话13812345678，"
                      "统一社会信用代码91610113MA6W123456，维保单位为西安某某电梯工程有限公司。")
    env.session.commit()
    return elevator, boiler, still_open


def test_anonymised_draft_and_marking(env, closed):
    elevator, boiler, still_open = closed
    province = _user(env.session, "province")
    draft = cases.draft_for(env, province, elevator["id"])
    assert "13812345678" not in draft.write_up and "91610113MA6W123456" not in draft.write_up
    assert "张经理" not in draft.write_up and "联系人（已隐去）" in draft.write_up
    assert "西安某某电梯工程有限公司" not in draft.write_up and "某公司" in draft.write_up
    point_name = env.session.get(MonitoringPoint, env.session.get(Report, elevator["id"]).monitoring_point_id).name
    assert point_name not in draft.write_up
    case = cases.mark_typical(env, province, elevator["id"], cases.CaseInput(draft.title, draft.write_up, True))
    assert case.equipment_category_code == "3000" and case.kind == elevator["kind"]
    with pytest.raises(Conflict):
        cases.mark_typical(env, province, elevator["id"], cases.CaseInput("再次", "再次", True))
    with pytest.raises(Conflict):
        cases.mark_typical(env, province, still_open["id"], cases.CaseInput("未办结", "未办结", True))
    with pytest.raises(Forbidden):
        cases.mark_typical(env, _user(env.session, "city.610100"), boiler["id"], cases.CaseInput("市局", "市局"))


def test_search_by_equipment_and_kind_and_publication(env, closed):
    elevator, boiler, _ = closed
    province = _user(env.session, "province")
    lift = cases.mark_typical(env, province, elevator["id"], cases.CaseInput("电梯门锁短接案例", "电梯案例内容", True))
    cases.mark_typical(env, province, boiler["id"], cases.CaseInput("锅炉案例（草稿）", "锅炉案例内容", False))
    city = _user(env.session, "city.610100")
    assert [c.id for c in cases.search_cases(env, city, equipment="3000")[0]] == [lift.id]
    assert [c.id for c in cases.search_cases(env, city, equipment=elevator["equipment_type_code"])[0]] == [lift.id]
    assert cases.search_cases(env, city, equipment="1000")[1] == 0          # the draft stays with the province
    assert cases.search_cases(env, province, equipment="1000")[1] == 1
    assert [c.id for c in cases.search_cases(env, city, kind=elevator["kind"].value)[0]] == [lift.id]
    assert cases.search_cases(env, city, q="门锁")[1] == 1
    assert cases.get_case(env, _user(env.session, "county.610112"), lift.id).title == "电梯门锁短接案例"
    with pytest.raises(Forbidden):
        cases.search_cases(env, _user(env.session, "reporter.agency"))


def test_case_pages_and_api(client, api, app):
    from web.extensions import db

    with app.app_context():
        rows = generate_reports(db.session, n=100, seed=5)
        db.session.remove()
    report = next(r for r in rows if r["status"] == ReportStatus.CLOSED)
    sign_in(client, "province")
    form = client.get(f"/cases/new?report_id={report['id']}").get_data(as_text=True)
    assert '<label for="case_title">案例标题</label>' in form and '<label for="case_write_up">' in form
    token = re.search(r'name="csrf-token" content="([^"]+)"', form).group(1)
    res = client.post("/cases/new", data={"csrf_token": token, "report_id": report["id"], "title": "典型案例一",
                                          "write_up": "【基本情况】匿名化内容", "published": "1"})
    assert res.status_code == 302
    case_url = res.headers["Location"]
    assert "典型案例一" in client.get("/cases").get_data(as_text=True)
    res = client.post(case_url + "/edit", data={"csrf_token": token, "title": "典型案例一（修订）",
                                                "write_up": "修订后的内容", "published": "1"})
    assert res.status_code == 302
    client.post("/logout", data={"csrf_token": token})
    sign_in(client, "county.610113")
    assert "修订后的内容" in client.get(case_url).get_data(as_text=True)
    assert client.get(f"/cases/new?report_id={report['id']}").status_code == 403
    listing = api.get("/cases?q=修订", "city.610100").get_json()
    assert listing["total"] == 1 and listing["items"][0]["title"] == "典型案例一（修订）"
    assert api.get("/cases", "reporter.agency").status_code == 403
