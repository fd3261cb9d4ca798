"""Run the real `studyaws` command in this process, interrupted at a chosen point: killed
outright (SIGKILL, no clean-up) or paused until the test lets it go on.

    python tests/interrupted.py '{"kill_past_rescheduled": 300}' optimize --reschedule
    python tests/interrupted.py '{"pause_at_replay": 2000, "folder": "/tmp/x"}' optimize ...
    python tests/interrupted.py '{"kill_after_written": "card"}' import deck.md

- kill_past_rescheduled N: killed at the COMMIT (before it is done) of the write transaction
  that would take the card_state rows it has updated past N in all.
- kill_after_written TABLE: killed inside the write transaction, right after the first
  statement that changed rows of TABLE.
- set {"module.NAME": value}: module constants set before the command runs.
- pause_at_replay K: at the K-th answer replayed by FSRS (policy.review), the file
  FOLDER/paused is made and the command waits until FOLDER/go exists.

The points are found through SQLAlchemy's events and the scheduler's module function, so
they exist in any version of the code that writes through the engine and replays answers
with policy.review.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import threading
from pathlib import Path

from sqlalchemy import Engine, event
from waiting import wait_until  # this script's folder is first on sys.path
from write_watch import starts_write, written_table


def _kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def install(spec: dict) -> None:
    for dotted, value in spec.get("set", {}).items():  # a module constant, e.g. a batch size
        module, _, name = dotted.rpartition(".")
        setattr(importlib.import_module(module), name, value)
    in_write: dict[int, int] = {}  # connection -> card_state rows updated in its transaction
    committed = [0]

    @event.listens_for(Engine, "after_cursor_execute")
    def executed(conn, cursor, statement, parameters, context, executemany) -> None:
        if starts_write(statement):
            in_write[id(conn)] = 0
            return
        if id(conn) not in in_write:
            return
        table = written_table(statement)
        if table == "card_state":
            in_write[id(conn)] += max(cursor.rowcount, 0)
        if table is not None and table == spec.get("kill_after_written") and cursor.rowcount:
            _kill()

    @event.listens_for(Engine, "commit")
    def committing(conn) -> None:
        rows = in_write.pop(id(conn), 0)
        limit = spec.get("kill_past_rescheduled")
        if limit is not None and committed[0] + rows > limit:
            _kill()
        committed[0] += rows

    @event.listens_for(Engine, "rollback")
    def rolled_back(conn) -> None:
        in_write.pop(id(conn), None)

    if "pause_at_replay" in spec:
        from studyaws.core.srs import policy

        folder = Path(spec["folder"])
        real = policy.review
        calls = [0]
        main = threading.main_thread()

        def review(*args, **kwargs):
            if threading.current_thread() is main:
                calls[0] += 1
                if calls[0] == spec["pause_at_replay"]:
                    (folder / "paused").write_text(str(args[1]))  # the card being replayed
                    wait_until((folder / "go").exists, 120, "the test to let it go on")
            return real(*args, **kwargs)

        policy.review = review


def main() -> int:
    install(json.loads(sys.argv[1]))
    from studyaws.cli.main import main as studyaws

    return studyaws(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
