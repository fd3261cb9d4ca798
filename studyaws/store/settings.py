"""Settings and fitted FSRS parameters, kept in the `setting` table."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import Engine, delete, select

from studyaws.core.config import (
    NAMES,
    Settings,
    format_value,
    parse_value,
    settings_from,
)
from studyaws.store.engine import reading, writing
from studyaws.store.first_read import BUNDLED, BUNDLED_DUE  # noqa: F401 (named here too)
from studyaws.store.postgres import upsert
from studyaws.store.tables import Setting

_PARAMETERS = "fsrs-parameters"


def load_settings(engine: Engine) -> Settings:
    with reading(engine) as session:
        stored = dict(session.execute(select(Setting.key, Setting.value)).all())
    return settings_from(stored)


def save_setting(engine: Engine, name: str, text: str, today: date | None = None) -> object:
    """Check and store one setting as typed by the user; returns the parsed value. With
    `today`, an exam date before it is refused."""
    value = parse_value(name, text, today)
    name = name if name in NAMES else name.replace("_", "-")
    _put(engine, name, format_value(value))
    return value


def settings_items(settings: Settings) -> list[tuple[str, str]]:
    return [(f.name.replace("_", "-"), format_value(getattr(settings, f.name))) for f in fields(settings)]


def load_parameters(engine: Engine) -> tuple[float, ...] | None:
    with reading(engine) as session:
        value = session.execute(select(Setting.value).where(Setting.key == _PARAMETERS)).scalar()
    return tuple(json.loads(value)) if value else None


def save_parameters(engine: Engine, parameters: tuple[float, ...] | None, *,
                    reschedule: bool = False) -> None:
    """Put `parameters` in use. With `reschedule`, the same transaction records that every
    studied card is still to be rescheduled under them (see PendingReschedule)."""
    with writing(engine) as session:
        _put_in(session, _PARAMETERS, json.dumps(list(parameters)) if parameters else "")
        if reschedule:
            mark_rescheduled(session, parameters, 0)


# -- the bundled decks, offered once ----------------------------------------------------
# "bundled-decks": BUNDLED_DUE, to be put in; else when they were (ISO time)
_BUNDLED = BUNDLED


def bundled_decks_mark(engine: Engine) -> str | None:
    """None (a collection from before the mark), BUNDLED_DUE (created and not given the
    bundled decks yet) or when they were given (what the user did with them since is
    theirs: removed, they do not come back)."""
    with reading(engine) as session:
        return session.execute(select(Setting.value).where(Setting.key == _BUNDLED)).scalar()


def mark_bundled_decks(engine: Engine, value: str) -> None:
    _put(engine, _BUNDLED, value)


# -- where the import screen was last used ------------------------------------------------
# Not a setting of the user's (`studyaws config` lists only the Settings fields): the folder
# the import screen opens on next time.
_LAST_IMPORT_FOLDER = "last-import-folder"


def load_last_import_folder(engine: Engine) -> str | None:
    with reading(engine) as session:
        value = session.execute(
            select(Setting.value).where(Setting.key == _LAST_IMPORT_FOLDER)).scalar()
    return value or None


def save_last_import_folder(engine: Engine, folder: str) -> None:
    _put(engine, _LAST_IMPORT_FOLDER, folder)


# -- bundled decks taken over by the user's copy ------------------------------------------
# "deck-copy:" + a bundled deck's key ("bundled:NAME") -> the path of the user's copy of its
# file (in the data folder), which is imported in its place from then on.
_DECK_COPY = "deck-copy:"


def deck_copies(engine: Engine) -> dict[str, str]:
    """Each bundled deck a copy of the user's has taken over: its key -> the copy's path."""
    with reading(engine) as session:
        rows = session.execute(select(Setting.key, Setting.value)
                               .where(Setting.key.startswith(_DECK_COPY))).all()
    return {key.removeprefix(_DECK_COPY): value for key, value in rows if value}


def record_deck_copy(session, deck_key: str, path: str) -> None:
    """Inside the caller's write transaction: the copy at `path` takes over the bundled deck
    `deck_key`."""
    _put_in(session, _DECK_COPY + deck_key, path)


# -- a reschedule under way ---------------------------------------------------------------
_PENDING = "reschedule-pending"


@dataclass(frozen=True)
class PendingReschedule:
    """A reschedule that was begun and has not finished: the parameters it replays the
    cards' histories under, and the highest card id done (cards are done in id order)."""

    parameters: tuple[float, ...] | None
    after: int


def load_pending_reschedule(engine: Engine) -> PendingReschedule | None:
    with reading(engine) as session:
        value = session.execute(select(Setting.value).where(Setting.key == _PENDING)).scalar()
    if not value:
        return None
    try:
        data = json.loads(value)
        parameters = tuple(float(w) for w in data["parameters"]) if data["parameters"] else None
        return PendingReschedule(parameters, int(data["after"]))
    except (ValueError, KeyError, TypeError):
        return PendingReschedule(None, 0)  # unreadable: redo it from the first card


def mark_rescheduled(session, parameters: tuple[float, ...] | None, after: int) -> None:
    """Inside the caller's write transaction: every studied card up to id `after` is
    rescheduled under `parameters`, the ones after it are not yet."""
    _put_in(session, _PENDING, json.dumps({"parameters": list(parameters) if parameters
                                           else None, "after": after}))


def clear_pending_reschedule(session) -> None:
    """Inside the caller's write transaction: the reschedule is complete."""
    session.execute(delete(Setting).where(Setting.key == _PENDING))


def _put(engine: Engine, key: str, value: str) -> None:
    with writing(engine) as session:
        _put_in(session, key, value)


def _put_in(session, key: str, value: str) -> None:
    session.execute(
        upsert(session, Setting).values(key=key, value=value)
        .on_conflict_do_update(index_elements=["key"], set_={"value": value})
    )
