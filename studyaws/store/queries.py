"""Read-side queries the screens and commands call (the TUI never writes SQL itself)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, and_, case, func, literal, select, text, union_all

from studyaws.core.srs.policy import LEARNING, NEW, RELEARNING, REVIEW
from studyaws.core.srs.queue import LEARN_AHEAD
from studyaws.core.text import natural_key
from studyaws.store.deck_summary import DeckSummary
from studyaws.store.engine import reading
from studyaws.store.first_read import choose_decks
from studyaws.store.tables import OUT_OF_QUEUE, Card, CardState, Deck, ReviewLog


def deck_summaries(engine: Engine, now: datetime, day_end: datetime,
                   day_start: datetime | None = None,
                   ahead: tuple[int, ...] = (),
                   only: tuple[int, ...] | None = None,
                   cards: bool = True) -> list[DeckSummary]:
    """Each deck with its active card count and what is available now (before daily limits);
    not the decks the user removed. With `day_start`, also what it gave today in the daily
    review (new cards introduced, review cards answered), and the review cards in `ahead`
    (brought forward before an exam) last answered before that start count as due. With
    `only`, the cards of the other decks are not counted (their numbers are 0; what they
    gave today still is): a study of some decks reads their cards alone. `cards=False`:
    the card counts are left at 0 (a study session needs the rest alone)."""
    with reading(engine) as session:
        decks = session.execute(
            select(Deck.id, Deck.title, Deck.path, Deck.domain, Deck.folder, Deck.preset_id)
            .where(Deck.deleted_at.is_(None))).all()
        numbers = _day_numbers(session, now, day_end, day_start, ahead, only, cards)
        rows = [(deck_id, title, path, domain, *numbers.get(deck_id, (0, 0, 0, 0)), folder,
                 preset_id) for deck_id, title, path, domain, folder, preset_id in decks]
        done: dict[int, dict[int, int]] = {}
        if day_start is not None:
            # Today's answers by their index, then their cards' decks: joined and grouped
            # in SQL, SQLite reads every card.
            answers = session.execute(
                select(ReviewLog.card_id, ReviewLog.state_before)
                .where(ReviewLog.source == "review", ReviewLog.reviewed_at >= day_start,
                       ReviewLog.state_before.in_((NEW, REVIEW)))).all()
            ids = sorted({card_id for card_id, _ in answers})
            deck_of: dict[int, int] = {}
            for chunk in range(0, len(ids), 10_000):
                deck_of.update(session.execute(
                    select(Card.id, Card.deck_id)
                    .where(Card.id.in_(ids[chunk:chunk + 10_000]))).all())
            for card_id, state in answers:
                counts = done.setdefault(deck_of.get(card_id), {})
                counts[state] = counts.get(state, 0) + 1
    return sorted((DeckSummary(*row, new_done=done.get(row[0], {}).get(NEW, 0),
                               reviews_done=done.get(row[0], {}).get(REVIEW, 0))
                   for row in rows), key=lambda d: natural_key(d.title))


def _day_numbers(session, now: datetime, day_end: datetime, day_start: datetime | None,
                 ahead: tuple[int, ...], only: tuple[int, ...] | None,
                 cards: bool) -> dict[int, list[int]]:
    """deck -> [cards not retired, new, learning due by LEARN_AHEAD, reviews due], counting
    the active cards only (not retired, suspended nor buried) for the last three.

    Each deck's cards of each state are counted from the index of card_state (state, due,
    card, deck) alone; the cards out of the queue (retired, suspended, buried: a partial
    index, usually few) are then taken off where they were counted. Joining every card to
    its memory instead took 40 ms at 100,000 cards on PostgreSQL, most of a due queue's
    time (store.tables.CardState.deck_id)."""
    scope = CardState.deck_id.in_(only) if only is not None else True
    ahead_ok = bool(ahead) and day_start is not None
    horizon = now + LEARN_AHEAD
    parts = [
        select(CardState.deck_id, literal(NEW), func.count())
        .where(CardState.state == NEW, scope).group_by(CardState.deck_id),
        select(CardState.deck_id, literal(LEARNING), func.count())
        .where(CardState.state.in_((LEARNING, RELEARNING)), CardState.due <= horizon, scope)
        .group_by(CardState.deck_id),
        select(CardState.deck_id, literal(REVIEW), func.count())
        .where(CardState.state == REVIEW, CardState.due < day_end, scope)
        .group_by(CardState.deck_id)]
    if ahead_ok:  # brought forward before the exam: due later, answered before today
        parts.append(
            select(CardState.deck_id, literal(REVIEW), func.count())
            .where(CardState.state == REVIEW, CardState.due >= day_end,
                   CardState.card_id.in_(ahead), CardState.last_review < day_start, scope)
            .group_by(CardState.deck_id))
    slot = {NEW: 1, LEARNING: 2, REVIEW: 3}
    numbers: dict[int, list[int]] = {}
    for deck_id, kind, count in session.execute(union_all(*parts)):
        numbers.setdefault(deck_id, [0, 0, 0, 0])[slot[kind]] += count
    ahead_set = frozenset(ahead) if ahead_ok else frozenset()
    # The predicate of ix_card_out, word for word, for the planners to take that index.
    out = session.execute(
        select(CardState.deck_id, CardState.card_id, CardState.state, CardState.due,
               CardState.last_review, Card.retired, Card.suspended, Card.buried_until)
        .join(CardState, CardState.card_id == Card.id)
        .where(text(OUT_OF_QUEUE), Card.deck_id.in_(only) if only is not None else True))
    for deck_id, card_id, state, due, last_review, retired, suspended, buried in out:
        if deck_id not in numbers or not (
                retired or suspended or (buried is not None and buried > now)):
            continue  # counted, and active
        counted = numbers[deck_id]
        if state == NEW:
            counted[1] -= 1
        elif state in (LEARNING, RELEARNING) and due <= horizon:
            counted[2] -= 1
        elif state == REVIEW and (due < day_end or (
                card_id in ahead_set and last_review is not None
                and last_review < day_start)):
            counted[3] -= 1
    if cards:  # through ix_card_queue, none of the wide card rows
        for deck_id, count in session.execute(
                select(Card.deck_id, func.count())
                .where(Card.retired.is_(False),
                       Card.deck_id.in_(only) if only is not None else True)
                .group_by(Card.deck_id)):
            numbers.setdefault(deck_id, [0, 0, 0, 0])[0] = count
    return numbers


def learning_cards(engine: Engine, now: datetime,
                   only: tuple[int, ...] | None = None
                   ) -> tuple[list[tuple[int, int, datetime, datetime | None]], datetime | None]:
    """What a study session keeps besides deck_summaries to count as it does at any later
    moment: the cards in (re)learning, not retired nor suspended, as (card, deck, due,
    buried until), and the earliest time after `now` a buried card of the collection comes
    back (None: none). `only`: these decks' cards alone."""
    scope = Card.deck_id.in_(only) if only is not None else True
    kept = and_(Card.retired.is_(False), Card.suspended.is_(False), scope)
    with reading(engine) as session:
        # One query a state: asked for both at once, SQLite read every card (about 25 ms at
        # 100,000 cards) instead of the few in (re)learning through the (state, card) index.
        rows = [row for state in (LEARNING, RELEARNING) for row in session.execute(
            select(Card.id, Card.deck_id, CardState.due, Card.buried_until)
            .join(CardState, CardState.card_id == Card.id)
            .where(CardState.state == state, kept))]
        back = session.execute(
            select(func.min(Card.buried_until)).where(kept, Card.buried_until > now)
        ).scalar()
    return [tuple(row) for row in rows], back


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
    return choose_decks(decks, name)


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
