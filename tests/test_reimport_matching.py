"""Re-importing a deck whose every prompt was edited: each card is found again (same id,
same history) by the rules of docs/deck-format.md ("Stable ids"), with a number of text
comparisons about proportional to the number of cards (it was every card against every
card of its topic: 1,000 cards took minutes)."""

from __future__ import annotations

import difflib
import random
import time
from datetime import UTC, datetime
from pathlib import Path

import pathological
import pytest
from backends import open_test_engine
from sqlalchemy import text

from studyaws.services.importer import import_paths

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class TooManyComparisons(AssertionError):
    pass


@pytest.fixture
def comparisons(monkeypatch):
    """Counts comparisons of two texts (each starts with difflib's real_quick_ratio, see
    identity.ratio) and stops a run that makes more than `budget` of them."""
    real = difflib.SequenceMatcher.real_quick_ratio
    counter = {"count": 0, "budget": None}

    def counted(self):
        counter["count"] += 1
        if counter["budget"] is not None and counter["count"] > counter["budget"]:
            raise TooManyComparisons(f"more than {counter['budget']:,} comparisons")
        return real(self)

    monkeypatch.setattr(difflib.SequenceMatcher, "real_quick_ratio", counted)
    return counter


def ids_by_position(engine) -> list[int]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT id FROM card ORDER BY position"))]


def edited_reimport(tmp_path: Path, cards: int, comparisons: dict, budget: int):
    """Import `cards` cards of one topic, edit every prompt, import again: (comparisons,
    seconds, report) of the second import, and whether every card kept its id."""
    deck = tmp_path / f"deck-{cards}.md"
    deck.write_text(pathological.edited_deck(cards), encoding="utf-8")
    engine = open_test_engine(tmp_path / f"home-{cards}" / "studyaws.sqlite3")
    try:
        import_paths(engine, [deck], NOW)
        before = ids_by_position(engine)
        deck.write_text(pathological.edited_deck(cards, edited=True), encoding="utf-8")
        comparisons["count"], comparisons["budget"] = 0, budget
        start = time.perf_counter()
        report = import_paths(engine, [deck], NOW)
        seconds = time.perf_counter() - start
        comparisons["budget"] = None
        kept = ids_by_position(engine) == before
    finally:
        engine.dispose()
    return comparisons["count"], seconds, report.total(), kept


def test_an_edited_reimport_of_3000_cards_is_not_quadratic(tmp_path, comparisons):
    # Every card against every card would be 562,500 and 9,000,000 comparisons.
    small = edited_reimport(tmp_path, 750, comparisons, budget=20 * 750)
    large = edited_reimport(tmp_path, 3000, comparisons, budget=20 * 3000)
    for cards, (_, _, total, kept) in ((750, small), (3000, large)):
        assert total == {"added": 0, "updated": cards, "unchanged": 0, "retired": 0}
        assert kept
    assert large[0] <= 8 * 3000
    assert large[0] <= 6 * small[0]  # four times the cards: about four times the work
    assert large[1] < 60  # was over 200 s


def test_edited_cards_in_a_new_order_keep_their_ids(tmp_path):
    """Edited and shuffled: each card is found by its text, not by its place."""
    original = pathological.edited_deck(400).split("\n\n")
    edited = pathological.edited_deck(400, edited=True).split("\n\n")
    head, cards = edited[:2], edited[2:]
    order = list(range(len(cards)))
    random.Random(5).shuffle(order)
    deck = tmp_path / "deck.md"
    deck.write_text("\n\n".join(original) + "\n", encoding="utf-8")
    engine = open_test_engine(tmp_path / "home" / "studyaws.sqlite3")
    try:
        import_paths(engine, [deck], NOW)
        before = ids_by_position(engine)
        deck.write_text("\n\n".join([*head, *(cards[k] for k in order)]) + "\n", "utf-8")
        report = import_paths(engine, [deck], NOW)
        after = ids_by_position(engine)
    finally:
        engine.dispose()
    assert report.total() == {"added": 0, "updated": 400, "unchanged": 0, "retired": 0}
    assert after == [before[k] for k in order]
