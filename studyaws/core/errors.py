"""Errors every layer may raise or catch, their messages written for the user."""

from __future__ import annotations

import sqlite3


class StoreError(Exception):
    """A collection that cannot be opened or written; the message is for the user."""


# PostgreSQL's lock_not_available (the write lock not had in time), serialization_failure
# and deadlock_detected: nothing was committed, the write may be tried again.
PG_BUSY_STATES = frozenset({"55P03", "40001", "40P01"})


def is_busy(exc: BaseException) -> bool:
    """SQLite's 'database is locked' / 'database is busy', or PostgreSQL's write lock not
    had in time, raw or wrapped by SQLAlchemy."""
    cause = getattr(exc, "orig", None) or exc
    if getattr(cause, "sqlstate", None) in PG_BUSY_STATES:
        return True
    if not isinstance(cause, sqlite3.OperationalError):
        return False
    text = str(cause).lower()
    return "database is locked" in text or "busy" in text
