"""Opening the user's collection, putting the bundled decks in it once, and the
day's backup copy of an existing one."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from studyaws.core.clock import Clock
from studyaws.core.config import DB_NAME, bundled_decks_dir, data_home
from studyaws.store.engine import created_here, open_engine


def open_collection(home: str | None = None, *, import_bundled: bool = True,
                    clock: Clock | None = None, backup: bool = True,
                    db: str | None = None) -> Engine:
    """The collection in the data folder, or in the PostgreSQL database at the URL `db` (the
    command line resolves --db, STUDYAWS_DB and config.toml: core.config.database_url). A new one
    is marked to get the bundled decks, which come with the first opening with
    `import_bundled` (offer_bundled_decks), so there is something to study at once. The first
    opening of a study day copies an existing SQLite collection to backups/ (see
    studyaws.store.backup); a PostgreSQL one is the server's to back up. The pictures of a
    PostgreSQL one are kept in the data folder's media/ (services.media). Decks removed
    more than 30 days ago are purged after that copy on SQLite, at every opening with `backup`
    on PostgreSQL (one read when there is nothing to purge)."""
    if db is not None:
        from studyaws.services.decks import purge_removed
        from studyaws.services.media import MEDIA_FOLDER, keep_media_in

        engine = open_engine(db)
        clock = clock or Clock()
        _mark_if_new(engine)
        keep_media_in(engine, data_home(home) / MEDIA_FOLDER)  # this machine's pictures
        if backup:  # as on SQLite, where the day's copy comes first: not for a backup's read
            purge_removed(engine, clock)  # the server's backups are the copies here
        if import_bundled:
            offer_bundled_decks(engine, clock)
        return engine
    db_path = data_home(home) / DB_NAME
    existed = db_path.exists()
    if existed:
        from studyaws.store.backup import remove_restore_leftovers

        remove_restore_leftovers(db_path)  # what a killed restore left beside it
    engine = open_engine(db_path)
    clock = clock or Clock()
    if existed and backup and take_daily_backup(engine, db_path, clock) is not None:
        from studyaws.services.decks import purge_removed

        # Once a study day, after its copy is made (it still holds what is purged).
        purge_removed(engine, clock)
    _mark_if_new(engine)
    if import_bundled:
        offer_bundled_decks(engine, clock)
    return engine


def _mark_if_new(engine: Engine) -> None:
    """A collection created by this opening gets the bundled decks at the first opening that
    offers them, even when its first command is an import (which does not)."""
    if created_here(engine):
        from studyaws.store.settings import BUNDLED_DUE, mark_bundled_decks

        mark_bundled_decks(engine, BUNDLED_DUE)


def offer_bundled_decks(engine: Engine, clock: Clock) -> bool:
    """Put the bundled decks in a collection once, whatever command created it (an `import`
    first leaves them to the next command that opens it with them); a user who removes them
    afterwards does not get them back. A collection from before the mark gets them only while
    it has no deck. True when they were imported now."""
    from studyaws.store.queries import has_bundled_deck
    from studyaws.store.settings import mark_bundled_decks

    if not bundled_decks_due(engine):
        return False
    imported = False
    if not has_bundled_deck(engine):
        from studyaws.services.importer import import_paths

        import_paths(engine, [bundled_decks_dir()], clock.now())
        imported = True
    mark_bundled_decks(engine, clock.now().isoformat(timespec="seconds"))
    return imported


def bundled_decks_due(engine: Engine) -> bool:
    """Whether the next opening with `import_bundled` would put the bundled decks in."""
    from studyaws.store.queries import deck_count
    from studyaws.store.settings import BUNDLED_DUE, bundled_decks_mark

    mark = bundled_decks_mark(engine)
    return mark == BUNDLED_DUE or (mark is None and deck_count(engine) == 0)


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
