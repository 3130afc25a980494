"""The lean step (issue 15): collected events and notices keep their order and reach the right people, the cached
recipients follow account changes at once, and a step is one commit."""
from __future__ import annotations

from sqlalchemy import event, select

from services.auth import hash_password
from storage.models import InstanceEvent, Notification, Role, User, UserRole
from web.extensions import db

from app_helpers import run

ESCALATE = {"decision": "escalate", "measures": "现场核查", "risk_level": "major", "quality_score": 4}


def notified(app, report_id: int) -> set[str]:
    """Usernames told about a new task of the report."""
    def go(env):
        stmt = (select(User.username).join(Notification, Notification.user_id == User.id)
                .where(Notification.report_id == report_id, Notification.kind == "task"))
        return set(env.session.scalars(stmt))
    return run(app, go)


def add_county_officer(app, username: str) -> int:
    def go(env):
        user = User(username=username, password_hash=hash_password("Demo#2026x"), display_name="新县级人员",
                    division_code="610113", active=True)
        env.session.add(user)
        env.session.flush()
        env.session.add(UserRole(user_id=user.id, role=Role("county_officer")))
        env.session.commit()
        return user.id
    return run(app, go)


def set_active(app, username: str, active: bool) -> None:
    def go(env):
        env.session.scalar(select(User).where(User.username == username)).active = active
        env.session.commit()
    run(app, go)


def test_a_new_officer_is_told_of_the_very_next_task_and_a_deactivated_one_is_not(app, api):
    first = api.submit()["id"]
    assert "county.610113" in notified(app, first)  # the recipients of (county_officer, 610113) are now cached
    add_county_officer(app, "county.610113.new")
    second = api.submit()["id"]
    assert {"county.610113", "county.610113.new"} <= notified(app, second)
    set_active(app, "county.610113.new", False)
    third = api.submit()["id"]
    assert "county.610113.new" not in notified(app, third)
    assert "county.610113" in notified(app, third)


def test_the_completion_event_comes_before_the_events_of_the_step_it_causes(app, api):
    rid = api.submit()["id"]
    api.complete("county.610113", rid, "county_disposal", ESCALATE)

    def kinds(env):
        return [(e.kind, e.element_id) for e in env.session.scalars(
            select(InstanceEvent).where(InstanceEvent.report_id == rid).order_by(InstanceEvent.id))]
    timeline = run(app, kinds)
    assert timeline.index(("task_completed", "county_disposal")) < timeline.index(("task_created", "city_assessment"))
    assert timeline[0][0] == "submitted"
    assert notified(app, rid) >= {"county.610113", "city.610100"}


def test_a_completion_is_one_commit_and_a_double_completion_is_409(app, api):
    rid = api.submit()["id"]
    task = api.task("county.610113", rid, "county_disposal")
    with app.app_context():
        engine = db.engine
    commits = []
    listener = lambda *_args: commits.append(1)  # noqa: E731
    event.listen(engine, "commit", listener)
    try:
        res = api.post(f"/tasks/{task['id']}/complete", "county.610113", json={"data": ESCALATE})
    finally:
        event.remove(engine, "commit", listener)
    assert res.status_code == 200, res.get_json()
    assert len(commits) == 1
    again = api.post(f"/tasks/{task['id']}/complete", "county.610113", json={"data": ESCALATE})
    assert again.status_code == 409


def statements_of(app, action) -> list[str]:
    """The SQL statements sent while `action()` runs."""
    with app.app_context():
        engine = db.engine
    sent = []
    listener = lambda _c, _cur, statement, *_rest: sent.append(" ".join(statement.split()))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return sent


def test_a_completion_reads_once_and_skips_the_answers_query_for_a_task_never_done_before(app, api):
    first, second = api.submit()["id"], api.submit()["id"]
    api.complete("county.610113", first, "county_disposal", ESCALATE)  # recipients and channels now cached
    task = api.task("county.610113", second, "county_disposal")
    res = []
    sent = statements_of(app, lambda: res.append(api.post(f"/tasks/{task['id']}/complete", "county.610113",
                                                          json={"data": ESCALATE})))
    assert res[0].status_code == 200, res[0].get_json()
    # the request's sign-in reads (the account and its roles) are not the step's
    step = [s for s in sent if not s.startswith(("BEGIN", "SELECT user.", "SELECT user_role."))]
    selects = [s for s in step if s.startswith("SELECT")]
    # the task with its candidates, instance, report and open task ids: one SELECT; city_assessment never ran
    # before in this instance, so no SELECT of earlier answers from instance_event
    assert len(selects) == 1 and "FROM human_task JOIN process_instance" in selects[0], selects
    # UPDATE task, upsert score, INSERT new task, UPDATE instance, UPDATE report, INSERT events, INSERT notices
    assert len(step) <= 8, step
    assert api.task("city.610100", second, "city_assessment")["state"] == "open"
