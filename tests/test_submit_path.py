"""The submission's round trips: what the web and auth layers and the submit service no longer ask the database
for on every POST /api/v1/reports, and that the shortcuts answer what the long way answered."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select

from conftest import Api

from services.directory import catalogue_path, category_code
from storage.models import EquipmentType, Report
from web.extensions import db

REPORT = {"kind": "risk_hazard", "domain": "use", "equipment_type_code": "3110", "content": "层门门锁回路被短接。"}


def test_catalogue_path_answers_what_category_code_answers_for_every_code(env):
    codes = list(env.session.scalars(select(EquipmentType.code)))
    assert len(codes) > 50
    for code in codes + ["nope", ""]:
        env.session.expunge_all()
        expected = category_code(env, code)
        env.session.expunge_all()
        rows, category = catalogue_path(env, code)
        assert category == expected, code
        assert (code in {r.code for r in rows}) == (expected is not None), code


def test_a_submission_reads_no_person_no_diagram_and_the_catalogue_once(app, api):
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
    assert len([s for s in sent if "FROM equipment_type" in s]) == 1, sent
    assert not [s for s in sent if s.startswith("DELETE FROM report_search")], sent
    with app.app_context():
        report = db.session.get(Report, res.get_json()["id"])
        assert report.equipment_category_code == "3000" and report.tracking_no == res.get_json()["tracking_no"]
