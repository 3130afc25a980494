"""Running service code against a test app outside a request."""
from __future__ import annotations

from web import env as make_env
from web.extensions import db


def run(app, fn):
    """Call fn(env) in a fresh app context (fresh session) and return its result."""
    with app.app_context():
        try:
            return fn(make_env())
        finally:
            db.session.remove()
