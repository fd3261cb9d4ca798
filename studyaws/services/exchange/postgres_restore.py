"""`studyaws restore FILE` for a collection kept in PostgreSQL.

The backup (a JSON export, or a copy of a SQLite collection made by `studyaws backup`) is
first rebuilt into a temporary SQLite collection exactly as a SQLite restore rebuilds it:
checked whole, upgraded to this version's schema. Only then is the database touched: the
collection it replaces is kept as a JSON export in the data folder's backups/, and the
rebuilt one is copied in row for row in one transaction (`store.copy`), so a restore that
fails leaves the database as it was.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from studyaws.core.config import DB_NAME, data_home
from studyaws.services.exchange import RestoreError


class RestoredInto(NamedTuple):
    counts: dict[str, int]  # rows restored, per table
    kept: Path | None  # the JSON export of the collection it replaced, if it held anything


def decks_in(url: str, home: str | None) -> int:
    """How many decks the collection in the database at `url` holds."""
    from studyaws.services.collection import open_collection
    from studyaws.store.copy import row_counts

    engine = open_collection(home, import_bundled=False, backup=False, db=url)
    try:
        return row_counts(engine)["deck"]
    finally:
        engine.dispose()


def restore_into_postgres(source: Path, home: str | None, url: str,
                          document: dict | None) -> RestoredInto:
    """Replace the collection in the database at `url` by the backup at `source`: its JSON
    `document` when read_backup has read one, else `source` is a SQLite copy. Raises
    RestoreError (or StoreError) with nothing in the database changed."""
    from studyaws.services.collection import open_collection
    from studyaws.services.exchange import restore_backup
    from studyaws.services.exchange.json_dump import export_json, restore_json, write_media
    from studyaws.store.backup import backups_dir
    from studyaws.store.copy import copy_collection, row_counts
    from studyaws.store.engine import close_engine, open_engine

    db_path = data_home(home) / DB_NAME  # its folder holds backups/ and media/
    with tempfile.TemporaryDirectory(prefix="studyaws-restore-") as folder:
        rebuilt = Path(folder) / DB_NAME
        if document is not None:
            restore_json(source, rebuilt, damaged=False, document=document)
        else:
            restore_backup(source, rebuilt, damaged=False)
        from_engine = open_engine(rebuilt)
        try:
            target = open_collection(home, import_bundled=False, backup=False, db=url)
            try:
                kept = None
                if _holds_anything(target, row_counts(target)):
                    kept = _keep_as_json(export_json(target), backups_dir(db_path))
                if document is not None:
                    write_media(source, db_path, document.get("media") or {})
                counts = copy_collection(from_engine, target, force=True)
            finally:
                close_engine(target)
        finally:
            close_engine(from_engine)
    return RestoredInto(counts, kept)


def _holds_anything(engine, counts: dict[str, int]) -> bool:
    """Whether the collection holds anything of the user's: a new database holds no more
    than the mark that it is to get the bundled decks (services.collection)."""
    from studyaws.store.settings import bundled_decks_mark

    return sum(counts.values()) > (bundled_decks_mark(engine) is not None)


def _keep_as_json(text: str, folder: Path) -> Path:
    """The replaced collection's JSON export, written to a new file in backups/."""
    stamp = f"{datetime.now().astimezone():%Y%m%d-%H%M%S}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        number = 1
        while True:
            suffix = "" if number == 1 else f"-{number}"
            path = folder / f"studyaws-{stamp}-replaced{suffix}.json"
            try:
                out = path.open("x", encoding="utf-8")
            except FileExistsError:
                number += 1
                continue
            try:
                with out:
                    out.write(text)
            except OSError:
                path.unlink(missing_ok=True)  # no half-written copy left behind
                raise
            return path
    except OSError as exc:
        raise RestoreError(f"{folder}: the collection being replaced cannot be kept there "
                           f"({exc.strerror or exc}); nothing was restored") from None
