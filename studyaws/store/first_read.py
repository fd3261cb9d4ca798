"""The first card of `studyaws review` read on the sqlite3 driver alone, before SQLAlchemy
and the tables are loaded (services.first_card): the settings, the presets, each deck's
numbers for the day plan, the first card of the queue and its shared texts, with the same
SQL the full store runs (store.queries, services.review's queue) in one read transaction.

Only a SQLite collection of this schema is read here; anything else (no file, another
schema, a file that is not a database) gives None, and the full store opens it and says
what is wrong as it always does."""

from __future__ import annotations

import json
import sqlite3
from collections import namedtuple
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from studyaws.core.config import Preset
from studyaws.core.srs.policy import LEARNING, NEW, RELEARNING, REVIEW, Memory
from studyaws.core.srs.queue import LEARN_AHEAD
from studyaws.core.text import natural_key
from studyaws.store.columns import SCHEMA_VERSION, from_db, to_db
from studyaws.store.deck_summary import DeckSummary

EXTRA_NEW = "extra-new-today"  # the setting that raises today's new limit (store.card_sets)
BUNDLED, BUNDLED_DUE = "bundled-decks", "due"  # the bundled decks' mark (store.settings)


def open_reader(db_path: Path) -> sqlite3.Connection | None:
    """A read-only connection to the collection at `db_path`, inside one read transaction,
    or None when there is none of this schema to read there."""
    if not db_path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{quote(str(db_path))}?mode=ro", uri=True,
                               isolation_level=None, check_same_thread=False)
    except sqlite3.Error:
        return None
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            conn.close()
            return None
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        conn.close()
        return None
    return conn


def stored_settings(conn: sqlite3.Connection) -> dict[str, str]:
    """The `setting` table: key -> text (core.config.settings_from reads the settings)."""
    return dict(conn.execute("SELECT key, value FROM setting"))


def bundled_decks_due(conn: sqlite3.Connection, stored: dict[str, str]) -> bool:
    """Whether opening the collection puts the bundled decks in (services.collection)."""
    mark = stored.get(BUNDLED)
    return mark == BUNDLED_DUE or (
        mark is None and conn.execute("SELECT count(*) FROM deck").fetchone()[0] == 0)


def extra_new(value: str | None) -> tuple[int, datetime] | None:
    """Today's extra new cards as stored (cards, until), or None (store.card_sets)."""
    if not value:
        return None
    try:
        data = json.loads(value)
        return int(data["cards"]), datetime.fromisoformat(data["until"])
    except (ValueError, KeyError, TypeError):
        return None  # unreadable: no extra


def preset_parameters(text: str | None) -> tuple[float, ...] | None:
    """A preset's stored parameters (a JSON list), None when it has none."""
    if not text:
        return None
    return tuple(float(w) for w in json.loads(text))


def preset_values(id_: int, name: str, new_per_day: int, reviews_per_day: int,
                  desired_retention: float, parameters: str | None,
                  fitted_at: datetime | None) -> Preset:
    """A preset's row as the core's Preset (store.presets)."""
    return Preset(id_, name, new_per_day, reviews_per_day, desired_retention,
                  preset_parameters(parameters), fitted_at)


def named_presets(conn: sqlite3.Connection) -> list[Preset]:
    """The named presets (not Default), by name (store.presets.named_presets)."""
    rows = conn.execute(
        "SELECT id, name, new_per_day, reviews_per_day, desired_retention, parameters, "
        "parameters_fitted_at FROM preset ORDER BY lower(name)")
    return [preset_values(*row[:6], from_db(row[6])) for row in rows]


def choose_decks(decks: list[tuple[int, str]], name: str) -> list[tuple[int, str]]:
    """Of the decks (id, title) not removed, the one titled `name` exactly, else every one
    whose title starts with it (case-insensitive), by title (store.queries.decks_matching)."""
    exact = [(deck_id, title) for deck_id, title in decks if title == name]
    if exact:
        return exact[:1]
    return sorted(((deck_id, title) for deck_id, title in decks
                   if title.lower().startswith(name.lower())), key=lambda deck: deck[1].lower())


