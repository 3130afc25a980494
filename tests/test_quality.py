"""Information-quality rankings follow the scores; the commendation export leaves reporter identity out."""
from __future__ import annotations

from datetime import datetime, timezone
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select

from services import quality, stats
from services.errors import Forbidden
from storage.models import Report, ReportDomain, ReportKind, ReportStatus, User

from test_stats_api import sign_in

# reporter username → the quality scores of their reports (None = not scored yet)
SCORES = {
    "reporter.agency": [5, 5, 4],        # 4.67
    "reporter.unit": [3, 3, None],        # 3.00
    "reporter.inspect": [5, 5],           # 5.00
    "reporter.filling": [4, None],        # 4.00 from one scored report
    "reporter.agency112": [4, 4],         # 4.00 from two: ranks above reporter.filling
}
EXPECTED_ORDER = ["reporter.inspect", "reporter.agency", "reporter.agency112", "reporter.filling", "reporter.unit"]


def _user(session, username) -> User:
    return session.scalar(select(User).where(User.username == username))


@pytest.fixture
def scored(app):
    """Reports with known scores, all in 西安 except one top-scored report routed to 宝鸡 (610302)."""
    from web.extensions import db

    with app.app_context():
        rows, n = [], 0
        for username, scores in SCORES.items():
            reporter = _user(db.session, username)
            for score in scores:
                n += 1
                rows.append(_row(n, reporter, score, "610113", "610100"))
        rows.append(_row(99, _user(db.session, "reporter.unit"), 5, "610302", "610300"))
        rows.append(_row(98, _user(db.session, "reporter.unit"), 5, "610302", "610300"))
        db.session.execute(insert(Report), rows)
        db.session.commit()
        names = {u: _user(db.session, u).display_name for u in SCORES}
        db.session.remove()
    return names


def _row(n, reporter: User, score, county, city) -> dict:
    return {"tracking_no": f"Q-{n:04d}", "kind": ReportKind.PROBLEM, "domain": ReportDomain.USE,
            "equipment_type_code": "3110", "equipment_category_code": "3000", "title": f"质量测试 {n}",
            "content": "内容", "reporter_id": reporter.id, "monitoring_point_id": reporter.monitoring_point_id,
            "division_code": county, "county_code": county, "city_code": city, "status": ReportStatus.CLOSED,
            "quality_score": score, "submitted_at": datetime(2026, 11, 10, tzinfo=timezone.utc)}


def test_city_rankings_follow_the_scores(env, scored):
    f = stats.build_filter(env.session, _user(env.session, "city.610100"))
    reporters = quality.reporter_rankings(env.session, f, _user(env.session, "city.610100"))
    assert [r["name"] for r in reporters] == [scored[u] for u in EXPECTED_ORDER]
    assert [r["rank"] for r in reporters] == [1, 2, 3, 4, 5]
    assert [r["average"] for r in reporters] == [5.0, 4.67, 4.0, 4.0, 3.0]
    assert [r["scored"] for r in reporters][2:4] == [2, 1]
    points = quality.point_rankings(env.session, f)
    assert [p["average"] for p in points] == sorted((p["average"] for p in points), reverse=True)
    assert points[0]["name"] == "西安市特种设备检验检测院"
    unit = next(p for p in points if p["kind"] == "controlled_user_unit")
    assert (unit["reports"], unit["scored"], unit["average"]) == (3, 2, 3.0)  # the 宝鸡 reports are not the city's


def test_province_sees_the_other_city_reports_too(env, scored):
    f = stats.build_filter(env.session, _user(env.session, "province"))
    reporters = quality.reporter_rankings(env.session, f, _user(env.session, "province"))
    unit = next(r for r in reporters if r["name"] == scored["reporter.unit"])
    assert (unit["scored"], unit["average"]) == (4, 4.0)
    f = stats.build_filter(env.session, _user(env.session, "province"), "2026-12-01", "2026-12-31")
    assert quality.point_rankings(env.session, f) == []


def test_identity_hidden_from_non_supervisors(env, scored):
    f = stats.province_filter(env.session)
    rows = quality.reporter_rankings(env.session, f, _user(env.session, "reporter.agency"))
    assert all(r["name"] == quality.IDENTITY_HIDDEN and r["reporter_id"] is None for r in rows)


def _cells(content: bytes) -> set:
    book = load_workbook(BytesIO(content))
    return {cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None}


def test_commendation_export_leaves_identity_out(env, scored):
    province = _user(env.session, "province")
    f = stats.build_filter(env.session, province, "2026-11-01", "2026-11-30")
    cells = _cells(quality.commendation_xlsx(env.session, f, province))
    assert "西安市特种设备检验检测院" in cells and quality.IDENTITY_HIDDEN in cells
    assert not set(scored.values()) & cells
    with_names = _cells(quality.commendation_xlsx(env.session, f, province, with_identity=True))
    assert set(scored.values()) <= with_names
    city = _user(env.session, "city.610100")
    with pytest.raises(Forbidden):
        quality.commendation_xlsx(env.session, stats.build_filter(env.session, city), city, with_identity=True)


def test_quality_page_states_criteria_and_exports(client, scored):
    sign_in(client, "city.610100")
    page = client.get("/stats/quality").get_data(as_text=True)
    assert "信息质量评分标准" in page and "信息失实" in page
    assert scored["reporter.inspect"] in page
    assert "identity=1" not in page
    res = client.get("/stats/quality/commendation.xlsx")
    assert res.status_code == 200 and res.data[:2] == b"PK"
    assert client.get("/stats/quality/commendation.xlsx?identity=1").status_code == 403
