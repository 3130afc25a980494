"""What one working-day calendar change costs with N running reports: declaring a holiday on the open county
tasks' due day (services/calendar.set_day) only records the pending recomputation in the admin's request; the
scheduler's job (recompute_deadlines_batch, RECOMPUTE_BATCH instances per transaction) then moves the deadlines
and engine timers. Prints, for each N, the request's wall and CPU time, and separately the time to drain the
queue, its number of batches and how many deadlines moved."""
from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine, make_app  # noqa: E402


def measure(count: int) -> dict:
    from sqlalchemy import func, select

    from services.calendar import deadline_recompute_pending, recompute_deadlines_batch, set_day
    from services.reports import ReportInput, submit_report
    from storage.models import HumanTask, InstanceEvent, User
    from web import env

    app, _ = make_app()
    with app.app_context():
        e = env()
        reporter = e.session.scalar(select(User).where(User.username == "reporter.agency"))
        for i in range(count):
            submit_report(e, reporter, ReportInput(kind="risk_hazard", domain="use", equipment_type_code="3110",
                                                   content=f"电梯层门门锁回路被短接（第 {i + 1} 份）。"))
        due = e.session.scalar(select(func.min(HumanTask.due_at)).where(HumanTask.element_id == "county_disposal"))
        day = (due - timedelta(seconds=1)).astimezone(ZoneInfo("Asia/Shanghai")).date()  # the local due day
        admin = e.session.scalar(select(User).where(User.username == "admin"))
        wall, cpu = time.perf_counter(), time.process_time()
        set_day(e, admin, day, "holiday", "基准测试假日")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        in_request = e.session.scalar(select(func.count()).select_from(InstanceEvent)
                                      .where(InstanceEvent.kind == "deadline_moved"))
        e.session.rollback()
        batches, dwall, dcpu = 0, time.perf_counter(), time.process_time()
        while deadline_recompute_pending(e) is not None:  # the scheduler's job does the same, for up to 20 s per run
            e.session.rollback()
            recompute_deadlines_batch(e)
            batches += 1
        dwall, dcpu = time.perf_counter() - dwall, time.process_time() - dcpu
        moved = e.session.scalar(select(func.count()).select_from(InstanceEvent)
                                 .where(InstanceEvent.kind == "deadline_moved"))
        return {"count": count, "wall": wall, "cpu": cpu, "in_request": in_request, "dwall": dwall, "dcpu": dcpu,
                "batches": batches, "moved": moved}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000", help="comma-separated numbers of running reports")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    for size in (int(s) for s in args.sizes.split(",")):
        m = measure(size)
        print(f"{m['count']} running reports: the calendar change request took {m['wall'] * 1000:.0f} ms wall, "
              f"{m['cpu'] * 1000:.0f} ms CPU, {m['in_request']} deadlines moved in it; draining the queue took "
              f"{m['batches']} batches of 50, {m['dwall'] * 1000:.0f} ms wall, {m['dcpu'] * 1000:.0f} ms CPU, "
              f"{m['moved']} deadlines moved ({m['dcpu'] * 1000 / max(m['count'], 1):.1f} ms CPU per report)")


if __name__ == "__main__":
    main()
