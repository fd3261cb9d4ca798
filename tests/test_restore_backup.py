"""`studyaws restore FILE` of a copy made by `studyaws backup`: checked first, swapped in
atomically, the replaced collection kept; a JSON export still goes to the JSON restore."""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from backup_support import FIXTURE, answer, integrity, make_home, rows, run
from support import card_columns, cards_as_schema_4

from studyaws.core.clock import FakeClock
from studyaws.core.config import DB_NAME
from studyaws.services.review import ReviewService
from studyaws.store.backup import SQLITE_HEADER, check_backup, is_sqlite_file
from studyaws.store.engine import SCHEMA_VERSION, StoreError, open_engine


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return make_home(tmp_path)


def test_restore_puts_the_copy_back_and_keeps_the_replaced_collection(home, tmp_path):
    copy = tmp_path / "copy.sqlite3"
    assert run(home, "backup", str(copy)).returncode == 0
    saved = rows(copy)
    answer(home / DB_NAME, 2)  # work done after the copy
    current = rows(home / DB_NAME)
    assert current != saved

    refused = run(home, "restore", str(copy))
    assert refused.returncode == 1
    assert "--force" in refused.stderr and len(refused.stderr.splitlines()) == 1
    assert rows(home / DB_NAME) == current

    result = run(home, "restore", str(copy), "--force")
    assert result.returncode == 0, result.stderr
    assert rows(home / DB_NAME) == saved
    kept = next((home / "backups").glob("before-restore-*.sqlite3"))
    assert result.stdout.splitlines() == [
        f"restored {home / DB_NAME} from {copy} (schema {SCHEMA_VERSION})",
        f"the replaced collection was kept as {kept}",
    ]
    assert rows(kept) == current
    assert integrity(home / DB_NAME) == "ok"
    assert not list(home.glob(".*restoring*"))
    assert run(home, "decks").returncode == 0


def test_restore_of_a_schema_1_copy_upgrades_it(tmp_path):
    home = tmp_path / "home"
    before = rows(FIXTURE)
    result = run(home, "restore", str(FIXTURE))
    assert result.returncode == 0, result.stderr
    with closing(sqlite3.connect(home / DB_NAME)) as conn:
        assert conn.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION
    after = rows(home / DB_NAME)
    for table in ("deck", "card_state", "review_log", "setting"):
        # Later schemas add deck columns (the folder, a removal), empty on an old deck.
        width = len(before[table][0]) if before[table] else 0
        assert [row[:width] for row in after[table]] == before[table]
        if table == "card_state":  # schema 14 adds each card's deck to its memory
            with closing(sqlite3.connect(home / DB_NAME)) as conn:
                decks = dict(conn.execute("select id, deck_id from card"))
            assert [row[width:] for row in after[table]] == \
                [(decks[row[0]],) for row in after[table]]
        else:
            assert all(value is None for row in after[table] for value in row[width:])
    # Schema 5 keeps the notes and cloze texts of the cards once, in shared_text.
    assert sorted(cards_as_schema_4(home / DB_NAME, card_columns(FIXTURE)), key=repr) == \
        before["card"]


def _sqlite_file(path: Path, sql: str, version: int = 0) -> Path:
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(sql)
        conn.execute(f"pragma user_version = {version}")
    return path


@pytest.mark.parametrize("kind, message", [
    ("damaged", "not a usable studyaws backup"),
    ("newer", "newer studyaws"),
    ("foreign", "not a studyaws collection"),
])
def test_restore_refuses_a_bad_copy_and_changes_nothing(home, tmp_path, kind, message):
    bad = tmp_path / f"{kind}.sqlite3"
    if kind == "damaged":
        bad.write_bytes(SQLITE_HEADER + os.urandom(8192))
    elif kind == "newer":
        shutil.copy(FIXTURE, bad)
        _sqlite_file(bad, "", SCHEMA_VERSION + 3)
    else:
        _sqlite_file(bad, "create table notes (id integer primary key, text);", 1)
    before = sorted(p.name for p in home.iterdir())
    data = (home / DB_NAME).read_bytes()
    result = run(home, "restore", str(bad), "--force")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr, result.stderr
    assert (home / DB_NAME).read_bytes() == data
    assert sorted(p.name for p in home.iterdir()) == before


def test_restore_refuses_while_another_program_has_the_collection_open(home, tmp_path):
    copy = tmp_path / "copy.sqlite3"
    assert run(home, "backup", str(copy)).returncode == 0
    other = open_engine(home / DB_NAME)  # another studyaws, idle between two answers
    try:
        ReviewService(other, FakeClock(datetime.now(UTC))).counts()
        data = rows(home / DB_NAME)
        result = run(home, "restore", str(copy), "--force")
        assert result.returncode != 0
        assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
        assert "open in another studyaws" in result.stderr or "close" in result.stderr
        assert rows(home / DB_NAME) == data
    finally:
        other.dispose()


def test_check_backup_reads_the_version():
    assert check_backup(FIXTURE) == 1
    with pytest.raises(StoreError):
        check_backup(Path(__file__))


def test_restore_still_takes_a_json_export(home, tmp_path):
    export = tmp_path / "all.json"
    assert run(home, "export", "-o", str(export)).returncode == 0
    assert not is_sqlite_file(export)
    saved = rows(home / DB_NAME)
    answer(home / DB_NAME, 1)
    result = run(home, "restore", str(export), "--force")
    assert result.returncode == 0, result.stderr
    restored = rows(home / DB_NAME)
    assert restored["review_log"] == saved["review_log"]
