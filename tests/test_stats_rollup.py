"""The statistics roll-ups answer exactly what the GROUP BY over the report table answers.

Random reports, random changes (ORM, Core executemany, new reports, moved divisions and days, extensions
approved and refused), and many filters (scope, from/to across and inside months, division): before the
scheduler folds (the tail is read live), after it folds, after it folds twice, and against a fresh recount.
The same checks run on SQLite and on PostgreSQL; PostgreSQL adds the race a sequence watermark would lose
(a transaction that commits after a later one was folded) and two folders at once.
"""
from __future__ import annotations

import random
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import bindparam, create_engine, func, insert, select, update

from services import stats
from services.stats_rollup import fold_statistics, period_split, rebuild_statistics
from storage.models import (
    Division, ExtensionState, HumanTask, Report, ReportStatus, RiskLevel, StatsReportState, StatsRollup,
    StatsWatermark, TaskExtension, Tier, utcnow,
)
from web import env as make_env
from web.extensions import db

from stats_data import generate_reports, generate_tasks

EDGE_DAYS = [date(2025, 12, 31), date(2026, 1, 1), date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 17),
             date(2026, 6, 30), date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 31), date(2027, 1, 1)]


def _filters(session, rng: random.Random, n: int = 36) -> list[stats.StatsFilter]:
    """The whole province, every fixed city and a few counties, each with open, whole-month, edge and random
    date ranges."""
    province = session.get(Division, stats.PROVINCE_CODE)
    focuses = [province, *(session.get(Division, c) for c in ("610100", "610300", "610581", "610113", "610112"))]
    focuses += list(session.scalars(select(Division).where(Division.level == "county").order_by(func.random())
                                    .limit(3)))
    days = EDGE_DAYS + [date(2026, 1, 1) + timedelta(days=rng.randrange(365)) for _ in range(8)]
    result = [stats.StatsFilter(province, focus) for focus in focuses]
    result.append(stats.StatsFilter(province, province, date(2026, 11, 1), date(2026, 11, 30)))
    while len(result) < n:
        lo, hi = rng.choice([None, *days]), rng.choice([None, *days])
        if lo and hi and lo > hi:
            lo, hi = hi, lo
        result.append(stats.StatsFilter(province, rng.choice(focuses), lo, hi))
    return result


def assert_same(session, filters) -> None:
    """Roll-up answer == GROUP BY answer, filter by filter."""
    for f in filters:
        expected = stats.summary_from_reports(session, f)
        assert stats.summary(session, f) == expected, (f.focus.code, f.date_from, f.date_to)


def rollup_table(session) -> dict:
    """The roll-up's non-zero counts and the stored states, to compare an incremental fold with a recount."""
    rows = {tuple(r[:6]): r[6] for r in session.execute(select(StatsRollup.__table__)) if r[6]}
    states = {tuple(r) for r in session.execute(select(StatsReportState.__table__))}
    return {"rollup": rows, "states": states}


def add_extensions(session, rng: random.Random, k: int = 60) -> None:
    """Extension requests on random tasks, some approved."""
    tasks = session.execute(select(HumanTask.id, HumanTask.report_id).order_by(HumanTask.id)).all()
    user_id = session.scalar(select(Report.reporter_id).limit(1))
    now = utcnow()
    session.execute(insert(TaskExtension), [
        {"task_id": tid, "report_id": rid, "reason": "需要检测报告", "requested_due_at": now,
         "requested_by_id": user_id, "approver_group": "city_officer", "approver_division_code": "610100",
         "extension_state": rng.choice(list(ExtensionState))} for tid, rid in rng.sample(tasks, k)])
    session.commit()


def change_with_orm(session, rng: random.Random, k: int = 150) -> None:
    """Status, tier, risk, overdue, division and day changes through the ORM unit of work."""
    ids = session.scalars(select(Report.id)).all()
    counties = session.execute(select(Division.code, Division.supervising_code)
                               .where(Division.level == "county")).all()
    for rid in rng.sample(ids, k):
        report = session.get(Report, rid)
        report.status = rng.choice(list(ReportStatus))
        report.current_tier = rng.choice([None, *Tier])
        report.resolved_tier = rng.choice([None, report.current_tier])
        report.risk_level = rng.choice([None, *RiskLevel])
        report.overdue = not report.overdue
        if rng.random() < 0.3:
            report.county_code, report.city_code = rng.choice(counties)
        if rng.random() < 0.3:
            report.submitted_at += timedelta(days=rng.randrange(-40, 40), hours=rng.randrange(24))
    session.commit()


