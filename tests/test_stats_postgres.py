"""The statistics SQL (materialized CTE, casts, month and duration expressions) on PostgreSQL."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from services import periodic_reports, quality, stats
from storage.models import User
from web import create_app
from web import env as make_env
from web.extensions import db

from stats_data import expected_summary, generate_reports, generate_tasks, in_range, nonzero

pytestmark = pytest.mark.postgres


def test_summary_and_breakdowns_match_hand_counts_on_postgres(pg_settings, tmp_path):
    app = create_app(pg_settings)
    with app.app_context():
        session = db.session
        rows = generate_reports(session, n=1500, seed=99)
        generate_tasks(session, rows)
        province = session.scalar(select(User).where(User.username == "province"))
        city = session.scalar(select(User).where(User.username == "city.610100"))
        cases = [(province, None, None, lambda r: True),
                 (province, "2026-11-01", "2026-11-30", lambda r: in_range(r, date(2026, 11, 1), date(2026, 11, 30))),
                 (city, None, None, lambda r: r["city_code"] == "610100")]
        for user, start, end, keep in cases:
            f = stats.build_filter(session, user, start, end)
            expected = expected_summary([r for r in rows if keep(r)])
            result = stats.summary(session, f)
            assert result["total"] == expected["total"]
            for name in stats.DIMENSIONS:
                assert nonzero(result[name]) == dict(expected[name]), name
            assert (result["overdue_rate"], result["on_time_rate"]) == (expected["overdue_rate"],
                                                                        expected["on_time_rate"])
            full = stats.full_statistics(session, f)
            assert sum(m["total"] for m in full["trend"]) == expected["total"]
            assert sum(i["total"] for i in full["drilldown"]["items"]) == expected["total"]
            assert sum(b["count"] for b in full["handling_time"]["buckets"]) == full["handling_time"]["closed"]
        assert quality.point_rankings(session, stats.province_filter(session))
        paths = periodic_reports.generate(make_env(), "monthly", "2026-11", tmp_path / "reports")
        assert all(p.is_file() for p in paths)
        db.session.remove()
        db.engine.dispose()
