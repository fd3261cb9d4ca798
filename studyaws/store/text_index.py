"""The full-text index of the cards' text (SQLite FTS5, trigram tokenizer), which a card
search's words and phrases look in first, instead of reading every card's text.

Two external-content FTS5 tables index the text where it is stored, without a copy:
`card_text` the prompt, answer and explanation of each card (its rowid is the card's id),
`shared_text_index` each shared text (a cloze's text, a section's notes; rowid is its id).
Triggers keep them in step with every write to `card` and `shared_text` (import, edit,
removal, restore), whichever code makes it; an import's new rows are indexed in one
statement once they are in (`indexed_at_end`), in the same transaction.

The trigram tokenizer (case_sensitive 0) indexes every run of three characters, folded to
one case. A text of three characters or more is looked up as all of its runs of three
(`match_query`): every row holding the text holds each of them, so the rows found are a
superset of what a case-insensitive LIKE '%text%' finds (SQLite's LIKE folds ASCII letters
only; the index folds every letter). The search keeps its LIKE over the rows the index gives
(store.search_queries), so that what it finds is exactly what it found before.

Since the search asks only which rows hold each run of three, the index keeps no more than
that (`detail=none`: no columns or places in the text, and `columnsize=0`: no sizes, which
only ranking reads): about a fifth of the pages a full index takes, and so a quicker import.
Collections made before keep their full index until it is made again (`create_text_index`
after dropping it); the same queries find the same rows in either.
Only SQLite has FTS5: on another engine the search reads the text with LIKE alone.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import Engine

CARD_INDEX = "card_text"
SHARED_INDEX = "shared_text_index"

# Which rows hold each run of three characters, and nothing else (see the module's text).
_OPTIONS = "tokenize='trigram case_sensitive 0', detail=none, columnsize=0"

_TABLES = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {CARD_INDEX} USING fts5("
    f"prompt, answer, explanation, content='card', content_rowid='id', {_OPTIONS})",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {SHARED_INDEX} USING fts5("
    f"text, content='shared_text', content_rowid='id', {_OPTIONS})",
)

_CARD_OLD = (f"INSERT INTO {CARD_INDEX} ({CARD_INDEX}, rowid, prompt, answer, explanation) "
             "VALUES ('delete', old.id, old.prompt, old.answer, old.explanation);")
_CARD_NEW = (f"INSERT INTO {CARD_INDEX} (rowid, prompt, answer, explanation) "
             "VALUES (new.id, new.prompt, new.answer, new.explanation);")
_SHARED_OLD = (f"INSERT INTO {SHARED_INDEX} ({SHARED_INDEX}, rowid, text) "
               "VALUES ('delete', old.id, old.text);")
_SHARED_NEW = f"INSERT INTO {SHARED_INDEX} (rowid, text) VALUES (new.id, new.text);"

_TRIGGERS = (
    f"CREATE TRIGGER IF NOT EXISTS card_text_insert AFTER INSERT ON card BEGIN {_CARD_NEW} END",
    f"CREATE TRIGGER IF NOT EXISTS card_text_delete AFTER DELETE ON card BEGIN {_CARD_OLD} END",
    # Only a change of the text re-indexes a card (an import rewrites every changed card's
    # row; its flags, state and place change far more often than its text).
    "CREATE TRIGGER IF NOT EXISTS card_text_update AFTER UPDATE OF id, prompt, answer, "
    "explanation ON card WHEN old.id IS NOT new.id OR old.prompt IS NOT new.prompt "
    "OR old.answer IS NOT new.answer OR old.explanation IS NOT new.explanation "
    f"BEGIN {_CARD_OLD} {_CARD_NEW} END",
    f"CREATE TRIGGER IF NOT EXISTS shared_text_index_insert AFTER INSERT ON shared_text "
    f"BEGIN {_SHARED_NEW} END",
    f"CREATE TRIGGER IF NOT EXISTS shared_text_index_delete AFTER DELETE ON shared_text "
    f"BEGIN {_SHARED_OLD} END",
    "CREATE TRIGGER IF NOT EXISTS shared_text_index_update AFTER UPDATE OF id, text "
    "ON shared_text WHEN old.id IS NOT new.id OR old.text IS NOT new.text "
    f"BEGIN {_SHARED_OLD} {_SHARED_NEW} END",
)


def create_text_index(conn) -> None:
    """Create the index tables and the triggers that keep them in step, and index the text
    already stored (an empty index of a new collection, or every card of an upgraded one)."""
    for statement in (*_TABLES, *_TRIGGERS):
        conn.exec_driver_sql(statement)
    for table in (CARD_INDEX, SHARED_INDEX):
        conn.exec_driver_sql(f"INSERT INTO {table} ({table}) VALUES ('rebuild')")


# The table each index follows: its insert trigger, and the columns the index holds.
_INSERT_TRIGGERS = {
    "card": ("card_text_insert", CARD_INDEX, "prompt, answer, explanation"),
    "shared_text": ("shared_text_index_insert", SHARED_INDEX, "text"),
}


@contextmanager
def indexed_at_end(conn, table: str):
    """For a block of a write transaction that inserts many rows into `table` ("card" or
    "shared_text"), each with an id above every id the table held before it (as an import
    numbers them): the rows are indexed by one statement at the end of the block instead of
    one trigger run a row. Row by row, FTS5 writes out a segment of index at each
    statement and merges the segments again and again as they pile up; one
    `INSERT ... SELECT` writes the same entries once.

    The insert trigger is dropped for the block and made again at its end, from its own
    text as stored, in the same transaction: SQLite's DDL is transactional, so a block that
    raises (its transaction then rolled back) leaves the trigger and the index as they were,
    and other connections never see the collection without it. On an engine without the
    index, the block runs as it is."""
    if conn.dialect.name != "sqlite":
        yield
        return
    trigger, index, columns = _INSERT_TRIGGERS[table]
    made = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                "AND name = ?", (trigger,)).scalar()
    if made is None:  # no index to keep in step
        yield
        return
    last = conn.exec_driver_sql(f"SELECT max(id) FROM {table}").scalar() or 0
    conn.exec_driver_sql(f"DROP TRIGGER {trigger}")
    yield
    conn.exec_driver_sql(f"INSERT INTO {index} (rowid, {columns}) "
                         f"SELECT id, {columns} FROM {table} WHERE id > ?", (last,))
    conn.exec_driver_sql(made)


def has_text_index(engine: Engine) -> bool:
    """Whether searches can use the index: every SQLite collection has it from schema 11
    (store.engine); any other engine reads the text with LIKE."""
    return engine.dialect.name == "sqlite"


_WILDCARD = re.compile(r"\*+")


def match_query(pattern: str, wildcards: bool) -> str | None:
    """The FTS5 query whose matches include every text that contains `pattern` (with `*`
    standing for any run of characters when `wildcards`), ignoring case: each run of three
    characters of the pattern's pieces between wildcards, all of them (a phrase, which needs
    their places, is not asked: the index keeps none). None when the index cannot narrow it
    down (no piece of three characters or more: the index knows only runs of three)."""
    pieces = _WILDCARD.split(pattern) if wildcards else [pattern]
    trigrams = dict.fromkeys(piece[n:n + 3] for piece in pieces
                             for n in range(len(piece) - 2))
    strings = ['"' + trigram.replace('"', '""') + '"' for trigram in trigrams]
    return " AND ".join(strings) if strings else None
