"""Statistics over 100,000 reports on SQLite: p50/p95 of the summary (target p95 ≤ 300 ms), the full
statistics page data, and the time to generate a monthly periodic report (DOCX + XLSX).

Reports are bulk-inserted across all county-level and city-level divisions, kinds, statuses and 2026's
months, each with a process instance and one or two human tasks that carry deadlines.

    .venv/bin/python bench/stats_summary.py [--reports 100000] [--runs 40]
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine, make_app, median_ms, p95_ms  # noqa: E402

CHUNK = 5000
YEAR_START = datetime(2026, 1, 1, tzinfo=timezone.utc) - timedelta(hours=8)


def _choices(session):
    from sqlalchemy import select

    from storage.models import Division, EquipmentType, ProcessVersion, User

    places = [(c, c, s) for c, s in session.execute(select(Division.code, Division.supervising_code)
                                                      .where(Division.level == "county"))]
    places += [(c, None, c) for c in session.scalars(select(Division.code).where(Division.level == "city"))]
    reporters = [(u, p) for u, p in session.execute(select(User.id, User.monitoring_point_id)) if p]
    equipment = [c for c in session.scalars(select(EquipmentType.code).where(EquipmentType.level == "variety"))
                 if c[0] not in "7F"]
    version = session.scalar(select(ProcessVersion.id))
    return places, reporters, equipment, version


def _report(rng, i, places, reporters, equipment):
    from storage.models import ReportDomain, ReportKind, ReportStatus, RiskLevel, Tier

    division, county, city = rng.choice(places)
    reporter, point = rng.choice(reporters)
    status = rng.choice(list(ReportStatus))
    submitted = YEAR_START + timedelta(seconds=rng.randrange(0, 365 * 86400))
    code = rng.choice(equipment)
    tier = rng.choice(list(Tier))
    closed = status == ReportStatus.CLOSED
    return {"tracking_no": f"B-{i:07d}", "kind": rng.choice(list(ReportKind)), "domain": rng.choice(list(ReportDomain)),
            "equipment_type_code": code, "equipment_category_code": code[0] + "000", "title": f"基准报送 {i}",
            "content": "电梯层门门锁回路被短接，轿厢在层门未关闭时仍能启动。", "reporter_id": reporter,
            "monitoring_point_id": point, "division_code": division, "county_code": county, "city_code": city,
            "is_enterprise": False, "status": status, "current_tier": tier, "resolved_tier": tier if closed else None,
            "risk_level": rng.choice([None, *RiskLevel]), "overdue": rng.random() < 0.1,
            "quality_score": rng.choice([None, 3, 4, 5]), "submitted_at": submitted,
            "closed_at": submitted + timedelta(hours=rng.randrange(1, 40 * 24)) if closed else None}


def _tasks(rng, report, instance_id, version_id):
    from storage.models import TaskState

    rows = []
    for group, code in (("county_officer", report["county_code"]), ("city_officer", report["city_code"])):
        if code is None:
            continue
        due = report["submitted_at"] + timedelta(days=5)
        done = rng.random() < 0.7
        rows.append({"id": str(uuid.UUID(int=rng.getrandbits(128))), "instance_id": instance_id,
                     "report_id": report["id"], "element_id": "county_disposal", "name": "处置",
                     "candidate_group": group, "division_code": code,
                     "state": TaskState.COMPLETED if done else TaskState.OPEN, "due_at": due, "priority": 50,
                     "process_version_id": version_id, "created_at": report["submitted_at"],
                     "completed_at": due + timedelta(hours=rng.randrange(-96, 48)) if done else None})
    return rows


def populate(app, n: int) -> float:
    """Bulk-insert n reports with instances and tasks and fold them into the roll-ups; returns seconds taken."""
    from sqlalchemy import insert, select

    from storage.models import HumanTask, InstanceStatus, ProcessInstance, Report
    from web.extensions import db

    rng = random.Random(2026)
    start = time.perf_counter()
    with app.app_context():
        session = db.session
        places, reporters, equipment, version = _choices(session)
        for offset in range(0, n, CHUNK):
            rows = [_report(rng, i, places, reporters, equipment) for i in range(offset, min(n, offset + CHUNK))]
            session.execute(insert(Report), rows)
            ids = dict(session.execute(select(Report.tracking_no, Report.id)
                                       .where(Report.tracking_no.in_([r["tracking_no"] for r in rows]))).all())
            for r in rows:
                r["id"] = ids[r["tracking_no"]]
            session.execute(insert(ProcessInstance), [
                {"process_version_id": version, "report_id": r["id"], "status": InstanceStatus.WAITING,
                 "workflow_state": b"{}", "lock_version": 1, "created_at": r["submitted_at"],
                 "updated_at": r["submitted_at"]} for r in rows])
            instances = dict(session.execute(select(ProcessInstance.report_id, ProcessInstance.id)
                                             .where(ProcessInstance.report_id.in_(ids.values()))).all())
            session.execute(insert(HumanTask), [t for r in rows for t in _tasks(rng, r, instances[r["id"]], version)])
            session.commit()
        session.execute(db.text("ANALYZE"))
        session.commit()
        db.session.remove()
        from services.stats_rollup import fold_statistics
        from web import env

        fold_statistics(env())  # what the scheduler's first tick does: the summary reads the roll-ups
        db.session.remove()
    return time.perf_counter() - start


def measure(app, runs: int) -> dict:
    """Latencies of the summary for three jurisdictions, the full page data, and a monthly report."""
    from sqlalchemy import select

    from services import periodic_reports, stats
    from storage.models import User
    from web import env
    from web.extensions import db

    results = {}
    with app.app_context():
        session = db.session
        users = {u: session.scalar(select(User).where(User.username == u))
                 for u in ("province", "city.610100", "county.610113")}
        cases = {
            "summary · province, all of 2026": (users["province"], None, None),
            "summary · province, one month": (users["province"], "2026-11-01", "2026-11-30"),
            "summary · city 610100": (users["city.610100"], None, None),
            "summary · county 610113": (users["county.610113"], None, None),
        }
        for label, (user, start, end) in cases.items():
            samples, cpu = [], []
            for _ in range(runs):
                t0, c0 = time.perf_counter(), time.process_time()
                stats.summary(session, stats.build_filter(session, user, start, end))
                samples.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
            results[label] = samples
            results[label + " [CPU]"] = cpu
        samples = []
        for _ in range(max(5, runs // 4)):
            t0 = time.perf_counter()
            stats.full_statistics(session, stats.build_filter(session, users["province"]))
            samples.append(time.perf_counter() - t0)
        results["full statistics page data · province"] = samples
        out = Path(tempfile.mkdtemp(prefix="riskmon-bench-reports-"))
        samples = []
        for _ in range(3):
            t0 = time.perf_counter()
            periodic_reports.generate(env(), "monthly", "2026-11", out)
            samples.append(time.perf_counter() - t0)
        results["monthly report 2026-11 (DOCX + XLSX)"] = samples
        t0 = time.perf_counter()
        periodic_reports.generate(env(), "annual", "2026", out)
        results["annual report 2026 (DOCX + XLSX)"] = [time.perf_counter() - t0]
        db.session.remove()
    return results


def load_average() -> str:
    """1/5/15-minute load averages (other sessions share this machine)."""
    try:
        return " ".join(open("/proc/loadavg", encoding="utf-8").read().split()[:3])
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    app, tmp = make_app()
    seconds = populate(app, args.reports)
    print(f"machine: {machine()}")
    print("wall = elapsed time; [CPU] = this process's CPU time (SQLite runs in-process), unaffected by other load")
    print(f"inserted {args.reports:,} reports (+ instances, tasks) in {seconds:.1f} s into {tmp}")
    print(f"load average before measuring: {load_average()}")
    for label, samples in measure(app, args.runs).items():
        print(f"{label:<48} n={len(samples):<3} p50 {median_ms(samples):8.1f} ms   p95 {p95_ms(samples):8.1f} ms")


if __name__ == "__main__":
    main()
