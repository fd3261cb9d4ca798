"""What one file may make on import, and what it costs.

Small files used to make huge collections: a 29 KB cloze line with 3,000 deletions made a
365 MB database (each card kept the whole text three times), a 209 KB one took 13 GB of
memory, a 50 KB section of notes was copied into each of its cards. Now a cloze holds at most
100 deletions and a choice question at most 9 options in every format, a file makes at most
50,000 cards whose text is bounded, and text that several cards show (a section's notes, a
cloze's text) is stored once. Sizes and peak memory are measured on the real command
(tests/pathological.py).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pathological
import pytest
from pathological import measured_import

from studyaws.core.clock import FakeClock
from studyaws.core.decks.model import DeckError
from studyaws.core.formats import parse as parse_format
from studyaws.services.importer import import_paths
from studyaws.services.review import ReviewService
from studyaws.store.engine import open_engine

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MB = 2**20


def card_count(home: Path) -> int:
    db = home / "studyaws.sqlite3"
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM card").fetchone()[0]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- cloze deletions ------------------------------------------------------------------------


def test_a_29_kb_cloze_line_with_3000_deletions_is_refused_with_its_line(tmp_path):
    deck = write(tmp_path, "cloze.md", pathological.cloze_line(3000))
    run = measured_import(tmp_path / "home", deck)
    assert run.rc == 1, run.out
    assert run.err.splitlines() == [
        f"{deck}:3: a cloze has 3,000 deletions; at most 100 (split it into several)",
        "1 error; nothing was imported."]
    assert card_count(tmp_path / "home") == 0
    assert run.peak_mb < 150


def test_the_209_kb_cloze_line_that_took_13_gb_is_refused_in_little_memory(tmp_path):
    deck = write(tmp_path, "cloze.md", pathological.cloze_line(21_000))
    assert deck.stat().st_size > 200_000
    run = measured_import(tmp_path / "home", deck, limit_mb=1500)
    assert (run.rc, run.err.splitlines()[:1]) == (
        1, [f"{deck}:3: a cloze has 21,000 deletions; at most 100 (split it into several)"])
    assert "Traceback" not in run.err
    assert run.peak_mb < 150


def test_an_anki_cloze_note_with_3000_deletions_is_skipped_with_its_line(tmp_path):
    notes = write(tmp_path, "notes.txt", pathological.anki_cloze_csv(3000, 41_000))
    assert 80_000 < notes.stat().st_size < 90_000
    run = measured_import(tmp_path / "home", notes)
    assert run.rc == 1
    assert f"{notes}:4: a cloze has 3,000 deletions; at most 100 (split it into several)" \
        in run.err.splitlines()
    assert card_count(tmp_path / "home") == 0
    assert run.peak_mb < 150


def test_a_cloze_at_the_cap_is_imported():
    text = "# C\n\nC: " + " ".join(f"{{{{w{n}}}}}" for n in range(100)) + "\n"
    deck = parse_format("anki", "#separator:tab\n#notetype column:1\nCloze\t"
                        + " ".join(f"{{{{c{n}::w}}}}" for n in range(1, 101)) + "\tback\n",
                        "n.txt").deck
    assert len(deck.items) == 100
    from studyaws.core.decks.parser import parse_deck

    assert len(parse_deck(text, "c.md").items) == 100


# -- text stored once -----------------------------------------------------------------------


def test_cloze_cards_within_the_caps_store_their_text_once(tmp_path):
    # 20 paragraphs of 2,000 words, each with 100 deletions: 2,000 cards that each showed
    # its whole paragraph (a 530 KB file made a 220 MB database).
    deck = write(tmp_path, "notes.md", pathological.cloze_notes(20, 100, 2_000))
    home = tmp_path / "home"
    run = measured_import(home, deck)
    assert run.rc == 0, run.err
    assert card_count(home) == 2_000
    assert run.db_bytes < 8 * deck.stat().st_size
    assert run.peak_mb < 200
    engine = open_engine(home / "studyaws.sqlite3")
    try:
        view = ReviewService(engine, FakeClock(NOW)).card(2)
    finally:
        engine.dispose()
    assert view.kind == "cloze"
    assert view.prompt.startswith("d0x0 word0x1 ")  # group 1 shown, group 2 hidden
    assert " word0x19 [...] word0x21 " in view.prompt
    assert " word0x19 **d0x20** word0x21 " in view.answer


def test_a_section_s_notes_are_stored_once_and_shown_with_every_card(tmp_path):
    deck = write(tmp_path, "notes.md", pathological.long_section_notes(2_000, 50_000))
    engine = open_engine(tmp_path / "home" / "studyaws.sqlite3")
    try:
        report = import_paths(engine, [deck], NOW)
        assert report.total()["added"] == 2_000
        service = ReviewService(engine, FakeClock(NOW))
        first, last = service.card(1), service.card(2_000)
    finally:
        engine.dispose()
    size = sum(p.stat().st_size for p in (tmp_path / "home").glob("studyaws.sqlite3*"))
    assert size < 2 * MB  # the notes once (50 KB), not 2,000 times (100 MB)
    assert first.context == last.context
    assert first.context.startswith("Automated backups keep the transaction logs")
    assert len(first.context) == 50_000


# -- options per question -------------------------------------------------------------------


def test_a_gift_question_with_100000_options_is_skipped_with_its_line(tmp_path):
    bank = write(tmp_path, "bank.gift", "Which is right? {=yes ~no}\n\n"
                 + pathological.gift_many_options(100_000))
    run = measured_import(tmp_path / "home", bank)
    assert run.rc == 0, run.err
    assert f"  {bank}:3: a choice question has 100,000 options; at most 9 (one per number " \
        "key)" in run.out.splitlines()
    assert card_count(tmp_path / "home") == 1


TEN = [f"Option {n}" for n in range(10)]


@pytest.mark.parametrize(("name", "fmt", "text"), [
    ("bank.gift", "gift", "Pick one. {=" + " ~".join(TEN) + "}\n"),
    ("bank.txt", "aiken", "Pick one.\n" + "".join(f"{chr(65 + n)}. {o}\n"
                                                  for n, o in enumerate(TEN)) + "ANSWER: A\n"),
    ("bank.md", "md-tasks", "# Bank\n\n## Table of Contents\n\n- [Q](#q)\n\n## Q\n\n"
     "### 1. Pick one.\n\n" + "".join(f"- [{'x' if n == 0 else ' '}] {o}\n"
                                      for n, o in enumerate(TEN))),
    ("bank.md", "md-numbered", "# Bank\n\n1. Pick one.\n" + "".join(
        f"    - {chr(65 + n)}. {o}\n" for n, o in enumerate(TEN))
     + "\n    <details markdown=1><summary markdown='span'>Answer</summary>\n"
       "      Correct answer: A\n    </details>\n"),
])
def test_every_format_caps_a_choice_question_at_9_options(name, fmt, text):
    result = parse_format(fmt, text, name)
    assert not result.deck.items
    assert [s.reason for s in result.skipped if "options" in s.reason] == [
        "a choice question has 10 options; at most 9 (one per number key)"]


def test_a_deck_ordering_list_is_capped_at_20_items(tmp_path):
    deck = write(tmp_path, "order.md", "# O\n\nOrder: Put them in order.\n"
                 + "".join(f"{n}. step {n}\n" for n in range(1, 22)))
    engine = open_engine(tmp_path / "home" / "studyaws.sqlite3")
    try:
        with pytest.raises(DeckError) as caught:
            import_paths(engine, [deck], NOW)
    finally:
        engine.dispose()
    assert [str(p) for p in caught.value.problems] == [
        f"{deck}:4: an ordering list has 21 items; at most 20"]


# -- output bounds --------------------------------------------------------------------------


def test_more_than_50000_cards_in_one_file_is_an_error_and_writes_nothing(tmp_path):
    deck = write(tmp_path, "many.md", pathological.one_line_cards(50_001))
    home = tmp_path / "home"
    run = measured_import(home, deck)
    assert run.rc == 1
    assert run.err.splitlines()[0] == (
        f"{deck}:50003: more than 50,000 cards in one file; split it into several files")
    assert card_count(home) == 0
    assert run.peak_mb < 250


def test_a_question_bank_of_500000_tiny_notes_stops_at_the_cap_in_little_memory(tmp_path):
    notes = write(tmp_path, "many.csv", "".join(f"f{n},b\n" for n in range(500_000)))
    assert notes.stat().st_size < 5_000_000
    run = measured_import(tmp_path / "home", notes)
    assert run.rc == 1
    assert run.err.splitlines() == [
        f"{notes}:50001: more than 50,000 cards in one file; split it into several files",
        "1 error; nothing was imported."]
    assert card_count(tmp_path / "home") == 0
    assert run.peak_mb < 200  # it made every card first: 468 MB


def test_a_file_whose_cards_hold_too_much_text_is_an_error_and_writes_nothing(tmp_path):
    # Every card keeps its topic: a 100 KB heading over 1,000 cards is 100 MB of text.
    deck = write(tmp_path, "heading.md", pathological.long_heading(1_000, 100_000))
    home = tmp_path / "home"
    run = measured_import(home, deck)
    assert run.rc == 1
    (problem, summary) = run.err.splitlines()
    assert problem.startswith(f"{deck}:")
    assert problem.endswith(": the cards of this file would hold more than 64 MB of text "
                            "(each card keeps its own topic, prompt, answer and explanation); "
                            "split the file or shorten what every card repeats")
    assert card_count(home) == 0
    assert run.peak_mb < 250
