"""The admin stuck view (GET /admin/instances?status=stuck, first page) and the dashboard counts at 1,000 and
100,000 instances, of which a few hundred are stuck in different ways.

One waiting instance is created through the real services; the rest are bulk-inserted copies spread over
all 107 counties, each county staffed with a county officer (as in production, where an unstaffed county
is itself a finding). Then 5 × STUCK_EACH instances are made stuck: handler error, suspended, timer long
past, task due long past, and a task for a candidate group nobody holds in its county.
"""
from __future__ import annotations

import random
import shutil
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine, make_app, median_ms, p95_ms, waiting_instance_template  # noqa: E402

STUCK_EACH = 60
SAMPLES, WARMUP = 40, 3
KINDS = ("error", "suspended", "timer", "overdue", "nobody")


def _staff_counties(app, counties: list[str]) -> None:
    """A county officer in every county, so that ordinary tasks are not flagged "nobody can work it"."""
    from sqlalchemy import select

    from storage.models import User, UserRole, utcnow
    from web.extensions import db

    with app.app_context():
        staffed = set(db.session.scalars(select(User.division_code).join(UserRole).where(
            UserRole.role == "county_officer", User.active)))
        for code in counties:
            if code not in staffed:
                db.session.add(User(username=f"bench.county.{code}", display_name=f"{code} 监管员",
                                    password_hash="-", division_code=code, created_at=utcnow(),
                                    role_rows=[UserRole(role="county_officer")]))
        db.session.commit()


def _fill(app, template, count: int, start_id: int, counties: list[str]) -> None:
    from storage.models import HumanTask, InstanceEvent, ProcessInstance, Report, utcnow
    from web.extensions import db

    report_t, inst_t, task_t, events_t = template
    rng = random.Random(start_id)
    now = utcnow()
    with app.app_context():
        conn = db.session.connection()
        for base in range(start_id, start_id + count, 5000):
            reports, insts, tasks, events = [], [], [], []
            for i in range(base, min(base + 5000, start_id + count)):
                county = counties[rng.randrange(len(counties))]
                since = now - timedelta(minutes=rng.randrange(60 * 24 * 30))
                reports.append({**report_t, "id": i, "tracking_no": f"SX-2025-{i:06d}", "county_code": county,
                                "division_code": county})
                insts.append({**inst_t, "id": i, "report_id": i, "updated_at": since, "created_at": since})
                tasks.append({**task_t, "id": str(uuid.uuid4()), "instance_id": i, "report_id": i,
                              "division_code": county, "created_at": since})
                events.extend({**ev, "instance_id": i, "report_id": i} for ev in events_t)
            conn.execute(Report.__table__.insert(), reports)
            conn.execute(ProcessInstance.__table__.insert(), insts)
            conn.execute(HumanTask.__table__.insert(), tasks)
            conn.execute(InstanceEvent.__table__.insert(), events)
        db.session.commit()


def _make_stuck(app, ids: list[int]) -> None:
    """STUCK_EACH instances of each kind, chosen among `ids` (all of them ordinary waiting instances)."""
    from sqlalchemy import update

    from storage.models import HumanTask, InstanceStatus, ProcessInstance, utcnow
    from web.extensions import db

    now = utcnow()
    chosen = random.Random(len(ids)).sample(ids, STUCK_EACH * len(KINDS))
    groups = {kind: chosen[n * STUCK_EACH:(n + 1) * STUCK_EACH] for n, kind in enumerate(KINDS)}
    pi, ht = ProcessInstance, HumanTask
    changes = [
        update(pi).where(pi.id.in_(groups["error"])).values(
            status=InstanceStatus.ERROR, error_element="notify_safety_director",
            error_message="通知安全总监失败：该单位未登记安全总监"),
        update(pi).where(pi.id.in_(groups["suspended"])).values(
            status=InstanceStatus.SUSPENDED, status_before_suspend=InstanceStatus.USER_INPUT_REQUIRED),
        update(pi).where(pi.id.in_(groups["timer"])).values(next_timer_at=now - timedelta(days=2)),
        update(ht).where(ht.instance_id.in_(groups["overdue"])).values(due_at=now - timedelta(days=3)),
        update(ht).where(ht.instance_id.in_(groups["nobody"])).values(candidate_group="inspection_officer"),
    ]
    with app.app_context():
        for stmt in changes:
            db.session.execute(stmt)
        db.session.commit()


