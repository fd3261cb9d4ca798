"""Renaming and removing decks, and bringing a removed deck back.

A removal keeps every row: the deck is marked removed (`deleted_at`) and hidden, and its
cards still active are retired, their ids noted on the deck (`deleted_cards`). Nothing that
refers to a card is touched: its state, its review log, the questions of past exams that
asked it. Undo (`restore_deck`) clears the mark and revives exactly the cards the removal
retired, with their ids, states and histories as they were. Importing the deck's file again
brings it back the same way (services.importer): the file's cards find their old rows.

Kept rows cost room: `purge_removed_decks` deletes, for decks removed before a given time,
the cards no past exam asked (with their states, logs and texts); a deck with cards a past
exam asked keeps those, retired, so that the exam's history still shows them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select, update

from studyaws.store.engine import reading, writing
from studyaws.store.tables import Card, Deck, ExamQuestion, ReviewLog

PURGED = "purged"  # deleted_cards of a removed deck once purged: nothing left to bring back


@dataclass(frozen=True)
class DeckInfo:
    id: int
    title: str
    cards: int  # not retired
    reviews: int  # answers logged for its cards (reviews and exams)
    removed: bool = False


def deck_info(engine: Engine, deck_id: int) -> DeckInfo | None:
    with reading(engine) as session:
        row = session.execute(select(Deck.title, Deck.deleted_at).where(Deck.id == deck_id)
                              ).first()
        if row is None:
            return None
        cards = session.execute(select(func.count(Card.id)).where(
            Card.deck_id == deck_id, Card.retired.is_(False))).scalar_one()
        reviews = session.execute(
            select(func.count(ReviewLog.id)).join(Card, Card.id == ReviewLog.card_id)
            .where(Card.deck_id == deck_id)).scalar_one()
    return DeckInfo(deck_id, row[0], cards, reviews, row[1] is not None)


def rename_deck(engine: Engine, deck_id: int, title: str) -> str:
    """Give the deck a new title; returns the old one. Imports of its file keep it."""
    with writing(engine) as session:
        old = session.execute(select(Deck.title).where(Deck.id == deck_id)).scalar_one()
        session.execute(update(Deck).where(Deck.id == deck_id).values(title=title, renamed=True))
    return old


def remove_decks(engine: Engine, deck_ids: list[int], now: datetime) -> None:
    """Hide the decks and retire their active cards, noting which (see the module); in one
    transaction."""
    with writing(engine) as session:
        for deck_id in deck_ids:
            ids = list(session.execute(select(Card.id).where(
                Card.deck_id == deck_id, Card.retired.is_(False)).order_by(Card.id)).scalars())
            session.execute(update(Deck).where(Deck.id == deck_id).values(
                deleted_at=now, deleted_cards=json.dumps(ids)))
            session.connection().exec_driver_sql(
                "UPDATE card SET retired = TRUE WHERE deck_id = ? AND retired = FALSE", (deck_id,))


def restore_decks(engine: Engine, deck_ids: list[int]) -> None:
    """Undo a removal: the decks shown again, the cards their removal retired active
    again."""
    with writing(engine) as session:
        for deck_id in deck_ids:
            revive_in(session, deck_id)


def revive_in(session, deck_id: int) -> None:
    """Inside the caller's write transaction: restore_deck's work (a no-op for a deck that
    is not removed)."""
    ids = noted_cards(session.execute(
        select(Deck.deleted_cards).where(Deck.id == deck_id)).scalar())
    if ids:
        session.connection().exec_driver_sql(
            "UPDATE card SET retired = FALSE WHERE deck_id = ? AND id = ?",
            [(deck_id, card_id) for card_id in ids])
    session.execute(update(Deck).where(Deck.id == deck_id).values(
        deleted_at=None, deleted_cards=None))


def noted_cards(noted: str | None) -> list[int]:
    """The ids of the cards a deck's removal retired, from its `deleted_cards`."""
    try:
        return [int(card_id) for card_id in json.loads(noted or "[]")]
    except (ValueError, TypeError):  # PURGED, or a value this version did not write
        return []


def removed_deck_ids(engine: Engine) -> set[int]:
    with reading(engine) as session:
        return set(session.execute(select(Deck.id).where(Deck.deleted_at.is_not(None))
                                   ).scalars())


def purge_removed_decks(engine: Engine, before: datetime) -> int:
    """Delete what is kept of decks removed before `before` (see the module); returns the
    number of cards deleted."""
    with reading(engine) as session:  # most openings: nothing to purge, no write lock
        if session.execute(select(Deck.id).where(
                Deck.deleted_at.is_not(None), Deck.deleted_at < before,
                Deck.deleted_cards != PURGED).limit(1)).first() is None:
            return 0
    with writing(engine) as session:
        decks = list(session.execute(select(Deck.id).where(
            Deck.deleted_at.is_not(None), Deck.deleted_at < before,
            Deck.deleted_cards != PURGED)).scalars())
        if not decks:
            return 0
        conn = session.connection()
        asked = select(ExamQuestion.card_id)
        gone = list(session.execute(select(Card.id).where(
            Card.deck_id.in_(decks), Card.id.not_in(asked))).scalars())
        for start in range(0, len(gone), 500):
            chunk = gone[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            for table in ("review_log", "card_state"):
                conn.exec_driver_sql(f"DELETE FROM {table} WHERE card_id IN ({marks})",
                                     tuple(chunk))
            conn.exec_driver_sql(f"DELETE FROM card WHERE id IN ({marks})", tuple(chunk))
        for deck_id in decks:
            left = session.execute(select(func.count(Card.id)).where(
                Card.deck_id == deck_id)).scalar_one()
            conn.exec_driver_sql(
                "DELETE FROM shared_text WHERE deck_id = ? "
                "AND id NOT IN (SELECT context_id FROM card WHERE context_id IS NOT NULL) "
                "AND id NOT IN (SELECT cloze_text_id FROM card WHERE cloze_text_id IS NOT NULL)",
                (deck_id,))
            if not left:
                conn.exec_driver_sql("DELETE FROM deck WHERE id = ?", (deck_id,))
            else:
                conn.exec_driver_sql("UPDATE deck SET deleted_cards = ? WHERE id = ?",
                                     (PURGED, deck_id))
    return len(gone)

