"""`GET /stats/summary` over 10 million reports on PostgreSQL: roll-ups against the plain GROUP BY.

Loads N reports (default 10,000,000) with COPY into a freshly migrated and seeded database (default the
statistics engineer's test database, BENCH_DATABASE_URL or TEST_DATABASE_URL to change it), spread over
every county-level and city-level division and 2025–2026 in Beijing time; builds the roll-ups
(`rebuild_statistics`, what the scheduler's first fold does); then prints p50/p95 of the summary for the whole
province, one month, an odd date range, one city and one county — through the endpoint (Flask test client,
bearer token, JSON) and through the plain GROUP BY it replaces. Then it changes reports the way one scheduler
tick of traffic would (the unfolded tail the summary adds live), measures again, and times the fold.

    .venv/bin/python bench/stats_10m.py [--rows 10000000] [--runs 30] [--group-by-runs 5] [--tail 5000]

Secondary indexes of `report` are dropped for the load and rebuilt after it; foreign-key triggers are off
during COPY (session_replication_role = replica: the generated codes are taken from the seeded tables).
"""
from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, machine, median_ms, p95_ms  # noqa: E402

URL = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or \
    "postgresql://postgres@127.0.0.1:5432/test_stats"
START = datetime(2025, 1, 1, tzinfo=timezone.utc) - timedelta(hours=8)
SPAN_SECONDS = 730 * 86400
CHUNK = 200_000
COLUMNS = ("kind", "domain", "equipment_type_code", "equipment_category_code", "title", "content", "reporter_id",
           "monitoring_point_id", "division_code", "county_code", "city_code", "is_enterprise", "status",
           "current_tier", "resolved_tier", "risk_level", "overdue", "submitted_at", "closed_at", "change_seq")


def load_average() -> str:
    return " ".join(open("/proc/loadavg", encoding="utf-8").read().split()[:3])


