"""The API token check without a database round trip: the person comes from this process's short-lived cache;
an account change made in this process is seen at once, one made by another process within the cache's TTL."""
from __future__ import annotations

from sqlalchemy import event, select, update

from storage import people_cache
from storage.models import User, UserRole
from web.extensions import db


def _statements_during(app, call) -> list[str]:
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def record(conn, cursor, statement, *_):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        result = call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen, result


def test_a_repeated_token_check_reads_no_user_row(app, api):
    assert api.get("/me", "reporter.agency").status_code == 200  # signs in and fills the cache
    seen, res = _statements_during(app, lambda: api.get("/me", "reporter.agency"))
    assert res.status_code == 200
    assert res.get_json()["username"] == "reporter.agency" and "reporter" in res.get_json()["roles"]
    assert not [s for s in seen if 'FROM "user"' in s or "FROM user " in s or "FROM user_role" in s], seen


def test_a_submission_from_the_cache_writes_the_right_reporter(app, api, env):
    api.submit()
    report = api.submit()
    assert report["tracking_no"]
    reporter = env.session.scalar(select(User.id).where(User.username == "reporter.agency"))
    from storage.models import Report
    assert env.session.get(Report, report["id"]).reporter_id == reporter


def test_deactivation_in_this_process_ends_the_cached_token_at_once(api, env):
    target = env.session.scalar(select(User.id).where(User.username == "reporter.unit"))
    assert api.get("/me", "reporter.unit").status_code == 200
    assert api.get("/me", "reporter.unit").status_code == 200  # now served from the cache
    res = api.call("PATCH", f"/admin/users/{target}", "county.610113", json={"active": False})
    assert res.status_code == 200
    assert api.get("/me", "reporter.unit").status_code == 401


def test_a_role_taken_away_in_this_process_is_seen_at_once(app, api, env):
    api.submit()  # the reporter is cached with the reporter role
    uid = env.session.scalar(select(User.id).where(User.username == "reporter.agency"))
    for row in env.session.scalars(select(UserRole).where(UserRole.user_id == uid)):
        env.session.delete(row)
    env.session.commit()  # an ORM flush of a role row in this process empties the cache
    env.session.expire_all()  # the requests below share this test's session (its app context): drop its copies
    res = api.post("/reports", "reporter.agency", json={"kind": "problem", "domain": "use",
                                                          "equipment_type_code": "3110", "content": "测试"})
    assert res.status_code == 403


def test_a_change_by_another_process_is_seen_within_the_ttl(app, api, monkeypatch):
    """Another worker's deactivation reaches this process's cache no later than TTL_SECONDS later."""
    clock = [1000.0]
    monkeypatch.setattr(people_cache.time, "monotonic", lambda: clock[0])
    assert api.get("/me", "reporter.unit").status_code == 200
    with app.app_context():
        with db.engine.begin() as conn:  # a plain UPDATE, as another process would commit it: no ORM event here
            conn.execute(update(User).where(User.username == "reporter.unit").values(active=False))
    assert api.get("/me", "reporter.unit").status_code == 200  # the documented window
    clock[0] += people_cache.TTL_SECONDS + 0.01
    assert api.get("/me", "reporter.unit").status_code == 401


def test_a_forged_uid_is_refused(app, api):
    from web.api.auth import _serializer

    with app.test_request_context():
        for uid in (None, "1", 10**12, [1]):
            bogus = _serializer().dumps({"uid": uid, "pw": "x", "sv": 0})
            res = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {bogus}"})
            assert res.status_code == 401, uid
