"""Export and backup: the whole collection as JSON (and back), Anki packages, Anki text.

What restores share lives here: whether a collection holds anything, and swapping a newly
built database file in for the old one in a single atomic rename.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

from studyaws.store.backup import fsync_file, fsync_folder


class RestoreError(Exception):
    """A backup that cannot be restored, or a collection that cannot be replaced now; the
    message is for the user and nothing was changed."""


def deck_count(db_path: Path) -> int:
    """How many decks the collection at `db_path` holds (0 when there is none yet)."""
    if not db_path.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            has_table = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'deck'"
            ).fetchone()[0]
            return conn.execute("SELECT count(*) FROM deck").fetchone()[0] if has_table else 0
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise RestoreError(f"{db_path}: cannot read the current collection ({exc})") from None


def temporary_path(db_path: Path, suffix: str = ".restoring") -> Path:
    """A new, unused file name beside `db_path` (same folder, so the swap is one rename)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{db_path.name}.", suffix=suffix, dir=db_path.parent)
    os.close(fd)
    os.unlink(name)
    return Path(name)


def remove_database(path: Path) -> None:
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        name.unlink(missing_ok=True)


def swap_in(new_db: Path, db_path: Path) -> Path | None:
    """Put the complete database `new_db` in the place of `db_path` with one atomic rename.

    The old database's write-ahead log is folded into it first (which fails while another
    program has it open: then nothing changes), and a copy of the old database is kept as
    `<name>.before-restore`. Returns that copy's path, or None when there was no database."""
    _self_contained(new_db)
    backup = None
    if db_path.exists():
        try:
            conn = sqlite3.connect(db_path, timeout=2)
            try:
                mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            raise RestoreError(f"{db_path}: cannot take over the current collection ({exc}); "
                               "close studyaws everywhere and retry") from None
        if str(mode).lower() != "delete":
            raise RestoreError(f"{db_path}: the collection is open in another studyaws; "
                               "close it and retry")
        backup = db_path.with_name(f"{db_path.name}.before-restore")
        shutil.copyfile(db_path, backup)
        for stale in (Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
            stale.unlink(missing_ok=True)
    os.replace(new_db, db_path)
    fsync_folder(db_path.parent)
    return backup


def _self_contained(path: Path) -> None:
    """No write-ahead log beside it: everything is in the one file that is renamed."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()
    fsync_file(path)


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """`write(temp)` makes the file under a temporary name beside `path`, then it is renamed
    to `path`: a failed export never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    temp = Path(name)
    try:
        write(temp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
