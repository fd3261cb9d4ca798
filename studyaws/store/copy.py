"""Copying a whole collection from one store to another (SQLite <-> PostgreSQL), row for row:
every table of the schema, parents before children, ids kept, in one write transaction on
the target (a copy that fails leaves the target as it was)."""

from __future__ import annotations

from sqlalchemy import Engine, delete, func, insert, select, text
from sqlmodel import SQLModel

from studyaws.core.errors import StoreError
from studyaws.store.engine import is_postgres, writing

BATCH = 5000  # rows read and written at a time


def _tables():
    return list(SQLModel.metadata.sorted_tables)


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in _tables()}


def copy_collection(source: Engine, target: Engine, *, force: bool = False) -> dict[str, int]:
    """Copy every row of `source` into `target` (both opened, so at the same schema); a
    target holding any row is refused unless `force`, which first empties it. Returns the
    rows copied per table."""
    if not force:
        filled = [name for name, count in row_counts(target).items() if count]
        if filled:
            raise StoreError("the target collection is not empty (it has rows in "
                             f"{', '.join(filled)}); --force replaces what it holds")
    copied: dict[str, int] = {}
    with writing(target) as session, source.connect() as reader:
        conn = session.connection()
        for table in reversed(_tables()):
            conn.execute(delete(table))
        for table in _tables():
            order = [c for c in table.primary_key.columns] or list(table.columns)
            result = reader.execution_options(stream_results=True).execute(
                select(table).order_by(*order))
            count = 0
            while rows := result.fetchmany(BATCH):
                conn.execute(insert(table), [dict(row._mapping) for row in rows])
                count += len(rows)
            copied[table.name] = count
        if is_postgres(conn):  # ids given explicitly: the sequences go on after them
            for table in _tables():
                id_column = table.columns.get("id")
                if id_column is None or not id_column.autoincrement:
                    continue
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                    f" coalesce(max(id), 0) + 1, false) FROM {table.name}"))
    return copied
