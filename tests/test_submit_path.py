"""The submission's round trips: what the web and auth layers and the submit service no longer ask the database
for on every POST /api/v1/reports, and that the shortcuts answer what the long way answered."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select

from conftest import Api

from services.directory import category_code
from storage.models import EquipmentType, Report
from storage.people_cache import equipment_category, equipment_type
from web.extensions import db

REPORT = {"kind": "risk_hazard", "domain": "use", "equipment_type_code": "3110", "content": "层门门锁回路被短接。"}


def test_the_cached_catalogue_answers_what_category_code_answers_for_every_code(env):
    codes = list(env.session.scalars(select(EquipmentType.code)))
    assert len(codes) > 50
    for code in codes + ["nope", ""]:
        env.session.expunge_all()
        expected = category_code(env, code)
        env.session.expunge_all()
        assert equipment_category(env.session, code) == expected, code
        assert (equipment_type(env.session, code) is not None) == (expected is not None), code
        assert equipment_category(env.session, code) == expected, code  # and again, from the cache


def test_a_catalogue_change_is_seen_at_once_in_this_process(env):
    assert equipment_type(env.session, "3110").name != "改名的曳引驱动乘客电梯"
    env.session.get(EquipmentType, "3110").name = "改名的曳引驱动乘客电梯"
    env.session.commit()
    assert equipment_type(env.session, "3110").name == "改名的曳引驱动乘客电梯"


def test_a_submission_reads_no_person_no_diagram_and_no_catalogue_row(app, api):
    _submission_statements(app, api)


@pytest.mark.postgres
def test_on_postgres_too(pg_app):
    _submission_statements(pg_app, Api(pg_app.test_client()))


def _submission_statements(app, api):
    api.submit()  # warm: token, caches, parsed diagram
    with app.app_context():
        engine = db.engine
    sent: list[str] = []

    def record(conn, cursor, statement, *_):
        sent.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        res = api.post("/reports", "reporter.agency", json=REPORT)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert res.status_code == 201, res.get_json()
    assert not [s for s in sent if 'FROM "user"' in s or "FROM user_role" in s], sent
    assert not [s for s in sent if "bpmn_xml" in s], sent
    assert not [s for s in sent if "FROM equipment_type" in s], sent  # the catalogue comes from the cache
    assert not [s for s in sent if s.startswith("DELETE FROM report_search")], sent
    with app.app_context():
        report = db.session.get(Report, res.get_json()["id"])
        assert report.equipment_category_code == "3000" and report.tracking_no == res.get_json()["tracking_no"]


def _a_new_report_is_found_by_its_words(app, api):
    """The search row written by the prepared insert (FTS5 on SQLite, to_tsvector on PostgreSQL) finds it."""
    rid = api.submit(content="曳引机制动器闸瓦磨损严重，制动力矩不足。")["id"]
    api.submit(content="压力容器安全阀校验过期。")
    found = api.get("/reports?q=闸瓦磨损", "province").get_json()
    assert [item["id"] for item in found["items"]] == [rid]


def test_a_new_report_is_found_by_its_words(app, api):
    _a_new_report_is_found_by_its_words(app, api)


@pytest.mark.postgres
def test_a_new_report_is_found_by_its_words_on_postgres(pg_app):
    _a_new_report_is_found_by_its_words(pg_app, Api(pg_app.test_client()))