def _sample(app, func) -> list[float]:
    from sqlalchemy import select

    from storage.models import User
    from web import env
    from web.extensions import db

    samples = []
    with app.app_context():
        e = env()
        admin = e.session.scalar(select(User).where(User.username == "admin"))
        admin.roles  # noqa: B018 - load roles once, as a request's login does
        for _ in range(SAMPLES + WARMUP):
            t = time.perf_counter()
            func(e, admin)
            samples.append(time.perf_counter() - t)
            e.session.rollback()
        db.session.remove()
    return samples[WARMUP:]


def stuck_page(e, admin):
    """The function behind GET /admin/instances?status=stuck (first page of 20)."""
    from services.admin_queries import InstanceFilter, list_instances

    rows, total = list_instances(e, admin, InstanceFilter(status="stuck"), 1, 20)
    assert rows and total >= STUCK_EACH * len(KINDS), total
    return rows, total


def dashboard_counts(e, admin):
    """The figures of GET /admin."""
    from services.admin_dashboard import dashboard

    return dashboard(e)


def main() -> dict:
    from sqlalchemy import select, text

    from storage.models import Division
    from web.extensions import db

    app, tmp = make_app()
    try:
        template = waiting_instance_template(app)
        with app.app_context():
            counties = list(db.session.scalars(select(Division.code).where(Division.level == "county")))
            db.session.remove()
        _staff_counties(app, counties)
        results, done, next_id, ids = {}, 1, 1000, []
        for size in (1_000, 100_000):
            _fill(app, template, size - done, next_id, counties)
            ids += list(range(next_id, next_id + size - done))
            next_id, done = next_id + size - done, size
            _make_stuck(app, ids)
            with app.app_context():
                db.session.execute(text("ANALYZE"))
                db.session.commit()
                db.session.remove()
            results[size] = _figures(app, _sample(app, stuck_page), _sample(app, dashboard_counts))
    finally:
        with app.app_context():
            db.engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)  # about 0.5 GB at 100,000 instances
    _print(results)
    return results


def _figures(app, stuck_samples, dash_samples) -> dict:
    from sqlalchemy import select

    from storage.models import User
    from web import env
    from web.extensions import db

    with app.app_context():
        e = env()
        admin = e.session.scalar(select(User).where(User.username == "admin"))
        _, total = stuck_page(e, admin)
        db.session.remove()
    return {"stuck": total, "stuck_p50": median_ms(stuck_samples), "stuck_p95": p95_ms(stuck_samples),
            "dash_p50": median_ms(dash_samples), "dash_p95": p95_ms(dash_samples)}


def _print(results: dict) -> None:
    print(f"machine: {machine()}")
    for size, r in results.items():
        print(f"{size:>7,} instances, {r['stuck']} stuck: stuck view first page p50 {r['stuck_p50']:.1f} ms, "
              f"p95 {r['stuck_p95']:.1f} ms; dashboard p50 {r['dash_p50']:.1f} ms, p95 {r['dash_p95']:.1f} ms")
    big = results[100_000]
    verdict = "met" if big["stuck_p95"] <= 200 else "NOT met"
    print(f"stuck view p95 at 100k: {big['stuck_p95']:.1f} ms (target <= 200 ms: {verdict}); "
          f"growth 1k -> 100k x{big['stuck_p95'] / results[1_000]['stuck_p95']:.1f}")


if __name__ == "__main__":
    main()
