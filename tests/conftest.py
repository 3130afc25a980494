"""Fixtures: settings → app → client, a seeded template database copied per test, API helpers."""
from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from services.settings import Settings
from web import create_app
from web.extensions import db

PROJECT = Path(__file__).resolve().parent.parent
PASSWORD = "Demo#2026"


def make_settings(tmp: Path, database_url: str, **overrides) -> Settings:
    """Settings for a test installation under `tmp`."""
    values = dict(database_url=database_url, secret_key="test-secret", testing=True,
                  upload_dir=str(tmp / "uploads"), process_dir=str(PROJECT / "processes"))
    values.update(overrides)
    return Settings(**values)


def seed_database(settings: Settings) -> None:
    """Migrate, load reference data, deploy the diagram, create demo accounts (no reports)."""
    from services.demo import seed_demo
    from web.cli import init_database
    from web import env

    app = create_app(settings)
    with app.app_context():
        init_database()
        # Tables added since the last migration was generated; test_migrations checks they are in sync.
        db.create_all()
        seed_demo(env(), with_reports=False)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    """A migrated, seeded SQLite file made once per test session."""
    tmp = tmp_path_factory.mktemp("template")
    path = tmp / "riskmon.db"
    seed_database(make_settings(tmp, f"sqlite:///{path}"))
    return path


@pytest.fixture
def settings(tmp_path, template_db) -> Settings:
    target = tmp_path / "riskmon.db"
    shutil.copy(template_db, target)
    return make_settings(tmp_path, f"sqlite:///{target}")


@pytest.fixture
def app(settings):
    application = create_app(settings)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def small_app(settings):
    """The app with a 64 KB upload limit (bigger test bodies spool to temporary files the test client leaks)."""
    application = create_app(replace(settings, max_upload_bytes=64 * 1024))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def env(app):
    """The service environment inside an app context."""
    from web import env as make_env

    with app.app_context():
        yield make_env()
        db.session.remove()


class Api:
    """A tiny JSON client that signs in as demo accounts."""

    def __init__(self, client):
        self.client = client
        self.tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            res = self.client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
            assert res.status_code == 200, res.get_json()
            self.tokens[username] = res.get_json()["token"]
        return self.tokens[username]

    def call(self, method: str, path: str, user: str | None = None, **kwargs):
        headers = kwargs.pop("headers", {})
        if user:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        return self.client.open("/api/v1" + path, method=method, headers=headers, **kwargs)

    def get(self, path, user=None, **kw):
        return self.call("GET", path, user, **kw)

    def post(self, path, user=None, **kw):
        return self.call("POST", path, user, **kw)

    def submit(self, user="reporter.agency", **fields):
        body = {"kind": "risk_hazard", "domain": "use", "equipment_type_code": "3110",
                "title": "电梯层门门锁回路被短接", "content": "现场检查发现层门门锁回路被短接。"}
        body.update(fields)
        res = self.post("/reports", user, json=body)
        assert res.status_code == 201, res.get_json()
        return res.get_json()

    def task(self, user, report_id, element_id):
        res = self.get(f"/tasks?report_id={report_id}&element_id={element_id}", user)
        assert res.status_code == 200, res.get_json()
        items = res.get_json()["items"]
        assert items, f"{user} has no {element_id} task for report {report_id}"
        return items[0]

    def complete(self, user, report_id, element_id, data, expect=200):
        task = self.task(user, report_id, element_id)
        res = self.post(f"/tasks/{task['id']}/complete", user, json={"data": data})
        assert res.status_code == expect, res.get_json()
        return res.get_json()


@pytest.fixture
def api(client) -> Api:
    return Api(client)


def postgres_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


def reset_postgres_schema(url: str) -> None:
    """An empty public schema in the PostgreSQL test database (everything in it is dropped)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def pg_settings(tmp_path) -> Settings:
    """A freshly migrated and seeded PostgreSQL database (TEST_DATABASE_URL), or skip."""
    url = postgres_url()
    if not url:
        pytest.skip("TEST_DATABASE_URL 未设置：跳过 PostgreSQL 测试")
    reset_postgres_schema(url)
    settings = make_settings(tmp_path, url)
    seed_database(settings)
    return settings


@pytest.fixture
def pg_app(pg_settings):
    """The app on the freshly seeded PostgreSQL database."""
    app = create_app(pg_settings)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
