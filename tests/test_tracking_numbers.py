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


@pytest.fixture
def pg_engine(pg_settings):
    app = create_app(pg_settings)
    with app.app_context():
        engine = db.engine
    yield engine
    with app.app_context():
        db.session.remove()
    engine.dispose()


@pytest.mark.postgres
def test_postgres_an_open_submission_does_not_block_the_next_one(pg_engine):
    """The first transaction keeps its number (and would keep it for a whole engine step); the second takes the
    next number at once instead of waiting for the first to commit."""
    from sqlalchemy import text

    first, second = Session(pg_engine), Session(pg_engine)
    try:
        assert next_tracking_number(first, 2081) == "SX-2081-000001"
        second.execute(text("SET LOCAL lock_timeout = '2s'"))  # the old single counter row would time out here
        assert next_tracking_number(second, 2081) == "SX-2081-000002"
        second.commit()
        first.commit()
    finally:
        first.close()
        second.close()


@pytest.mark.postgres
def test_postgres_a_rolled_back_number_is_the_next_submissions(pg_engine):
    """No gap: a number whose transaction rolls back is handed to the next submission, also when a later number
    was taken and committed meanwhile."""
    first, second = Session(pg_engine), Session(pg_engine)
    try:
        assert next_tracking_number(first, 2082) == "SX-2082-000001"
        assert next_tracking_number(second, 2082) == "SX-2082-000002"
        second.commit()
        first.rollback()
        with Session(pg_engine) as third:
            assert next_tracking_number(third, 2082) == "SX-2082-000001"
            third.commit()
        with Session(pg_engine) as fourth:
            assert next_tracking_number(fourth, 2082) == "SX-2082-000003"
            fourth.commit()
    finally:
        first.close()
        second.close()


@pytest.mark.postgres
def test_postgres_numbering_runs_across_pool_refills(pg_engine):
    """More numbers than one refill of the pool: consecutive, each once, and the counter only ever hands out
    whole batches."""
    from sqlalchemy import text

    from storage.repositories import SLOT_BATCH

    taken = []
    for _ in range(SLOT_BATCH * 2 + 3):
        with Session(pg_engine) as session:
            taken.append(next_tracking_number(session, 2083))
            session.commit()
    assert taken == [f"SX-2083-{n:06d}" for n in range(1, SLOT_BATCH * 2 + 4)]
    with pg_engine.connect() as conn:
        assert conn.execute(text("SELECT last_value FROM tracking_counter WHERE year = 2083")).scalar() == SLOT_BATCH * 3
        assert conn.execute(text("SELECT count(*) FROM tracking_slot WHERE year = 2083")).scalar() == SLOT_BATCH - 3


@pytest.mark.postgres
def test_postgres_continues_after_an_existing_counter(pg_engine):
    """A database numbered by the single counter before this migration continues after its highest number."""
    from sqlalchemy import text

    with pg_engine.begin() as conn:
        conn.execute(text("INSERT INTO tracking_counter (year, last_value) VALUES (2084, 41)"))
    with Session(pg_engine) as session:
        assert next_tracking_number(session, 2084) == "SX-2084-000042"
        session.commit()
