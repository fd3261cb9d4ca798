"""`studyaws cards`: the search as a table and as JSON, one card's details, bad searches;
and that the command says what the browse service says."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from backends import copied_from_sqlite, open_test_engine
from backup_support import rows, run
from support import make_collection, without_bundled_decks
from test_search_store import DECK

from studyaws.core.clock import Clock
from studyaws.core.srs.policy import AGAIN, GOOD
from studyaws.services import browse
from studyaws.services.review import ReviewService


@pytest.fixture(scope="module")
def studied(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cards")
    engine, clock, _ = make_collection(tmp, DECK, start=datetime.now(UTC) - timedelta(days=30))
    service = ReviewService(engine, clock)
    for n in range(3):
        for view_id in (1, 2, 3):
            service.answer(service.card(view_id), AGAIN if (n, view_id) == (2, 3) else GOOD)
        clock.advance(timedelta(days=6))
    service.suspend(5)
    engine.dispose()
    db = tmp / "home" / "studyaws.sqlite3"
    without_bundled_decks(db)
    return db


@pytest.fixture
def collection(studied, tmp_path):
    """The studied collection on the backend the run chose: (its data folder, where it is)."""
    db = copied_from_sqlite(studied, tmp_path / "home" / "studyaws.sqlite3")
    return db.parent, db


def cards_json(home, *args):
    done = run(home, "cards", "--json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(("query", "sort", "desc"), [
    ("", "due", False), ("-is:new", "interval", True), ("kind:basic or kind:cloze", "deck", False),
    ("prop:r<0.99", "difficulty", False), ("is:suspended", "created", True),
])
def test_the_command_agrees_with_the_service(collection, query, sort, desc):
    home, db = collection
    printed = cards_json(home, "--sort", sort, *(["--desc"] if desc else []), "--limit", "0",
                         "--", *([query] if query else []))
    engine = open_test_engine(db)
    try:
        page = browse.search_cards(engine, Clock(), query, sort, desc, 0, 1000)
    finally:
        engine.dispose()
    assert [c["id"] for c in printed["cards"]] == [r.id for r in page.rows]
    assert printed["cards"] == [r.to_json() for r in page.rows]
    assert printed["total"] == len(page.rows) > 0


def test_table_and_limit(collection):
    home, _ = collection
    done = run(home, "cards", "kind:basic or kind:reverse", "--limit", "2", "--sort", "deck")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["id", "deck", "kind", "prompt", "due", "interval"]
    assert len(lines) == 4
    assert lines[1].split()[:4] == ["1", "Net", "basic", "What"]
    assert lines[-1] == "2 of 4 cards (--limit N for more, 0 for all)"
    done = run(home, "cards", "prop:lapses>0")
    assert done.stdout.splitlines()[-1] == "1 card"
    assert "d" in done.stdout.splitlines()[1].split()[-1]  # its interval, in days
    done = run(home, "cards", "nothing-like-this")
    assert (done.returncode, done.stdout) == (0, "No cards match.\n")


def test_a_search_that_starts_with_minus(collection):
    home, _ = collection
    everything = {c["id"] for c in cards_json(home, "--limit", "0")["cards"]}
    basic = {c["id"] for c in cards_json(home, "kind:basic")["cards"]}
    assert {c["id"] for c in cards_json(home, "--", "-kind:basic")["cards"]} == (
        everything - basic)
    assert {c["id"] for c in cards_json(home, "-kind:basic -kind:cloze")["cards"]} == {
        c["id"] for c in cards_json(home, "--", "-kind:basic", "-kind:cloze")["cards"]}


def test_details(collection):
    home, db = collection
    printed = cards_json(home, "--id", "3")
    engine = open_test_engine(db)
    try:
        expected = browse.card_details(engine, Clock(), 3).to_json()
    finally:
        engine.dispose()
    for key in ("id", "deck", "kind", "prompt", "answer", "source", "domains", "state", "due",
                "interval", "stability", "difficulty", "lapses", "answers", "exam_answers"):
        assert printed[key] == expected[key], key
    assert abs(printed["retrievability"] - expected["retrievability"]) < 0.01
    assert [a["rating_name"] for a in printed["answers"]] == ["Good", "Good", "Again"]
    assert printed["source"].endswith("deck.md:12")
    text = run(home, "cards", "--id", "3").stdout
    assert "source:         " in text and "deck.md:12" in text
    assert "SAA-C03: Design Secure Architectures" in text
    assert "kind" not in text and "(reverse) in Net" in text
    assert text.count("review  Good") == 2 and "review  Again" in text


@pytest.mark.parametrize(("args", "code", "message"), [
    (["kind:foo"], 2, "studyaws cards: search: unknown kind 'foo' (known: basic, reverse, "
                      "cloze, choice, multi, order, numeric, scenario)"),
    (["(is:new"], 2, "studyaws cards: search: '(' is not closed: add a ')'"),
    (["--sort", "size"], 2, "studyaws cards: search: unknown sort 'size' (known: due, "
                            "interval, difficulty, lapses, reps, deck, created)"),
    (["--limit", "-1"], 2, "studyaws cards: --limit is a number of cards, 0 for all"),
    (["--id", "3", "is:new"], 2, "studyaws cards: --id shows one card; give it without a "
                                 "search"),
    (["--id", "999"], 1, "studyaws cards: no card has the id 999"),
])
def test_bad_input_is_one_line_and_writes_nothing(collection, args, code, message):
    home, db = collection
    before = rows(db)
    done = run(home, "cards", *args)
    assert (done.returncode, done.stdout, done.stderr) == (code, "", message + "\n")
    assert rows(db) == before
