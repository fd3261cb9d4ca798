"""Opening the user's collection, importing the bundled decks into an empty one."""

from __future__ import annotations

from sqlalchemy import Engine

from studyaws.clock import Clock
from studyaws.config import DB_NAME, bundled_decks_dir, data_home
from studyaws.store.engine import open_engine


def open_collection(home: str | None = None, *, import_bundled: bool = True,
                    clock: Clock | None = None) -> Engine:
    """The collection in the data folder; a new user's empty one gets the bundled decks so
    there is something to study at once."""
    engine = open_engine(data_home(home) / DB_NAME)
    if import_bundled:
        from studyaws.store.queries import deck_count

        if deck_count(engine) == 0:
            from studyaws.importer import import_paths

            import_paths(engine, [bundled_decks_dir()], (clock or Clock()).now())
    return engine
