"""Opening the user's collection, importing the bundled decks into an empty one, and the
day's backup copy of an existing one."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from studyaws.core.clock import Clock
from studyaws.core.config import DB_NAME, bundled_decks_dir, data_home
from studyaws.store.engine import open_engine


def open_collection(home: str | None = None, *, import_bundled: bool = True,
                    clock: Clock | None = None, backup: bool = True) -> Engine:
    """The collection in the data folder; a new user's empty one gets the bundled decks so
    there is something to study at once. The first opening of a study day copies an existing
    collection to backups/ (see studyaws.store.backup)."""
    db_path = data_home(home) / DB_NAME
    existed = db_path.exists()
    if existed:
        from studyaws.store.backup import remove_restore_leftovers

        remove_restore_leftovers(db_path)  # what a killed restore left beside it
    engine = open_engine(db_path)
    clock = clock or Clock()
    if existed and backup:
        take_daily_backup(engine, db_path, clock)
    if import_bundled:
        from studyaws.store.queries import deck_count

        if deck_count(engine) == 0:
            from studyaws.services.importer import import_paths

            import_paths(engine, [bundled_decks_dir()], clock.now())
    return engine


def take_daily_backup(engine: Engine, db_path: Path, clock: Clock) -> Path | None:
    """Today's copy, unless there is one. A copy that cannot be made (a full disk, a folder
    that cannot be written) is reported as a warning: it must not stop the day's review."""
    from studyaws.core.srs.day import study_date
    from studyaws.store.backup import daily_backup
    from studyaws.store.settings import load_settings

    zone = clock.local_zone()
    try:
        hour = load_settings(engine).day_starts_at
        return daily_backup(db_path, study_date(clock.now(), zone, hour))
    except (OSError, sqlite3.Error, SQLAlchemyError) as exc:
        cause = getattr(exc, "orig", None) or exc
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(cause)
        from studyaws.core.text import printable

        print(printable(f"studyaws: warning: today's backup copy was not made ({reason})"),
              file=sys.stderr)
        return None
