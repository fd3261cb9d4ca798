"""The day's counts (store.queries.deck_summaries, learning_cards) are what their definitions
say, card by card, on a collection holding every case: new, learning, relearning and review
cards, due and not, suspended, buried until earlier or later, retired, a removed deck, a
study of some decks, cards brought forward before an exam. The reference reads every card's
row and counts in Python, whatever index or form the store's queries take."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import inspect, select, update
from support import basic_deck, make_collection
from test_presets import add_deck, deck_ids

from studyaws.core.srs.policy import AGAIN, EASY, GOOD, HARD, LEARNING, NEW, RELEARNING, REVIEW
from studyaws.core.srs.queue import LEARN_AHEAD
from studyaws.services.review import ReviewService
from studyaws.store.engine import reading, writing
from studyaws.store.queries import deck_summaries, learning_cards
from studyaws.store.tables import Card, CardState, Deck, ReviewLog


def collection(tmp_path):
    """Four decks of 16 cards; cards answered over two days with every rating, so that
    some are in learning, relearning or review (due today or later), and the rest new;
    then suspensions, burials, retirements and a removed deck."""
    engine, clock, _ = make_collection(
        tmp_path, basic_deck(16, "Storage").replace("# Basics", "# Storage", 1),
        name="storage.md", settings={"learning-steps": "1 10", "relearning-steps": "10",
                                     "new-per-day": "1000", "reviews-per-day": "1000"})
    for title in ("Compute", "Network", "Gone"):
        add_deck(tmp_path, engine, clock, title, 16)
    service = ReviewService(engine, clock)
    ratings = (EASY, GOOD, EASY, HARD, AGAIN, EASY, GOOD)
    for n in range(36):
        view = service.next_card()
        service.answer(view, ratings[n % len(ratings)])
        clock.advance(timedelta(minutes=3))
    clock.advance(timedelta(days=9))
    service = ReviewService(engine, clock)
    for n in range(14):  # lapses (relearning), steps (learning) and reviews today
        view = service.next_card()
        service.answer(view, (AGAIN, GOOD, HARD)[n % 3])
        clock.advance(timedelta(minutes=1))
    now = clock.now()
    with reading(engine) as session:
        ids = session.execute(select(Card.id).order_by(Card.id)).scalars().all()
    with writing(engine) as session:
        session.execute(update(Card).where(Card.id.in_(ids[3::11])).values(suspended=True))
        session.execute(update(Card).where(Card.id.in_(ids[5::13]))
                        .values(buried_until=now + timedelta(hours=5)))
        session.execute(update(Card).where(Card.id.in_(ids[7::17]))
                        .values(buried_until=now - timedelta(hours=1)))
        session.execute(update(Card).where(Card.id.in_(ids[2::19])).values(retired=True))
    ids = deck_ids(engine, clock)
    with writing(engine) as session:
        session.execute(update(Deck).where(Deck.id == ids["Gone"]).values(deleted_at=now))
    return engine, clock, ids


def reference(engine, now, end, start, ahead=(), only=None) -> list[tuple]:
    """deck_summaries' numbers by their definitions, from every card's row."""
    with reading(engine) as session:
        decks = session.execute(select(Deck.id).where(Deck.deleted_at.is_(None))).scalars()
        numbers = {deck: [0, 0, 0, 0, 0, 0] for deck in decks}
        cards = session.execute(
            select(Card.id, Card.deck_id, Card.retired, Card.suspended, Card.buried_until,
                   CardState.state, CardState.due, CardState.last_review)
            .join(CardState, CardState.card_id == Card.id)).all()
        deck_of = {card[0]: card[1] for card in cards}
        for card_id, state in session.execute(
                select(ReviewLog.card_id, ReviewLog.state_before)
                .where(ReviewLog.source == "review", ReviewLog.reviewed_at >= start)):
            if deck_of[card_id] in numbers and state in (NEW, REVIEW):
                numbers[deck_of[card_id]][4 if state == NEW else 5] += 1
    for card_id, deck, retired, suspended, buried, state, due, last_review in cards:
        if deck not in numbers or retired or (only is not None and deck not in only):
            continue
        counted = numbers[deck]
        counted[0] += 1
        if suspended or (buried is not None and buried > now):
            continue
        if state == NEW:
            counted[1] += 1
        elif state in (LEARNING, RELEARNING) and due <= now + LEARN_AHEAD:
            counted[2] += 1
        elif state == REVIEW and (due < end or (card_id in ahead and last_review < start)):
            counted[3] += 1
    return sorted((deck, *counted) for deck, counted in numbers.items())


def summaries(engine, *args, **kwargs) -> list[tuple]:
    return sorted((d.id, d.cards, d.new, d.learning, d.due, d.new_done, d.reviews_done)
                  for d in deck_summaries(engine, *args, **kwargs))


def test_the_day_counts_are_those_of_every_card_row(tmp_path):
    engine, clock, ids = collection(tmp_path)
    service = ReviewService(engine, clock)
    start, end = service.day_bounds()
    with reading(engine) as session:
        later = session.execute(select(CardState.card_id).where(
            CardState.state == REVIEW, CardState.due >= end)).scalars().all()
    assert later  # cards that an exam can bring forward
    for moment in (clock.now(), clock.now() + timedelta(minutes=15),
                   clock.now() + timedelta(hours=6)):  # burials past, learning steps due
        for only in (None, (ids["Storage"],), (ids["Compute"], ids["Network"], ids["Gone"])):
            for ahead in ((), tuple(later[::2])):
                expected = reference(engine, moment, end, start, ahead, only)
                assert summaries(engine, moment, end, start, ahead, only) == expected
    counted = reference(engine, clock.now(), end, start)
    assert all(sum(deck[i] for deck in counted) for i in range(1, 7)), counted  # each case


def test_the_learning_cards_and_the_next_burial_ending(tmp_path):
    engine, clock, ids = collection(tmp_path)
    now = clock.now()
    with reading(engine) as session:
        rows = session.execute(
            select(Card.id, Card.deck_id, CardState.due, Card.buried_until, Card.retired,
                   Card.suspended, CardState.state)
            .join(CardState, CardState.card_id == Card.id)).all()
    for only in (None, (ids["Compute"],)):
        kept = [row for row in rows if not row.retired and not row.suspended
                and (only is None or row.deck_id in only)]
        learning = sorted((r.id, r.deck_id, r.due, r.buried_until) for r in kept
                          if r.state in (LEARNING, RELEARNING))
        back = min((r.buried_until for r in rows if not r.retired and not r.suspended
                    and r.buried_until is not None and r.buried_until > now), default=None)
        found, found_back = learning_cards(engine, now, only)
        assert sorted(found) == learning
        assert found_back == back  # the collection's, whatever the decks studied
    assert learning and back is not None


def test_a_session_counts_as_a_fresh_read_after_each_answer(tmp_path):
    engine, clock, _ = collection(tmp_path)
    service = ReviewService(engine, clock)
    view = service.next_card()
    first = ReviewService(engine, clock).next_card()
    assert (view.id, view.memory) == (first.id, first.memory)
    for _ in range(12):
        service.answer(view, GOOD)
        clock.advance(timedelta(seconds=20))
        view = service.next_card()
        fresh = ReviewService(engine, clock)
        assert service.last_counts == fresh.counts()


def test_the_index_of_the_day_counts_is_in_the_schema(tmp_path):
    engine, _, _ = collection(tmp_path)
    with engine.connect() as conn:
        indexes = {index["name"]: index["column_names"] for index in inspect(conn)
                   .get_indexes("card")}
    assert indexes["ix_card_queue"][:4] == ["deck_id", "buried_until", "retired", "suspended"]
    assert indexes["ix_card_buried"] == ["buried_until"]
    assert "ix_card_deck_id" not in indexes
