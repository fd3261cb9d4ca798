"""What keeps the collection safe around the commands: `studyaws backup`, restoring a backup
copy, one-line messages for a broken environment, and crash reports (docs/reliability.md).

Loaded only when needed: nothing here is on the start-up path of the app.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
import traceback
from contextlib import closing
from datetime import datetime
from pathlib import Path

from studyaws import __version__
from studyaws.core.config import DB_NAME, data_home
from studyaws.core.text import printable


def backup_command(home: str | None, file: Path | None, force: bool = False) -> int:
    """`studyaws backup [FILE] [--force]`: a consistent copy of the collection, by default a
    timestamped file in backups/. An existing FILE is replaced only with --force; the
    collection and its copies never. A read-only collection is copied all the same."""
    from studyaws.services.exchange.output import OutputError, write_output
    from studyaws.store.backup import (
        can_write,
        check_read_only_collection,
        manual_backup_path,
        write_copy,
    )
    from studyaws.store.engine import open_engine

    db_path = data_home(home) / DB_NAME
    if not db_path.exists():
        print(printable(f"studyaws backup: no collection at {db_path}"), file=sys.stderr)
        return 1
    writable = can_write(db_path)
    name = manual_backup_path(db_path, datetime.now().astimezone()).name
    try:
        destination = _destination(db_path, name, file, force)
        if writable:
            open_engine(db_path).dispose()  # refuses a damaged or newer database, as every command
        else:
            check_read_only_collection(db_path)
        counts: list[int] = []

        def write(path: Path) -> None:
            write_copy(db_path, path, read_only=not writable)
            with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
                counts.extend(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                              for table in ("deck", "review_log"))

        write_output(destination, write)
    except OutputError as exc:
        print(printable(f"studyaws backup: {exc}"), file=sys.stderr)
        return 1
    decks, reviews = counts
    print(printable(f"backed up {db_path} to {destination.given} "
                    f"({decks} deck{'s' if decks != 1 else ''}, "
                    f"{reviews} review{'s' if reviews != 1 else ''})"),
          file=sys.stderr if destination.special else sys.stdout)  # not into the data
    return 0


def backup_postgres_command(home: str | None, url: str, file: Path | None,
                            force: bool = False) -> int:
    """`studyaws backup [FILE] [--force]` for a collection in PostgreSQL: its JSON export
    (the format `studyaws export` writes and `studyaws restore` reads), read in one
    snapshot, by default to a timestamped file in the data folder's backups/."""
    import json

    from studyaws.services.collection import open_collection
    from studyaws.services.exchange.json_dump import export_json
    from studyaws.services.exchange.output import OutputError, write_output
    from studyaws.store.postgres import redact

    db_path = data_home(home) / DB_NAME  # never written over: it may be a SQLite collection
    name = f"studyaws-{datetime.now().astimezone():%Y%m%d-%H%M%S}.json"
    engine = open_collection(home, import_bundled=False, backup=False, db=url)
    try:
        destination = _destination(db_path, name, file, force)
        text = export_json(engine)
        write_output(destination, lambda p: p.write_text(text, encoding="utf-8"))
    except OutputError as exc:
        print(printable(f"studyaws backup: {exc}"), file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    tables = json.loads(text)["tables"]
    decks, reviews = len(tables.get("deck", [])), len(tables.get("review_log", []))
    print(printable(f"backed up {redact(url)} to {destination.given} as JSON "
                    f"({decks} deck{'s' if decks != 1 else ''}, "
                    f"{reviews} review{'s' if reviews != 1 else ''})"),
          file=sys.stderr if destination.special else sys.stdout)  # not into the data
    return 0


def _destination(db_path: Path, name: str, file: Path | None, force: bool):
    """Where a backup named `name` goes: a new file in the data folder's backups/, or FILE
    (in it, when a folder; replaced only with `force`)."""
    from studyaws.services.exchange.output import Output, check_output
    from studyaws.store.backup import backups_dir

    if file is None:
        target = _new_copy_path(backups_dir(db_path), name)
        return Output(target, target, special=False)
    return check_output(file / name if file.is_dir() else file, db_path, force)


def _new_copy_path(folder: Path, name: str) -> Path:
    """A name not yet used in backups/ (made when missing, with the data folder: they are
    studyaws's own)."""
    from studyaws.services.exchange.output import OutputError

    try:
        folder.mkdir(parents=True, exist_ok=True)
        reason = None if os.access(folder, os.W_OK | os.X_OK) else "read-only or no permission"
    except OSError as exc:
        reason = exc.strerror or str(exc)
    if reason is not None:
        raise OutputError(f"{folder}: cannot write the copy there ({reason}): nothing was "
                          "written; write it elsewhere with studyaws backup FILE")
    path = folder / name
    number = 1
    while path.exists():
        number += 1
        path = folder / f"{Path(name).stem}-{number}{Path(name).suffix}"
    return path


def restore_backup_command(home: str | None, file: Path, force: bool) -> int:
    """`studyaws restore FILE` for a copy made by `studyaws backup` (or a daily copy). It
    works over a damaged collection too, which is kept aside."""
    from studyaws.services.exchange import (
        RestoreError,
        inspect_collection,
        kept_message,
        restore_backup,
    )
    from studyaws.store.backup import check_backup
    from studyaws.store.engine import StoreError

    db_path = data_home(home) / DB_NAME
    version = check_backup(file)
    try:
        decks, damage = inspect_collection(db_path)
    except RestoreError as exc:
        raise StoreError(str(exc)) from None
    if decks and not force:
        print(printable(f"studyaws restore: the collection at {db_path} already has {decks} "
                        f"deck{'s' if decks != 1 else ''}; restoring replaces it. Add --force "
                        "to replace it (a copy of it is kept)."), file=sys.stderr)
        return 1
    kept = restore_backup(file, db_path, damaged=damage is not None)
    print(printable(f"restored {db_path} from {file} (schema {version})"))
    message = kept_message(kept, damage)
    if message:
        print(printable(message))
    return 0


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
    try:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError:
        path.unlink(missing_ok=True)  # no empty or cut-short report (a full disk)
        raise
    return path