def decks_matching(conn: sqlite3.Connection, name: str) -> list[tuple[int, str]]:
    decks = conn.execute("SELECT id, title FROM deck WHERE deleted_at IS NULL").fetchall()
    return choose_decks(decks, name)


def _in(ids) -> str:
    return ", ".join(str(int(i)) for i in ids)


_ACTIVE = ("card.retired IS 0 AND card.suspended IS 0 AND "
           "(card.buried_until IS NULL OR card.buried_until <= :now)")


def deck_summaries(conn: sqlite3.Connection, now: datetime, day_end: datetime,
                   day_start: datetime, only: tuple[int, ...] | None) -> list[DeckSummary]:
    """store.queries.deck_summaries without cards brought forward before an exam."""
    decks = conn.execute(
        "SELECT id, title, path, domain, folder, preset_id FROM deck"
        " WHERE deleted_at IS NULL").fetchall()
    # The cards' part through ix_card_queue and each card's memory by its key, as the store's.
    scope = f" AND card.deck_id IN ({_in(only)})" if only is not None else ""
    numbers = {deck_id: counted for deck_id, *counted in conn.execute(
        "SELECT card.deck_id, count(*), "
        f"count(*) FILTER (WHERE {_ACTIVE} AND card_state.state = {NEW}), "
        f"count(*) FILTER (WHERE {_ACTIVE} AND card_state.state IN "
        f"({LEARNING}, {RELEARNING}) AND card_state.due <= :ahead), "
        f"count(*) FILTER (WHERE {_ACTIVE} AND card_state.state = {REVIEW} "
        "AND card_state.due < :end) "
        "FROM card JOIN card_state ON card_state.card_id = card.id "
        f"WHERE card.retired IS 0{scope} GROUP BY card.deck_id",
        {"now": to_db(now), "ahead": to_db(now + LEARN_AHEAD), "end": to_db(day_end)})}
    rows = [(deck_id, title, path, domain, *numbers.get(deck_id, (0, 0, 0, 0)), folder,
             preset_id) for deck_id, title, path, domain, folder, preset_id in decks]
    answers = conn.execute(
        "SELECT card_id, state_before FROM review_log WHERE source = 'review' "
        f"AND reviewed_at >= ? AND state_before IN ({NEW}, {REVIEW})",
        (to_db(day_start),)).fetchall()
    ids = sorted({card_id for card_id, _ in answers})
    deck_of: dict[int, int] = {}
    for chunk in range(0, len(ids), 10_000):
        deck_of.update(conn.execute(
            f"SELECT id, deck_id FROM card WHERE id IN ({_in(ids[chunk:chunk + 10_000])})"))
    done: dict[int | None, dict[int, int]] = {}
    for card_id, state in answers:
        counts = done.setdefault(deck_of.get(card_id), {})
        counts[state] = counts.get(state, 0) + 1
    return sorted((DeckSummary(*row, new_done=done.get(row[0], {}).get(NEW, 0),
                               reviews_done=done.get(row[0], {}).get(REVIEW, 0))
                   for row in rows), key=lambda d: natural_key(d.title))


# A card as the queue reads it (services.review's _view_query): its columns, its memory's,
# its deck's title.
_VIEW = (
    "SELECT card.id, card.deck_id, card.kind, card.topic, card.prompt, card.answer, "
    "card.payload, card.explanation, card.context_id, card.cloze_text_id, card.saa_domain, "
    "card.clf_domain, card.domain_inferred, card.source_path, card.source_line, card.leech, "
    "card.flag, card_state.state, card_state.step, card_state.stability, "
    "card_state.difficulty, card_state.due, card_state.last_review, card_state.reps, "
    "card_state.lapses, deck.title AS deck_title "
    "FROM card JOIN card_state ON card_state.card_id = card.id "
    "JOIN deck ON deck.id = card.deck_id WHERE " + _ACTIVE)
