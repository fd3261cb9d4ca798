"""The importer on a real SQLite file: counts, stable identity, retiring, atomicity, dry runs."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import make_transient
from support import is_stored_table
from terminal import studyaws_command
from write_watch import WriteWatch

from studyaws.core.decks.cloze import sides as cloze_sides
from studyaws.core.decks.identity import normalize
from studyaws.core.decks.model import DeckError
from studyaws.services.importer import COUNTS, deck_key, import_paths
from studyaws.store.engine import open_engine, reading, writing
from studyaws.store.tables import Card, CardState, Deck, ReviewLog, SharedText

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=3)

DECK = """\
---
title: RDS backups
domain: resilient
tags: rds, backups
---
# RDS

## Automated backups

Automated backups take a daily snapshot.

Q: How long can RDS keep automated backups?
A: From 1 to 35 days.

Read replica replication ::: asynchronous

C: {{c1::Aurora}} keeps {{c2::six}} copies of your data.

A company must restore its database to 10 minutes ago. What happens?

- [ ] The instance is rolled back in place.
- [x] A new DB instance is created.
- [ ] A read replica is promoted.

> A point-in-time restore always creates a new DB instance.

Order: Put the restore steps in order.
1. Pick a time
2. Restore to a new instance
3. Point the application at it

Q: What is the maximum retention, in days?
A: = 35

