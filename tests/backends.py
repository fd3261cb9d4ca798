"""Which store the backend-aware tests open: a SQLite file (the default), or with
`pytest --backend postgresql` a fresh PostgreSQL database for each collection a test opens
(made from a template that holds the schema, dropped when the test ends).

Tests that are about SQLite files themselves (backups, restores, WAL, a damaged file) keep
calling `open_engine(path)`; the others open collections through `open_test_engine(path)`.
"""

from __future__ import annotations

import itertools
import os
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Engine

from studyaws.store.engine import open_engine

TEMPLATE = "studyaws_template"
_server: str | None = None  # the server's admin URL while a test runs on PostgreSQL
_databases: dict[str, str] = {}  # a test's collection path -> its database URL
_template_ready: set[str] = set()
_numbers = itertools.count(1)


def on_postgres() -> bool:
    return _server is not None


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_server, autocommit=True) as conn:
        conn.execute(sql)


def collection_target(path: Path) -> Path | str:
    """What to open for the collection a test keeps at `path`: the path itself on SQLite,
    the URL of that collection's own database on PostgreSQL."""
    if _server is None:
        return path
    key = str(path)
    if key not in _databases:
        if _server not in _template_ready:
            _admin(f"DROP DATABASE IF EXISTS {TEMPLATE}")
            _admin(f"CREATE DATABASE {TEMPLATE}")
            open_engine(_with_database(_server, TEMPLATE)).dispose()  # the schema, once
            _template_ready.add(_server)
        name = f"studyaws_test_{os.getpid()}_{next(_numbers)}"
        _admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        _databases[key] = _with_database(_server, name)
    return _databases[key]


def empty_database() -> str:
    """The URL of a new database without any table (inside postgres_databases)."""
    name = f"studyaws_test_{os.getpid()}_{next(_numbers)}"
    _admin(f"CREATE DATABASE {name}")
    _databases[f"empty:{name}"] = _with_database(_server, name)
    return _databases[f"empty:{name}"]


def open_test_engine(path: Path) -> Engine:
    """The collection a test keeps at `path`, on the backend the run chose."""
    return open_engine(collection_target(path))


@contextmanager
def postgres_databases(server: str):
    """Collections opened by tests inside this block go to databases on `server`."""
    global _server
    if _server is not None:  # already on it (the backend and pg_database both)
        yield
        return
    _server = server
    try:
        yield
    finally:
        from studyaws.store.engine import _close_open_engines

        _close_open_engines()  # connections the test left open would keep a DROP waiting
        for url in _databases.values():
            _admin(f"DROP DATABASE IF EXISTS {urlsplit(url).path[1:]} WITH (FORCE)")
        _databases.clear()
        _server = None


def query(path: Path, sql: str) -> list[tuple]:
    """Rows of `sql` read straight from the collection a test keeps at `path` (sqlite3, or
    psycopg on PostgreSQL), outside the code under test."""
    target = collection_target(path)
    if isinstance(target, Path):
        import sqlite3
        from contextlib import closing

        with closing(sqlite3.connect(target)) as conn:
            return conn.execute(sql).fetchall()
    import psycopg

    with psycopg.connect(target) as conn:
        return [tuple(row) for row in conn.execute(sql).fetchall()]


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table of the collection at `path`, for before/after comparisons."""
    if isinstance(collection_target(path), Path):
        names = [r[0] for r in query(path, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    else:
        names = [r[0] for r in query(path, "SELECT tablename FROM pg_tables"
                                           " WHERE schemaname = current_schema()")]
    return {name: sorted(query(path, f'SELECT * FROM "{name}"'), key=repr)
            for name in sorted(names)}
