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


# PostgreSQL's connection_exception class (08...) and the server ending the session
# (admin_shutdown, e.g. pg_terminate_backend; crash_shutdown; cannot_connect_now).
_PG_LOST_STATES = frozenset({"57P01", "57P02", "57P03"})


def is_connection_lost(exc: BaseException) -> bool:
    """Whether a write failed because the connection to the database server went away
    (dropped, ended by the server, or not to be had again yet), raw or wrapped by
    SQLAlchemy: trying again on a new connection can succeed. Never true on SQLite."""
    if getattr(exc, "connection_invalidated", False):
        return True
    cause = getattr(exc, "orig", None) or exc
    if not type(cause).__module__.startswith("psycopg"):
        return False
    state = getattr(cause, "sqlstate", None)
    if state is not None:
        return state in _PG_LOST_STATES or state.startswith("08")
    # Errors raised by the client itself (no server code): the connection is closed or
    # broken, or a new one could not be made (server unreachable).
    if "authentication failed" in str(cause):  # a changed password: not passing
        return False
    return type(cause).__name__ in ("OperationalError", "InterfaceError")
