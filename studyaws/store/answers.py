"""The reads and writes of one answer, on the hot path of a review: statements built once
(SQLAlchemy compiles each once; the driver keeps it prepared), plain rows, no ORM objects.

An answer is one write transaction (store.engine.write_transaction) of a few statements:
the card and its memory read (`answered_card`), its siblings that an answer buries
(`buriable_siblings`, only for a card that has siblings), then `save_answer`: the new
memory, the log row, and the burying and leech flags when there are any.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from studyaws.core.srs.policy import NEW, REVIEW, Memory
from studyaws.store.tables import Card, CardState, ReviewLog, memory_columns

_card = Card.__table__
_state = CardState.__table__
_log = ReviewLog.__table__

MEMORY_COLUMNS = (_state.c.state, _state.c.step, _state.c.stability, _state.c.difficulty,
                  _state.c.due, _state.c.last_review, _state.c.reps, _state.c.lapses)

_ANSWERED = (
    select(_card.c.id, _card.c.deck_id, _card.c.sibling, _card.c.retired, _card.c.suspended,
           _card.c.leech, _card.c.buried_until, *MEMORY_COLUMNS)
    .join_from(_card, _state, _state.c.card_id == _card.c.id)
    .where(_card.c.id == bindparam("card_id"))
)
_SIBLINGS = (
    select(_card.c.id, _card.c.retired, _card.c.suspended, _card.c.buried_until,
           *MEMORY_COLUMNS)
    .join_from(_card, _state, _state.c.card_id == _card.c.id)
    .where(_card.c.deck_id == bindparam("deck_id"), _card.c.sibling == bindparam("sibling"),
           _card.c.id != bindparam("card_id"), _state.c.state.in_((NEW, REVIEW)),
           (_card.c.buried_until.is_(None)) | (_card.c.buried_until < bindparam("day_end")))
)
_SAVE_MEMORY = update(_state).where(_state.c.card_id == bindparam("answered_card"))
_BURY = (update(_card).where(_card.c.id.in_(bindparam("ids", expanding=True)))
         .values(buried_until=bindparam("until")))
_LEECH = (update(_card).where(_card.c.id == bindparam("answered_card"))
          .values(leech=True, suspended=True))
_LOG = insert(_log)


def _bind(conn):
    """A Core connection for `conn`: itself, or the connection of an ORM session (the
    exam records its answers inside its own session's transaction)."""
    return conn.connection() if isinstance(conn, Session) else conn


def memory_of(row) -> Memory:
    """The Memory of a row holding MEMORY_COLUMNS."""
    return Memory(row.state, row.step, row.stability, row.difficulty, row.due,
                  row.last_review, row.reps, row.lapses)


def answered_card(conn, card_id: int):
    """The card being answered (id, deck_id, sibling, retired, suspended, leech,
    buried_until) with its memory (MEMORY_COLUMNS), read inside the answer's transaction."""
    return _bind(conn).execute(_ANSWERED, {"card_id": card_id}).one()


def buriable_siblings(conn, card, day_end: datetime) -> list:
    """The card's siblings (same deck and sibling key) that an answer buries until
    `day_end`: new or in review, not buried as long already."""
    if not card.sibling:
        return []
    return _bind(conn).execute(_SIBLINGS, {"deck_id": card.deck_id, "sibling": card.sibling,
                                           "card_id": card.id, "day_end": day_end}).all()


def save_answer(conn, card_id: int, memory: Memory, log: dict, *, bury: list[int],
                day_end: datetime, leech: bool) -> int:
    """Write one answer inside the caller's write transaction: the card's new memory, its
    siblings buried until `day_end`, the card made a leech (and suspended) when `leech`, and
    the review-log row (`log`: its columns); returns the log row's id."""
    conn = _bind(conn)
    conn.execute(_SAVE_MEMORY, {"answered_card": card_id, **memory_columns(memory)})
    if bury:
        conn.execute(_BURY, {"ids": bury, "until": day_end})
    if leech:
        conn.execute(_LEECH, {"answered_card": card_id})
    return conn.execute(_LOG, log).inserted_primary_key[0]
