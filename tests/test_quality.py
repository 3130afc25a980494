"""Information-quality rankings follow the scores; the commendation export leaves reporter identity out."""
from __future__ import annotations

from datetime import datetime, timezone
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select

from services import outcomes, quality, stats
from services.errors import Forbidden
from storage.models import Report, ReportDomain, ReportKind, ReportQualityScore, ReportStatus, User

from test_stats_api import sign_in

# reporter username → their reports, each as {tier: score} (an empty dict = not scored yet)
C5, C4, C3 = {"county": 5}, {"county": 4}, {"county": 3}
SCORES = {
    "reporter.inspect": [C5, C5, {"city": 4, "province": 5}],     # (5+5+4×1.2+5×1.5)/4.7 = 4.74
    "reporter.agency": [C5, C5, C4],                             # 4.67
    "reporter.agency112": [{"county": 5, "province": 3}] * 3,     # (5+3×1.5)/2.5 = 3.80 (unweighted 4.00)
    "reporter.unit": [C3, C3, {}],                               # two scored in 西安: not ranked by the city
    "reporter.filling": [C4, {}],                                # one scored report: never ranked
}
CITY_ORDER = ["reporter.inspect", "reporter.agency", "reporter.agency112"]


def _user(session, username) -> User:
    return session.scalar(select(User).where(User.username == username))


@pytest.fixture
def scored(app):
    """Reports with known tier scores, all in 西安 except two top-scored reports routed to 宝鸡 (610302)."""
    from web.extensions import db

    with app.app_context():
        rows, tiers, n = [], {}, 0
        for username, reports in SCORES.items():
            reporter = _user(db.session, username)
            for scores in reports:
                n += 1
                rows.append(_row(n, reporter, "610113", "610100"))
                tiers[n] = scores
        for n in (98, 99):
            rows.append(_row(n, _user(db.session, "reporter.unit"), "610302", "610300"))
            tiers[n] = C5
        db.session.execute(insert(Report), rows)
        ids = dict(db.session.execute(select(Report.tracking_no, Report.id)).all())
        db.session.execute(insert(ReportQualityScore), [
            {"report_id": ids[f"Q-{n:04d}"], "tier": tier, "score": score, "scored_at": WHEN}
            for n, scores in tiers.items() for tier, score in scores.items()])
        db.session.commit()
        names = {u: _user(db.session, u).display_name for u in SCORES}
        db.session.remove()
    return names


WHEN = datetime(2026, 11, 10, tzinfo=timezone.utc)


def _row(n, reporter: User, county, city) -> dict:
    return {"tracking_no": f"Q-{n:04d}", "kind": ReportKind.PROBLEM, "domain": ReportDomain.USE,
            "equipment_type_code": "3110", "equipment_category_code": "3000", "title": f"质量测试 {n}",
            "content": "内容", "reporter_id": reporter.id, "monitoring_point_id": reporter.monitoring_point_id,
            "division_code": county, "county_code": county, "city_code": city, "status": ReportStatus.CLOSED,
            "submitted_at": WHEN}


def test_city_rankings_weigh_the_tiers_and_need_three_scored_reports(env, scored):
    f = stats.build_filter(env.session, _user(env.session, "city.610100"))
    reporters = quality.reporter_rankings(env.session, f, _user(env.session, "city.610100"))
    assert [r["name"] for r in reporters] == [scored[u] for u in CITY_ORDER]
    assert [r["rank"] for r in reporters] == [1, 2, 3]
    assert [r["average"] for r in reporters] == [4.74, 4.67, 3.8]
    assert [(r["reports"], r["scored"]) for r in reporters] == [(3, 3), (3, 3), (3, 3)]
    points = quality.point_rankings(env.session, f)
    assert [p["name"] for p in points][0] == "西安市特种设备检验检测院"
    assert [p["average"] for p in points] == [4.74, 4.67, 3.8]
    assert not any(p["kind"] == "controlled_user_unit" for p in points)  # two scored in 西安: not ranked
    everyone = quality.reporter_rankings(env.session, f, None, min_scored=1)
    assert {r["scored"] for r in everyone if r["monitoring_point"].endswith("充装站")} == {1}


def test_a_tier_scores_once_and_never_overwrites_another(env, scored):
    report = env.session.scalar(select(Report).where(Report.tracking_no == "Q-0001"))
    city = _user(env.session, "city.610100")
    outcomes.record_score(env.session, report, "city", 2, city.id)
    outcomes.record_score(env.session, report, "city", 3, city.id)  # the city re-scores: its own row changes
    env.session.commit()
    rows = dict(env.session.execute(select(ReportQualityScore.tier, ReportQualityScore.score)
                                    .where(ReportQualityScore.report_id == report.id)).all())
    assert rows == {"county": 5, "city": 3} and report.quality_score == 3


def test_the_quality_page_says_the_ranking_rule(client, scored):
    sign_in(client, "city.610100")
    page = client.get("/stats/quality").get_data(as_text=True)
    rule = page[page.index('id="ranking-rule"'):]
    rule = rule[:rule.index("</p>")]
    assert "加权平均" in rule and "1.5" in rule and "1.2" in rule and "不少于 3 条" in rule
    assert scored["reporter.unit"] not in page and scored["reporter.filling"] not in page


def test_province_sees_the_other_city_reports_too(env, scored):
    f = stats.build_filter(env.session, _user(env.session, "province"))
    reporters = quality.reporter_rankings(env.session, f, _user(env.session, "province"))
    unit = next(r for r in reporters if r["name"] == scored["reporter.unit"])
    assert (unit["scored"], unit["average"]) == (4, 4.0)  # with the two 宝鸡 reports it has four scored
    assert [r["name"] for r in reporters] == [scored[u] for u in CITY_ORDER[:2]] + [scored["reporter.unit"],
                                                                                       scored["reporter.agency112"]]
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
    ranked = {name for username, name in scored.items() if username != "reporter.filling"}
    assert ranked <= with_names and scored["reporter.filling"] not in with_names  # one scored report
    assert quality.RANKING_RULE in cells
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
