"""Anki's side of the benchmark, with the `anki` package from PyPI (pip install -r
bench/requirements.txt). Run by bench/run.py in its own process; prints JSON.

The same work as studyaws's side:
  - import: the same cards (one note per studyaws card: its prompt and answer) as a
    tab-separated text file into a fresh collection with `col.import_csv`, then the same
    file again (duplicates updated: nothing changes);
  - the queue: the benchmark collection mirrored card for card (the same decks, card
    states, due dates, FSRS memory and a review log of the same size), FSRS on, default
    limits (20 new, 200 reviews a day); `col.sched.get_queued_cards()` on a freshly opened
    collection, which builds the day's queue;
  - answering: the same ratings through `get_queued_cards`, `build_answer`, `answer_card`,
    with the daily review limit raised to the number of answers, as on studyaws's side.

    python bench/anki_bench.py --deck DECK.md --mirror studyaws.sqlite3 --work DIR
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

# anki.collection first: anki.cards cannot be imported on its own (a circular import).
from anki.collection import Collection, ImportCsvRequest  # isort: skip
from anki.cards import Card  # isort: skip
from anki.import_export_pb2 import CsvMetadata
from anki.scheduler_pb2 import CardAnswer

from studyaws.core.decks.parser import parse_deck
from studyaws.store.tables import from_db

ANSWERS = {1: CardAnswer.AGAIN, 2: CardAnswer.HARD, 3: CardAnswer.GOOD, 4: CardAnswer.EASY}
DAY = 86400


def write_csv(path: Path, rows: list[tuple[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter="\t")
        writer.writerows(rows)


def import_csv(col: Collection, path: Path, deck_name: str) -> int:
    """Import a front/back text file into `deck_name` as Basic notes; returns notes added."""
    metadata = col.get_csv_metadata(str(path), CsvMetadata.TAB)
    metadata.deck_id = col.decks.id(deck_name)
    metadata.force_is_html = True
    metadata.is_html = False
    result = col.import_csv(ImportCsvRequest(path=str(path), metadata=metadata))
    return len(result.log.new)


def import_times(deck: Path, work: Path, runs: int) -> dict[str, list[float]]:
    parsed = parse_deck(deck.read_text("utf-8"), str(deck))
    text = work / "deck.txt"
    write_csv(text, [item.sides() for item in parsed.items])
    results: dict[str, list[float]] = {"cold": [], "unchanged": [], "cards": [len(parsed.items)]}
    for run in range(runs):
        folder = work / f"anki-import-{run}"
        folder.mkdir()
        col = Collection(str(folder / "collection.anki2"))
        start = time.perf_counter()
        added = import_csv(col, text, "Imported")
        results["cold"].append(time.perf_counter() - start)
        assert added == len(parsed.items), (added, len(parsed.items))
        start = time.perf_counter()
        again = import_csv(col, text, "Imported")
        results["unchanged"].append(time.perf_counter() - start)
        assert again == 0
        col.close()
        shutil.rmtree(folder)
    return results


def mirror(studyaws_db: Path, target: Path) -> dict[str, int]:
    """An Anki collection holding the studyaws collection's cards, states and review log."""
    source = sqlite3.connect(studyaws_db)
    decks = source.execute("select id, title from deck order by id").fetchall()
    col = Collection(str(target))
    now = datetime.now(UTC)
    today = col.sched.today
    anki_decks = []
    for deck_id, title in decks:
        # A cloze card's sides are made from its cloze's text: here that text and its group.
        rows = source.execute(
            "select coalesce(nullif(prompt, ''), text || ' ' || variant), "
            "coalesce(nullif(answer, ''), text) from card "
            "left join shared_text on shared_text.id = card.cloze_text_id "
            "where card.deck_id = ? order by card.id", (deck_id,)).fetchall()
        text = target.parent / f"mirror-{deck_id}.txt"
        write_csv(text, rows)
        import_csv(col, text, f"Bench::{title}")
        anki_decks.append(col.decks.id(f"Bench::{title}"))
        text.unlink()
    col.close()

    ours = [row[0] for row in source.execute("select id from card order by deck_id, id")]
    conn = sqlite3.connect(target)
    theirs = [row[0] for did in anki_decks
              for row in conn.execute("select id from cards where did=? order by id", (did,))]
    assert len(ours) == len(theirs), (len(ours), len(theirs))
    card_of = dict(zip(ours, theirs, strict=True))
    updates = []
    for card_id, stability, difficulty, due, last, reps, lapses in source.execute(
            "select card_id, stability, difficulty, due, last_review, reps, lapses "
            "from card_state where state = 2"):
        due_at, last_at = from_db(due), from_db(last)
        due_day = today + int((due_at - now).total_seconds() // DAY)
        interval = max(1, round((due_at - last_at).total_seconds() / DAY))
        data = json.dumps({"s": round(stability, 4), "d": round(difficulty, 4), "dr": 0.9,
                           "lrt": int(last_at.timestamp())}, separators=(",", ":"))
        updates.append((due_day, interval, reps, lapses, data, card_of[card_id]))
    revlog = []
    taken: set[int] = set()
    for card_id, rating, reviewed_at, duration in source.execute(
            "select card_id, rating, reviewed_at, duration_ms from review_log"):
        ident = int(from_db(reviewed_at).timestamp() * 1000)
        while ident in taken:
            ident += 1
        taken.add(ident)
        revlog.append((ident, card_of[card_id], rating, duration))
    with conn:
        conn.executemany("update cards set type=2, queue=2, due=?, ivl=?, factor=2500, reps=?, "
                         "lapses=?, data=? where id=?", updates)
        conn.executemany("insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, "
                         "type) values (?, ?, -1, ?, 10, 5, 2500, ?, 1)", revlog)
    conn.close()
    source.close()
    col = Collection(str(target))  # Anki's own connection knows its collations
    col.db.execute("analyze")
    col.close()
    return {"cards": len(ours), "logs": len(revlog), "reviewing": len(updates)}


def _open(path: Path) -> Collection:
    col = Collection(str(path))
    col.set_config("fsrs", True)
    col.decks.select(col.decks.id("Bench"))
    return col


def queue_times(path: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        col = _open(path)
        try:
            start = time.perf_counter()
            queued = col.sched.get_queued_cards()
            times.append(time.perf_counter() - start)
            assert queued.cards, "Anki's queue is empty"
        finally:
            col.close()
    return times


def answer_cards(path: Path, given: list[int]) -> float:
    copy = path.with_name("answer-copy.anki2")
    shutil.copy(path, copy)
    col = _open(copy)
    try:
        config = col.decks.config_dict_for_deck_id(col.decks.id("Bench"))
        config["rev"]["perDay"] = len(given)
        col.decks.update_config(config)
        start = time.perf_counter()
        for rating in given:
            queued = col.sched.get_queued_cards()
            if not queued.cards:
                raise RuntimeError("Anki ran out of cards to answer")
            top = queued.cards[0]
            card = Card(col)
            card._load_from_backend_card(top.card)
            card.start_timer()
            col.sched.answer_card(col.sched.build_answer(card=card, states=top.states,
                                                         rating=ANSWERS[rating]))
        return time.perf_counter() - start
    finally:
        col.close()
        copy.unlink()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deck", type=Path, required=True)
    parser.add_argument("--mirror", type=Path, required=True, help="studyaws.sqlite3 to mirror")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--queue-runs", type=int, default=20)
    parser.add_argument("--ratings", required=True, help="comma-separated ratings to give")
    args = parser.parse_args()
    import anki.buildinfo

    out: dict = {"version": anki.buildinfo.version}
    out["import"] = import_times(args.deck, args.work, args.runs)
    collection = args.work / "mirror" / "collection.anki2"
    collection.parent.mkdir()
    start = time.perf_counter()
    out["mirror"] = mirror(args.mirror, collection)
    out["mirror"]["seconds"] = time.perf_counter() - start
    out["queue"] = queue_times(collection, args.queue_runs)
    given = [int(r) for r in args.ratings.split(",")]
    out["answers"] = {"count": len(given), "seconds": answer_cards(collection, given)}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
