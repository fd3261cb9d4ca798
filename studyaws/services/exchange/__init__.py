"""Export and backup: the whole collection as JSON (and back), Anki packages, Anki text.

What restores share lives here: whether a collection holds anything, and swapping a newly
built database file in for the old one in a single atomic rename.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from studyaws.store.backup import fsync_file, fsync_folder

if TYPE_CHECKING:
    from sqlalchemy import Engine


class RestoreError(Exception):
    """A backup that cannot be restored, or a collection that cannot be replaced now; the
    message is for the user and nothing was changed."""


def inspect_collection(db_path: Path) -> tuple[int, str | None]:
    """How many decks the collection at `db_path` holds (0 when there is none yet), and why
    it cannot be read when it is damaged or not a database (else None): a restore is the
    way back then, so it must not need to read it."""
    if not db_path.exists():
        return 0, None
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
        try:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                return 0, str(check).splitlines()[0]
            has_table = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'deck'"
            ).fetchone()[0]
            return (conn.execute("SELECT count(*) FROM deck").fetchone()[0]
                    if has_table else 0), None
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise RestoreError(f"{db_path}: the collection is busy in another studyaws; "
                               "close it and retry") from None
        return 0, str(exc)
    except sqlite3.DatabaseError as exc:
        return 0, str(exc)


def kept_message(kept: Path | None, damage: str | None) -> str | None:
    """The line that tells where the replaced collection went."""
    if kept is None:
        return None
    if damage is not None:
        return f"the damaged collection was kept as {kept} (it could not be read: {damage})"
    return f"the replaced collection was kept as {kept}"


def open_to_read(home: str | None, db_path: Path, url: str | None = None) -> Engine:
    """The collection for a command that only reads it (export): opened as every command
    opens it (upgraded, today's copy made) where it can be written, else read-only, with
    nothing written beside it; the database at `url` when the collection is in PostgreSQL."""
    from studyaws.store.backup import can_write

    if url is not None or can_write(db_path):
        from studyaws.services.collection import open_collection

        return open_collection(home, import_bundled=False, db=url)
    return read_only_engine(db_path)


def read_only_engine(db_path: Path) -> Engine:
    """An engine whose every connection only reads `db_path`; each transaction is one
    consistent snapshot, as with the read-write engine."""
    from sqlalchemy import create_engine, event

    from studyaws.store.backup import check_read_only_collection, connect_read_only

    check_read_only_collection(db_path)
    engine = create_engine("sqlite://", creator=lambda: connect_read_only(db_path))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def temporary_path(db_path: Path) -> Path:
    """A new, unused file name beside `db_path` (same folder, so the swap is one rename)."""
    from studyaws.store.backup import restore_temp_path

    return restore_temp_path(db_path)


def remove_database(path: Path) -> None:
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        name.unlink(missing_ok=True)


def swap_in(new_db: Path, db_path: Path, damaged: bool = False) -> Path | None:
    """Put the complete database `new_db` in the place of `db_path` with one atomic rename.

    The old database's write-ahead log is folded into it first (which fails while another
    program has it open: then nothing changes), and a copy of it is kept in backups/
    (`before-restore-<time>.sqlite3`). A `damaged` one, which cannot be opened, is kept as
    it is (`damaged-<time>.sqlite3`, with its log). Returns that copy's path, or None when
    there was no database. Killed at any point, the collection is the old one or the new
    one, whole."""
    from studyaws.store.backup import keep_replaced

    _self_contained(new_db)
    kept = None
    if db_path.exists():
        if not damaged:
            try:
                conn = sqlite3.connect(db_path, timeout=2)
                try:
                    mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
                finally:
                    conn.close()
            except sqlite3.OperationalError as exc:
                raise RestoreError(f"{db_path}: cannot take over the current collection "
                                   f"({exc}); close studyaws everywhere and retry") from None
            except sqlite3.DatabaseError:
                damaged = True  # unreadable after all: kept aside as it is
            else:
                if str(mode).lower() != "delete":
                    raise RestoreError(f"{db_path}: the collection is open in another "
                                       "studyaws; close it and retry")
        try:
            kept = keep_replaced(db_path, damaged=damaged)
        except OSError as exc:
            raise RestoreError(f"{db_path}: cannot keep a copy of the current collection in "
                               f"{exc.filename or 'backups/'} ({exc.strerror}); nothing was "
                               "changed") from None
        # Its log and journal belong to the old file: beside the new one, SQLite would
        # apply them to it.
        for stale in (Path(f"{db_path}-wal"), Path(f"{db_path}-shm"),
                      Path(f"{db_path}-journal")):
            stale.unlink(missing_ok=True)
    os.replace(new_db, db_path)
    fsync_folder(db_path.parent)
    return kept


def _self_contained(path: Path) -> None:
    """No write-ahead log beside it: everything is in the one file that is renamed."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()
    fsync_file(path)


def restore_backup(source: Path, db_path: Path, damaged: bool | None = None) -> Path | None:
    """Replace the collection at `db_path` by the copy at `source` (made by `studyaws
    backup`, or a daily copy): it is checked, copied to a temporary file beside the
    collection, upgraded to this version's schema, and renamed over the collection in one
    step. Returns where the replaced collection was kept (or None)."""
    from studyaws.store.backup import (
        check_backup,
        copy_database,
        remove_restore_leftovers,
        restore_temp_path,
    )
    from studyaws.store.engine import StoreError, open_engine

    check_backup(source)
    remove_restore_leftovers(db_path)
    temp = restore_temp_path(db_path)
    try:
        if damaged is None:
            damaged = inspect_collection(db_path)[1] is not None
        copy_database(source, temp)
        open_engine(temp).dispose()  # upgrades an older schema, exactly as opening would
        try:
            return swap_in(temp, db_path, damaged=damaged)
        except RestoreError as exc:
            raise StoreError(str(exc)) from None
    finally:
        remove_database(temp)
