"""The benchmark collection: generated decks imported for real, then a simulated history.

`build_collection(home, 100_000, 1_000_000)` makes ten decks of 10,000 cards in
`home/../decks`, imports them into `home/studyaws.sqlite3`, then writes a year of review
history in bulk: four cards in five reviewed (about a quarter of them due today or
earlier), the rest still new, and `logs` review-log rows in all.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from generate import deck_text

from studyaws.services.importer import import_paths
from studyaws.store.engine import open_engine
from studyaws.store.tables import to_db

PER_DECK = 10_000


def write_decks(folder: Path, cards: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(max(1, cards // PER_DECK)):
        path = folder / f"deck{n:02d}.md"
        path.write_text(deck_text(min(cards, PER_DECK), seed=100 + n, title=f"Deck {n:02d}"),
                        "utf-8")
        paths.append(path)
    return paths


def build_collection(home: Path, cards: int, logs: int) -> None:
    engine = open_engine(home / "studyaws.sqlite3")
    now = datetime.now(UTC)
    write_decks(home.parent / "decks", cards)
    import_paths(engine, [home.parent / "decks"], now - timedelta(days=400))
    engine.dispose()

    rng = random.Random(7)
    conn = sqlite3.connect(home / "studyaws.sqlite3")
    ids = [row[0] for row in conn.execute("select id from card order by id")]
    reviewed = ids[: int(len(ids) * 0.8)]  # a fifth of the cards are still new
    per_card = max(1, logs // len(reviewed))
    rows = []
    states = []
    for card_id in reviewed:
        when = now - timedelta(days=360)
        stability = 1.0
        for n in range(per_card):
            when += timedelta(days=rng.uniform(1, 360 / per_card))
            rating = rng.choices((1, 2, 3, 4), weights=(10, 10, 70, 10))[0]
            stability = stability * 2.2 if rating > 1 else max(0.5, stability / 3)
            before = 0 if n == 0 else 2  # a card's first answer is given to it as new
            rows.append((card_id, rating, to_db(when), rng.randint(2000, 15000), "review",
                         before, "{}", 2, stability, 5.0, to_db(when + timedelta(days=stability))))
        due = now + timedelta(days=rng.uniform(-20, 60))
        states.append((2, None, stability, 5.0, to_db(due), to_db(when), per_card, 0, card_id))
    extra = logs - len(rows)
    for _ in range(max(0, extra)):
        card_id = rng.choice(reviewed)
        when = now - timedelta(days=rng.uniform(1, 360))
        rows.append((card_id, 3, to_db(when), 5000, "review", 2, "{}", 2, 10.0, 5.0, to_db(when)))
    with conn:
        conn.executemany(
            "insert into review_log (card_id, rating, reviewed_at, duration_ms, source, "
            "state_before, prior_state, state, stability, difficulty, due, response) "
            "values (?,?,?,?,?,?,?,?,?,?,?,'')", rows)
        conn.executemany(
            "update card_state set state=?, step=?, stability=?, difficulty=?, due=?, "
            "last_review=?, reps=?, lapses=? where card_id=?", states)
    conn.execute("analyze")
    conn.close()


def collection_size(db: Path) -> tuple[int, int]:
    conn = sqlite3.connect(db)
    try:
        cards = conn.execute("select count(*) from card").fetchone()[0]
        logs = conn.execute("select count(*) from review_log").fetchone()[0]
    finally:
        conn.close()
    return cards, logs
