"""The review log's answers as plain integers, as the optimizer reads them: the statement,
and a reader of a SQLite file that needs nothing but the standard library, so that a process
reading part of the log (services.log_items) starts without SQLAlchemy."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

SOURCES = "('review', 'exam')"  # the answers that count: the daily review's and mock exams'

# A stored time (fixed-width UTC text, "2026-01-02 03:04:05.678901") as whole microseconds
# since 1970, worked out by SQLite: exact integers, so that whole days between two answers
# come out as timedelta.days would give them, without a datetime per row in Python.
MICROSECONDS = ("(CAST(strftime('%s', substr({0}, 1, 19)) AS INTEGER) * 1000000"
                " + CAST(substr({0}, 21, 6) AS INTEGER))")
# The same with unixepoch (SQLite 3.38 on), about a third quicker on a million rows. (Not on
# the whole text: the fraction would round some times to another second.)
_UNIXEPOCH = ("(unixepoch(substr({0}, 1, 19)) * 1000000"
              " + CAST(substr({0}, 21, 6) AS INTEGER))")

Cards = tuple[int | None, int | None]  # card ids from the first (included) to the second (not)


def microseconds_sqlite(column: str) -> str:
    quicker = sqlite3.sqlite_version_info >= (3, 38, 0)
    return (_UNIXEPOCH if quicker else MICROSECONDS).format(column)


def answers_statement(micros: str, deck_ids: list[int] | None = None,
                      cards: Cards = (None, None)) -> str:
    """The statement of the answers, card after card, each card's in time order: (card id,
    rating, state before, time in microseconds as `micros` works it out); only those of the
    cards of `deck_ids` when given, and of the card ids in `cards`. The ids are written into
    the statement, as whole numbers."""
    where = f"source IN {SOURCES}"
    if deck_ids is not None:
        listed = ", ".join(str(int(deck_id)) for deck_id in deck_ids) or "NULL"
        where += f" AND card_id IN (SELECT id FROM card WHERE deck_id IN ({listed}))"
    first, last = cards
    if first is not None:
        where += f" AND card_id >= {int(first)}"
    if last is not None:
        where += f" AND card_id < {int(last)}"
    return (f"SELECT card_id, rating, state_before, {micros} FROM review_log WHERE {where}"
            " ORDER BY card_id, reviewed_at, id")


def answers_in_file(path: Path, deck_ids: list[int] | None = None,
                    cards: Cards = (None, None)) -> Iterator[tuple[int, int, int, int]]:
    """The answers of `answers_statement`, read from the SQLite collection at `path` on a
    read-only connection of their own (one read transaction), as the driver's cursor gives
    them."""
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    connection = sqlite3.connect(uri, uri=True, isolation_level=None)
    try:
        connection.execute("PRAGMA busy_timeout = 10000")
        connection.execute("BEGIN")
        yield from connection.execute(
            answers_statement(microseconds_sqlite("reviewed_at"), deck_ids, cards))
    finally:
        connection.close()