def fresh_app():
    """Drop and recreate the schema, migrate, seed reference data and demo accounts (no reports)."""
    from sqlalchemy import create_engine, text

    from services.demo import seed_demo
    from services.settings import Settings
    from web import create_app, env
    from web.cli import init_database
    from web.extensions import db

    engine = create_engine(URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    tmp = Path(tempfile.mkdtemp(prefix="riskmon-stats10m-"))
    app = create_app(Settings(database_url=URL, secret_key="bench", upload_dir=str(tmp),
                              process_dir=str(ROOT / "processes")))
    with app.app_context():
        init_database()
        db.create_all()
        seed_demo(env(), with_reports=False)
        db.session.remove()
    return app


def _choices(session):
    from sqlalchemy import select

    from storage.models import Division, EquipmentType, User

    places = [(c, c, s) for c, s in session.execute(select(Division.code, Division.supervising_code)
                                                      .where(Division.level == "county"))]
    places += [(c, "", c) for c in session.scalars(select(Division.code).where(Division.level == "city"))]
    reporters = [(u, p) for u, p in session.execute(select(User.id, User.monitoring_point_id)) if p]
    equipment = [c for c in session.scalars(select(EquipmentType.code).where(EquipmentType.level == "variety"))
                 if c[0] not in "7F"]
    return places, reporters, equipment


def _lines(rng: random.Random, n: int, places, reporters, equipment) -> bytes:
    """n report rows in COPY text format (\\N for NULL)."""
    kinds, domains = ("problem", "risk_hazard", "suggestion"), ("administrative_supervision", "safety_management",
                                                                 "production", "use", "maintenance",
                                                                 "inspection_testing")
    statuses, tiers = ("submitted", "processing", "rectifying", "closed", "terminated"), ("unit", "county", "city",
                                                                                          "province")
    risks = ("\\N", "major", "significant", "general", "low")
    out = io.StringIO()
    for _ in range(n):
        division, county, city = rng.choice(places)
        reporter, point = rng.choice(reporters)
        code = rng.choice(equipment)
        status, tier = rng.choice(statuses), rng.choice(tiers)
        submitted = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
        closed = status == "closed"
        out.write(f"{rng.choice(kinds)}\t{rng.choice(domains)}\t{code}\t{code[0]}000\t基准报送\t电梯层门门锁回路被短接。\t"
                  f"{reporter}\t{point}\t{division}\t{county or chr(92) + 'N'}\t{city}\tf\t{status}\t{tier}\t"
                  f"{tier if closed else chr(92) + 'N'}\t{rng.choice(risks)}\t{'t' if rng.random() < 0.1 else 'f'}\t"
                  f"{submitted.isoformat()}\t{(submitted + timedelta(days=3)).isoformat() if closed else chr(92) + 'N'}"
                  f"\t0\n")
    return out.getvalue().encode()


def load(app, rows: int) -> dict:
    """COPY `rows` reports (indexes dropped meanwhile); returns the seconds of each phase."""
    from sqlalchemy import text

    from web.extensions import db

    rng, took = random.Random(2026), {}
    with app.app_context():
        places, reporters, equipment = _choices(db.session)
        db.session.remove()
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'report' AND indexname <> 'pk_report'")
            indexes = [r[0] for r in cur.fetchall()]
            cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'report' AND indexname <> 'pk_report' "
                        "AND indexname NOT LIKE 'uq_%'")
            for (name,) in cur.fetchall():
                cur.execute(f'DROP INDEX "{name}"')
            cur.execute("ALTER TABLE report DROP CONSTRAINT uq_report_tracking_no")
            cur.execute("SET session_replication_role = replica")
            t0 = time.perf_counter()
            with cur.copy(f"COPY report ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for offset in range(0, rows, CHUNK):
                    copy.write(_lines(rng, min(CHUNK, rows - offset), places, reporters, equipment))
            took["copy"] = time.perf_counter() - t0
            cur.execute("SET session_replication_role = DEFAULT")
            raw.commit()
            t0 = time.perf_counter()
            cur.execute("SET maintenance_work_mem = '512MB'")
            for ddl in indexes:
                cur.execute(ddl)
            cur.execute("ALTER TABLE report ADD CONSTRAINT uq_report_tracking_no UNIQUE USING INDEX "
                        "uq_report_tracking_no")
            raw.commit()
            took["indexes"] = time.perf_counter() - t0
        finally:
            raw.close()
        t0 = time.perf_counter()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE report"))
        took["vacuum analyze"] = time.perf_counter() - t0
    return took


def build(app) -> tuple[float, int]:
    """The scheduler's first fold: count every report into the roll-up."""
    from sqlalchemy import text

    from services.stats_rollup import fold_statistics
    from web import env
    from web.extensions import db

    with app.app_context():
        db.session.execute(text("SET work_mem = '256MB'"))
        t0 = time.perf_counter()
        counted = fold_statistics(env())
        seconds = time.perf_counter() - t0
        db.session.remove()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE stats_rollup"))
            conn.execute(text("VACUUM ANALYZE stats_report_state"))
    return seconds, counted


CASES = {  # label: (user, from, to)
    "province, everything": ("province", None, None),
    "province, 2026-11 (one month)": ("province", "2026-11-01", "2026-11-30"),
    "province, 2025-03-17 … 2026-02-09": ("province", "2025-03-17", "2026-02-09"),
    "city 610100 (西安), everything": ("city.610100", None, None),
    "county 610113 (雁塔区), everything": ("county.610113", None, None),
    "county 610113, 2026-11 (one month)": ("county.610113", "2026-11-01", "2026-11-30"),
}


def _endpoint_samples(client, token: str, start, end, runs: int) -> list[float]:
    query = "&".join(f"{k}={v}" for k, v in (("from", start), ("to", end)) if v)
    samples = []
    for _ in range(runs + 2):
        t0 = time.perf_counter()
        res = client.get(f"/api/v1/stats/summary?{query}", headers={"Authorization": f"Bearer {token}"})
        samples.append(time.perf_counter() - t0)
        assert res.status_code == 200, res.get_json()
    return samples[2:]  # the first two warm the connection and the statement caches


def measure(app, runs: int, group_by_runs: int, check: bool) -> list[tuple[str, list[float], list[float]]]:
    """(case, endpoint samples, GROUP BY samples); with `check`, both answers must be equal."""
    from sqlalchemy import select

    from services import stats
    from storage.models import User
    from web.extensions import db

    client, results = app.test_client(), []
    with app.app_context():
        session = db.session
        tokens = {}
        for label, (username, start, end) in CASES.items():
            if username not in tokens:
                res = client.post("/api/v1/auth/token", json={"username": username, "password": "Demo#2026"})
                tokens[username] = res.get_json()["token"]
            rollup = _endpoint_samples(client, tokens[username], start, end, runs)
            f = stats.build_filter(session, session.scalar(select(User).where(User.username == username)), start, end)
            plain = []
            for _ in range(group_by_runs):
                t0 = time.perf_counter()
                expected = stats.summary_from_reports(session, f)
                plain.append(time.perf_counter() - t0)
            if check:
                assert stats.summary(session, f) == expected, label
            results.append((label, rollup, plain))
        db.session.remove()
    return results


def make_tail(app, changes: int) -> float:
    """Change `changes` random reports (status, risk, overdue) in batches of 500, as a tick of traffic would."""
    from sqlalchemy import bindparam, func, select, update

    from storage.models import Report
    from web.extensions import db

    rng = random.Random(7)
    with app.app_context():
        session = db.session
        top = session.scalar(select(func.max(Report.id)))
        table = Report.__table__
        stmt = (update(table).where(table.c.id == bindparam("rid"))
                .values(status=bindparam("st"), overdue=bindparam("od"), risk_level=bindparam("rl")))
        t0 = time.perf_counter()
        for _ in range(0, changes, 500):
            session.connection().execute(stmt, [{"rid": rng.randrange(1, top + 1), "st": "closed", "od": True,
                                                 "rl": "major"} for _ in range(500)])
            session.commit()
        db.session.remove()
    return time.perf_counter() - t0


def fold_once(app) -> tuple[float, int]:
    from services.stats_rollup import fold_statistics
    from web import env
    from web.extensions import db

    with app.app_context():
        t0 = time.perf_counter()
        folded = fold_statistics(env())
        seconds = time.perf_counter() - t0
        db.session.remove()
    return seconds, folded


def _table(results) -> None:
    print(f"{'case':<40} {'roll-up p50':>11} {'p95':>8}   {'GROUP BY p50':>12} {'p95':>8}   speed-up")
    for label, rollup, plain in results:
        print(f"{label:<40} {median_ms(rollup):9.1f}ms {p95_ms(rollup):6.1f}ms   {median_ms(plain):10.1f}ms "
              f"{p95_ms(plain):6.1f}ms   ×{median_ms(plain) / median_ms(rollup):.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=30, help="samples per case through the endpoint")
    parser.add_argument("--group-by-runs", type=int, default=5, help="samples per case of the plain GROUP BY")
    parser.add_argument("--tail", type=int, default=5000, help="reports changed before the second measurement")
    args = parser.parse_args()
    print(f"machine: {machine()}; database {URL.rsplit('@', 1)[-1]}")
    print(f"started {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, load average {load_average()}")
    t0 = time.perf_counter()
    app = fresh_app()
    took = load(app, args.rows)
    print(f"loaded {args.rows:,} reports: " + ", ".join(f"{k} {v:.0f} s" for k, v in took.items()))
    seconds, counted = build(app)
    print(f"roll-ups built (first fold) over {counted:,} reports in {seconds:.1f} s")
    print(f"load average before measuring: {load_average()}")
    _table(measure(app, args.runs, args.group_by_runs, check=True))
    seconds = make_tail(app, args.tail)
    print(f"\n{args.tail:,} report changes written in {seconds:.1f} s, not folded yet (the summary adds them live):")
    _table(measure(app, args.runs, 1, check=True))
    seconds, folded = fold_once(app)
    print(f"\nfold of the {folded:,} changed reports: {seconds * 1000:.0f} ms")
    print(f"total {time.perf_counter() - t0:.0f} s; load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
