"""Copies of the collection: a rolling daily copy, `studyaws backup`, and restoring a copy.

Copies are made with SQLite's online backup API, so a copy taken while another studyaws is
answering is consistent (the write-ahead log included). Every copy is written under a
temporary name and renamed into place: there is never half a backup under a backup's name.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sqlite3
import time
from datetime import date, datetime
from pathlib import Path

from studyaws.store.engine import BUSY_TIMEOUT_MS, SCHEMA_VERSION, StoreError

SQLITE_HEADER = b"SQLite format 3\x00"
BACKUPS = "backups"
DAILY_KEEP = 7
REPLACED_KEEP = 7  # collections replaced by a restore, kept in backups/
_DAILY_PREFIX = "daily-"
_REPLACED_PREFIX = "before-restore-"
_DAMAGED_PREFIX = "damaged-"
# A clock this far ahead of the file system's "now" marks a copy written while it was wrong.
_CLOCK_SLACK = 300.0
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
        write_copy(source, temp)
        os.replace(temp, target)
        fsync_folder(target.parent)
    finally:
        for leftover in (temp, Path(f"{temp}-journal"), Path(f"{temp}-wal"),
                         Path(f"{temp}-shm")):
            leftover.unlink(missing_ok=True)
    return target


def write_copy(source: Path, path: Path, read_only: bool = False) -> None:
    """The copy of `source` written straight to `path` (a new file nothing else uses), one
    plain file with no write-ahead log, flushed to disk. `read_only` reads the source
    without ever writing beside it (a read-only file or folder)."""
    src = connect_read_only(source) if read_only else \
        sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        dst = sqlite3.connect(path)
        try:
            src.backup(dst)
            # The copy keeps the source's WAL flag: fold it into one plain file.
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    for leftover in (Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    fsync_file(path)


def can_write(db_path: Path) -> bool:
    """Whether the collection and its folder may be written (a read-only mount, file or
    folder says no)."""
    return os.access(db_path, os.W_OK) and os.access(db_path.parent, os.W_OK | os.X_OK)


def connect_read_only(db_path: Path) -> sqlite3.Connection:
    """A connection that only reads the collection and creates nothing beside it. SQLite
    cannot open a WAL database read-only where it may not make its shared-memory file; with
    no pending write-ahead log the file alone is the whole database, and it is opened as
    immutable then."""
    uri = db_path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        conn.close()
        wal = Path(f"{db_path}-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise StoreError(f"{db_path}: the collection is read-only here and its latest "
                             f"changes are still in {wal.name}; open it once where it can be "
                             "written (studyaws decks), then retry") from None
    return sqlite3.connect(f"{uri}?immutable=1", uri=True)


def check_read_only_collection(db_path: Path) -> None:
    """Refuse, before anything is read from it, a read-only collection this version cannot
    read as it is: damaged, made by a newer studyaws, or an older one not upgraded yet (it
    cannot be upgraded where it cannot be written)."""
    try:
        conn = connect_read_only(db_path)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            conn.execute("SELECT count(*) FROM deck").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        folder = backups_dir(db_path)
        hint = (f"; earlier copies are in {folder} (studyaws restore FILE)"
                if folder.is_dir() and any(folder.glob("*.sqlite3")) else "")
        raise StoreError(f"{db_path}: not a usable studyaws database ({exc}){hint}") from None
    if version > SCHEMA_VERSION:
        raise StoreError(f"{db_path}: made by a newer studyaws (schema {version}, this one "
                         f"knows {SCHEMA_VERSION}); upgrade studyaws. The file was left "
                         "untouched.")
    if version < SCHEMA_VERSION:
        raise StoreError(f"{db_path}: the collection is read-only here and was made by an "
                         f"older studyaws (schema {version}); open it once where it can be "
                         "written (studyaws decks) to upgrade it, then retry")


def daily_backup(db_path: Path, study_day: date, keep: int = DAILY_KEEP) -> Path | None:
    """Copy the collection once per study day to `backups/daily-YYYY-MM-DD.sqlite3` and
    keep the last `keep` of them. Returns the new copy, or None when today's exists."""
    folder = backups_dir(db_path)
    target = folder / f"{_DAILY_PREFIX}{study_day.isoformat()}.sqlite3"
    if target.exists() or not db_path.exists():
        return None
    _remove_stale_parts(folder)
    copy_database(db_path, target)
    prune(folder, f"{_DAILY_PREFIX}????-??-??.sqlite3", keep, target)
    return target


