"""Read-side queries the screens and commands call (the TUI never writes SQL itself)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, and_, case, func, or_, select

from studyaws.core.srs.policy import LEARNING, NEW, RELEARNING, REVIEW
from studyaws.core.srs.queue import LEARN_AHEAD
from studyaws.core.text import natural_key
from studyaws.store.engine import reading
from studyaws.store.tables import Card, CardState, Deck, ReviewLog


@dataclass(frozen=True)
class DeckSummary:
    id: int
    title: str
    path: str
    domain: str | None
    cards: int
    new: int
    learning: int
    due: int
    folder: str | None = None  # the folder it was imported from (Deck.folder)


def deck_summaries(engine: Engine, now: datetime, day_end: datetime) -> list[DeckSummary]:
    """Each deck with its active card count and what is available now (before daily limits);
    not the decks the user removed."""
    active = and_(Card.retired.is_(False), Card.suspended.is_(False),
                  or_(Card.buried_until.is_(None), Card.buried_until <= now))
    with reading(engine) as session:
        rows = session.execute(
            select(
                Deck.id, Deck.title, Deck.path, Deck.domain,
                func.count(Card.id).filter(Card.retired.is_(False)),
                func.count(Card.id).filter(active, CardState.state == NEW),
                func.count(Card.id).filter(
                    active, CardState.state.in_((LEARNING, RELEARNING)),
                    CardState.due <= now + LEARN_AHEAD),
                func.count(Card.id).filter(active, CardState.state == REVIEW,
                                           CardState.due < day_end),
                Deck.folder,
            )
            .select_from(Deck)
            .join(Card, Card.deck_id == Deck.id, isouter=True)
            .join(CardState, CardState.card_id == Card.id, isouter=True)
            .where(Deck.deleted_at.is_(None))
            .group_by(Deck.id)
        ).all()
    return sorted((DeckSummary(*row) for row in rows), key=lambda d: natural_key(d.title))


def deck_count(engine: Engine) -> int:
    """Every deck the collection holds, the removed ones too."""
    with reading(engine) as session:
        return session.execute(select(func.count(Deck.id))).scalar_one()


def decks_matching(engine: Engine, name: str) -> list[tuple[int, str]]:
    """(id, title) of the deck titled `name` exactly, else of every deck whose title starts
    with it (case-insensitive), by title."""
    with reading(engine) as session:
        decks = session.execute(select(Deck.id, Deck.title)
                                .where(Deck.deleted_at.is_(None))).all()
    exact = [(deck_id, title) for deck_id, title in decks if title == name]
    if exact:
        return exact[:1]
    return sorted(((deck_id, title) for deck_id, title in decks
                   if title.lower().startswith(name.lower())), key=lambda deck: deck[1].lower())


def has_bundled_deck(engine: Engine) -> bool:
    """Whether a deck of the bundled decks is in the collection (removed or not: removed,
    it is not to come back)."""
    with reading(engine) as session:
        return session.execute(
            select(Deck.id).where(Deck.key.startswith("bundled:")).limit(1)).first() is not None


def reviews_since(engine: Engine, start: datetime, end: datetime) -> tuple[int, int]:
    """(answers, Again answers) in the daily review from `start` to before `end`."""
    with reading(engine) as session:
        total, again = session.execute(
            select(func.count(), func.sum(case((ReviewLog.rating == 1, 1), else_=0)))
            .where(ReviewLog.source == "review", ReviewLog.reviewed_at >= start,
                   ReviewLog.reviewed_at < end)
        ).one()
    return total, again or 0


@dataclass(frozen=True)
class CardSource:
    """Where a card is written: its deck (whose key names the file) and its line."""

    card_id: int
    deck_id: int
    deck_key: str
    deck_path: str
    content_hash: str  # the deck's digest as the import stored it (it names the format)
    source_path: str
    source_line: int
    retired: bool


def card_source(engine: Engine, card_id: int) -> CardSource | None:
    with reading(engine) as session:
        row = session.execute(
            select(Card.id, Card.deck_id, Deck.key, Deck.path, Deck.content_hash,
                   Card.source_path, Card.source_line, Card.retired)
            .join(Deck, Deck.id == Card.deck_id).where(Card.id == card_id)
        ).one_or_none()
    return None if row is None else CardSource(*row)
