"""Tracking numbers come from one upsert of the year's counter row: no gaps, no duplicates, also when many
submissions start the same new year at the same moment (PostgreSQL with threads; SQLite with its write lock)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy.orm import Session

from storage.database import begin_write
from storage.repositories import next_tracking_number
from web import create_app
from web.extensions import db

THREADS = 12
PER_THREAD = 5


def numbers_from_threads(app, year: int) -> list[str]:
    """THREADS threads, each taking PER_THREAD numbers in their own committed transactions, all at once."""
    with app.app_context():
        engine = db.engine
    barrier = threading.Barrier(THREADS)
    taken: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def work():
        try:
            barrier.wait()
            for _ in range(PER_THREAD):
                with Session(engine) as session:
                    begin_write(session)
                    number = next_tracking_number(session, year)
                    session.commit()
                with lock:
                    taken.append(number)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures
    return taken


def expected(year: int) -> list[str]:
    return [f"SX-{year}-{n:06d}" for n in range(1, THREADS * PER_THREAD + 1)]


@pytest.mark.postgres
def test_postgres_threads_starting_a_new_year_get_every_number_once(pg_settings):
    app = create_app(pg_settings)
    try:
        assert sorted(numbers_from_threads(app, 2091)) == expected(2091)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_sqlite_threads_starting_a_new_year_get_every_number_once(app):
    assert sorted(numbers_from_threads(app, 2092)) == expected(2092)


def test_numbering_continues_from_the_stored_counter(app):
    with app.app_context():
        session = db.session()
        begin_write(session)
        assert next_tracking_number(session, 2093) == "SX-2093-000001"
        session.commit()
        begin_write(session)
        assert next_tracking_number(session, 2093) == "SX-2093-000002"
        assert next_tracking_number(session, 2094) == "SX-2094-000001"  # each year counts on its own
        session.rollback()
        begin_write(session)
        assert next_tracking_number(session, 2093) == "SX-2093-000002"  # a rolled-back number is reused
        session.commit()
