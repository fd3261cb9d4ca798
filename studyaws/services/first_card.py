"""The first card of `studyaws review` on a light path: read with the sqlite3 driver alone
(store.first_read), before SQLAlchemy, SQLModel and the tables are loaded, so that it is on
screen while they load (tui.app). It is the card the review service (services.review) gives
first, with the same day plan (services.limits) and counts; the service, made behind it,
answers it and gives every card after it.

None when the light path does not apply, and the full path then opens the collection and
says what keeps it from opening as always: a PostgreSQL collection (not read here), none of
this schema yet, the bundled decks still to import, an exam date (its plan brings review
cards forward), a --deck that names no deck or several, nothing to review."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from studyaws.core.clock import Clock
from studyaws.core.config import settings_from
from studyaws.core.srs.day import day_start, next_day_start
from studyaws.core.srs.queue import LEARN_AHEAD, DayCounts, next_source
from studyaws.services.card_view import CardView, view_of
from studyaws.services.limits import plan_day
from studyaws.services.media_folder import MEDIA_FOLDER
from studyaws.store import first_read as read
from studyaws.store.columns import domains_of


@dataclass(frozen=True)
class FirstCard:
    view: CardView
    counts: DayCounts  # today's numbers as the review shows them with its first card
    deck_id: int | None  # the deck --deck named
    media: Path  # the collection's pictures (services.media)


def first_card(db_path: Path, clock: Clock, deck: str | None = None) -> FirstCard | None:
    """The review's first card in the SQLite collection at `db_path` (of `deck`, a name as
    --deck gives it), or None (see the module)."""
    conn = read.open_reader(db_path)
    if conn is None:
        return None
    try:
        return _first(conn, clock, deck, db_path.parent / MEDIA_FOLDER)
    except sqlite3.Error:  # busy past the wait, damaged: the full path says what it is
        return None
    finally:
        conn.close()


def _first(conn: sqlite3.Connection, clock: Clock, deck: str | None,
           media: Path) -> FirstCard | None:
    stored = read.stored_settings(conn)
    settings = settings_from(stored)
    if settings.exam_date is not None or read.bundled_decks_due(conn, stored):
        return None
    deck_ids = None
    if deck:
        matches = read.decks_matching(conn, deck)
        if len(matches) != 1:
            return None
        deck_ids = (matches[0][0],)
    now = clock.now()
    zone, hour = clock.local_zone(), settings.day_starts_at
    start, end = day_start(now, zone, hour), next_day_start(now, zone, hour)
    only = deck_ids if settings.new_while_backlog else None
    decks = read.deck_summaries(conn, now, end, start, only)
    extra = read.extra_new(stored.get(read.EXTRA_NEW))
    day = plan_day(decks, settings, read.named_presets(conn),
                   extra_new=extra[0] if extra is not None and now < extra[1] else 0)
    counts = day.counts_for(deck_ids)
    learning_now = read.first_learning(conn, now, now, deck_ids)
    source = next_source(learning_now is not None, counts.review, counts.new, 0,
                         counts.learning > 0)
    if source == "learning":
        row = learning_now or read.first_learning(conn, now, now + LEARN_AHEAD, deck_ids)
    elif source == "review":
        row = read.first_review(conn, now, end, deck_ids, day.review_decks,
                                settings.review_order, int(start.timestamp()) % 1_000_003)
    elif source == "new":
        row = read.first_new(conn, now, deck_ids, day.new_decks)
    else:
        return None
    if row is None:
        return None
    context, cloze_text = read.shared_texts(conn, row)
    view = view_of(row, read.memory_of(row), domains_of(row), context, cloze_text)
    return FirstCard(view, counts, deck_ids[0] if deck_ids else None, media)
