"""The first card of `studyaws review` read on the light path (services.first_card: the
sqlite3 driver alone, before SQLAlchemy and the tables load) is the card the review
service gives first, with the same counts: walked through a session of every kind of card
(new, learning, relearning, review; cloze siblings, questions, scenarios), decks under
presets, each review order, --deck, a raised new limit and new-while-backlog off. Where it
does not apply it gives None, and the full path opens the collection as before."""

from __future__ import annotations

import sqlite3
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from support import START

from studyaws.core.clock import FakeClock
from studyaws.core.srs.policy import AGAIN, EASY, GOOD, HARD
from studyaws.services import presets
from studyaws.services.first_card import first_card
from studyaws.services.importer import import_paths
from studyaws.services.review import ReviewService
from studyaws.store import card_sets
from studyaws.store.engine import open_engine
from studyaws.store.settings import mark_bundled_decks, save_setting

AWS = """\
# AWS

Q: What does S3 stand for?
A: Simple Storage Service

C: {{c1::Aurora}} keeps {{c2::six}} copies of your data.

Which storage class has the lowest cost for rarely read archives? {#archive}

- [ ] S3 Standard
- [x] S3 Glacier Deep Archive
- [ ] S3 Standard-IA

Q: What is the maximum retention period of RDS automated backups, in days?
A: = 35

```scenario subnet-sizing
variant: usable
```
"""


def deck(title: str, cards: int) -> str:
    return f"# {title}\n\n" + "\n\n".join(
        f"Q: {title} question {n}\nA: answer {n}" for n in range(1, cards + 1)) + "\n"


def collection(tmp_path: Path):
    """AWS (every kind of card), AWS::VPC under it, Other; presets on AWS and AWS::VPC."""
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "aws.md").write_text(textwrap.dedent(AWS), "utf-8")
    (folder / "vpc.md").write_text(deck("AWS::VPC", 12), "utf-8")
    (folder / "other.md").write_text(deck("Other", 12), "utf-8")
    db = tmp_path / "home" / "studyaws.sqlite3"
    engine = open_engine(db)
    clock = FakeClock(START)
    import_paths(engine, [folder], clock.now())
    mark_bundled_decks(engine, START.isoformat())
    save_setting(engine, "learning-steps", "1 10")
    ids = {d.title: d.id for d in ReviewService(engine, clock).day_plan().decks}
    presets.set_preset_value(engine, clock, "Parent", "new-per-day", "6")
    presets.assign_preset(engine, ids["AWS"], "Parent")
    presets.set_preset_value(engine, clock, "Light", "new-per-day", "2")
    presets.assign_preset(engine, ids["AWS::VPC"], "Light")
    return engine, db, clock


def same_first_card(engine, db: Path, clock, deck_name: str | None = None) -> None:
    first = first_card(db, clock, deck_name)
    deck_id = None
    if deck_name is not None:
        from studyaws.services.deck_names import resolve_deck

        deck_id = resolve_deck(engine, deck_name)
    service = ReviewService(engine, clock, deck_id)
    view = service.next_card()
    if view is None:
        assert first is None
        return
    assert first is not None, "the light path gave no card where the service gives one"
    assert first.view == view
    assert first.counts == service.last_counts
    assert first.deck_id == deck_id


RATINGS = (AGAIN, GOOD, HARD, EASY, GOOD, AGAIN, EASY, GOOD)


def walk(engine, db: Path, clock, days: int = 3, per_day: int = 14) -> int:
    """Answer cards over several study days, comparing the first card before each answer:
    for every deck and for each one named; returns how many comparisons were made."""
    made = 0
    for day in range(days):
        service = ReviewService(engine, clock)
        for step in range(per_day):
            for name in (None, "AWS", "AWS::VPC", "Oth"):
                same_first_card(engine, db, clock, name)
                made += 1
            view = service.next_card()
            if view is None:
                break
            service.answer(view, RATINGS[(step + day) % len(RATINGS)], 4000)
            clock.advance(timedelta(minutes=3 if step % 3 else 0))
        clock.advance(timedelta(days=1, hours=day))
    return made