CardRow = namedtuple("CardRow", (
    "id deck_id kind topic prompt answer payload explanation context_id cloze_text_id "
    "saa_domain clf_domain domain_inferred source_path source_line leech flag state step "
    "stability difficulty due last_review reps lapses deck_title"))
# The review order's SQL (setting review-order; services.review._review_order).
_ORDERS = {
    "due": "card_state.due, card_state.card_id",
    "retrievability": "(julianday(:now_text) - julianday(card_state.last_review)) / "
                      "(max(card_state.stability, 0.001) + 0.0) DESC, card_state.due",
    "random": "(card_state.card_id * 2654435761 + :seed) % 4294967291, card_state.card_id",
}


def _scope(deck_ids: tuple[int, ...] | None) -> str:
    if deck_ids is None:
        return ""
    if len(deck_ids) == 1:
        return f" AND card.deck_id = {int(deck_ids[0])}"
    return f" AND card.deck_id IN ({_in(deck_ids)})"


def _card(row) -> CardRow | None:
    if row is None:
        return None
    card = CardRow(*row)
    return card._replace(domain_inferred=bool(card.domain_inferred), leech=bool(card.leech))


def first_learning(conn: sqlite3.Connection, now: datetime, until: datetime,
                   deck_ids: tuple[int, ...] | None) -> CardRow | None:
    """The active card in learning or relearning due first, if due by `until`."""
    firsts = [f"SELECT * FROM ({_VIEW}{_scope(deck_ids)} AND card_state.state = {state} "
              "AND card_state.due <= :until ORDER BY card_state.due LIMIT 1)"
              for state in (LEARNING, RELEARNING)]
    return _card(conn.execute(
        f"SELECT * FROM ({firsts[0]} UNION ALL {firsts[1]}) ORDER BY due LIMIT 1",
        {"now": to_db(now), "until": to_db(until)}).fetchone())


def first_review(conn: sqlite3.Connection, now: datetime, day_end: datetime,
                 deck_ids: tuple[int, ...] | None, decks: frozenset[int], order: str,
                 seed: int) -> CardRow | None:
    """The first review card due today of `decks`, in the review order."""
    return _card(conn.execute(
        f"{_VIEW}{_scope(deck_ids)} AND card_state.state = {REVIEW} "
        f"AND card.deck_id IN ({_in(sorted(decks))}) AND card_state.due < :end "
        f"ORDER BY {_ORDERS[order]} LIMIT 1",
        {"now": to_db(now), "end": to_db(day_end), "now_text": to_db(now), "seed": seed},
    ).fetchone())


def first_new(conn: sqlite3.Connection, now: datetime, deck_ids: tuple[int, ...] | None,
              decks: frozenset[int]) -> CardRow | None:
    """The first new card of `decks`."""
    return _card(conn.execute(
        f"{_VIEW}{_scope(deck_ids)} AND card_state.state = {NEW} "
        f"AND card.deck_id IN ({_in(sorted(decks))}) ORDER BY card_state.card_id LIMIT 1",
        {"now": to_db(now)}).fetchone())


def memory_of(card: CardRow) -> Memory:
    return Memory(card.state, card.step, card.stability, card.difficulty, from_db(card.due),
                  from_db(card.last_review), card.reps, card.lapses)


def shared_texts(conn: sqlite3.Connection, card: CardRow) -> tuple[str, str | None]:
    """A card's context ("" when none) and its cloze's text."""
    ids = [i for i in (card.context_id, card.cloze_text_id) if i is not None]
    if not ids:
        return "", None
    texts = dict(conn.execute(f"SELECT id, text FROM shared_text WHERE id IN ({_in(ids)})"))
    return texts.get(card.context_id, ""), texts.get(card.cloze_text_id)
