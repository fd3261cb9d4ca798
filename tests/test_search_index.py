"""The full-text index of the cards' text (store.text_index): a search's words and phrases
find exactly the cards LIKE found before, on the bundled decks and on cards written to trip
it up; the index follows imports, edits and removals; schema 10 collections get it; and every
sort's quick walk gives the same pages as reading every match and sorting."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from support import make_collection
from terminal import studyaws_command

from studyaws.core.config import bundled_decks_dir
from studyaws.core.search import SORTS, parse
from studyaws.services import browse
from studyaws.services.decks import purge_removed, remove_deck
from studyaws.services.importer import import_paths
from studyaws.store import search_queries as queries
from studyaws.store import text_index
from studyaws.store.engine import SCHEMA_VERSION, open_engine
from studyaws.store.tables import Card, to_db

TRICKY = """\
# Tricky text

Q: Which CIDR is open to the world? {#world}
A: 0.0.0.0/0 (and ::/0 for IPv6)

Q: The action to read an object? {#get}
A: s3:GetObject on arn:aws:s3:::bucket/*

Q: What does 100% durability mean here, with_underscores? {#pct}
A: Eleven 9s: 99.999999999% of S3 objects

Q: Café in the ÉTÉ with a "quoted" word {#accents}
A: Ünïcödé letters, and the Kelvin sign \u212aelvin

Q: Short words: S3, EC2, an IAM role {#short}
A: a b c

C: The {{c1::Transit Gateway}} joins many {{c2::VPCs}} and on-premises networks {#cloze}
"""

# Words and phrases of every shape: short (fewer than three characters: LIKE alone), with
# wildcards, punctuation, LIKE's own wildcards, quotes, non-ASCII letters in any case, text
# only a cloze holds, and combined with other terms.
QUERIES = [
    "S3", "s3", "s3:GetObject", "s3:getobject", '"0.0.0.0/0"', "0.0.0.0/0", "::/0", "/0",
    "100%", "with_underscores", "with?underscores", "99.999", '"quoted"', '"\\"quoted\\""',
    "café", "CAFÉ", "été", "ÉTÉ", "ünïcödé", "kelvin", "\u212aelvin", "gateway",
    '"transit gateway"', '"Transit Gateway joins"', "trans*way", "*way", "ga*", "g*y*s",
    "vpc", "VPCs", "on-premises", "bucket/*", '"NAT gateway"', "replica", "read replica",
    '"read replica"', "snapshot", '"security group"', "kms", "lambda -kind:cloze",
    "gateway or bucket", "-gateway", "-(s3 or ec2)", "subnet is:new", "a", "ab", "abc",
    "nothing-matches-this", "IAM", "policy", '"least privilege"', "x*", "***", "route*table",
]


@pytest.fixture(scope="module")
def collection(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("index")
    engine, clock, deck = make_collection(tmp, TRICKY)
    import_paths(engine, [bundled_decks_dir()], clock.now())
    # A year of varied memory: intervals, difficulties, lapses of every size, new cards too.
    rng = random.Random(18)
    ids = [card_id for (card_id,) in engine.connect().exec_driver_sql("SELECT id FROM card")]
    now = clock.now()
    rows = []
    for card_id in ids:
        if rng.random() < 0.2:
            continue
        last = now - timedelta(days=rng.uniform(0, 200), hours=rng.uniform(0, 23))
        due = last + timedelta(days=rng.choice([0.3, 1, 2, 3, 7, 30, rng.uniform(0, 300)]))
        rows.append((2, rng.uniform(0.5, 100), rng.uniform(1, 10), to_db(due), to_db(last),
                     rng.randint(1, 30), rng.randint(0, 5), card_id))
    with sqlite3.connect(tmp / "home" / "studyaws.sqlite3") as conn:
        conn.executemany("UPDATE card_state SET state = ?, stability = ?, difficulty = ?, "
                         "due = ?, last_review = ?, reps = ?, lapses = ? WHERE card_id = ?",
                         rows)
        conn.execute("UPDATE card SET flag = 1 WHERE id % 17 = 0")
    return engine, clock, deck


def matched(engine, clock, query: str, indexed: bool) -> set[int]:
    """The ids a search finds, its words and phrases through the index or with LIKE only."""
    node = parse(query)
    ctx, _ = browse._context(engine, clock)
    texts = frozenset(queries._texts(node)) if indexed else frozenset()
    statement = queries._from(select(Card.id), node).where(
        queries.condition(node, ctx, texts), queries._not_removed())
    with engine.connect() as conn:
        return set(conn.execute(statement).scalars())


def test_the_collection_is_big_enough_to_tell(collection):
    engine, _, _ = collection
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM card").scalar() > 1000


@pytest.mark.parametrize("query", QUERIES)
def test_words_and_phrases_find_what_like_finds(collection, query, monkeypatch):
    engine, clock, _ = collection
    like = matched(engine, clock, query, indexed=False)
    assert matched(engine, clock, query, indexed=True) == like
    # Counted through the index wherever it would narrow the search down at all.
    monkeypatch.setattr(queries, "SELECTIVE", 1.0)
    node = parse(query)
    ctx, _ = browse._context(engine, clock)
    assert queries.search_count(engine, node, ctx, text_index=True) == len(like)
    assert queries.search_count(engine, node, ctx, text_index=False) == len(like)


def test_the_corpus_finds_cards_where_it_should(collection):
    """The comparisons above are not all between two empty sets."""
    engine, clock, _ = collection
    found = {query: len(matched(engine, clock, query, indexed=True)) for query in QUERIES}
    for query in ("s3:GetObject", '"0.0.0.0/0"', "100%", "with_underscores", "café", "ÉTÉ",
                  '"transit gateway"', "trans*way", '"read replica"', "kelvin", "::/0"):
        assert found[query] > 0, query
    assert found["with?underscores"] == 0  # `_` is no wildcard
    assert found["CAFÉ"] == 0  # LIKE folds ASCII letters only: so does the search
    assert found["kelvin"] == 1 and found["\u212aelvin"] == 1  # the one card that has both
    assert found["nothing-matches-this"] == 0


def test_the_index_is_used_for_a_rare_word_and_not_for_a_common_one(collection):
    engine, _, _ = collection
    with engine.connect() as conn:
        from sqlmodel import Session

        with Session(bind=conn) as session:
            assert queries._selective(session, parse('"0.0.0.0/0"')) == {
                parse('"0.0.0.0/0"')}
            assert queries._selective(session, parse("the")) == frozenset()
            assert queries._selective(session, parse("S3")) == frozenset()  # too short


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("query", ["", "gateway", '"0.0.0.0/0"', "-is:new", "prop:ivl>=30",
                                   "prop:ivl<7", "prop:lapses>2 or flag:1", "is:new", "s3",
                                   "-(prop:ivl>10)"])
def test_every_sort_walks_to_the_pages_sorting_gives(collection, query, sort, monkeypatch):
    """The walk in index order (and, by interval, its refinement) against reading every match
    and sorting (the walk given no time), both directions, first and later pages."""
    engine, clock, _ = collection
    node = parse(query)
    ctx, _ = browse._context(engine, clock)
    pages = {}
    for budget in (60.0, 0.0):
        monkeypatch.setattr(queries, "WALK_BUDGET_S", budget)
        monkeypatch.setattr(queries, "_CHECK_EVERY", 1000 if budget else 1)
        pages[budget] = [[r.id for r in queries.search_page(engine, node, ctx, sort, desc,
                                                            offset, limit)]
                         for desc in (False, True) for offset, limit in ((0, 50), (37, 80))]
    assert pages[60.0] == pages[0.0]
    assert any(pages[0.0])


def test_an_interval_sort_orders_by_study_days_then_id(collection):
    engine, clock, _ = collection
    page = browse.search_cards(engine, clock, "-is:new", "interval", False, 0, 5000).rows
    keys = [(r.interval, r.id) for r in page]
    assert keys == sorted(keys) and len({r.interval for r in page}) > 10


def _index_ids(engine, table: str, words: str) -> set[int]:
    """The rows the index `table` gives for a text (as a search looks it up)."""
    with engine.connect() as conn:
        return set(conn.exec_driver_sql(
            f"SELECT rowid FROM {table} WHERE {table} MATCH ?",
            (text_index.match_query(words, False),)).scalars())


def test_import_edit_and_removal_keep_the_index_in_step(tmp_path):
    engine, clock, deck = make_collection(tmp_path, TRICKY)
    world = matched(engine, clock, '"0.0.0.0/0"', indexed=True)
    assert len(world) == 1
    assert _index_ids(engine, "card_text", "0.0.0.0/0") == world
    # Edited at the source: the old text is gone from the index, the new one there.
    text = deck.read_text(encoding="utf-8")
    text = text.replace("0.0.0.0/0 (and", "10.0.0.0/8 (and").replace(
        "Transit Gateway", "Direct Connect gateway")
    deck.write_text(text + "\nQ: A new card about quasars {#new}\nA: far away\n",
                    encoding="utf-8")
    clock.advance(timedelta(minutes=5))
    import_paths(engine, [deck], clock.now())
    assert _index_ids(engine, "card_text", "0.0.0.0/0") == set()
    assert _index_ids(engine, "card_text", "10.0.0.0/8") == world
    assert matched(engine, clock, "quasars", indexed=True) == matched(
        engine, clock, "quasars", indexed=False) != set()
    for query in ('"transit gateway"', '"direct connect gateway"', "gateway", "quasars"):
        assert matched(engine, clock, query, indexed=True) == matched(
            engine, clock, query, indexed=False), query
    assert matched(engine, clock, '"direct connect gateway"', indexed=True)
    assert _index_ids(engine, "shared_text_index", "transit gateway") == set()
    # Removed, then purged: nothing of the deck is left in the index.
    with engine.connect() as conn:
        deck_id = conn.exec_driver_sql("SELECT id FROM deck").scalar()
    remove_deck(engine, clock, deck_id)
    assert matched(engine, clock, "quasars", indexed=True) == set()
    clock.advance(timedelta(days=60))
    purge_removed(engine, clock)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM card").scalar() == 0
        assert conn.exec_driver_sql("SELECT count(*) FROM shared_text").scalar() == 0
    assert _index_ids(engine, "card_text", "quasars") == set()
    assert _index_ids(engine, "shared_text_index", "direct connect") == set()
    with engine.connect() as conn:  # the index's own structure is sound
        conn.exec_driver_sql("INSERT INTO card_text (card_text) VALUES ('integrity-check')")
        conn.exec_driver_sql(
            "INSERT INTO shared_text_index (shared_text_index) VALUES ('integrity-check')")


def _as_schema_10(db) -> None:
    """Turn a collection back into schema 10: no text index, none of schema 11's indexes."""
    with sqlite3.connect(db) as conn:
        for name in ("card_text_insert", "card_text_delete", "card_text_update",
                     "shared_text_index_insert", "shared_text_index_delete",
                     "shared_text_index_update"):
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("DROP TABLE card_text")
        conn.execute("DROP TABLE shared_text_index")
        for name in ("ix_card_state_difficulty", "ix_card_state_lapses", "ix_card_state_reps",
                     "ix_card_state_interval", "ix_card_flag"):
            conn.execute(f"DROP INDEX {name}")
        conn.execute("pragma user_version = 10")


def test_upgrade_from_schema_10_indexes_the_text_already_stored(tmp_path):
    engine, clock, deck = make_collection(tmp_path, TRICKY)
    before = {q: matched(engine, clock, q, indexed=False) for q in QUERIES}
    engine.dispose()
    db = tmp_path / "home" / "studyaws.sqlite3"
    _as_schema_10(db)
    engine = open_engine(db)
    try:
        assert (tmp_path / "home" / "studyaws.sqlite3.schema10.bak").exists()
        with sqlite3.connect(db) as conn:
            assert conn.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION == 14
            indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert {"card_text", "shared_text_index", "card_text_update", "ix_card_state_interval",
                "ix_card_flag"} <= indexes
        assert _index_ids(engine, "card_text", "0.0.0.0/0") == before['"0.0.0.0/0"'] != set()
        assert _index_ids(engine, "shared_text_index", "transit gateway")
        for query, found in before.items():
            assert matched(engine, clock, query, indexed=True) == found, query
        # ... and kept in step from then on.
        deck.write_text(deck.read_text(encoding="utf-8").replace("0.0.0.0/0", "1.2.3.4/32"),
                        encoding="utf-8")
        clock.advance(timedelta(minutes=1))
        import_paths(engine, [deck], clock.now())
        assert _index_ids(engine, "card_text", "1.2.3.4/32") == before['"0.0.0.0/0"']
    finally:
        engine.dispose()


def test_a_new_collection_has_the_index(tmp_path):
    engine = open_engine(tmp_path / "studyaws.sqlite3")
    try:
        assert text_index.has_text_index(engine)
        assert _index_ids(engine, "card_text", "anything") == set()
    finally:
        engine.dispose()


def test_match_queries():
    assert text_index.match_query("s3:Get", True) == '"s3:" AND "3:G" AND ":Ge" AND "Get"'
    assert text_index.match_query('say "hi"', False) == (
        '"say" AND "ay " AND "y """ AND " ""h" AND """hi" AND "hi"""')
    assert text_index.match_query("trans*way", True) == '"tra" AND "ran" AND "ans" AND "way"'
    assert text_index.match_query("abab*bab", True) == '"aba" AND "bab"'
    assert text_index.match_query("ab*cd", True) is None
    assert text_index.match_query("a*b", False) == '"a*b"'
    assert text_index.match_query("S3", False) is None


_FULL_INDEX = {  # the index as collections made before kept it: places and sizes too
    "card_text": "prompt, answer, explanation, content='card', content_rowid='id', "
                 "tokenize='trigram case_sensitive 0'",
    "shared_text_index": "text, content='shared_text', content_rowid='id', "
                         "tokenize='trigram case_sensitive 0'",
}


def test_a_collection_with_the_full_index_of_before_finds_the_same(tmp_path):
    """A collection made before the index kept only which rows hold each run of three
    characters still has the full index: the same queries find the same cards there, and
    imports keep it in step."""
    engine, clock, deck = make_collection(tmp_path, TRICKY)
    with engine.begin() as conn:
        for table, options in _FULL_INDEX.items():
            conn.exec_driver_sql(f"DROP TABLE {table}")
            conn.exec_driver_sql(f"CREATE VIRTUAL TABLE {table} USING fts5({options})")
            conn.exec_driver_sql(f"INSERT INTO {table} ({table}) VALUES ('rebuild')")
    clock.advance(timedelta(minutes=1))
    import_paths(engine, [bundled_decks_dir()], clock.now())
    with engine.connect() as conn:
        assert "detail" not in conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'card_text'").scalar()
        assert conn.exec_driver_sql("SELECT count(*) FROM card_text_docsize").scalar() > 1000
    _index_matches_its_table(engine)
    for query in QUERIES:
        assert matched(engine, clock, query, indexed=True) == matched(
            engine, clock, query, indexed=False), query
    assert matched(engine, clock, '"transit gateway"', indexed=True)


def _triggers(engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all())


def _index_matches_its_table(engine) -> None:
    """FTS5's integrity check against the table it indexes: every row's text indexed,
    nothing else (what the triggers, row by row, would have written)."""
    with engine.connect() as conn:
        for index in ("card_text", "shared_text_index"):
            conn.exec_driver_sql(f"INSERT INTO {index} ({index}, rank) "
                                 "VALUES ('integrity-check', 1)")


def test_the_bundled_decks_imported_in_bulk_are_indexed_as_row_by_row(collection):
    engine, _, _ = collection
    _index_matches_its_table(engine)
    with engine.connect() as conn:
        prompts = conn.exec_driver_sql("SELECT id, prompt FROM card WHERE length(prompt) >= 3 "
                                       "ORDER BY id").all()
    assert len(prompts) > 1000
    for card_id, prompt in prompts[::97]:  # each found by its own text
        assert card_id in _index_ids(engine, "card_text", prompt[:40])


def test_an_import_into_a_collection_with_cards_indexes_only_and_all_the_new_ones(tmp_path):
    engine, clock, deck = make_collection(tmp_path, TRICKY)
    triggers = _triggers(engine)
    assert {"card_text_insert", "shared_text_index_insert"} <= set(triggers)
    other = tmp_path / "other.md"
    other.write_text("# Quasars\n\nNotes about quasars and pulsars.\n\n"
                     "Q: What powers a quasar?\nA: A supermassive black hole\n\n"
                     "C: A {{c1::pulsar}} is a spinning neutron star\n", encoding="utf-8")
    clock.advance(timedelta(minutes=1))
    import_paths(engine, [other], clock.now())
    assert _triggers(engine) == triggers  # made again as they were
    _index_matches_its_table(engine)
    for query in ("quasar", '"supermassive black hole"', "pulsar", "0.0.0.0/0", "gateway"):
        assert matched(engine, clock, query, indexed=True) == matched(
            engine, clock, query, indexed=False) != set(), query
    # The triggers index what is written after the import, as before.
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE card SET answer = 'a white dwarf, or magnetar' "
                             "WHERE answer = 'A supermassive black hole'")
    assert matched(engine, clock, "magnetar", indexed=True) == matched(
        engine, clock, "magnetar", indexed=False) != set()
    _index_matches_its_table(engine)


def test_an_import_that_fails_while_it_writes_leaves_the_index_and_its_triggers(
        tmp_path, monkeypatch):
    """A failure after the cards and texts are inserted (their index entries not yet
    written, the triggers dropped) rolls it all back: the triggers are there, the index as
    it was, and the next import indexes its cards."""
    from studyaws.services import importer

    engine, clock, deck = make_collection(tmp_path, TRICKY)
    triggers = _triggers(engine)
    with engine.connect() as conn:
        before = conn.exec_driver_sql("SELECT id, prompt FROM card ORDER BY id").all()
    other = tmp_path / "other.md"
    other.write_text("# Quasars\n\nNotes about quasars.\n\nQ: What powers a quasar?\n"
                     "A: A supermassive black hole\n", encoding="utf-8")

    def fail(session):
        raise OSError("the disk is full")

    monkeypatch.setattr(importer, "_next_import_generation", fail)
    with pytest.raises(OSError):
        import_paths(engine, [other], clock.now())
    monkeypatch.undo()
    assert _triggers(engine) == triggers
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT id, prompt FROM card ORDER BY id").all() == before
    _index_matches_its_table(engine)
    import_paths(engine, [other], clock.now())
    assert matched(engine, clock, "quasar", indexed=True) == matched(
        engine, clock, "quasar", indexed=False) != set()
    _index_matches_its_table(engine)


@pytest.mark.slow  # two real commands
@pytest.mark.parametrize("table", ["shared_text", "card"])
def test_an_import_killed_before_its_rows_are_indexed_leaves_the_collection_as_it_was(
        tmp_path, table):
    """The real command, killed (SIGKILL) right after it inserted its first shared texts or
    cards, the insert trigger dropped and their index entries not yet written: reopened,
    the collection, its index and its triggers are the ones from before."""
    engine, clock, _ = make_collection(tmp_path, TRICKY)
    triggers = _triggers(engine)
    with engine.connect() as conn:
        before = {name: conn.exec_driver_sql(f"SELECT * FROM {name} ORDER BY id").all()
                  for name in ("deck", "card", "shared_text")}
    engine.dispose()
    other = tmp_path / "other.md"
    other.write_text("# Quasars\n\nNotes about quasars.\n\nQ: What powers a quasar?\n"
                     "A: A supermassive black hole\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYAWS")}
    env["STUDYAWS_HOME"] = str(tmp_path / "home")
    killed = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "interrupted.py"),
         json.dumps({"kill_after_written": table}), "import", str(other)],
        env=env, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    engine = open_engine(tmp_path / "home" / "studyaws.sqlite3")
    try:
        assert _triggers(engine) == triggers
        with engine.connect() as conn:
            assert {name: conn.exec_driver_sql(f"SELECT * FROM {name} ORDER BY id").all()
                    for name in ("deck", "card", "shared_text")} == before
        _index_matches_its_table(engine)
        again = subprocess.run([*studyaws_command(), "import", str(other)], env=env,
                               capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
        _index_matches_its_table(engine)
        assert matched(engine, clock, "quasar", indexed=True) == matched(
            engine, clock, "quasar", indexed=False) != set()
    finally:
        engine.dispose()
