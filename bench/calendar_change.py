"""What one working-day calendar change costs with N running reports: declaring a holiday on the open county
tasks' due day recomputes their deadlines and engine timers in the admin's request (services/calendar.set_day).
Prints, for each N, the request's wall and CPU time and how many deadlines moved."""
from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine, make_app  # noqa: E402


def measure(count: int) -> tuple[float, float, int, int]:
    from sqlalchemy import func, select

    from services.calendar import set_day
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
        moved = e.session.scalar(select(func.count()).select_from(InstanceEvent)
                                 .where(InstanceEvent.kind == "deadline_moved"))
        return wall, cpu, moved, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000", help="comma-separated numbers of running reports")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    for size in (int(s) for s in args.sizes.split(",")):
        wall, cpu, moved, count = measure(size)
        print(f"{count} running reports: one calendar change took {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU; "
              f"{moved} deadlines moved ({cpu * 1000 / max(count, 1):.1f} ms CPU per report)")


if __name__ == "__main__":
    main()
