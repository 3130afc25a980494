"""services.stats against hand-computed counts over 2,000 generated reports."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from services import stats
from services.errors import Forbidden, Invalid
from storage.models import Division, ReportStatus, RiskLevel, TaskState, User

from stats_data import (
    NOW, beijing_date, expected_summary, generate_reports, generate_tasks, in_range, nonzero, value,
)


@pytest.fixture
def data(env):
    """2,000 reports (a quarter of them with tasks) in the test database."""
    reports = generate_reports(env.session)
    tasks = generate_tasks(env.session, reports)
    return reports, tasks


def user(env, username: str) -> User:
    return env.session.scalar(select(User).where(User.username == username))


def assert_summary(actual: dict, rows: list[dict]) -> None:
    expected = expected_summary(rows)
    assert actual["total"] == expected["total"]
    for name in stats.DIMENSIONS:
        assert nonzero(actual[name]) == dict(expected[name]), name
        assert sum(actual[name].values()) == expected["total"], name
    assert actual["overdue_rate"] == expected["overdue_rate"]
    assert actual["on_time_rate"] == expected["on_time_rate"]


def test_province_summary_equals_hand_counts(env, data):
    reports, _ = data
    f = stats.build_filter(env.session, user(env, "province"))
    result = stats.summary(env.session, f)
    assert result["total"] == 2000
    assert_summary(result, reports)
    # every dimension has several values, so the test would notice a wrong GROUP BY
    assert len(nonzero(result["by_status"])) == 5 and len(nonzero(result["by_kind"])) == 3
    assert set(result["by_status"]) >= {s.value for s in ReportStatus}
    assert 0 < result["on_time_rate"] < 1 and 0 < result["overdue_rate"] < 1


def test_dates_are_beijing_days_and_division_narrows(env, data):
    reports, _ = data
    province = user(env, "center")
    f = stats.build_filter(env.session, province, "2026-03-01", "2026-05-31")
    expected = [r for r in reports if in_range(r, date(2026, 3, 1), date(2026, 5, 31))]
    assert_summary(stats.summary(env.session, f), expected)

    f = stats.build_filter(env.session, province, "2026-07-01", None, "610300")
    expected = [r for r in reports if in_range(r, date(2026, 7, 1)) and r["city_code"] == "610300"]
    assert len(expected) > 10
    assert_summary(stats.summary(env.session, f), expected)

    county = next(r["county_code"] for r in reports if r["county_code"] and r["city_code"] == "610500")
    f = stats.build_filter(env.session, province, division=county)
    assert_summary(stats.summary(env.session, f), [r for r in reports if r["county_code"] == county])


def test_city_officer_statistics_exclude_other_cities(env, data):
    reports, _ = data
    officer = user(env, "city.610100")
    f = stats.build_filter(env.session, officer)
    assert f.focus.code == "610100"
    counties = set(env.session.scalars(select(Division.code).where(Division.supervising_code == "610100")))
    mine = [r for r in reports if r["city_code"] == "610100" or r["county_code"] in counties]
    others = [r for r in reports if r["city_code"] == "610300"]
    assert mine and others
    result = stats.summary(env.session, f)
    assert_summary(result, mine)
    assert result["total"] < len(reports) - len(others) + 1
    drill = stats.drilldown(env.session, f)
    assert {i["code"] for i in drill["items"]} <= counties | {"610100"}
    assert sum(i["total"] for i in drill["items"]) == len(mine)
    with pytest.raises(Forbidden):
        stats.build_filter(env.session, officer, division="610300")
    baoji_county = env.session.scalar(select(Division.code).where(Division.supervising_code == "610300"))
    with pytest.raises(Forbidden):
        stats.build_filter(env.session, officer, division=baoji_county)


def test_county_officer_sees_only_their_county(env, data):
    reports, _ = data
    f = stats.build_filter(env.session, user(env, "county.610113"))
    assert_summary(stats.summary(env.session, f), [r for r in reports if r["county_code"] == "610113"])
    with pytest.raises(Forbidden):
        stats.build_filter(env.session, user(env, "county.610113"), division="610112")


def test_reporters_have_no_statistics_and_bad_input_is_refused(env, data):
    with pytest.raises(Forbidden):
        stats.build_filter(env.session, user(env, "reporter.agency"))
    province = user(env, "province")
    with pytest.raises(Invalid):
        stats.build_filter(env.session, province, "2026-13-01")
    with pytest.raises(Invalid):
        stats.build_filter(env.session, province, "2026-05-01", "2026-04-01")
    with pytest.raises(Invalid):
        stats.build_filter(env.session, province, division="999999")


def test_drilldown_province_to_cities(env, data):
    reports, _ = data
    f = stats.build_filter(env.session, user(env, "province"))
    drill = {i["code"]: i for i in stats.drilldown(env.session, f)["items"]}
    by_city = Counter(r["city_code"] or "610000" for r in reports)
    assert {code: item["total"] for code, item in drill.items()} == dict(by_city)
    xian = [r for r in reports if r["city_code"] == "610100"]
    assert drill["610100"]["closed"] == sum(1 for r in xian if r["status"] == ReportStatus.CLOSED)
    assert drill["610100"]["overdue"] == sum(1 for r in xian if r["overdue"])
    assert drill["610100"]["major"] == sum(1 for r in xian if r["risk_level"] == RiskLevel.MAJOR)
    assert drill["610100"]["name"] == "西安市" and drill["610100"]["drillable"]
    assert drill["610000"]["name"] == "省本级" and not drill["610000"]["drillable"]

    f = stats.build_filter(env.session, user(env, "province"), division="610100")
    counties = {i["code"]: i["total"] for i in stats.drilldown(env.session, f)["items"]}
    assert counties == dict(Counter(r["county_code"] or "610100" for r in xian))


def test_monthly_trend_matches_monthly_summaries(env, data):
    reports, _ = data
    f = stats.build_filter(env.session, user(env, "province"))
    trend = {m["code"]: m for m in stats.monthly_trend(env.session, f)}
    expected = Counter(beijing_date(r["submitted_at"]).strftime("%Y-%m") for r in reports)
    assert {k: m["total"] for k, m in trend.items()} == dict(expected)
    november = stats.summary(env.session, stats.build_filter(env.session, user(env, "province"),
                                                             "2026-11-01", "2026-11-30"))
    assert november["total"] == trend["2026-11"]["total"]


def test_handling_time_distribution(env, data):
    reports, _ = data
    f = stats.build_filter(env.session, user(env, "province"))
    result = stats.handling_time(env.session, f)
    closed = [r for r in reports if r["status"] == ReportStatus.CLOSED]
    bounds = [("d1", 1), ("d3", 3), ("d7", 7), ("d15", 15), ("d30", 30)]

    def bucket(r):
        days = (r["closed_at"] - r["submitted_at"]).total_seconds() / 86400
        return next((key for key, upper in bounds if days <= upper), "over30")

    assert {b["key"]: b["count"] for b in result["buckets"] if b["count"]} == dict(Counter(map(bucket, closed)))
    assert result["closed"] == len(closed)
    average = sum((r["closed_at"] - r["submitted_at"]).total_seconds() / 86400 for r in closed) / len(closed)
    assert result["average_days"] == pytest.approx(average, abs=0.01)


def test_office_rates(env, data):
    _, tasks = data
    f = stats.build_filter(env.session, user(env, "province"))
    offices = {(o["candidate_group"], o["division_code"]): o for o in stats.office_rates(env.session, f, now=NOW)}
    xian = [t for t in tasks if t["candidate_group"] == "city_officer" and t["division_code"] == "610100"
            and t["state"] != TaskState.CANCELLED]
    done = [t for t in xian if t["state"] == TaskState.COMPLETED]
    late = [t for t in xian if (t["completed_at"] and t["completed_at"] > t["due_at"])
            or (t["state"] == TaskState.OPEN and t["due_at"] < NOW)]
    row = offices[("city_officer", "610100")]
    assert (row["tasks"], row["completed"], row["overdue"]) == (len(xian), len(done), len(late))
    assert row["on_time"] == sum(1 for t in done if t["completed_at"] <= t["due_at"])
    assert row["office"].startswith("西安市")


def test_labels_cover_every_key(env, data):
    f = stats.build_filter(env.session, user(env, "province"))
    result, labels = stats.summary(env.session, f), stats.labels(env.session)
    for name in stats.DIMENSIONS:
        assert set(result[name]) <= set(labels[name]), name
    assert value(None) == "none"
