"""The Alembic migrations build exactly the schema storage.models declares."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
import pytest
from sqlalchemy import inspect

from storage.fulltext import outside_metadata
from storage.models import Base
from web import create_app
from web.extensions import db

from conftest import make_settings, postgres_url, reset_postgres_schema


def _differences(connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True,
                                                             "include_name": outside_metadata})
    return compare_metadata(context, Base.metadata)


def _describe(diff) -> str:
    if isinstance(diff, list):  # column modifications come as a list of tuples
        return "; ".join(_describe(d) for d in diff)
    kind, *rest = diff
    names = []
    for item in rest:
        name = getattr(item, "name", None) or getattr(getattr(item, "table", None), "name", None)
        names.append(str(name if name is not None else item))
    return f"{kind}: {', '.join(names)}"


def _assert_round_trip(app) -> None:
    """Upgrade to head matches the models exactly; downgrade to base leaves an empty database."""
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            diffs = _differences(conn)
        assert "alembic_version" in tables
        assert {"report", "process_instance", "human_task", "instance_event"} <= tables
        missing_tables = [d[1].name for d in diffs if isinstance(d, tuple) and d[0] == "add_table"]
        assert diffs == [], (
            f"migrations out of date ({len(diffs)} differences; tables without a migration: "
            f"{missing_tables}):\n" + "\n".join(_describe(d) for d in diffs))
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_upgrade_on_fresh_sqlite_matches_models(tmp_path):
    _assert_round_trip(create_app(make_settings(tmp_path, f"sqlite:///{tmp_path / 'fresh.db'}")))


@pytest.mark.postgres
def test_upgrade_on_fresh_postgres_matches_models(tmp_path):
    """PostgreSQL too: e.g. the monitoring_point ⇄ user foreign keys that create_table leaves out."""
    url = postgres_url()
    if not url:
        pytest.skip("TEST_DATABASE_URL 未设置：跳过 PostgreSQL 测试")
    reset_postgres_schema(url)
    _assert_round_trip(create_app(make_settings(tmp_path, url)))


def test_upgrade_is_idempotent(tmp_path):
    from flask_migrate import upgrade

    app = create_app(make_settings(tmp_path, f"sqlite:///{tmp_path / 'again.db'}"))
    with app.app_context():
        upgrade()
        upgrade()
        with db.engine.connect() as conn:
            heads = MigrationContext.configure(conn).get_current_heads()
        assert len(heads) == 1
        db.engine.dispose()
