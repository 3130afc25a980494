"""The Flask application factory."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask, g, request

from engine import ExpressionEnvironment, ProcessStore, Runtime
from handlers import HANDLERS
from services.calendar import CalendarCache, expression_functions
from services.context import Env
from services.settings import Settings
from storage.database import configure_engine
from storage.models import utcnow
from storage.people_cache import install_listeners as install_people_cache_listeners

from .extensions import db, migrate
from .input_guards import install as install_input_guards
from .json_out import FastJSONProvider

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(settings: Settings | None = None) -> Flask:
    """Wire settings, database, engine, blueprints, error handlers and CLI; start nothing else."""
    settings = settings or Settings.from_env()
    app = Flask(__name__, instance_path=str(Path(settings.upload_dir).parent))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url_sqlalchemy,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings),
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 64 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.session_idle_minutes),
        JSON_AS_ASCII=False,
        TESTING=settings.testing,
    )
    app.json = FastJSONProvider(app)  # orjson, ensure_ascii off, same bytes as Flask's provider
    install_input_guards(app)
    app.extensions["riskmon.settings"] = settings
    app.extensions["riskmon.started_at"] = utcnow()  # /healthz says "starting" until a first heartbeat is due
    calendar = app.extensions["riskmon.calendar"] = CalendarCache()
    app.extensions["riskmon.store"] = ProcessStore(
        HANDLERS, runtime=Runtime(ExpressionEnvironment(expression_functions(calendar))))
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    install_people_cache_listeners()
    with app.app_context():
        configure_engine(db.engine)
        calendar.bind(db.engine)
    _register_blueprints(app)
    app.after_request(_security_headers)
    from .cli import register_commands
    register_commands(app)
    if settings.run_scheduler:
        from .scheduling import start_scheduler
        start_scheduler(app)
    return app


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
}


# Pages load only our own scripts and the npm bundles under /static (no inline script, no eval).
# Styles allow 'unsafe-inline': the modeler, dmn-js and echarts set style attributes as they draw.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:",
    "font-src 'self' data:", "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
    "frame-ancestors 'self'",
))


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if request.endpoint != "static":
        # Signed-in pages and API answers hold reports and names: no browser or proxy may keep a copy.
        response.headers["Cache-Control"] = "no-store"
    return response


def _engine_options(settings: Settings) -> dict:
    if settings.database_url.startswith("sqlite"):
        return {"connect_args": {"check_same_thread": False, "timeout": 30}}
    # No pool_pre_ping: its SELECT 1 round trip on every checkout is replaced by a check of the connection's
    # socket (storage.database._refuse_closed_connection). pool_recycle bounds a connection's age for proxies
    # and firewalls that drop idle connections silently.
    return {"pool_pre_ping": False, "pool_size": 10, "max_overflow": 20, "pool_recycle": 1800}


def _register_blueprints(app: Flask) -> None:
    from .api import api
    from .errors import register_error_handlers
    from .pages import register_pages

    app.register_blueprint(api)
    register_pages(app)
    register_error_handlers(app)


def env() -> Env:
    """The per-request service environment."""
    if "riskmon_env" not in g:
        from flask import current_app
        g.riskmon_env = Env(db.session(), current_app.extensions["riskmon.store"],
                            current_app.extensions["riskmon.settings"])
    return g.riskmon_env