```scenario nacl
rules: 4-6
```
"""
DECK_CARDS = 9  # basic, 2 reverse, 2 cloze, choice, ordering, numeric, scenario


def rows(engine: Engine, sql: str, **params) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(sql), params)]


def cards(engine: Engine) -> dict[str, dict]:
    """Every card row by its prompt as shown (the tests' prompts are unique), with the texts
    it shares: its `context` and its `cloze_text`."""
    found = rows(engine, "SELECT card.*, context.text AS context, cloze.text AS cloze_text "
                 "FROM card LEFT JOIN shared_text context ON context.id = card.context_id "
                 "LEFT JOIN shared_text cloze ON cloze.id = card.cloze_text_id ORDER BY card.id")
    by_prompt = {
        (cloze_sides(c["cloze_text"], json.loads(c["payload"])["group"])[0]
         if c["kind"] == "cloze" else c["prompt"]): c
        for c in found}
    assert len(by_prompt) == len(found)
    return by_prompt


def dump(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, for before/after comparisons."""
    with engine.connect() as conn:
        names = sorted(n for n in inspect(conn).get_table_names() if is_stored_table(n))
        return {name: sorted((tuple(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{name}"')),
                             key=repr)
                for name in names}


def counts(report) -> list[dict[str, int]]:
    return [d.counts() for d in report.decks]


def add_history(engine: Engine, card_id: int) -> None:
    """A review of `card_id` and a learned memory state, as the review service leaves them."""
    with writing(engine) as session:
        session.add(ReviewLog(card_id=card_id, rating=3, reviewed_at=NOW, state_before=0,
                              state=2, stability=12.5, difficulty=4.0, due=NOW + timedelta(days=12)))
    with engine.begin() as conn:
        conn.execute(text("UPDATE card_state SET state = 2, reps = 3, lapses = 1, stability = 12.5 "
                          "WHERE card_id = :id"), {"id": card_id})


def history(engine: Engine, card_id: int) -> tuple:
    state = rows(engine, "SELECT state, reps, lapses, stability FROM card_state WHERE card_id = :id",
                 id=card_id)
    logs = rows(engine, "SELECT rating, stability FROM review_log WHERE card_id = :id", id=card_id)
    return state, logs


LEARNED = ([{"state": 2, "reps": 3, "lapses": 1, "stability": 12.5}], [{"rating": 3, "stability": 12.5}])


# -- cold import and unchanged re-import -------------------------------------------------


def test_cold_import_counts_and_rows(engine, write_deck):
    path = write_deck("rds", DECK)
    report = import_paths(engine, [path], NOW)
    assert counts(report) == [{"added": DECK_CARDS, "updated": 0, "unchanged": 0, "retired": 0}]
    assert report.total() == {"added": DECK_CARDS, "updated": 0, "unchanged": 0, "retired": 0}
    assert report.decks[0].title == "RDS backups"
    assert report.decks[0].skipped is False

    (deck,) = rows(engine, "SELECT * FROM deck")
    assert (deck["title"], deck["domain"], deck["tags"], deck["key"]) == (
        "RDS backups", "saa-c03: resilient", "rds,backups", str(path.resolve()))
    assert deck["content_hash"] == hashlib.sha256(path.read_bytes()).hexdigest()

    stored = rows(engine, "SELECT kind, variant, topic, saa_domain AS domain, retired, source_line FROM card ORDER BY id")
    assert [(c["kind"], c["variant"]) for c in stored] == [
        ("basic", ""), ("reverse", "fwd"), ("reverse", "rev"), ("cloze", "c1"), ("cloze", "c2"),
        ("choice", ""), ("ordering", ""), ("numeric", ""), ("scenario", ""),
    ]
    assert {c["topic"] for c in stored} == {"RDS > Automated backups"}
    assert {c["domain"] for c in stored} == {"resilient"}
    assert {c["retired"] for c in stored} == {0}
    assert stored[0]["source_line"] == 12

    states = rows(engine, "SELECT state, reps, due FROM card_state")
    assert len(states) == DECK_CARDS
    assert {(s["state"], s["reps"], s["due"]) for s in states} == {(0, 0, "2025-03-01 12:00:00.000000")}


@pytest.mark.parametrize("edited", [False, True])
def test_the_bulk_insert_stores_what_the_orm_stores(engine, write_deck, tmp_path: Path,
                                                     edited: bool):
    """The importer writes cards and states with hand-made SQL (inserts, and with `edited`
    the updates of a re-import); the ORM writing the same objects into another file stores
    byte-identical rows."""
    path = write_deck("rds", DECK)
    import_paths(engine, [path], NOW)
    if edited:
        path.write_text(DECK.replace("From 1 to 35 days.", "From 1 to 35 days, daily.")
                        .replace("six}} copies", "six}} full copies"), encoding="utf-8")
        assert import_paths(engine, [path], LATER).total()["updated"] == 3
    other = open_engine(tmp_path / "other" / "studyaws.sqlite3")
    try:
        with reading(engine) as session:
            objects = [obj for table in (Deck, SharedText, Card, CardState)
                       for obj in session.execute(select(table)).scalars()]
            for obj in objects:
                session.expunge(obj)
                make_transient(obj)
        with writing(other) as session:
            for table in (Deck, SharedText, Card, CardState):
                session.add_all(obj for obj in objects if isinstance(obj, table))
                session.flush()
        mine, theirs = dump(engine), dump(other)
        assert len(mine["shared_text"]) == 2  # the section's notes, the cloze's text
        for name in ("deck", "shared_text", "card", "card_state"):
            assert mine[name] == theirs[name]
        assert len(mine["card_state"]) == DECK_CARDS
    finally:
        other.dispose()


def test_reimport_unchanged_file_is_skipped_and_changes_nothing(engine, write_deck):
    path = write_deck("rds", DECK)
    import_paths(engine, [path], NOW)
    before = dump(engine)
    report = import_paths(engine, [path], LATER)
    assert counts(report) == [{"added": 0, "updated": 0, "unchanged": DECK_CARDS, "retired": 0}]
    assert report.decks[0].skipped is True
    assert report.decks[0].title == "RDS backups"
    assert dump(engine) == before


def test_forced_reimport_parses_again_and_changes_no_card(engine, write_deck):
    path = write_deck("rds", DECK)
    import_paths(engine, [path], NOW)
    before = dump(engine)["card"]
    report = import_paths(engine, [path], LATER, force=True)
    assert counts(report) == [{"added": 0, "updated": 0, "unchanged": DECK_CARDS, "retired": 0}]
    assert report.decks[0].skipped is False
    assert dump(engine)["card"] == before


def test_moving_cards_down_the_file_is_not_an_update(engine, write_deck):
    path = write_deck("rds", DECK)
    import_paths(engine, [path], NOW)
    old = cards(engine)
    write_deck("rds", DECK.replace("# RDS\n", "# RDS\n\n\n\n"))
    report = import_paths(engine, [path], LATER)
    assert counts(report) == [{"added": 0, "updated": 0, "unchanged": DECK_CARDS, "retired": 0}]
    new = cards(engine)
    prompt = "How long can RDS keep automated backups?"
    assert new[prompt]["id"] == old[prompt]["id"]
    assert new[prompt]["source_line"] == old[prompt]["source_line"] + 3
    assert new[prompt]["updated_at"] == old[prompt]["updated_at"]


def test_the_same_file_named_twice_is_imported_once(engine, write_deck, tmp_path: Path):
    path = write_deck("rds", DECK)
    report = import_paths(engine, [tmp_path / "decks", path], NOW)
    assert counts(report) == [{"added": DECK_CARDS, "updated": 0, "unchanged": 0, "retired": 0}]
    assert report.total()["added"] == DECK_CARDS


# -- identity across edits ---------------------------------------------------------------


def test_editing_answer_options_and_explanation_keeps_ids_and_history(engine, write_deck):
    path = write_deck("rds", DECK)
    import_paths(engine, [path], NOW)
    old = cards(engine)
    basic = old["How long can RDS keep automated backups?"]
    choice = old["A company must restore its database to 10 minutes ago. What happens?"]
    add_history(engine, basic["id"])
    add_history(engine, choice["id"])

    edited = (DECK
              .replace("A: From 1 to 35 days.", "A: Between 1 and 35 days; 0 turns them off.")
              .replace("- [ ] A read replica is promoted.", "- [ ] A standby is promoted.")
              .replace("> A point-in-time restore always creates a new DB instance.",
                       "> Restores never happen in place."))
    write_deck("rds", edited)
    report = import_paths(engine, [path], LATER)
    assert counts(report) == [{"added": 0, "updated": 2, "unchanged": DECK_CARDS - 2, "retired": 0}]

    new = cards(engine)
    assert len(new) == DECK_CARDS
    new_basic = new["How long can RDS keep automated backups?"]
    new_choice = new["A company must restore its database to 10 minutes ago. What happens?"]
    assert new_basic["id"] == basic["id"]
    assert new_basic["answer"] == "Between 1 and 35 days; 0 turns them off."
    assert new_choice["id"] == choice["id"]
    assert new_choice["explanation"] == "Restores never happen in place."
    assert json.loads(new_choice["payload"])["options"][2] == "A standby is promoted."
    assert new_basic["updated_at"] == "2025-03-04 12:00:00.000000"
    assert history(engine, basic["id"]) == LEARNED
    assert history(engine, choice["id"]) == LEARNED


def test_editing_the_back_of_a_reverse_pair_and_a_cloze_answer_keeps_ids(engine, write_deck):
    path = write_deck("rds", DECK)
    import_paths(engine, [path], NOW)
    before = {c["key"]: c["id"] for c in rows(engine, "SELECT key, id FROM card")}
    by_kind = {(c["kind"], c["variant"]): c["id"]
               for c in rows(engine, "SELECT kind, variant, id FROM card")}
    write_deck("rds", DECK.replace("::: asynchronous", "::: asynchronous (usually)")
               .replace("{{c1::Aurora}}", "{{c1::Amazon Aurora}}"))
    report = import_paths(engine, [path], LATER)
    assert counts(report) == [{"added": 0, "updated": 4, "unchanged": DECK_CARDS - 4, "retired": 0}]
    after = {(c["kind"], c["variant"]): c["id"]
             for c in rows(engine, "SELECT kind, variant, id FROM card")}
    assert after == by_kind
    assert len(before) == DECK_CARDS


def test_small_prompt_edit_keeps_id(engine, write_deck):
    path = write_deck("rds", DECK)
    import_paths(engine, [path], NOW)
    old_id = cards(engine)["How long can RDS keep automated backups?"]["id"]
    add_history(engine, old_id)
    write_deck("rds", DECK.replace("Q: How long can RDS keep automated backups?",
                                   "Q: How long can RDS keep its automated backups?"))
    report = import_paths(engine, [path], LATER)
    assert counts(report) == [{"added": 0, "updated": 1, "unchanged": DECK_CARDS - 1, "retired": 0}]
    new = cards(engine)
    assert "How long can RDS keep automated backups?" not in new
    assert new["How long can RDS keep its automated backups?"]["id"] == old_id
    assert history(engine, old_id) == LEARNED


def test_rewritten_prompt_with_the_same_stable_id_keeps_id(engine, write_deck):
    path = write_deck("ids", "# T\n\nQ: Original wording here {#retention}\nA: 35 days\n")
    import_paths(engine, [path], NOW)
    (old,) = rows(engine, "SELECT id, key FROM card")
    assert old["key"] == "id:retention"
    add_history(engine, old["id"])
    write_deck("ids", "# T\n\nQ: Completely different text about backups {#retention}\nA: 35\n")
    report = import_paths(engine, [path], LATER)
    assert counts(report) == [{"added": 0, "updated": 1, "unchanged": 0, "retired": 0}]
    (new,) = rows(engine, "SELECT id, prompt, retired FROM card")
    assert new == {"id": old["id"], "prompt": "Completely different text about backups", "retired": 0}
    assert history(engine, old["id"]) == LEARNED


def test_adding_an_id_to_a_card_keeps_its_id(engine, write_deck):
    path = write_deck("ids", "Q: A question\nA: a\n")
    import_paths(engine, [path], NOW)
    (old,) = rows(engine, "SELECT id FROM card")
    write_deck("ids", "Q: A question {#named}\nA: a\n")
    report = import_paths(engine, [path], LATER)
    assert counts(report) == [{"added": 0, "updated": 1, "unchanged": 0, "retired": 0}]
    assert rows(engine, "SELECT id, key, stable_id FROM card") == [
        {"id": old["id"], "key": "id:named", "stable_id": "named"}]


def test_moving_a_card_to_another_topic_keeps_its_id(engine, write_deck):
    path = write_deck("t", "# One\n\nQ: Which port does HTTPS use?\nA: 443\n\n# Two\n\nQ: other\nA: x\n")
    import_paths(engine, [path], NOW)
    old_id = cards(engine)["Which port does HTTPS use?"]["id"]
    write_deck("t", "# One\n\nQ: other\nA: x\n\n# Two\n\nQ: Which port does HTTPS use?\nA: 443\n")
    report = import_paths(engine, [path], LATER)
    assert counts(report) == [{"added": 0, "updated": 2, "unchanged": 0, "retired": 0}]
    moved = cards(engine)["Which port does HTTPS use?"]
    assert (moved["id"], moved["topic"]) == (old_id, "Two")


def test_different_stable_id_is_a_different_card(engine, write_deck):
    path = write_deck("ids", "Q: Same words {#one}\nA: a\n")
    import_paths(engine, [path], NOW)
    write_deck("ids", "Q: Same words {#two}\nA: a\n")
    report = import_paths(engine, [path], LATER)
    assert counts(report) == [{"added": 1, "updated": 0, "unchanged": 0, "retired": 1}]
    assert [(c["stable_id"], c["retired"]) for c in rows(engine, "SELECT * FROM card ORDER BY id")] == [
        ("one", 1), ("two", 0)]


def test_completely_different_prompt_is_a_new_card_and_the_old_one_retired(engine, write_deck):
    path = write_deck("rds", DECK)
    import_paths(engine, [path], NOW)
    old_id = cards(engine)["How long can RDS keep automated backups?"]["id"]
    add_history(engine, old_id)
    write_deck("rds", DECK.replace("Q: How long can RDS keep automated backups?",
                                   "Q: Which storage type does Aurora use for its cluster volume?"))
    report = import_paths(engine, [path], LATER)
    assert counts(report) == [{"added": 1, "updated": 0, "unchanged": DECK_CARDS - 1, "retired": 1}]
    new = cards(engine)
    assert new["How long can RDS keep automated backups?"]["retired"] == 1
    fresh = new["Which storage type does Aurora use for its cluster volume?"]
    assert fresh["id"] != old_id and fresh["retired"] == 0
    assert history(engine, old_id) == LEARNED
    assert history(engine, fresh["id"]) == ([{"state": 0, "reps": 0, "lapses": 0, "stability": None}], [])


def test_removed_card_is_retired_with_history_and_returns_with_same_id(engine, write_deck):
    path = write_deck("rds", DECK)
    import_paths(engine, [path], NOW)
    old_id = cards(engine)["What is the maximum retention, in days?"]["id"]
    add_history(engine, old_id)

    write_deck("rds", DECK.replace("Q: What is the maximum retention, in days?\nA: = 35\n", ""))
    report = import_paths(engine, [path], LATER)
    assert counts(report) == [{"added": 0, "updated": 0, "unchanged": DECK_CARDS - 1, "retired": 1}]
    gone = cards(engine)["What is the maximum retention, in days?"]
    assert (gone["id"], gone["retired"]) == (old_id, 1)
    assert history(engine, old_id) == LEARNED
    assert rows(engine, "SELECT count(*) AS n FROM card WHERE NOT retired") == [{"n": DECK_CARDS - 1}]

    # Re-importing the shorter deck again retires nothing more.
    report = import_paths(engine, [path], LATER, force=True)
    assert counts(report) == [{"added": 0, "updated": 0, "unchanged": DECK_CARDS - 1, "retired": 0}]

    write_deck("rds", DECK)
    report = import_paths(engine, [path], LATER + timedelta(days=1))
    assert counts(report) == [{"added": 0, "updated": 1, "unchanged": DECK_CARDS - 1, "retired": 0}]
    back = cards(engine)["What is the maximum retention, in days?"]
    assert (back["id"], back["retired"]) == (old_id, 0)
    assert history(engine, old_id) == LEARNED
    assert rows(engine, "SELECT count(*) AS n FROM card") == [{"n": DECK_CARDS}]


# -- the write lock: one short transaction ----------------------------------------------------


def numbered_deck(count: int, edit: bool = False) -> str:
    """`count` cards. Edited: every answer changed, one prompt in ten reworded (its key
    changes; it is matched by similarity), the last tenth gone and as many new cards."""
    cards = []
    for n in range(count):
        if edit and n >= count * 0.9:
            cards.append(f"Q: A brand new question number {n}?\nA: New {n}")
            continue
        region = "this" if edit and n % 10 == 3 else "the"
        answer = f"It does thing {n}" + (", now documented." if edit else ".")
        cards.append(f"Q: What does the service number {n} do in {region} region?\nA: {answer}")
    return "# Numbered\n\n" + "\n\n".join(cards) + "\n"


@pytest.mark.sqlite_only  # watches SQLite's BEGIN IMMEDIATE
def test_the_write_lock_is_held_for_as_many_statements_whatever_the_number_of_cards(
        engine, write_deck):
    """The matching happens before the lock; under it, the cards are written in bulk, so
    an answer given meanwhile in the app waits for a few statements, not one per card."""
    held = []
    for count in (40, 400):
        path = write_deck(f"deck{count}", numbered_deck(count))
        import_paths(engine, [path], NOW)
        write_deck(f"deck{count}", numbered_deck(count, edit=True))
        watch = WriteWatch(engine)
        report = import_paths(engine, [path], LATER)
        watch.close()
        tenth = count // 10
        assert counts(report) == [{"added": tenth, "updated": count - tenth, "unchanged": 0,
                                   "retired": tenth}]
        (write,) = watch.transactions  # all or nothing: one write transaction
        assert write.committed and write.changed("card") >= count + tenth
        held.append(len(write.statements))
        stored = {c["prompt"]: c for c in rows(engine, "SELECT * FROM card WHERE deck_id = "
                                               "(SELECT max(id) FROM deck) AND NOT retired")}
        assert len(stored) == count
        assert stored["What does the service number 3 do in this region?"]["answer"] == \
            "It does thing 3, now documented."
    assert held[0] == held[1], held


@pytest.mark.slow  # seconds of waiting: in the full suite, not the quick loop
def test_an_import_killed_while_it_writes_leaves_the_collection_as_it_was(tmp_path: Path):
    """The real command, killed (SIGKILL) inside its write transaction, right after it
    changed its first card rows: reopened, the collection is the one from before."""
    home = tmp_path / "home"
    deck = tmp_path / "numbered.md"
    deck.write_text(numbered_deck(300), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYAWS")}
    env["STUDYAWS_HOME"] = str(home)
    first = subprocess.run([*studyaws_command(), "import", str(deck)], env=env,
                           capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    db = home / "studyaws.sqlite3"
    engine = open_engine(db)
    add_history(engine, 5)
    before = dump(engine)
    engine.dispose()

    deck.write_text(numbered_deck(300, edit=True), encoding="utf-8")
    killed = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "interrupted.py"),
         json.dumps({"kill_after_written": "card"}), "import", str(deck)],
        env=env, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    engine = open_engine(db)
    try:
        assert dump(engine) == before
    finally:
        engine.dispose()


# -- nothing written: dry runs and errors -------------------------------------------------


def test_dry_run_writes_nothing(engine, write_deck):
    path = write_deck("rds", DECK)
    before = dump(engine)
    report = import_paths(engine, [path], NOW, dry_run=True)
    assert counts(report) == [{"added": DECK_CARDS, "updated": 0, "unchanged": 0, "retired": 0}]
    assert report.dry_run is True
    assert report.to_json()["dry_run"] is True
    assert dump(engine) == before
    assert dump(engine)["card"] == []


def test_dry_run_of_an_edit_reports_it_and_keeps_the_old_rows(engine, write_deck):
    path = write_deck("rds", DECK)
    import_paths(engine, [path], NOW)
    before = dump(engine)
    write_deck("rds", DECK.replace("Q: What is the maximum retention, in days?\nA: = 35\n", ""))
    report = import_paths(engine, [path], LATER, dry_run=True)
    assert counts(report) == [{"added": 0, "updated": 0, "unchanged": DECK_CARDS - 1, "retired": 1}]
    assert dump(engine) == before


def test_an_error_in_one_of_two_files_writes_nothing(engine, write_deck, tmp_path: Path):
    good = write_deck("good", DECK)
    import_paths(engine, [good], NOW)
    add_history(engine, 1)
    before = dump(engine)
    assert len(before["card"]) == DECK_CARDS

    write_deck("good", DECK.replace("Q: What is the maximum retention, in days?\nA: = 35\n",
                                    "Q: A brand new question?\nA: yes\n"))
    bad = write_deck("bad", "# Bad\n\nQ: fine\nA: yes\n\nQ: never answered\n")
    with pytest.raises(DeckError) as info:
        import_paths(engine, [tmp_path / "decks"], LATER)
    assert [str(p) for p in info.value.problems] == [f"{bad}:6: 'Q:' without an 'A:'"]
    assert dump(engine) == before


def test_an_error_and_a_missing_path_are_reported_together(engine, write_deck, tmp_path: Path):
    bad = write_deck("bad", "C: no deletion\n")
    missing = tmp_path / "missing.md"
    with pytest.raises(DeckError) as info:
        import_paths(engine, [bad, missing], NOW)
    assert sorted(str(p) for p in info.value.problems) == sorted([
        f"{bad}:1: cloze 'C:' has no {{{{...}}}} deletion", f"{missing}: no such file or folder"])
    assert dump(engine)["deck"] == []


def test_unreadable_file_in_an_import_writes_nothing(engine, write_deck, tmp_path: Path):
    write_deck("good", "Q: a\nA: b\n")
    latin = tmp_path / "decks" / "latin.md"
    latin.write_bytes("Q: caf\u00e9\nA: b\n".encode("latin-1"))
    with pytest.raises(DeckError) as info:
        import_paths(engine, [tmp_path / "decks"], NOW)
    assert [str(p) for p in info.value.problems] == [f"{latin}:1: not UTF-8 text"]
    assert dump(engine)["card"] == []


def test_naive_now_is_refused(engine, write_deck):
    path = write_deck("a", "Q: a\nA: b\n")
    with pytest.raises(Exception, match="naive datetime"):
        import_paths(engine, [path], datetime(2025, 3, 1, 12))
    assert dump(engine)["card"] == []


# -- report ------------------------------------------------------------------------------


def test_report_json_keys_per_deck_and_total(engine, write_deck, tmp_path: Path):
    write_deck("a", "# Alpha\n\nQ: a\nA: b\n")
    write_deck("b", "Q: c\nA: d\n\nx ::: y\n")
    data = import_paths(engine, [tmp_path / "decks"], NOW).to_json()
    assert set(data) == {"decks", "total", "dry_run", "skipped", "no_cards"}
    assert set(data["total"]) == set(COUNTS) == {"added", "updated", "unchanged", "retired"}
    assert [set(d) for d in data["decks"]] == [{"title", "path", "format", *COUNTS,
                                               "domains_inferred", "no_domain"}] * 2
    assert [d["format"] for d in data["decks"]] == ["markdown", "markdown"]
    assert data["skipped"] == []
    assert [(d["title"], d["added"]) for d in data["decks"]] == [("Alpha", 1), ("b", 3)]
    assert data["total"] == {"added": 4, "updated": 0, "unchanged": 0, "retired": 0}
    assert data["dry_run"] is False
    json.dumps(data)


def test_deck_key_is_the_absolute_path_outside_the_bundled_folder(write_deck):
    path = write_deck("a", "Q: a\nA: b\n")
    assert deck_key(path) == str(path.resolve())


def test_decks_in_two_files_keep_their_cards_apart(engine, write_deck, tmp_path: Path):
    write_deck("a", "Q: same prompt\nA: in a\n")
    write_deck("b", "Q: same prompt\nA: in b\n")
    report = import_paths(engine, [tmp_path / "decks"], NOW)
    assert counts(report) == [{"added": 1, "updated": 0, "unchanged": 0, "retired": 0}] * 2
    stored = rows(engine, "SELECT deck_id, answer FROM card ORDER BY deck_id")
    assert [(c["deck_id"], c["answer"]) for c in stored] == [(1, "in a"), (2, "in b")]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("aB \t\n\r\x0b\x0c\x1c\x1f\u00a0\u2003\u3000É:x")))
def test_identity_normalizing_is_unchanged(text):
    """Stored keys depend on it: it must stay what it was, a regex over white space."""
    assert normalize(text) == re.sub(r"\s+", " ", text).strip().lower()


def test_a_payload_written_once_for_a_deck_is_given_only_to_equal_payloads():
    """The rows of a deck write each small payload once (importer._payload_text); a payload
    equal as Python keys but not as JSON (True and 1.0 are keys equal to 1) or holding a
    list is written for itself, keys sorted as json.dumps sorts them."""
    from studyaws.services.importer import _payload_text

    seen: dict = {}
    payloads = [{"group": 1}, {"group": True}, {"group": 1.0}, {"group": 1}, {"group": "1"},
                {"direction": "forward", "a": 2}, {"a": 2, "direction": "forward"},
                {"options": ["x", "y"], "correct": [0]}, {}]
    assert [_payload_text(p, seen) for p in payloads] == [
        json.dumps(p, sort_keys=True) if p else "{}" for p in payloads]
    assert [_payload_text(p, seen) for p in payloads[:3]] == [
        '{"group": 1}', '{"group": true}', '{"group": 1.0}']
