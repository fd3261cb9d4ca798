"""What the write transactions of an engine did, watched through SQLAlchemy's events: every
statement run from BEGIN IMMEDIATE or PostgreSQL's advisory lock (the write lock taken) to
the COMMIT or ROLLBACK, with the rows it changed. Works on any code that writes through the
engine, so a test built on it can fail on code that holds the lock too long."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, event


@dataclass
class WriteTransaction:
    statements: list[tuple[str, int]] = field(default_factory=list)  # (SQL, rows changed)
    committed: bool = False

    def changed(self, table: str) -> int:
        """Rows this transaction's UPDATE / INSERT / DELETE statements changed in `table`."""
        return sum(rows for sql, rows in self.statements if written_table(sql) == table)


def starts_write(sql: str) -> bool:
    """Whether `sql` takes the write lock: SQLite's BEGIN IMMEDIATE, or the advisory lock
    a write transaction takes first on PostgreSQL (store.postgres)."""
    text = sql.strip().upper()
    return text.startswith("BEGIN IMMEDIATE") or "PG_ADVISORY_XACT_LOCK" in text


def written_table(sql: str) -> str | None:
    """The table an UPDATE, INSERT or DELETE writes to (None for anything else)."""
    words = sql.replace("(", " ").lower().split()
    if not words or words[0] not in ("update", "insert", "delete"):
        return None
    if words[0] == "update":
        return words[1].strip('"')
    marker = "into" if words[0] == "insert" else "from"
    return words[words.index(marker) + 1].strip('"') if marker in words else None


class WriteWatch:
    """Attach to an engine; `transactions` lists the write transactions in the order they
    ended."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.transactions: list[WriteTransaction] = []
        self._open: dict[int, WriteTransaction] = {}
        event.listen(engine, "after_cursor_execute", self._executed)
        event.listen(engine, "commit", self._committed)
        event.listen(engine, "rollback", self._rolled_back)

    def close(self) -> None:
        event.remove(self.engine, "after_cursor_execute", self._executed)
        event.remove(self.engine, "commit", self._committed)
        event.remove(self.engine, "rollback", self._rolled_back)

    def _executed(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if starts_write(statement):
            self._open[id(conn)] = WriteTransaction()
            return
        current = self._open.get(id(conn))
        if current is not None:
            current.statements.append((statement, max(cursor.rowcount, 0)))

    def _ended(self, conn, committed: bool) -> None:
        current = self._open.pop(id(conn), None)
        if current is not None:
            current.committed = committed
            self.transactions.append(current)

    def _committed(self, conn) -> None:
        self._ended(conn, True)

    def _rolled_back(self, conn) -> None:
        self._ended(conn, False)

    def committed(self) -> list[WriteTransaction]:
        return [t for t in self.transactions if t.committed]