def test_the_light_path_gives_the_services_first_card_all_through_a_session(tmp_path):
    engine, db, clock = collection(tmp_path)
    assert walk(engine, db, clock) > 100


def studied(engine, clock, answers: int) -> None:
    """`answers` new cards answered Easy over a few days, then a month passed: many reviews
    due, each on its own day."""
    service = ReviewService(engine, clock)
    given = 0
    while given < answers:
        view = service.next_card()
        if view is None or given % 5 == 4:
            clock.advance(timedelta(days=1))
            service = ReviewService(engine, clock)
        if view is not None:
            service.answer(view, EASY, 4000)
            given += 1
    clock.advance(timedelta(days=40))


@pytest.mark.parametrize("order", ["retrievability", "random"])
def test_each_review_order_gives_the_same_first_card(tmp_path, order):
    engine, db, clock = collection(tmp_path)
    studied(engine, clock, 24)
    by_due = first_card(db, clock).view.id
    if order == "retrievability":  # the card due first is also the least likely recalled:
        with sqlite3.connect(db) as conn:  # make it the best remembered
            conn.execute("UPDATE card_state SET stability = 10000 WHERE card_id = ?", (by_due,))
    save_setting(engine, "review-order", order)
    assert first_card(db, clock).view.id != by_due  # the order is what is tested here
    walk(engine, db, clock, days=2, per_day=8)


def test_limits_backlog_and_extra_new_cards_give_the_same_first_card(tmp_path):
    engine, db, clock = collection(tmp_path)
    walk(engine, db, clock, days=2, per_day=10)
    clock.advance(timedelta(days=5))
    save_setting(engine, "reviews-per-day", "2")
    save_setting(engine, "new-while-backlog", "off")
    walk(engine, db, clock, days=1, per_day=6)
    service = ReviewService(engine, clock)
    _, end = service.day_bounds()
    card_sets.add_extra_new(engine, 3, end)
    save_setting(engine, "new-while-backlog", "on")
    walk(engine, db, clock, days=1, per_day=6)


def test_buried_and_suspended_cards_are_passed_over_alike(tmp_path):
    engine, db, clock = collection(tmp_path)
    service = ReviewService(engine, clock)
    first = service.next_card()
    service.bury(first.id)
    second = service.next_card()
    service.suspend(second.id)
    same_first_card(engine, db, clock)
    assert first_card(db, clock).view.id not in (first.id, second.id)


def test_nothing_to_review_gives_none(tmp_path):
    engine, db, clock = collection(tmp_path)
    save_setting(engine, "new-per-day", "0")
    assert ReviewService(engine, clock).next_card() is None
    assert first_card(db, clock) is None


def test_where_the_light_path_does_not_apply_it_gives_none(tmp_path):
    engine, db, clock = collection(tmp_path)
    assert first_card(db, clock) is not None
    assert first_card(db, clock, "no such deck") is None
    assert first_card(db, clock, "A") is None  # AWS and AWS::VPC: the full path says which
    assert first_card(tmp_path / "nowhere" / "studyaws.sqlite3", clock) is None
    save_setting(engine, "exam-date", (START + timedelta(days=40)).date().isoformat())
    assert first_card(db, clock) is None  # the exam plan brings reviews forward
    save_setting(engine, "exam-date", "")
    assert first_card(db, clock) is not None
    mark_bundled_decks(engine, "due")
    assert first_card(db, clock) is None  # the bundled decks are imported first
    engine.dispose()


def test_another_schema_or_a_damaged_file_gives_none(tmp_path):
    engine, db, clock = collection(tmp_path)
    engine.dispose()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    assert first_card(db, clock) is None
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"not a database at all" * 100)
    assert first_card(damaged, clock) is None
    assert damaged.read_bytes() == b"not a database at all" * 100  # nothing was written
