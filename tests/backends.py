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


def new_collection_at(path: Path) -> None:
    """Let the collection a test keeps at `path` be a new one that no command has opened: no
    file on SQLite (as before any command), and on PostgreSQL an empty database (with no
    schema), where the template's would be one that was opened before."""
    if _server is None:
        assert not Path(path).exists(), path
        return
    assert str(path) not in _databases, f"{path} was opened before"
    _databases[str(path)] = empty_database()


def open_test_engine(path: Path) -> Engine:
    """The collection a test keeps at `path`, on the backend the run chose; on PostgreSQL
    with its pictures in media/ beside `path`, as `studyaws --db` keeps them in the data
    folder (services.collection)."""
    target = collection_target(path)
    engine = open_engine(target)
    if not isinstance(target, Path):
        from studyaws.services.media import MEDIA_FOLDER, keep_media_in

        keep_media_in(engine, Path(path).parent / MEDIA_FOLDER)
    return engine


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


def open_test_collection(home: Path | str, **options) -> Engine:
    """services.collection.open_collection of the data folder `home`, on the backend the run
    chose (on PostgreSQL: the database of that folder's collection, as --db gives it)."""
    from studyaws.core.config import DB_NAME
    from studyaws.services.collection import open_collection

    if _server is not None:
        options["db"] = str(collection_target(Path(home) / DB_NAME))
    return open_collection(str(home), **options)


def path_of(engine: Engine) -> Path:
    """Where the test keeps the collection `engine` opens: its SQLite file, or on PostgreSQL
    the path whose database it is."""
    if engine.dialect.name == "sqlite":
        return Path(engine.url.database)
    name = engine.url.database
    for key, url in _databases.items():
        if urlsplit(url).path[1:] == name and not key.startswith("empty:"):
            return Path(key)
    raise LookupError(f"{name}: not a database of this test")


def copy_of(engine: Engine, target: Path) -> Engine:
    """A copy of the collection `engine` opens, kept at `target` and opened (on SQLite a copy
    of its file, on PostgreSQL its rows copied into the database of `target`)."""
    if engine.dialect.name == "sqlite":
        from support import copy_collection as copy_file

        return open_engine(copy_file(Path(engine.url.database), target))
    from studyaws.store.copy import copy_collection

    copy = open_test_engine(target)
    copy_collection(engine, copy, force=True)
    return copy


def copied_from_sqlite(source: Path, db_path: Path) -> Path:
    """A collection built once in a SQLite file (a module's fixture, made before any test's
    database) for one test: on SQLite `source` itself; on PostgreSQL its rows copied whole
    (store.copy) into the database of the collection the test keeps at `db_path`, which is
    returned."""
    if _server is None:
        return source
    from studyaws.store.copy import copy_collection

    origin, target = open_engine(source), open_test_engine(db_path)
    try:
        copy_collection(origin, target, force=True)
    finally:
        origin.dispose()
        target.dispose()
    return db_path


def restore_test_json(export: Path, db_path: Path):
    """The JSON export `export` restored as the collection a test keeps at `db_path` (a new
    SQLite file there, or that collection's database on PostgreSQL, as `restore` makes them);
    what was restored (its `counts` and `kept`)."""
    if _server is None:
        from studyaws.services.exchange.json_dump import restore_json

        return restore_json(export, db_path)
    from studyaws.services.exchange.json_dump import read_backup
    from studyaws.services.exchange.postgres_restore import restore_into_postgres

    return restore_into_postgres(export, str(db_path.parent),
                                 str(collection_target(db_path)), read_backup(export))


def cli_env(env: dict[str, str], home: Path) -> dict[str, str]:
    """`env` for a `studyaws` command on the collection of the data folder `home`: on
    PostgreSQL with STUDYAWS_DB naming that collection's database (the commands' own way)."""
    if _server is not None:
        from studyaws.core.config import DB_NAME

        env = {**env, "STUDYAWS_DB": str(collection_target(Path(home) / DB_NAME))}
    return env


def db_args(home: Path) -> list[str]:
    """`--db URL` naming the database of the data folder `home`'s collection on PostgreSQL
    (nothing on SQLite), for `main([...])` run in the test's process."""
    if _server is None:
        return []
    from studyaws.core.config import DB_NAME

    return ["--db", str(collection_target(Path(home) / DB_NAME))]


def engine_query(engine: Engine, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of `sql` read (or written, committed) straight through the driver on the
    database `engine` opens (sqlite3 or psycopg), outside the code under test. Parameters
    are written `?` for both."""
    if engine.dialect.name == "sqlite":
        import sqlite3
        from contextlib import closing

        with closing(sqlite3.connect(engine.url.database)) as conn, conn:
            return conn.execute(sql, params).fetchall()
    import psycopg

    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url) as conn:
        cursor = conn.execute(sql.replace("?", "%s"), params)
        return [tuple(row) for row in cursor.fetchall()] if cursor.description else []


def query(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of `sql` read (or written, committed) straight from the collection a test keeps
    at `path` (sqlite3, or psycopg on PostgreSQL), outside the code under test. Parameters
    are written `?` for both."""
    target = collection_target(path)
    if isinstance(target, Path):
        import sqlite3
        from contextlib import closing

        with closing(sqlite3.connect(target)) as conn, conn:
            return conn.execute(sql, params).fetchall()
    import psycopg

    with psycopg.connect(target) as conn:
        cursor = conn.execute(sql.replace("?", "%s") if params else sql, params or None)
        return [tuple(row) for row in cursor.fetchall()] if cursor.description else []


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table of the collection at `path`, for before/after comparisons."""
    if isinstance(collection_target(path), Path):
        names = [r[0] for r in query(path, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    else:
        names = [r[0] for r in query(path, "SELECT tablename FROM pg_tables"
                                           " WHERE schemaname = current_schema()")]
    return {name: sorted(query(path, f'SELECT * FROM "{name}"'), key=repr)
            for name in sorted(names)}
