"""Reads on the hot path of a review (the next card with its shared texts) run on the driver's
own cursor, as an answer's writes do (store.answers): a statement is compiled to its SQL
once, with the values fixed for it (such as a list of decks) written in, and each run
costs the driver's execution alone, with no SQLAlchemy statement to look up, no parameters
to process and no Row to build (about 0.3 ms a card). Its rows come back as named tuples
with times and flags converted as the columns' types would.

The reads run on the caller's connection (store.engine.read_connection): on SQLite in one
transaction, which `begun` starts as SQLAlchemy would before the first statement; on
PostgreSQL in autocommit, each statement on its own (store.engine.readers)."""

from __future__ import annotations

from collections import namedtuple
from datetime import datetime

from sqlalchemy import Boolean, Connection, Engine
from sqlalchemy.sql import Select

from studyaws.store.tables import UTCDateTime, from_db, to_db


def begun(conn: Connection):
    """The driver's cursor of `conn`, inside the connection's transaction (begun now if
    none is: the reads that follow see one state of the collection)."""
    if not conn.in_transaction():
        conn.begin()
    return conn.connection.driver_connection.cursor()


class DriverRead:
    """`statement` compiled once for `engine`'s driver, its parameters' values written in
    except those named `open`; `first(conn, values)` runs it with those (times given as
    datetimes)."""

    def __init__(self, engine: Engine, statement: Select, open: tuple[str, ...]):
        statement = statement.params({name: None for name in open})
        self._open = frozenset(open)
        dialect = engine.dialect
        if dialect.name == "sqlite":  # named parameters (`:now`), which sqlite3 takes
            from sqlalchemy.dialects import sqlite

            dialect = sqlite.dialect(paramstyle="named")
        # The IN lists of the values written in expanded to one parameter an item.
        expanded = statement.compile(dialect=dialect).construct_expanded_state()
        self.sql = expanded.statement
        self._fixed = expanded.parameters  # the values written in (None for the open ones)
        self._names = tuple(self._fixed)
        columns = list(statement.selected_columns)
        self._row = namedtuple("Row", [column.key for column in columns])
        self._times = tuple(i for i, c in enumerate(columns) if isinstance(c.type, UTCDateTime))
        self._flags = tuple(i for i, c in enumerate(columns) if isinstance(c.type, Boolean))

    def first(self, conn: Connection, values: dict):
        """The first row, or None."""
        params = {}
        for name in self._names:
            value = values[name] if name in self._open else self._fixed[name]
            params[name] = to_db(value) if isinstance(value, datetime) else value
        row = _run(begun(conn), self.sql, params).fetchone()
        if row is None:
            return None
        row = list(row)
        for i in self._times:
            row[i] = from_db(row[i])
        for i in self._flags:
            if row[i] is not None:
                row[i] = bool(row[i])
        return self._row(*row)


def _run(cursor, sql: str, params):
    """Every statement of this module (one place, where bench/pg_bench.py counts them)."""
    return cursor.execute(sql, params)
