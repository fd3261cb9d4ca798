"""Backups: the rolling daily copy taken at the first opening of a study day, and
`studyaws backup [FILE]` (restoring: test_restore_backup.py)."""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from backup_support import answer, integrity, make_home, rows, run

from studyaws.core.clock import FakeClock
from studyaws.core.config import DB_NAME
from studyaws.services.collection import open_collection
from studyaws.store.backup import (
    copy_database,
    daily_backup,
    is_sqlite_file,
)
from studyaws.store.engine import open_engine


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return make_home(tmp_path)


# -- the daily copy ----------------------------------------------------------------------------


def test_the_first_opening_of_each_study_day_copies_the_collection(tmp_path):
    home = tmp_path / "home"
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    open_collection(str(home), clock=clock).dispose()  # a new collection: nothing to copy
    backups = home / "backups"
    assert not backups.exists()
    open_collection(str(home), clock=clock).dispose()
    assert sorted(p.name for p in backups.iterdir()) == ["daily-2026-03-02.sqlite3"]
    first = (backups / "daily-2026-03-02.sqlite3").read_bytes()
    clock.set(datetime(2026, 3, 3, 3, 59, tzinfo=UTC))  # before 4 AM: the same study day
    open_collection(str(home), clock=clock).dispose()
    assert sorted(p.name for p in backups.iterdir()) == ["daily-2026-03-02.sqlite3"]
    assert (backups / "daily-2026-03-02.sqlite3").read_bytes() == first
    for day in range(3, 13):
        clock.set(datetime(2026, 3, day, 10, 0, tzinfo=UTC))
        open_collection(str(home), clock=clock).dispose()
    kept = sorted(p.name for p in backups.iterdir())
    assert kept == [f"daily-2026-03-{day:02d}.sqlite3" for day in range(6, 13)]
    for name in kept:
        assert integrity(backups / name) == "ok"
        assert rows(backups / name)["card"] == rows(home / DB_NAME)["card"]


def test_manual_copies_are_not_pruned(tmp_path):
    db = tmp_path / "c.sqlite3"
    open_engine(db).dispose()
    (tmp_path / "backups").mkdir()
    mine = tmp_path / "backups" / "studyaws-20260101-120000.sqlite3"
    copy_database(db, mine)
    for day in range(1, 12):
        daily_backup(db, date(2026, 1, day))
    assert mine.exists()
    assert len(list((tmp_path / "backups").glob("daily-*"))) == 7


def test_a_copy_taken_while_another_connection_writes_is_consistent(tmp_path):
    db = tmp_path / "c.sqlite3"
    open_engine(db).dispose()
    stop = threading.Event()

    def write() -> None:
        conn = sqlite3.connect(db, isolation_level=None, timeout=10)
        n = 0
        while not stop.is_set():
            n += 1
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO setting (key, value) VALUES (?, ?)", (f"k{n}", "x" * 500))
            conn.execute("INSERT INTO setting (key, value) VALUES (?, ?)", (f"k{n}b", "y"))
            conn.execute("COMMIT")
        conn.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        copies = [copy_database(db, tmp_path / f"copy{n}.sqlite3") for n in range(8)]
    finally:
        stop.set()
        writer.join()
    for copy in copies:
        assert integrity(copy) == "ok"
        assert not Path(f"{copy}-wal").exists()
        with closing(sqlite3.connect(copy)) as conn:
            assert conn.execute("pragma journal_mode").fetchone()[0] == "delete"
            keys = {k for (k,) in conn.execute("select key from setting")}
        # Both rows of a transaction, or neither.
        assert all((k + "b" in keys) for k in keys if not k.endswith("b"))
    assert not list(tmp_path.glob(".*part*"))


# -- studyaws backup ---------------------------------------------------------------------------


def test_backup_writes_a_timestamped_copy_in_backups(home):
    result = run(home, "backup")
    assert result.returncode == 0, result.stderr
    copies = list((home / "backups").glob("studyaws-*.sqlite3"))
    assert len(copies) == 1
    assert re.fullmatch(r"studyaws-\d{8}-\d{6}\.sqlite3", copies[0].name)
    assert result.stdout == (f"backed up {home / DB_NAME} to {copies[0]} (1 deck, 2 reviews)\n")
    assert rows(copies[0]) == rows(home / DB_NAME)
    assert is_sqlite_file(copies[0])


def test_backup_to_a_file_or_a_folder_never_overwrites(home, tmp_path):
    target = tmp_path / "mine.sqlite3"
    assert run(home, "backup", str(target)).returncode == 0
    assert rows(target) == rows(home / DB_NAME)
    before = target.read_bytes()
    answer(home / DB_NAME, 1)
    result = run(home, "backup", str(target))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (f"studyaws backup: {target}: exists; add --force to replace it, "
                             "or give another file name\n")
    assert target.read_bytes() == before
    folder = tmp_path / "copies"
    folder.mkdir()
    assert run(home, "backup", str(folder)).returncode == 0
    assert len(list(folder.glob("studyaws-*.sqlite3"))) == 1


def test_daily_copy_is_named_by_the_study_day_in_the_local_zone(tmp_path):
    from zoneinfo import ZoneInfo

    home = tmp_path / "home"
    open_collection(str(home), import_bundled=False).dispose()
    # 02:00 on the 5th in Tokyo is before 4 AM: still the study day of the 4th.
    clock = FakeClock(datetime(2026, 3, 4, 17, 0, tzinfo=UTC), ZoneInfo("Asia/Tokyo"))
    open_collection(str(home), import_bundled=False, clock=clock).dispose()
    assert [p.name for p in (home / "backups").iterdir()] == ["daily-2026-03-04.sqlite3"]
    clock.advance(timedelta(hours=2))  # 04:00 in Tokyo: the 5th
    open_collection(str(home), import_bundled=False, clock=clock).dispose()
    assert sorted(p.name for p in (home / "backups").iterdir()) == [
        "daily-2026-03-04.sqlite3", "daily-2026-03-05.sqlite3"]


def test_a_copy_cut_short_is_tidied_away_later(tmp_path):
    db = tmp_path / "c.sqlite3"
    open_engine(db).dispose()
    folder = tmp_path / "backups"
    folder.mkdir()
    old = folder / ".daily-2026-01-01.sqlite3.4242.part"
    old.write_bytes(b"half a copy")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    fresh = folder / ".daily-2026-01-02.sqlite3.4243.part"  # perhaps still being written
    fresh.write_bytes(b"being written")
    assert daily_backup(db, date(2026, 1, 3)) is not None
    assert not old.exists() and fresh.exists()


def test_after_the_clock_ran_ahead_today_s_copy_is_kept(tmp_path):
    """A week of copies made while the clock was a year ahead: their names and their times
    are in the future. Today's copy must stay, and the copies from the future go first."""
    db = tmp_path / "c.sqlite3"
    open_engine(db).dispose()
    folder = tmp_path / "backups"
    today = date.today()
    ahead = []
    for n in range(7):
        day = today + timedelta(days=365 + n)
        copy = copy_database(db, folder / f"daily-{day.isoformat()}.sqlite3")
        stamp = time.time() + (365 + n) * 86400
        os.utime(copy, (stamp, stamp))
        ahead.append(copy)
    made = daily_backup(db, today)
    assert made is not None and made.exists()
    assert ahead[0] not in set(folder.iterdir())  # the earliest of them made room
    tomorrow = daily_backup(db, today + timedelta(days=1))
    assert made.exists() and tomorrow.exists()
    assert len(list(folder.glob("daily-*.sqlite3"))) == 7
    assert sorted(p for p in ahead if p.exists()) == ahead[2:]
