"""What keeps the collection safe around the commands: `studyaws backup`, restoring a backup
copy, one-line messages for a broken environment, and crash reports (docs/reliability.md).

Loaded only when needed: nothing here is on the start-up path of the app.
"""

from __future__ import annotations

import platform
import sqlite3
import sys
import traceback
from contextlib import closing
from datetime import datetime
from pathlib import Path

from studyaws import __version__
from studyaws.core.config import DB_NAME, data_home


def backup_command(home: str | None, file: Path | None) -> int:
    """`studyaws backup [FILE]`: a consistent copy of the collection, by default a
    timestamped file in backups/. An existing FILE is never overwritten."""
    from studyaws.store.backup import copy_database, manual_backup_path
    from studyaws.store.engine import open_engine

    db_path = data_home(home) / DB_NAME
    if not db_path.exists():
        print(f"studyaws backup: no collection at {db_path}", file=sys.stderr)
        return 1
    open_engine(db_path).dispose()  # refuses a damaged or newer database, as every command
    target = manual_backup_path(db_path, datetime.now().astimezone())
    if file is not None:
        target = file / target.name if file.is_dir() else file
    if target.exists():
        print(f"studyaws backup: {target} exists; give another file name", file=sys.stderr)
        return 1
    copy_database(db_path, target)
    with closing(sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro", uri=True)) as conn:
        decks, reviews = (conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                          for table in ("deck", "review_log"))
    print(f"backed up {db_path} to {target} ({decks} deck{'s' if decks != 1 else ''}, "
          f"{reviews} review{'s' if reviews != 1 else ''})")
    return 0


def restore_backup_command(home: str | None, file: Path, force: bool) -> int:
    """`studyaws restore FILE` for a copy made by `studyaws backup` (or a daily copy)."""
    from studyaws.store.backup import check_backup, restore_backup

    db_path = data_home(home) / DB_NAME
    version = check_backup(file)
    decks = _deck_count(db_path)
    if decks and not force:
        print(f"studyaws restore: the collection at {db_path} already has {decks} "
              f"deck{'s' if decks != 1 else ''}; restoring replaces it. Add --force to "
              "replace it (a copy of it is kept).", file=sys.stderr)
        return 1
    kept = restore_backup(file, db_path)
    print(f"restored {db_path} from {file} (schema {version})")
    if kept is not None:
        print(f"the replaced collection was kept as {kept}")
    return 0


def _deck_count(db_path: Path) -> int:
    from studyaws.services.exchange import RestoreError, deck_count
    from studyaws.store.engine import StoreError

    try:
        return deck_count(db_path)
    except RestoreError as exc:
        raise StoreError(str(exc)) from None


# -- a broken environment in one line ----------------------------------------------------------

_SQLITE_MESSAGES = (
    ("disk is full", "the disk is full: the change was not written (free some space and "
                     "retry)"),
    ("readonly database", "the collection is read-only here: nothing was written"),
    ("read-only", "the collection is read-only here: nothing was written"),
    ("unable to open database", "cannot open the database file (is the data folder there "
                                "and writable?)"),
    ("malformed", "the database is damaged; restore a copy from backups/ with "
                  "studyaws restore FILE"),
    ("not a database", "not a studyaws database; restore a copy from backups/ with "
                       "studyaws restore FILE"),
    ("database is locked", "the collection stayed locked by another studyaws; retry "
                           "when it is done"),
    ("disk i/o error", "the disk could not be read or written (disk I/O error)"),
)


def describe_error(exc: BaseException, db_path: Path | None = None) -> str | None:
    """A one-line message for an error of the environment (SQLite, the file system), or None
    for anything else, which is a bug and keeps its traceback."""
    cause = getattr(exc, "orig", None) or exc
    if isinstance(cause, sqlite3.Error):
        text = str(cause)
        where = f"{db_path}: " if db_path is not None else ""
        for needle, message in _SQLITE_MESSAGES:
            if needle in text.lower():
                return f"{where}{message}"
        return f"{where}database error: {text}"
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
        return f"{exc.filename}: {reason}" if exc.filename else reason
    return None


# -- crash reports ------------------------------------------------------------------------------


def write_crash_report(folder: Path, error: BaseException, now: datetime | None = None) -> Path:
    """`crash-YYYYmmdd-HHMMSS.txt` in `folder` with the traceback and the versions of
    everything involved. Raises OSError when it cannot be written."""
    now = now or datetime.now().astimezone()
    from importlib.metadata import PackageNotFoundError, version

    try:
        textual_version = version("textual")
    except PackageNotFoundError:
        textual_version = "not installed"
    lines = [
        f"studyaws {__version__} crashed at {now.isoformat(timespec='seconds')}",
        "",
        f"python {platform.python_version()} ({sys.executable})",
        f"platform {platform.platform()}",
        f"textual {textual_version}",
        f"sqlite {sqlite3.sqlite_version}",
        f"command {' '.join(sys.argv)}",
        "",
        "".join(traceback.format_exception(error)).rstrip(),
        "",
        "Answers given before the crash were saved: each is committed as it is given.",
    ]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"crash-{now:%Y%m%d-%H%M%S}.txt"
    number = 1
    while path.exists():
        number += 1
        path = folder / f"crash-{now:%Y%m%d-%H%M%S}-{number}.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