def prune(folder: Path, pattern: str, keep: int, newest: Path) -> list[Path]:
    """Remove all but the `keep` latest copies matching `pattern`, `newest` (the copy just
    made) always among those kept. Latest means last written (the file's modification
    time), not the date in the name: a clock that once ran ahead names copies after today.
    A copy written in the future (while the clock was ahead) ranks as the oldest, or it
    would hold its place until that day came. Returns what was removed."""
    now = time.time()
    others = []
    for path in folder.glob(pattern):
        if path == newest:
            continue
        try:
            written = path.stat().st_mtime
        except OSError:
            continue
        others.append((written <= now + _CLOCK_SLACK, written, path.name, path))
    others.sort()
    removed = []
    for *_, path in others[:max(0, len(others) - max(0, keep - 1))]:
        try:
            path.unlink()
            removed.append(path)
        except FileNotFoundError:
            continue
    return removed


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


# -- what a restore leaves: the replaced collection, and temporary files ------------------------


def restore_temp_path(db_path: Path) -> Path:
    """A new file name beside the collection (so that the swap is one rename) for the
    database a restore builds; it carries the restoring process's id, so that what a killed
    restore left can be told from the work of one still running."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        path = db_path.with_name(f".{db_path.name}.{os.getpid()}-{secrets.token_hex(4)}"
                                 ".restoring")
        if not path.exists():
            return path


def remove_restore_leftovers(db_path: Path, age: float = 3600.0) -> list[Path]:
    """Remove the temporary files of restores that were killed or cut short: those of a
    process that no longer runs (where processes cannot be asked, and for files from
    versions that did not name the process: those older than `age` seconds). Returns what
    was removed."""
    pattern = re.compile(rf"^\.+{re.escape(db_path.name)}\.(?:(\d+)-)?\w+\.restoring")
    removed = []
    try:
        entries = list(db_path.parent.iterdir())
    except OSError:
        return removed
    for path in entries:
        match = pattern.match(path.name)
        if match is None:
            continue
        try:
            if match.group(1) is not None and os.name == "posix":
                if _running(int(match.group(1))):
                    continue
            elif path.stat().st_mtime > time.time() - age:
                continue
            path.unlink()
            removed.append(path)
        except OSError:
            continue
    return removed


def _running(pid: int) -> bool:
    """Whether process `pid` still runs (signal 0 only asks, on POSIX)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def keep_replaced(db_path: Path, damaged: bool = False) -> Path:
    """Copy the collection about to be replaced into backups/ under a new timestamped name
    (`before-restore-...`, the last REPLACED_KEEP kept; `damaged-...` for one that cannot
    be read, kept with its write-ahead log or journal, never pruned). Returns the copy."""
    folder = backups_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    prefix = _DAMAGED_PREFIX if damaged else _REPLACED_PREFIX
    stamp = datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
    target = folder / f"{prefix}{stamp}.sqlite3"
    number = 1
    while target.exists():
        number += 1
        target = folder / f"{prefix}{stamp}-{number}.sqlite3"
    parts = [(db_path, target)]
    if damaged:
        parts += [(Path(f"{db_path}{end}"), Path(f"{target}{end}"))
                  for end in ("-wal", "-journal") if Path(f"{db_path}{end}").exists()]
    for source, copy in reversed(parts):  # the database itself last: then all of it is there
        temp = copy.with_name(f".{copy.name}.{os.getpid()}.part")
        try:
            shutil.copyfile(source, temp)
            fsync_file(temp)
            os.replace(temp, copy)
        finally:
            temp.unlink(missing_ok=True)
    fsync_folder(folder)
    if not damaged:
        prune(folder, f"{_REPLACED_PREFIX}*.sqlite3", REPLACED_KEEP, target)
    return target


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
