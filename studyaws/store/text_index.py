"""The full-text index of the cards' text (SQLite FTS5, trigram tokenizer), which a card
search's words and phrases look in first, instead of reading every card's text.

Two external-content FTS5 tables index the text where it is stored, without a copy:
`card_text` the prompt, answer and explanation of each card (its rowid is the card's id),
`shared_text_index` each shared text (a cloze's text, a section's notes; rowid is its id).
Triggers keep them in step with every write to `card` and `shared_text` (import, edit,
removal, restore), whichever code makes it; an import's new rows are indexed in one
statement once they are in (`indexed_at_end`), in the same transaction.

The trigram tokenizer (case_sensitive 0) indexes every run of three characters, folded to
one case, so that any text of three characters or more found in a column is a match of the
quoted string: a superset of what a case-insensitive LIKE '%text%' finds (SQLite's LIKE folds
ASCII letters only; the index folds every letter). The search keeps its LIKE over the rows
the index gives (store.search_queries), so that what it finds is exactly what it found
before. Only SQLite has FTS5: on another engine the search reads the text with LIKE alone.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import Engine

CARD_INDEX = "card_text"
SHARED_INDEX = "shared_text_index"

_TABLES = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {CARD_INDEX} USING fts5("
    "prompt, answer, explanation, content='card', content_rowid='id', "
    "tokenize='trigram case_sensitive 0')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {SHARED_INDEX} USING fts5("
    "text, content='shared_text', content_rowid='id', "
    "tokenize='trigram case_sensitive 0')",
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
    standing for any run of characters when `wildcards`), ignoring case; None when the index
    cannot narrow it down (no run of three characters or more between the wildcards: the
    trigram index knows only runs of three)."""
    runs = _WILDCARD.split(pattern) if wildcards else [pattern]
    strings = ['"' + run.replace('"', '""') + '"' for run in runs if len(run) >= 3]
    return " AND ".join(strings) if strings else None
