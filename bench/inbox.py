"""(c) inbox latency for one county at 1,000 and 100,000 waiting instances, and (d) stored bytes per
waiting instance. Waiting instances are created once through the real services (so their blobs and
read-model rows are real), then replicated with bulk inserts across all 107 counties."""
from __future__ import annotations

import os
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine, make_app, median_ms, p95_ms, waiting_instance_template  # noqa: E402

QUERIES = 300


def _fill(app, template, target: int, start_id: int, counties: list[str]) -> None:
    from storage.models import HumanTask, InstanceEvent, ProcessInstance, Report
    from web.extensions import db

    report_t, inst_t, task_t, events_t = template
    rng = random.Random(start_id)
    with app.app_context():
        conn = db.session.connection()
        batch = 5000
        for base in range(start_id, start_id + target, batch):
            reports, insts, tasks, events = [], [], [], []
            for i in range(base, min(base + batch, start_id + target)):
                county = counties[rng.randrange(len(counties))]
                reports.append({**report_t, "id": i, "tracking_no": f"SX-2025-{i:06d}", "county_code": county})
                insts.append({**inst_t, "id": i, "report_id": i})
                tasks.append({**task_t, "id": str(uuid.uuid4()), "instance_id": i, "report_id": i,
                              "division_code": county})
                events.extend({**ev, "instance_id": i, "report_id": i} for ev in events_t)
            conn.execute(Report.__table__.insert(), reports)
            conn.execute(ProcessInstance.__table__.insert(), insts)
            conn.execute(HumanTask.__table__.insert(), tasks)
            conn.execute(InstanceEvent.__table__.insert(), events)
        db.session.commit()


def _measure(app) -> list[float]:
    from sqlalchemy import select

    from services.tasks import list_tasks
    from storage.models import User
    from web import env

    samples = []
    with app.app_context():
        e = env()
        user = e.session.scalar(select(User).where(User.username == "county.610113"))
        user.roles  # noqa: B018 - load roles once, as a request's login does
        for _ in range(QUERIES + 20):
            t = time.perf_counter()
            page = list_tasks(e, user, page=1, per_page=20, with_total=False)
            samples.append(time.perf_counter() - t)
            assert page.items
        return samples[20:]


def main() -> dict:
    from sqlalchemy import func, select, text

    from storage.models import Division, HumanTask, ProcessInstance
    from web.extensions import db

    app, tmp = make_app()
    template = waiting_instance_template(app)
    with app.app_context():
        counties = list(db.session.scalars(select(Division.code).where(Division.level == "county")))
        db_file = Path(db.engine.url.database)
    results = {}
    done, next_id = 1, 1000
    for size in (1_000, 100_000):
        _fill(app, template, size - done, next_id, counties)
        next_id += size - done
        done = size
        with app.app_context():
            mine = db.session.scalar(select(func.count()).select_from(HumanTask).where(
                HumanTask.division_code == "610113"))
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        samples = _measure(app)
        results[size] = (median_ms(samples), p95_ms(samples), mine)
    with app.app_context():
        db.session.remove()
        raw = db.engine.raw_connection()
        raw.cursor().execute("VACUUM")
        raw.close()
        blob = db.session.scalar(select(func.avg(func.length(ProcessInstance.workflow_state))))
    total_bytes = os.path.getsize(db_file)
    print(f"machine: {machine()}")
    for size, (med, p95, mine) in results.items():
        print(f"inbox, one county (page of 20), {size:>7,} waiting instances ({mine} in that county): "
              f"median {med:.2f} ms, p95 {p95:.2f} ms")
    growth = results[100_000][1] / results[1_000][1]
    print(f"p95 growth 1k -> 100k: x{growth:.2f} (target <= 1.5, p95 <= 20 ms)")
    print(f"engine blob per waiting instance: {blob:.0f} bytes (compressed, spec stored once per version)")
    print(f"whole SQLite file / waiting instances (report, instance, task, events, indexes): "
          f"{total_bytes / 100_000:.0f} bytes")
    return {"results": results, "growth": growth, "blob": blob, "per_instance": total_bytes / 100_000}


if __name__ == "__main__":
    main()
