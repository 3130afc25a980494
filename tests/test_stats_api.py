"""GET /api/v1/stats/summary as CONTRACT.md says, its errors, and the statistics pages."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storage.models import Division

from conftest import PASSWORD
from stats_data import expected_summary, generate_reports, generate_tasks, nonzero

CONTRACT_KEYS = {"total", "by_status", "by_tier", "by_kind", "by_domain", "by_equipment_category", "by_risk_level",
                 "on_time_rate", "overdue_rate"}


@pytest.fixture
def reports(app):
    """600 reports, inserted in an app context of their own (page requests need a fresh `g`)."""
    from web.extensions import db

    with app.app_context():
        rows = generate_reports(db.session, n=600, seed=11)
        generate_tasks(db.session, rows, every=3)
        db.session.remove()
    return rows


def sign_in(client, username: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    res = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert res.status_code == 302


def test_summary_answers_the_contract_shape(api, reports):
    res = api.get("/stats/summary", "province")
    assert res.status_code == 200
    body = res.get_json()
    assert CONTRACT_KEYS <= set(body)
    expected = expected_summary(reports)
    assert body["total"] == len(reports)
    for name in CONTRACT_KEYS - {"total", "on_time_rate", "overdue_rate"}:
        assert isinstance(body[name], dict)
        assert nonzero(body[name]) == dict(expected[name]), name
    assert body["overdue_rate"] == expected["overdue_rate"]
    assert body["on_time_rate"] == expected["on_time_rate"]


def test_summary_filters_and_city_scope(api, reports):
    body = api.get("/stats/summary?from=2026-06-01&to=2026-06-30&division=610300", "province").get_json()
    assert body["filters"] == {"from": "2026-06-01", "to": "2026-06-30", "division": "610300"}
    city = api.get("/stats/summary", "city.610100").get_json()
    assert city["total"] == sum(1 for r in reports if r["city_code"] == "610100")
    assert city["total"] < len(reports)


def test_summary_errors(api, reports, app):
    assert api.get("/stats/summary").status_code == 401
    res = api.get("/stats/summary", "reporter.agency")
    assert res.status_code == 403 and res.get_json()["error"]["code"] == "forbidden"
    assert api.get("/stats/summary?division=610300", "city.610100").status_code == 403
    assert api.get("/stats/summary?division=610112", "county.610113").status_code == 403
    assert api.get("/stats/summary?division=999999", "province").status_code == 422
    res = api.get("/stats/summary?from=yesterday", "province")
    assert res.status_code == 422 and "from" in res.get_json()["error"]["message"]


def test_other_stats_endpoints(api, reports):
    drill = api.get("/stats/divisions", "province").get_json()
    assert sum(i["total"] for i in drill["items"]) == len(reports)
    trend = api.get("/stats/trend", "province").get_json()["items"]
    assert sum(m["total"] for m in trend) == len(reports)
    time = api.get("/stats/handling-time", "province").get_json()
    assert sum(b["count"] for b in time["buckets"]) == time["closed"]
    offices = api.get("/stats/offices", "city.610100").get_json()["items"]
    assert offices and all(o["division_code"] != "610300" for o in offices)


def test_stats_page_renders_charts_and_tables_for_a_city(client, reports, app):
    sign_in(client, "city.610100")
    res = client.get("/stats")
    page = res.get_data(as_text=True)
    assert res.status_code == 200
    assert "vendor/echarts/echarts.min.js" in page and 'id="chart-by_kind"' in page
    total = sum(1 for r in reports if r["city_code"] == "610100")
    assert f'id="kpi-total">{total}<' in page
    assert '<label for="f_from">开始日期</label>' in page and '<label for="f_division">统计区划</label>' in page
    assert "宝鸡市" not in page
    with app.app_context():
        from web.extensions import db
        county = db.session.scalar(select(Division).where(Division.supervising_code == "610100"))
        name = county.name
    assert client.get(f"/stats?division={county.code}").status_code == 200
    assert name in client.get(f"/stats?division={county.code}").get_data(as_text=True)
    assert client.get("/stats?division=610300").status_code == 403
    periodic = client.get("/stats/reports")  # issued reports only: no drafts, no generate form
    assert periodic.status_code == 200 and 'for="r_period"' not in periodic.get_data(as_text=True)


def test_stats_page_for_province_drills_down(client, reports):
    sign_in(client, "province")
    page = client.get("/stats").get_data(as_text=True)
    assert "西安市" in page and "宝鸡市" in page and "?division=610100" in page
    assert client.get("/stats/quality").status_code == 200
    assert client.get("/stats/reports").status_code == 200


def test_reporter_cannot_open_stats_pages(client):
    sign_in(client, "reporter.agency")
    assert client.get("/stats").status_code == 403
    assert client.get("/stats/quality").status_code == 403
