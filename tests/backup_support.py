"""Helpers for the backup and restore tests: the real command, table rows, a collection
with a few answers."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import backends
from support import STORED_TABLES_SQL, basic_deck, is_stored_table, without_bundled_decks

from studyaws.core.clock import FakeClock
from studyaws.core.config import DB_NAME
from studyaws.services.review import ReviewService

FIXTURE = Path(__file__).parent / "fixtures" / "schema1.sqlite3"


def run(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYAWS")}
    env = backends.cli_env(env, home)  # on PostgreSQL: the database of this home's collection
    return subprocess.run([sys.executable, "-m", "studyaws", "--home", str(home), *args],
                          capture_output=True, text=True, env=env, timeout=120)


def rows(db: Path) -> dict[str, list[tuple]]:
    """Every row of each stored table (STORED_TABLES_SQL) of the collection kept at `db`."""
    if backends.on_postgres():
        return {name: found for name, found in backends.dump(db).items()
                if is_stored_table(name)}
    with closing(sqlite3.connect(db)) as conn:
        names = [r[0] for r in conn.execute(
            STORED_TABLES_SQL)]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr)
                for n in names}


def integrity(db: Path) -> str:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("pragma integrity_check").fetchone()[0]


def answer(db: Path, count: int) -> None:
    engine = backends.open_test_engine(db)
    service = ReviewService(engine, FakeClock(datetime.now(UTC)))
    for _ in range(count):
        service.answer(service.next_card(), 3, 1000)
    engine.dispose()


def make_home(tmp_path: Path) -> Path:
    """A collection with one deck and two answers."""
    home = tmp_path / "home"
    deck = tmp_path / "words.md"
    deck.write_text(basic_deck(6, "Word"))
    assert run(home, "import", str(deck)).returncode == 0
    without_bundled_decks(home / DB_NAME)  # one deck, whatever command comes next
    answer(home / DB_NAME, 2)
    return home
