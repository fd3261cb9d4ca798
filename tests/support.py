"""Shared test helpers: a real collection on a temp SQLite file with a movable clock."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path

from backends import open_test_engine
from sqlalchemy import func, select

from studyaws.core.clock import FakeClock
from studyaws.services.importer import import_paths
from studyaws.store.engine import reading
from studyaws.store.settings import save_setting
from studyaws.store.tables import Card, CardState, ReviewLog

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC


def make_collection(tmp_path: Path, deck_text: str, name: str = "deck.md",
                    settings: dict[str, str] | None = None, start: datetime = START):
    """A fresh collection holding one deck; returns (engine, clock, deck path)."""
    deck = tmp_path / name
    deck.write_text(textwrap.dedent(deck_text).lstrip(), encoding="utf-8")
    engine = open_test_engine(tmp_path / "home" / "studyaws.sqlite3")
    clock = FakeClock(start)
    import_paths(engine, [deck], clock.now())
    for key, value in (settings or {}).items():
        save_setting(engine, key, value)
    return engine, clock, deck


def basic_deck(count: int, prefix: str = "Question") -> str:
    return "# Basics\n\n" + "\n\n".join(
        f"Q: {prefix} {n}\nA: Answer {n}" for n in range(1, count + 1)
    ) + "\n"


def review_count(engine, source: str | None = None) -> int:
    with reading(engine) as session:
        query = select(func.count(ReviewLog.id))
        if source:
            query = query.where(ReviewLog.source == source)
        return session.execute(query).scalar_one()


def card_id_by_prompt(engine, text: str) -> int:
    with reading(engine) as session:
        return session.execute(select(Card.id).where(Card.prompt.contains(text))).scalars().first()


def state_of(engine, card_id: int) -> CardState:
    with reading(engine) as session:
        return session.get(CardState, card_id)


def card_of(engine, card_id: int) -> Card:
    with reading(engine) as session:
        return session.get(Card, card_id)


async def home_settled(pilot) -> None:
    """After a return to the home screen: wait until it has read and shown its numbers
    again (it reads them in a worker thread)."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def card_columns(db: Path) -> list[str]:
    """The columns of the card table of the collection at `db`, in order."""
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(db)) as conn:
        return [row[1] for row in conn.execute("PRAGMA table_info(card)")]


def cards_as_schema_4(db: Path, columns: list[str]) -> list[tuple]:
    """The cards of the collection at `db` as schema 4 kept them, each a tuple of
    `columns` in id order: with its section's notes in `context`, and a cloze card with its
    text in its payload and its prompt and answer made from it (schema 5 keeps these texts
    once, in shared_text)."""
    import json
    import sqlite3
    from contextlib import closing

    from studyaws.core.decks.cloze import sides

    with closing(sqlite3.connect(db)) as conn:
        conn.row_factory = sqlite3.Row
        found = [dict(row) for row in conn.execute(
            "SELECT card.*, context.text AS context, cloze.text AS cloze_text FROM card "
            "LEFT JOIN shared_text context ON context.id = card.context_id "
            "LEFT JOIN shared_text cloze ON cloze.id = card.cloze_text_id ORDER BY card.id")]
    for card in found:
        card["context"] = card["context"] or ""
        # Schema 6 keeps a card's domain in the column of its exam.
        card.setdefault("domain", card.get("saa_domain") or card.get("clf_domain"))
        if card["cloze_text"] is not None:
            payload = json.loads(card["payload"])
            card["prompt"], card["answer"] = sides(card["cloze_text"], payload["group"])
            card["payload"] = json.dumps({**payload, "text": card["cloze_text"]},
                                         sort_keys=True)
    return [tuple(card[name] for name in columns) for card in found]


# -- a collection with a learner's history, for the optimizer and the long writers ----------


def studied_collection(tmp_path: Path, cards: int, days: int, new_per_day: int, truth,
                       seed: int = 1):
    """A collection holding `cards` cards and `days` days of a synthetic learner's reviews
    (its answers from the FSRS model `truth`); returns (engine, clock at the end, reviews)."""
    from datetime import timedelta

    from studyaws.core.config import Settings
    from studyaws.core.srs import policy
    from studyaws.services.learner import SyntheticLearner, simulate_study, write_history

    engine, clock, _ = make_collection(tmp_path, basic_deck(cards))
    with reading(engine) as session:
        ids = list(session.execute(select(Card.id).order_by(Card.id)).scalars())
    learner = SyntheticLearner(truth, seed=seed)
    reviews, memories = simulate_study(ids, learner, policy.scheduler_for(Settings()), START,
                                       days, new_per_day=new_per_day, seed=seed)
    write_history(engine, reviews, memories)
    clock.set(START + timedelta(days=days))
    return engine, clock, reviews


def copy_collection(source: Path, target: Path) -> Path:
    """A copy of the collection file `source` at `target` (SQLite's online backup)."""
    import sqlite3

    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


def replayed(engine, card_id: int, parameters) -> object:
    """The card's memory as FSRS gives it when its whole logged history is answered again
    under `parameters`, with the collection's settings (studyaws.core.srs.policy.Memory)."""
    from studyaws.core.srs import policy
    from studyaws.store.settings import load_settings

    scheduler = policy.scheduler_for(load_settings(engine), parameters)
    with reading(engine) as session:
        answers = session.execute(
            select(ReviewLog.reviewed_at, ReviewLog.rating)
            .where(ReviewLog.card_id == card_id, ReviewLog.source.in_(("review", "exam")))
            .order_by(ReviewLog.reviewed_at, ReviewLog.id)).all()
    memory = policy.Memory()
    for when, rating in answers:
        memory = policy.review(scheduler, card_id, memory, rating, when)
    return memory


def without_bundled_decks(db: Path) -> None:
    """A collection whose user was given the bundled decks and removed them: the commands
    then leave it to the decks a test imports (a new collection gets them when first opened
    by any command but import and config)."""
    from studyaws.store.settings import mark_bundled_decks

    engine = open_test_engine(db)
    try:
        mark_bundled_decks(engine, START.isoformat())
    finally:
        engine.dispose()


# The tables that hold the collection's data, for before/after comparisons: every table but
# the full-text index (store.text_index) and its shadow tables, whose bytes depend on the
# order rows were written in, not on what is stored.
STORED_TABLES_SQL = (
    "SELECT name FROM sqlite_master WHERE type = 'table' "
    "AND name NOT LIKE 'card\\_text%' ESCAPE '\\' "
    "AND name NOT LIKE 'shared\\_text\\_index%' ESCAPE '\\' ORDER BY name")


def is_stored_table(name: str) -> bool:
    """Whether `name` is one of the tables STORED_TABLES_SQL lists (any backend)."""
    return not name.startswith(("card_text", "shared_text_index"))
