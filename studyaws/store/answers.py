"""The reads and writes of one answer, on the hot path of a review: fixed SQL run on the
driver's own cursor (SQLite keeps each statement prepared in its statement cache; psycopg
prepares one on the server once it has run a few times), plain tuples, no ORM objects and
no SQLAlchemy statement to build or look up per answer.

An answer is one write transaction (store.engine.write_transaction) of a few statements:
the card and its memory read (`answered_card`), its siblings that an answer buries
(`buriable_siblings`, only for a card that has siblings), then `save_answer`: the new
memory, the log row, and the burying and leech flags when there are any.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Column
from sqlalchemy.orm import Session

from studyaws.core.srs.policy import NEW, REVIEW, Memory
from studyaws.store.postgres import sqlite_params_to_psycopg
from studyaws.store.tables import CardState, from_db, to_db

# A card's memory as columns, for the review queue's reads (services.review).
_state = CardState.__table__
MEMORY_COLUMNS: tuple[Column, ...] = (
    _state.c.state, _state.c.step, _state.c.stability, _state.c.difficulty, _state.c.due,
    _state.c.last_review, _state.c.reps, _state.c.lapses)

_MEMORY_SQL = ("card_state.state, card_state.step, card_state.stability, "
               "card_state.difficulty, card_state.due, card_state.last_review, "
               "card_state.reps, card_state.lapses")
_ANSWERED = (
    "SELECT card.id, card.deck_id, card.sibling, card.retired, card.suspended, card.leech, "
    f"card.buried_until, {_MEMORY_SQL} FROM card "
    "JOIN card_state ON card_state.card_id = card.id WHERE card.id = ?")
_SIBLINGS = (
    "SELECT card.id, card.deck_id, card.sibling, card.retired, card.suspended, card.leech, "
    f"card.buried_until, {_MEMORY_SQL} FROM card "
    "JOIN card_state ON card_state.card_id = card.id "
    f"WHERE card.deck_id = ? AND card.sibling = ? AND card.id != ? "
    f"AND card_state.state IN ({NEW}, {REVIEW}) "
    "AND (card.buried_until IS NULL OR card.buried_until < ?)")
_SAVE_MEMORY = ("UPDATE card_state SET state = ?, step = ?, stability = ?, difficulty = ?, "
                "due = ?, last_review = ?, reps = ?, lapses = ? WHERE card_id = ?")
_BURY = "UPDATE card SET buried_until = ? WHERE id = ?"
_LEECH = "UPDATE card SET leech = ?, suspended = ? WHERE id = ?"
LOG_COLUMNS = ("card_id", "rating", "reviewed_at", "duration_ms", "source", "state_before",
               "seed", "correct", "response", "prior_state", "state", "stability",
               "difficulty", "due")
_LOG = (f"INSERT INTO review_log ({', '.join(LOG_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in LOG_COLUMNS)})")
_TIMES = {"reviewed_at", "due"}  # the log's columns that hold times


class AnsweredCard(NamedTuple):
    """A card as an answer reads it: what the answer changes, and its memory."""

    id: int
    deck_id: int
    sibling: str
    retired: bool
    suspended: bool
    leech: bool
    buried_until: datetime | None
    memory: Memory


def _cursor(conn):
    """The driver's cursor of `conn` (a Core connection, or an ORM session: the exam records
    its answers inside its own session's transaction), and whether it is psycopg's."""
    if isinstance(conn, Session):
        conn = conn.connection()
    return conn.connection.driver_connection.cursor(), conn.dialect.name == "postgresql"


_PSYCOPG: dict[str, str] = {}  # SQLite's SQL -> psycopg's, made once each


def _run(cursor, postgres: bool, sql: str, params: tuple):
    if postgres:
        sql = _PSYCOPG.get(sql) or _PSYCOPG.setdefault(sql, sqlite_params_to_psycopg(sql))
    cursor.execute(sql, params)
    return cursor


def _card(row) -> AnsweredCard:
    (card_id, deck_id, sibling, retired, suspended, leech, buried, state, step, stability,
     difficulty, due, last_review, reps, lapses) = row
    return AnsweredCard(card_id, deck_id, sibling, bool(retired), bool(suspended), bool(leech),
                        from_db(buried), Memory(state, step, stability, difficulty,
                                                from_db(due), from_db(last_review), reps, lapses))


def memory_of(row) -> Memory:
    """The Memory of a row holding MEMORY_COLUMNS (the review queue's reads)."""
    return Memory(row.state, row.step, row.stability, row.difficulty, row.due,
                  row.last_review, row.reps, row.lapses)


def answered_card(conn, card_id: int) -> AnsweredCard:
    """The card being answered, read inside the answer's transaction."""
    cursor, postgres = _cursor(conn)
    row = _run(cursor, postgres, _ANSWERED, (card_id,)).fetchone()
    if row is None:
        raise LookupError(f"card {card_id} is not in the collection")
    return _card(row)


def buriable_siblings(conn, card: AnsweredCard, day_end: datetime) -> list[AnsweredCard]:
    """The card's siblings (same deck and sibling key) that an answer buries until
    `day_end`: new or in review, not buried as long already."""
    if not card.sibling:
        return []
    cursor, postgres = _cursor(conn)
    return [_card(row) for row in _run(cursor, postgres, _SIBLINGS, (
        card.deck_id, card.sibling, card.id, to_db(day_end))).fetchall()]


def _time(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the store; times must be UTC-aware")
    return to_db(value)


def save_answer(conn, card_id: int, memory: Memory, log: dict, *, bury: list[int],
                day_end: datetime, leech: bool) -> int:
    """Write one answer inside the caller's write transaction: the card's new memory, its
    siblings buried until `day_end`, the card made a leech (and suspended) when `leech`, and
    the review-log row (`log`: its LOG_COLUMNS); returns the log row's id."""
    cursor, postgres = _cursor(conn)
    _run(cursor, postgres, _SAVE_MEMORY, (
        memory.state, memory.step, memory.stability, memory.difficulty, _time(memory.due),
        _time(memory.last_review), memory.reps, memory.lapses, card_id))
    for sibling in bury:
        _run(cursor, postgres, _BURY, (_time(day_end), sibling))
    if leech:
        _run(cursor, postgres, _LEECH, (True, True, card_id))
    values = tuple(_time(log[name]) if name in _TIMES else log[name] for name in LOG_COLUMNS)
    if postgres:
        return _run(cursor, postgres, _LOG + " RETURNING id", values).fetchone()[0]
    return _run(cursor, postgres, _LOG, values).lastrowid
