"""The reads and writes of one answer, on the hot path of a review: fixed SQL run on the
driver's own cursor (SQLite keeps each statement prepared in its statement cache; psycopg
prepares one on the server once it has run a few times), plain tuples, no ORM objects and
no SQLAlchemy statement to build or look up per answer.

An answer is one write transaction (store.engine.write_transaction) of a few statements:
the card, its memory and its siblings (same deck and sibling key: an answer buries some,
the load balancer avoids their days) in one read (`answered_card`), then `save_answer`: the
new memory, the log row, and the burying and leech flags when there are any.

On PostgreSQL an answer takes two round trips to the server: BEGIN, the write lock and the
read in one (a transaction begun with `lock_with_first_read`, store.postgres), the writes
and COMMIT in the other (`save_answer(..., commit=True)`), each sent as one batch in
psycopg's pipeline mode.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Column
from sqlalchemy.orm import Session

from studyaws.core.srs.policy import NEW, REVIEW, Memory
from studyaws.store.postgres import lock_statements, sqlite_params_to_psycopg
from studyaws.store.tables import CardState, from_db, to_db

# A card's memory as columns, for the review queue's reads (services.review).
_state = CardState.__table__
MEMORY_COLUMNS: tuple[Column, ...] = (
    _state.c.state, _state.c.step, _state.c.stability, _state.c.difficulty, _state.c.due,
    _state.c.last_review, _state.c.reps, _state.c.lapses)

_MEMORY_SQL = ("card_state.state, card_state.step, card_state.stability, "
               "card_state.difficulty, card_state.due, card_state.last_review, "
               "card_state.reps, card_state.lapses")
_CARD_COLUMNS = ("card.id, card.deck_id, card.sibling, card.retired, card.suspended, "
                 f"card.leech, card.buried_until, {_MEMORY_SQL}")
# The card, and its siblings: the cards of its deck with its sibling key, when it has one
# (a card without one looks up no key, NULL, rather than every card without one).
_ANSWERED = (
    f"SELECT {_CARD_COLUMNS} FROM card JOIN card_state ON card_state.card_id = card.id "
    "WHERE card.id = ? "
    f"UNION ALL SELECT {_CARD_COLUMNS} FROM card "
    "JOIN card_state ON card_state.card_id = card.id "
    "WHERE card.deck_id = (SELECT deck_id FROM card WHERE id = ?) "
    "AND card.sibling = (SELECT sibling FROM card WHERE id = ? AND sibling != '') "
    "AND card.id != ?")
# The memory's fields, as card_state's columns of the same names. An answer writes only
# those it changed (_save_memory): SQLite rewrites a row's entry in every index on a column
# an UPDATE sets, changed or not (a lapse count or a state left as it was still cost their
# index's page in the commit), and most answers leave the state, the step and the lapses.
_MEMORY_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps",
                  "lapses")
_SAVE_MEMORY: dict[tuple[str, ...], str] = {}  # the columns set -> the UPDATE, made once each
_BURY = "UPDATE card SET buried_until = ? WHERE id = ?"
_LEECH = "UPDATE card SET leech = ?, suspended = ? WHERE id = ?"
LOG_COLUMNS = ("card_id", "rating", "reviewed_at", "duration_ms", "source", "state_before",
               "seed", "correct", "response", "prior_state", "state", "stability",
               "difficulty", "due")
_LOG = (f"INSERT INTO review_log ({', '.join(LOG_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in LOG_COLUMNS)})")
_TIMES = {"reviewed_at", "due"}  # the log's columns that hold times


class AnsweredCard(NamedTuple):
    """A card as an answer reads it: what the answer changes, its memory, and (the card
    answered) its siblings as they are read with it."""

    id: int
    deck_id: int
    sibling: str
    retired: bool
    suspended: bool
    leech: bool
    buried_until: datetime | None
    memory: Memory
    siblings: tuple[AnsweredCard, ...] = ()


def _connection(conn):
    """The Core connection of `conn` (itself, or an ORM session's: the exam records its
    answers inside its own session's transaction), and whether it is on PostgreSQL."""
    if isinstance(conn, Session):
        conn = conn.connection()
    return conn, conn.dialect.name == "postgresql"


_PSYCOPG: dict[str, str] = {}  # SQLite's SQL -> psycopg's, made once each


def _run(cursor, postgres: bool, sql: str, params: tuple | None = None):
    """`sql` on the driver's `cursor` (every statement of an answer goes through here)."""
    if not postgres:
        cursor.execute(sql, params or ())
    elif params is None:  # BEGIN, the lock's statements, COMMIT: not worth preparing
        cursor.execute(sql, prepare=False)
    else:
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
    """The card being answered, with its siblings, read inside the answer's transaction;
    on PostgreSQL, in the same round trip as the transaction's BEGIN and write lock when
    they wait for it (store.postgres.lock_statements)."""
    conn, postgres = _connection(conn)
    driver = conn.connection.driver_connection
    params = (card_id, card_id, card_id, card_id)
    if postgres:
        with driver.pipeline():
            for statement in lock_statements(conn):
                _run(driver.cursor(), postgres, statement)
            cursor = _run(driver.cursor(), postgres, _ANSWERED, params)
    else:
        cursor = _run(driver.cursor(), postgres, _ANSWERED, params)
    rows = [_card(row) for row in cursor.fetchall()]
    card = next((row for row in rows if row.id == card_id), None)
    if card is None:
        raise LookupError(f"card {card_id} is not in the collection")
    return card._replace(siblings=tuple(row for row in rows if row.id != card_id))


def buriable_siblings(card: AnsweredCard, day_end: datetime) -> list[AnsweredCard]:
    """The card's siblings that an answer buries until `day_end`: new or in review, not
    buried as long already."""
    return [sibling for sibling in card.siblings
            if sibling.memory.state in (NEW, REVIEW)
            and (sibling.buried_until is None or sibling.buried_until < day_end)]


def _time(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the store; times must be UTC-aware")
    return to_db(value)


def save_answer(conn, card_id: int, memory: Memory, log: dict, *, bury: list[int],
                day_end: datetime, leech: bool, commit: bool = False,
                prior: Memory | None = None) -> int:
    """Write one answer inside the caller's write transaction: the card's new memory (the
    fields that differ from `prior`, its memory as the transaction read it, when given), its
    siblings buried until `day_end`, the card made a leech (and suspended) when `leech`, and
    the review-log row (`log`: its LOG_COLUMNS); returns the log row's id. With `commit`,
    these are the transaction's last statements: on PostgreSQL its COMMIT is sent with them
    in one round trip, and is done when this returns (the caller's commit then has nothing
    left to do); on SQLite the caller's commit ends it."""
    conn, postgres = _connection(conn)
    driver = conn.connection.driver_connection
    values = tuple(_time(log[name]) if name in _TIMES else log[name] for name in LOG_COLUMNS)
    if not postgres:
        cursor = driver.cursor()
        _write(cursor, postgres, card_id, memory, prior, bury, day_end, leech)
        return _run(cursor, postgres, _LOG, values).lastrowid
    with driver.pipeline():
        _write(driver.cursor(), postgres, card_id, memory, prior, bury, day_end, leech)
        logged = _run(driver.cursor(), postgres, _LOG + " RETURNING id", values)
        if commit:
            _run(driver.cursor(), postgres, "COMMIT")
    return logged.fetchone()[0]


def _write(cursor, postgres: bool, card_id: int, memory: Memory, prior: Memory | None,
           bury: list[int], day_end: datetime, leech: bool) -> None:
    _save_memory(cursor, postgres, card_id, memory, prior)
    for sibling in bury:
        _run(cursor, postgres, _BURY, (_time(day_end), sibling))
    if leech:
        _run(cursor, postgres, _LEECH, (True, True, card_id))


def _save_memory(cursor, postgres: bool, card_id: int, memory: Memory,
                 prior: Memory | None) -> None:
    """The card's memory written: every field, or those that differ from `prior`."""
    names = tuple(name for name in _MEMORY_FIELDS
                  if prior is None or getattr(memory, name) != getattr(prior, name))
    if not names:
        return
    sql = _SAVE_MEMORY.get(names)
    if sql is None:
        sql = _SAVE_MEMORY[names] = (
            f"UPDATE card_state SET {', '.join(f'{name} = ?' for name in names)} "
            "WHERE card_id = ?")
    values = [getattr(memory, name) for name in names]
    values = [_time(value) if isinstance(value, datetime) else value for value in values]
    _run(cursor, postgres, sql, (*values, card_id))
