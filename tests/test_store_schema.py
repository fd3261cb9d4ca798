"""Schema versions: a new collection, an upgrade from the first released schema, and a
database from a newer version."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support import cards_as_schema_4

from studyaws.core.clock import FakeClock
from studyaws.services.importer import import_paths
from studyaws.services.review import ReviewService
from studyaws.store.engine import SCHEMA_VERSION, StoreError, open_engine

FIXTURE = Path(__file__).parent / "fixtures" / "schema1.sqlite3"
# A schema 4 collection (tests/fixtures/make_schema4.py) of the deck schema4-deck.md: section
# notes and cloze texts copied into each card, keys holding texts of over 1,000 characters,
# a retired card, six answers.
SCHEMA4 = Path(__file__).parent / "fixtures" / "schema4.sqlite3"
SCHEMA4_DECK = Path(__file__).parent / "fixtures" / "schema4-deck.md"
NOW = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("select name from sqlite_master where type='table'")}


def test_new_collection_has_the_current_schema(tmp_path):
    engine = open_engine(tmp_path / "c.sqlite3")
    engine.dispose()
    with sqlite3.connect(tmp_path / "c.sqlite3") as conn:
        assert conn.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert {"deck", "card", "card_state", "review_log", "setting", "exam",
            "exam_question"} <= _tables(tmp_path / "c.sqlite3")


def test_upgrade_from_schema_1_keeps_everything_and_writes_a_backup(tmp_path):
    db = tmp_path / "studyaws.sqlite3"
    shutil.copy(FIXTURE, db)
    with sqlite3.connect(db) as conn:
        before = {t: conn.execute(f"select * from {t} order by 1").fetchall()
                  for t in ("deck", "card_state", "review_log", "setting")}
        # The columns schema 1 had (schema 8 adds the deck's folder and removal).
        names = {t: ", ".join(row[1] for row in conn.execute(f"pragma table_info({t})"))
                 for t in before}
        card_columns = [row[1] for row in conn.execute("pragma table_info(card)")]
        cards = conn.execute("select * from card order by 1").fetchall()
    engine = open_engine(db)
    engine.dispose()
    backup = tmp_path / "studyaws.sqlite3.schema1.bak"
    assert backup.exists()
    with sqlite3.connect(backup) as conn:
        assert conn.execute("pragma user_version").fetchone()[0] == 1
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION
        for table, rows in before.items():
            assert conn.execute(f"select {names[table]} from {table} order by 1"
                                ).fetchall() == rows
        assert len(before["review_log"]) == 3
    assert cards_as_schema_4(db, card_columns) == cards
    assert {"exam", "shared_text"} <= _tables(db)


def test_database_from_a_newer_version_is_refused_and_untouched(tmp_path):
    db = tmp_path / "studyaws.sqlite3"
    shutil.copy(FIXTURE, db)
    with sqlite3.connect(db) as conn:
        conn.execute(f"pragma user_version = {SCHEMA_VERSION + 5}")
    data = db.read_bytes()
    with pytest.raises(StoreError, match="newer studyaws"):
        open_engine(db)
    assert db.read_bytes() == data


def test_upgrade_from_schema_3_indexes_seen_cards_and_keeps_the_data(tmp_path):
    db = tmp_path / "studyaws.sqlite3"
    shutil.copy(FIXTURE, db)
    open_engine(db).dispose()
    seen_indexes = {"ix_card_state_seen_stability", "ix_card_state_seen_review"}
    with sqlite3.connect(db) as conn:  # back to what schema 3 had
        for name in seen_indexes:
            conn.execute(f"drop index {name}")
        conn.execute("pragma user_version = 3")
        before = conn.execute("select * from card_state order by 1").fetchall()
    open_engine(db).dispose()
    assert (tmp_path / "studyaws.sqlite3.schema3.bak").exists()
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION
        indexes = dict(conn.execute("select name, sql from sqlite_master where type = 'index'"))
        assert conn.execute("select * from card_state order by 1").fetchall() == before
        plan = conn.execute("explain query plan select min(last_review) from card_state"
                            " where state != 0").fetchall()
    assert seen_indexes <= set(indexes)
    assert all("WHERE state != 0" in indexes[name] for name in seen_indexes)
    assert "ix_card_state_seen_review" in str(plan)


def _schema4_collection(tmp_path: Path) -> tuple[Path, Path]:
    """The schema 4 fixture as a collection whose deck is the deck file beside it."""
    deck = tmp_path / "schema4-deck.md"
    shutil.copy(SCHEMA4_DECK, deck)
    db = tmp_path / "home" / "studyaws.sqlite3"
    db.parent.mkdir()
    shutil.copy(SCHEMA4, db)
    with sqlite3.connect(db) as conn:
        conn.execute("update deck set key = ?, path = ?", (str(deck.resolve()), str(deck)))
    return db, deck


def test_upgrade_from_schema_7_indexes_what_a_search_sorts_by(tmp_path):
    db = tmp_path / "studyaws.sqlite3"
    shutil.copy(FIXTURE, db)
    open_engine(db).dispose()
    search_indexes = {"ix_card_state_due", "ix_deck_title", "ix_card_deck_position"}
    with sqlite3.connect(db) as conn:  # back to what schema 7 had
        for name in search_indexes:
            conn.execute(f"drop index {name}")
        conn.execute("pragma user_version = 7")
        before = {t: conn.execute(f"select * from {t} order by 1").fetchall()
                  for t in ("card", "card_state", "deck")}
    open_engine(db).dispose()
    assert (tmp_path / "studyaws.sqlite3.schema7.bak").exists()
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION
        indexes = {r[0] for r in conn.execute("select name from sqlite_master "
                                              "where type = 'index'")}
        assert {t: conn.execute(f"select * from {t} order by 1").fetchall()
                for t in before} == before
        plan = conn.execute("explain query plan select card_id from card_state "
                            "order by due limit 10").fetchall()
    assert search_indexes <= indexes
    assert "ix_card_state_due" in str(plan) and "TEMP B-TREE" not in str(plan)


def _as_earlier_schema(db, version: int, *statements: str) -> dict[str, list[tuple]]:
    """The fixture at `db`, opened (so at today's schema), then taken back to what schema
    `version` had by `statements` and analyzed; its card, card_state and deck rows."""
    shutil.copy(FIXTURE, db)
    open_engine(db).dispose()
    with sqlite3.connect(db) as conn:
        for statement in statements:
            conn.execute(statement)
        conn.execute("analyze")
        conn.execute(f"pragma user_version = {version}")
        return {t: conn.execute(f"select * from {t} order by 1").fetchall()
                for t in ("card", "card_state", "deck")}


def test_upgrade_from_schema_12_indexes_the_day_counts_with_their_statistics(tmp_path):
    db = tmp_path / "studyaws.sqlite3"
    before = _as_earlier_schema(db, 12, "drop index ix_card_queue", "drop index ix_card_buried",
                                "create index ix_card_deck_id on card (deck_id)")
    open_engine(db).dispose()
    assert (tmp_path / "studyaws.sqlite3.schema12.bak").exists()
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION
        indexes = dict(conn.execute("select name, sql from sqlite_master "
                                    "where type = 'index'"))
        assert {t: conn.execute(f"select * from {t} order by 1").fetchall()
                for t in before} == before
        analyzed = {r[0] for r in conn.execute("select idx from sqlite_stat1")}
        plan = conn.execute("explain query plan select deck_id, count(*) from card "
                            "where retired is 0 group by deck_id").fetchall()
    assert "ix_card_deck_id" not in indexes
    assert "WHERE buried_until IS NOT NULL" in indexes["ix_card_buried"]
    # Statistics of the new index beside the others': without them SQLite would take it
    # for far more selective than it is.
    assert "ix_card_queue" in analyzed
    assert "COVERING INDEX ix_card_queue" in str(plan)


def test_upgrade_from_schema_13_gives_each_memory_its_deck_and_indexes_the_counts(tmp_path):
    db = tmp_path / "studyaws.sqlite3"
    before = _as_earlier_schema(db, 13, "drop index ix_card_state_queue", "drop index ix_card_out",
                                "alter table card_state drop column deck_id",
                                "create index ix_card_state_state_due on card_state (state, due)")
    open_engine(db).dispose()
    assert (tmp_path / "studyaws.sqlite3.schema13.bak").exists()
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION
        indexes = dict(conn.execute("select name, sql from sqlite_master "
                                    "where type = 'index'"))
        assert {t: conn.execute(f"select * from {t} order by 1").fetchall()
                for t in ("card", "deck")} == {t: before[t] for t in ("card", "deck")}
        states = conn.execute("select card_id, state, step, stability, difficulty, due, "
                              "last_review, reps, lapses from card_state order by 1").fetchall()
        decks = conn.execute("select s.deck_id, c.deck_id from card_state s "
                             "join card c on c.id = s.card_id").fetchall()
        analyzed = {r[0] for r in conn.execute("select idx from sqlite_stat1")}
        plan = conn.execute("explain query plan select card_id from card_state where state = 2 "
                            "and due < '9999' order by due, card_id limit 1").fetchall()
    assert states == before["card_state"]
    assert decks and all(mine == card for mine, card in decks)
    assert "ix_card_state_state_due" not in indexes
    assert "(state, due, card_id, deck_id)" in indexes["ix_card_state_queue"].replace('"', "")
    assert "WHERE retired OR suspended OR buried_until IS NOT NULL" in indexes["ix_card_out"]
    assert {"ix_card_state_queue", "ix_card_out"} <= analyzed
    assert "ix_card_state_queue" in str(plan) and "TEMP B-TREE" not in str(plan)


def test_upgrade_from_schema_4_stores_shared_text_once_and_shows_the_same_cards(tmp_path):
    db, deck = _schema4_collection(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        old_cards = [dict(r) for r in conn.execute("select * from card order by id")]
        history = {t: [tuple(r) for r in conn.execute(f"select * from {t} order by 1")]
                   for t in ("card_state", "review_log")}
        state_columns = [row[1] for row in conn.execute("pragma table_info(card_state)")]
        card_columns = [row[1] for row in conn.execute("pragma table_info(card)")]
    assert len(old_cards) == 19 and len(history["review_log"]) == 6

    engine = open_engine(db)
    try:
        service = ReviewService(engine, FakeClock(NOW))
        views = {c["id"]: service.card(c["id"]) for c in old_cards}
        shown = cards_as_schema_4(db, [c for c in card_columns if c != "key"])
        report = import_paths(engine, [deck], NOW, force=True)
    finally:
        engine.dispose()

    assert (tmp_path / "home" / "studyaws.sqlite3.schema4.bak").exists()
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION == 14
        columns = {row[1] for row in conn.execute("pragma table_info(card)")}
        shared = [r[0] for r in conn.execute("select text from shared_text order by id")]
        cards = conn.execute("select kind, key, prompt, answer, payload from card").fetchall()
        for table, rows in history.items():  # the columns of schema 4 (14 adds a deck)
            listed = ", ".join(state_columns) if table == "card_state" else "*"
            assert conn.execute(f"select {listed} from {table} order by 1").fetchall() == rows
        assert conn.execute("select count(*) from card_state s join card c on c.id = s.card_id "
                            "where s.deck_id = c.deck_id").fetchone()[0] == len(old_cards)
        assert conn.execute("pragma foreign_key_check").fetchall() == []
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert "context" not in columns and {"context_id", "cloze_text_id"} <= columns
    # Each text once: the notes (two sections have the same), four cloze texts.
    expected = {c["context"] for c in old_cards if c["context"]} | {
        json.loads(c["payload"])["text"] for c in old_cards if c["kind"] == "cloze"}
    assert sorted(shared) == sorted(expected) and len(shared) == 5
    for kind, key, prompt, answer, payload in cards:
        assert len(key) < 300
        if kind == "cloze":
            assert (prompt, answer) == ("", "") and "text" not in json.loads(payload)
    # Every card shows what it showed, and the keys of the long texts were shortened as a
    # new import writes them: importing the deck again finds every card unchanged.
    for old in old_cards:
        view = views[old["id"]]
        assert (view.answer, view.context) == (old["answer"], old["context"])
        if old["kind"] != "choice":
            assert view.prompt == old["prompt"]
    assert shown == [tuple(c[name] for name in card_columns if name != "key")
                     for c in old_cards]
    assert report.total() == {"added": 0, "updated": 0, "unchanged": 18, "retired": 0}


def test_upgrade_from_schema_4_gives_back_the_space_of_the_copies(tmp_path):
    db, _ = _schema4_collection(tmp_path)
    notes = "Load balancers spread traffic across zones. " * 2_000  # 90 KB in each card
    with sqlite3.connect(db) as conn:
        conn.execute("update card set context = ?", (notes,))
    before = db.stat().st_size
    assert before > 19 * 90_000
    open_engine(db).dispose()
    # One copy is left, and schema 11's full-text index of it (about a third of its size).
    assert db.stat().st_size < before / 4
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*), max(length(text)) from shared_text "
                            "where text = ?", (notes,)).fetchone() == (1, len(notes))
        assert conn.execute("select count(distinct context_id) from card").fetchone()[0] == 1


def _as_schema_5(db: Path) -> None:
    """Turn a collection back into schema 5: one `domain` column for every exam."""
    with sqlite3.connect(db) as conn:
        conn.execute("drop index ix_card_pool")
        conn.execute("drop index ix_card_pool_clf")
        conn.execute("alter table card add column domain varchar")
        conn.execute("update card set domain = coalesce(saa_domain, clf_domain)")
        for column in ("saa_domain", "clf_domain", "domain_inferred"):
            conn.execute(f"alter table card drop column {column}")
        conn.execute("create index ix_card_pool on card (kind, retired, suspended, domain, "
                     "deck_id)")
        conn.execute("create index ix_card_domain on card (domain)")
        conn.execute("pragma user_version = 5")


def test_upgrade_from_schema_5_files_each_domain_under_its_exam(tmp_path):
    deck = tmp_path / "mixed.md"
    deck.write_text(
        "# Mixed\n\n## Q1 {#q1}\n\n- [x] a\n- [ ] b\n\n> Why.\n> domain: resilient\n\n"
        "## Q2 {#q2}\n\n- [x] a\n- [ ] b\n\n> Why.\n> domain: billing-support\n\n"
        "## Q3 {#q3}\n\n- [x] a\n- [ ] b\n\n> Why.\n", encoding="utf-8")
    db = tmp_path / "home" / "studyaws.sqlite3"
    db.parent.mkdir()
    engine = open_engine(db)
    import_paths(engine, [deck], NOW)
    engine.dispose()
    _as_schema_5(db)
    with sqlite3.connect(db) as conn:
        before = conn.execute("select id, domain from card order by id").fetchall()
    assert [d for _, d in before] == ["resilient", "billing-support", None]

    open_engine(db).dispose()
    assert (db.parent / "studyaws.sqlite3.schema5.bak").exists()
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION
        after = conn.execute(
            "select id, saa_domain, clf_domain, domain_inferred from card order by id").fetchall()
        columns = {row[1] for row in conn.execute("pragma table_info(card)")}
        indexes = {row[1] for row in conn.execute("pragma index_list(card)")}
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert "domain" not in columns
    assert {"ix_card_pool", "ix_card_pool_clf"} <= indexes
    assert after == [(before[0][0], "resilient", None, 0),
                     (before[1][0], None, "billing-support", 0),
                     (before[2][0], None, None, 0)]
