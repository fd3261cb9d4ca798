"""Run the real `studyaws` command in this process and record how long each of its write
transactions held SQLite's write lock: from the moment BEGIN IMMEDIATE returned (the lock
taken) until its COMMIT or ROLLBACK returned (the lock given back).

    python bench/timed_writes.py OUT.json optimize --reschedule --json

OUT.json gets {"holds": [seconds, ...], "exit": code}; the command's own output goes to
stdout and stderr as usual.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, event
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

holds: list[float] = []
_taken: dict[int, float] = {}  # DBAPI connection -> when its write lock was taken


@event.listens_for(Engine, "after_cursor_execute")
def _begun(conn, cursor, statement, parameters, context, executemany) -> None:
    if statement.strip().upper().startswith("BEGIN IMMEDIATE"):
        _taken[id(conn.connection.driver_connection)] = time.perf_counter()


def _ending(original):
    def end(self, dbapi_connection) -> None:
        try:
            original(self, dbapi_connection)
        finally:
            raw = getattr(dbapi_connection, "driver_connection", dbapi_connection)
            taken = _taken.pop(id(raw), None)
            if taken is not None:
                holds.append(time.perf_counter() - taken)

    return end


SQLiteDialect_pysqlite.do_commit = _ending(SQLiteDialect_pysqlite.do_commit)
SQLiteDialect_pysqlite.do_rollback = _ending(SQLiteDialect_pysqlite.do_rollback)


def main() -> int:
    out = Path(sys.argv[1])
    from studyaws.cli.main import main as studyaws

    code = 1
    try:
        code = studyaws(sys.argv[2:])
    finally:
        out.write_text(json.dumps({"holds": holds, "exit": code}), "utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main())
