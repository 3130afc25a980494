"""The sign-in throttle on PostgreSQL: workers failing at the same moment all count, other clients are unaffected."""
from __future__ import annotations

import threading

import pytest

from storage.models import LoginThrottle
from web.extensions import db

from conftest import PASSWORD

pytestmark = pytest.mark.postgres


def _attempt(app, password, address):
    return app.test_client().post("/api/v1/auth/token", json={"username": "county.610113", "password": password},
                                  environ_base={"REMOTE_ADDR": address}).status_code


def test_simultaneous_failures_all_count_and_lock_only_that_client(pg_app):
    codes = []
    threads = [threading.Thread(target=lambda: codes.append(_attempt(pg_app, "guess", "203.0.113.50")))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [401] * 4
    with pg_app.app_context():
        row = db.session.query(LoginThrottle).filter_by(client="203.0.113.50").one()
        assert row.failures == 4 and row.locked_until is None
        db.session.remove()
    assert _attempt(pg_app, "guess", "203.0.113.50") == 423
    assert _attempt(pg_app, PASSWORD, "203.0.113.50") == 423
    assert _attempt(pg_app, PASSWORD, "198.51.100.50") == 200
