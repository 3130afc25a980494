"""The people cache (storage/people_cache.py): its Session listeners are registered explicitly by the app
factory, once, not as a side effect of importing the module; and the cache still empties on account changes."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from services.auth import hash_password
from storage import people_cache
from storage.models import Role, User, UserRole

from app_helpers import run

PROJECT = Path(__file__).resolve().parent.parent
PROBE = """
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session
from storage import people_cache as p
import storage.step_writes, engine.persistence  # the modules that use the cache

def registered():
    return [event.contains(Session, name, fn) for name, fn in (("after_flush", p._forget_on_account_change),
            ("after_commit", p._forget_after_commit), ("after_rollback", p._drop_flag))]

print(registered())
with Session(create_engine("sqlite://")) as session:
    p.cached(session, ("k",), "v")
    print(p.cached(session, ("k",)))
    p.install_listeners()
    p.install_listeners()
    print(registered())
    p.cached(session, ("k",), "v")
    print(p.cached(session, ("k",)))
"""


def test_importing_registers_nothing_and_installing_twice_registers_once():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=PROJECT, capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:4] == ["[False, False, False]", "None", "[True, True, True]", "v"]


def test_installing_twice_empties_once_per_change(app, monkeypatch):
    people_cache.install_listeners()  # the app factory already did: a second call adds nothing
    calls = []
    real_clear = people_cache.clear
    monkeypatch.setattr(people_cache, "clear", lambda: (calls.append(1), real_clear()))

    def rename(env):
        env.session.scalar(select(User).where(User.username == "county.610112")).display_name = "改名"
        env.session.commit()
    run(app, rename)
    assert len(calls) == 2  # once at the flush, once after the commit


def test_the_cache_empties_when_an_officer_is_added_or_deactivated(app):
    def holders(env):
        return [name for _id, name in people_cache.role_holders(env.session, "county_officer", "610113")]

    def add(env):
        user = User(username="county.610113.b", password_hash=hash_password("Demo#2026x"), display_name="乙",
                    division_code="610113", active=True)
        env.session.add(user)
        env.session.flush()
        env.session.add(UserRole(user_id=user.id, role=Role("county_officer")))
        env.session.commit()

    def deactivate(env):
        env.session.scalar(select(User).where(User.username == "county.610113.b")).active = False
        env.session.commit()

    before = run(app, holders)
    assert "county.610113" in before and run(app, holders) == before  # second read from the cache
    run(app, add)
    assert "county.610113.b" in run(app, holders)
    run(app, deactivate)
    assert "county.610113.b" not in run(app, holders)
