"""Copies of the collection: a rolling daily copy, `studyaws backup`, and restoring a copy.

Copies are made with SQLite's online backup API, so a copy taken while another studyaws is
answering is consistent (the write-ahead log included). Every copy is written under a
temporary name and renamed into place: there is never half a backup under a backup's name.
"""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import date, datetime
from pathlib import Path

from studyaws.store.engine import BUSY_TIMEOUT_MS, SCHEMA_VERSION, StoreError

SQLITE_HEADER = b"SQLite format 3\x00"
BACKUPS = "backups"
DAILY_KEEP = 7
_DAILY_PREFIX = "daily-"
# Tables a collection of every known schema has; a file without them is no studyaws backup.
_REQUIRED_TABLES = {"deck", "card", "card_state", "review_log", "setting"}


def backups_dir(db_path: Path) -> Path:
    return db_path.parent / BACKUPS


def is_sqlite_file(path: Path) -> bool:
    """Whether `path` starts with SQLite's 16-byte header (else it may be a JSON export)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def copy_database(source: Path, target: Path) -> Path:
    """A consistent, self-contained copy of the database at `source`, made while it may be in
    use, written to a temporary file beside `target` and renamed to `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            dst = sqlite3.connect(temp)
            try:
                src.backup(dst)
                # The copy keeps the source's WAL flag: fold it into one plain file.
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
        finally:
            src.close()
        fsync_file(temp)
        os.replace(temp, target)
        fsync_folder(target.parent)
    finally:
        for leftover in (temp, Path(f"{temp}-journal"), Path(f"{temp}-wal"),
                         Path(f"{temp}-shm")):
            leftover.unlink(missing_ok=True)
    return target


def daily_backup(db_path: Path, study_day: date, keep: int = DAILY_KEEP) -> Path | None:
    """Copy the collection once per study day to `backups/daily-YYYY-MM-DD.sqlite3` and
    keep the last `keep` of them. Returns the new copy, or None when today's exists."""
    folder = backups_dir(db_path)
    target = folder / f"{_DAILY_PREFIX}{study_day.isoformat()}.sqlite3"
    if target.exists() or not db_path.exists():
        return None
    _remove_stale_parts(folder)
    copy_database(db_path, target)
    dailies = sorted(folder.glob(f"{_DAILY_PREFIX}????-??-??.sqlite3"))
    for old in dailies[:-keep] if keep > 0 else dailies:
        old.unlink(missing_ok=True)
    return target


def _remove_stale_parts(folder: Path, age: float = 3600.0) -> None:
    """A copy cut short (a power cut, a kill) leaves its temporary file: tidy it later."""
    limit = time.time() - age
    for part in folder.glob(".*.part*"):
        try:
            if part.stat().st_mtime < limit:
                part.unlink()
        except OSError:
            continue


def manual_backup_path(db_path: Path, now: datetime) -> Path:
    """Where `studyaws backup` writes without a file name: a timestamped file in backups/."""
    return backups_dir(db_path) / f"studyaws-{now.astimezone():%Y%m%d-%H%M%S}.sqlite3"


def check_backup(path: Path) -> int:
    """The schema version of the collection copy at `path`; StoreError when it is not one
    this version can restore (not SQLite, damaged, not studyaws, or from a newer version)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a usable studyaws backup ({exc})") from None
    if check != "ok":
        raise StoreError(f"{path}: the backup is damaged ({check})")
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path}: made by a newer studyaws (schema {version}, this one "
                         f"knows {SCHEMA_VERSION}); upgrade studyaws to restore it")
    missing = _REQUIRED_TABLES - tables
    if version < 1 or missing:
        raise StoreError(f"{path}: not a studyaws collection (no "
                         f"{', '.join(sorted(missing)) or 'schema version'})")
    return version


def restore_backup(source: Path, db_path: Path) -> Path | None:
    """Replace the collection at `db_path` by the copy at `source`: it is checked, copied to a
    temporary file beside the collection, upgraded to this version's schema, and renamed over
    the collection in one step. Returns where the replaced collection was kept (or None)."""
    from studyaws.services.exchange import RestoreError, remove_database, swap_in, temporary_path
    from studyaws.store.engine import open_engine

    check_backup(source)
    temp = temporary_path(db_path)
    try:
        copy_database(source, temp)
        open_engine(temp).dispose()  # upgrades an older schema, exactly as opening would
        try:
            return swap_in(temp, db_path)
        except RestoreError as exc:
            raise StoreError(str(exc)) from None
    finally:
        remove_database(temp)


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (where the platform allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