def change_with_core(session, rng: random.Random, k: int = 150) -> None:
    """Core executemany updates, new reports, and extension decisions."""
    ids = session.scalars(select(Report.id)).all()
    table = Report.__table__
    session.connection().execute(
        update(table).where(table.c.id == bindparam("rid")).values(status=bindparam("st"), overdue=bindparam("od")),
        [{"rid": rid, "st": rng.choice(list(ReportStatus)).value, "od": rng.random() < 0.5}
         for rid in rng.sample(ids, k)])
    extensions = session.scalars(select(TaskExtension).order_by(TaskExtension.id)).all()
    for ext in rng.sample(extensions, len(extensions) // 2):
        ext.extension_state = rng.choice(list(ExtensionState))
    session.commit()
    generate_reports(session, n=120, seed=rng.randrange(10**6), prefix=f"N{rng.randrange(10**6)}")


def exercise(session, rng: random.Random) -> None:
    """The whole equivalence walk on one database."""
    filters = _filters(session, rng)
    assert_same(session, filters)  # nothing folded yet: everything is tail
    assert session.get(StatsWatermark, 1) is None
    assert fold_statistics(make_env()) == session.scalar(select(func.count()).select_from(Report))
    assert session.get(StatsWatermark, 1) is not None
    assert_same(session, filters)
    for change in (change_with_orm, change_with_core, change_with_orm):
        change(session, rng)
        assert_same(session, filters)  # the changes are the live tail
        assert fold_statistics(make_env()) > 0
        session.expire_all()
        assert_same(session, filters)
    assert fold_statistics(make_env()) == 0  # nothing changed since: nothing to fold
    folded = rollup_table(session)
    assert folded["rollup"] and len(folded["states"]) == session.scalar(select(func.count()).select_from(Report))
    rebuild_statistics(session)
    assert rollup_table(session) == folded
    assert_same(session, filters)


def test_period_split_reads_whole_years_then_months_then_edge_days():
    d = date
    assert period_split(None, None) == [("y", None, None)]
    assert period_split(d(2026, 11, 1), d(2026, 11, 30)) == [("m", d(2026, 11, 1), d(2026, 12, 1))]
    assert period_split(d(2026, 1, 1), d(2026, 12, 31)) == [("y", d(2026, 1, 1), d(2027, 1, 1))]
    assert period_split(d(2026, 11, 5), d(2026, 11, 20)) == [("d", d(2026, 11, 5), d(2026, 11, 21))]
    assert period_split(d(2025, 3, 17), d(2027, 2, 9)) == [
        ("y", d(2026, 1, 1), d(2027, 1, 1)), ("m", d(2025, 4, 1), d(2026, 1, 1)), ("d", d(2025, 3, 17), d(2025, 4, 1)),
        ("m", d(2027, 1, 1), d(2027, 2, 1)), ("d", d(2027, 2, 1), d(2027, 2, 10))]
    assert period_split(d(2026, 11, 30), d(2026, 12, 1)) == [("d", d(2026, 11, 30), d(2026, 12, 2))]
    assert period_split(None, d(2026, 3, 17)) == [("y", None, d(2026, 1, 1)), ("m", d(2026, 1, 1), d(2026, 3, 1)),
                                                 ("d", d(2026, 3, 1), d(2026, 3, 18))]
    assert period_split(d(2026, 12, 31), None) == [("y", d(2027, 1, 1), None), ("d", d(2026, 12, 31), d(2027, 1, 1))]
    assert period_split(d(2099, 12, 31), d(2099, 12, 31)) == [("d", d(2099, 12, 31), d(2100, 1, 1))]


def test_rollups_equal_group_by_on_sqlite(env):
    reports = generate_reports(env.session, n=1500, seed=11)
    generate_tasks(env.session, reports)
    rng = random.Random(2026)
    add_extensions(env.session, rng)
    exercise(env.session, rng)


def test_real_workflow_writes_are_folded(api, env):
    """Reports submitted and worked through the API (the real write path) are counted by the fold."""
    province = env.session.get(Division, stats.PROVINCE_CODE)
    filters = [stats.StatsFilter(province, province), stats.StatsFilter(province, env.session.get(Division, "610100"))]
    first = [api.submit()["id"] for _ in range(3)]
    fold_statistics(make_env())
    for rid in first[:2]:
        api.complete("county.610113", rid, "county_disposal", {"decision": "resolve", "measures": "现场整改",
                                                               "risk_level": "general", "quality_score": 3})
    task = api.task("county.610113", first[2], "county_disposal")
    ext = api.post(f"/tasks/{task['id']}/extension", "county.610113",
                   json={"reason": "需要第三方检测报告", "working_days": 3}).get_json()["id"]
    fold_statistics(make_env())
    assert api.post(f"/extension-requests/{ext}/decision", "city.610100", json={"approve": True}).status_code == 200
    api.submit()
    env.session.expire_all()
    assert_same(env.session, filters)
    live = api.get("/stats/summary", "province").get_json()
    assert live["total"] == 4 and live["extensions"] == 1
    assert fold_statistics(make_env()) >= 2  # the new report and the extension's report
    env.session.expire_all()
    assert_same(env.session, filters)
    assert api.get("/stats/summary", "province").get_json() == live
    counted = dict(env.session.execute(select(StatsReportState.report_id, StatsReportState.tier)).all())
    assert len(counted) == 4 and all(counted[rid] != "none" for rid in first)


@pytest.mark.postgres
def test_rollups_equal_group_by_on_postgres(pg_app):
    with pg_app.app_context():
        session = db.session
        reports = generate_reports(session, n=1500, seed=12)
        generate_tasks(session, reports)
        rng = random.Random(2027)
        add_extensions(session, rng)
        exercise(session, rng)


@pytest.mark.postgres
def test_a_late_commit_is_not_skipped_by_a_later_fold(pg_app, pg_settings):
    """A writer that started before a fold and commits after a newer writer was folded is still counted: the
    watermark stops at the oldest open transaction, where a max(sequence) watermark would jump past it."""
    url = pg_settings.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    with pg_app.app_context():
        session = db.session
        reports = generate_reports(session, n=200, seed=13)
        province = session.get(Division, stats.PROVINCE_CODE)
        whole = [stats.StatsFilter(province, province)]
        fold_statistics(make_env())
        slow = engine.connect()
        slow_tx = slow.begin()
        slow.execute(update(Report).where(Report.id == reports[0]["id"]).values(status=ReportStatus.TERMINATED,
                                                                               overdue=True))
        fast = session.get(Report, reports[1]["id"])
        fast.status, fast.risk_level = ReportStatus.CLOSED, RiskLevel.MAJOR
        session.commit()
        assert fold_statistics(make_env()) >= 1  # folds the fast writer while the slow one is still open
        slow_tx.commit()
        slow.close()
        session.expire_all()
        assert_same(session, whole)  # the slow change is in the live tail
        assert fold_statistics(make_env()) >= 1
        state = session.get(StatsReportState, reports[0]["id"])
        assert (state.status, state.overdue) == ("terminated", "1")
        folded = rollup_table(session)
        rebuild_statistics(session)
        assert rollup_table(session) == folded
        db.session.remove()
    engine.dispose()


@pytest.mark.postgres
def test_two_folders_at_once_count_each_change_once(pg_app):
    """Two scheduler processes fold at the same moment: one takes the advisory lock, the other skips."""
    with pg_app.app_context():
        session = db.session
        generate_reports(session, n=300, seed=14)
        fold_statistics(make_env())
        change_with_orm(session, random.Random(5), k=100)
        db.session.remove()
    results, barrier = [], threading.Barrier(4)

    def fold():
        with pg_app.app_context():
            barrier.wait()
            results.append(fold_statistics(make_env()))
            db.session.remove()

    threads = [threading.Thread(target=fold) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(1 for r in results if r) >= 1
    with pg_app.app_context():
        session = db.session
        province = session.get(Division, stats.PROVINCE_CODE)
        assert_same(session, _filters(session, random.Random(3), n=12) + [stats.StatsFilter(province, province)])
        folded = rollup_table(session)
        rebuild_statistics(session)
        assert rollup_table(session) == folded
        db.session.remove()


def test_stats_rebuild_command_recounts_after_a_raw_sql_repair(app, env):
    """A raw SQL write bypasses the change marks; `riskmon stats-rebuild` puts the roll-up right again."""
    from sqlalchemy import text

    generate_reports(env.session, n=50, seed=15)
    fold_statistics(make_env())
    env.session.execute(text("UPDATE report SET status = 'terminated'"))
    env.session.commit()
    province = env.session.get(Division, stats.PROVINCE_CODE)
    f = stats.StatsFilter(province, province)
    assert stats.summary(env.session, f) != stats.summary_from_reports(env.session, f)  # the documented limit
    result = app.test_cli_runner().invoke(args=["stats-rebuild"])
    assert result.exit_code == 0 and "已汇总 50 条报送" in result.output, result.output
    env.session.expire_all()
    assert stats.summary(env.session, f) == stats.summary_from_reports(env.session, f)
    assert stats.summary(env.session, f)["by_status"]["terminated"] == 50
