"""Errors every layer may raise or catch, their messages written for the user."""

from __future__ import annotations

import sqlite3


class StoreError(Exception):
    """A collection that cannot be opened or written; the message is for the user."""


def is_busy(exc: BaseException) -> bool:
    """SQLite's 'database is locked' / 'database is busy', raw or wrapped by SQLAlchemy."""
    cause = getattr(exc, "orig", None) or exc
    if not isinstance(cause, sqlite3.OperationalError):
        return False
    text = str(cause).lower()
    return "database is locked" in text or "busy" in text
