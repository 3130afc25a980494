"""PostgreSQL pool checkout: no SELECT 1 round trip per request, and still no failed request when the server has
ended a pooled connection (the socket check in storage.database replaces pool_pre_ping)."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, event, text

from conftest import PASSWORD
from web.extensions import db

pytestmark = pytest.mark.postgres


def _backend_pids(app) -> set[int]:
    """The backends of the connections now idle in the app's pool."""
    pids = set()
    with app.app_context():
        for _ in range(3):
            pids.add(db.session.execute(text("SELECT pg_backend_pid()")).scalar())
            db.session.remove()
    return pids


def test_terminated_pooled_connections_are_replaced_without_a_failed_request(pg_app, pg_settings):
    client = pg_app.test_client()
    res = client.post("/api/v1/auth/token", json={"username": "reporter.agency", "password": PASSWORD})
    assert res.status_code == 200
    auth = {"Authorization": f"Bearer {res.get_json()['token']}"}
    assert client.get("/api/v1/me", headers=auth).status_code == 200
    pids = _backend_pids(pg_app)
    admin = create_engine(pg_settings.database_url_sqlalchemy)
    try:
        with admin.connect() as conn:
            for pid in pids:
                assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar() is True
    finally:
        admin.dispose()
    time.sleep(0.5)  # the server's goodbye reaches the pooled sockets
    for _ in range(5):
        res = client.post("/api/v1/reports", headers=auth, json={
            "kind": "problem", "domain": "use", "equipment_type_code": "3110", "content": "连接被数据库结束后的报送"})
        assert res.status_code == 201, res.get_json()
    assert not (_backend_pids(pg_app) & pids)


def test_a_checkout_sends_no_ping(pg_app):
    with pg_app.app_context():
        engine = db.engine
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    raw = engine.raw_connection()  # a checkout, as a request's first statement makes
    raw.close()
    assert sent == []
    assert engine.pool._pre_ping is False


def test_a_pool_that_cannot_get_a_live_connection_answers_503(pg_app):
    """Every connection the pool checks out or makes is refused (the server ending each one as it comes, as when
    it restarts): SQLAlchemy gives up with a plain InvalidRequestError; the API answers 503 with Retry-After,
    not 500."""
    from sqlalchemy.exc import DisconnectionError

    client = pg_app.test_client()
    res = client.post("/api/v1/auth/token", json={"username": "county.610113", "password": PASSWORD})
    auth = {"Authorization": f"Bearer {res.get_json()['token']}"}
    with pg_app.app_context():
        engine = db.engine

    def refuse(*_args):
        raise DisconnectionError("ended by the server")

    event.listen(engine, "checkout", refuse)
    try:
        res = client.post("/api/v1/tasks/no-such-task/complete", json={"data": {}}, headers=auth)
    finally:
        event.remove(engine, "checkout", refuse)
    assert res.status_code == 503, res.get_data(as_text=True)
    assert res.headers.get("Retry-After") and res.get_json()["error"]["code"] == "database_unavailable"
    assert client.get("/api/v1/me", headers=auth).status_code == 200  # and it recovers
