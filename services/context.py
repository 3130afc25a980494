"""The environment every use case runs in: one session (one transaction), the engine, settings."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine import ProcessStore

from .settings import Settings


@dataclass
class Env:
    """Passed as the first argument of every service function."""

    session: Session
    store: ProcessStore
    settings: Settings
