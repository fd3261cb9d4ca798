"""Changes made to a set of cards at once (the browser's actions, `studyaws cards --suspend`
...): each card's marks and memory read, changed and written back in one transaction, with
what they were before, so that an undo can write back exactly that."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select, update

from studyaws.core.srs.policy import Memory
from studyaws.store.engine import writing
from studyaws.store.tables import Card, CardState, memory_columns

_CHUNK = 500  # ids a statement binds at most


@dataclass(frozen=True)
class CardMarks:
    """What a card action may change: the card's marks and its memory."""

    card_id: int
    suspended: bool
    buried_until: datetime | None
    flag: int
    memory: Memory


Change = Callable[[CardMarks], CardMarks]


def _read(session, ids: list[int]) -> list[CardMarks]:
    found: list[CardMarks] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        rows = session.execute(
            select(Card.id, Card.suspended, Card.buried_until, Card.flag, CardState)
            .join(CardState, CardState.card_id == Card.id).where(Card.id.in_(chunk))).all()
        found.extend(CardMarks(row.id, row.suspended, row.buried_until, row.flag,
                               row.CardState.memory()) for row in rows)
    return found


def _write(session, marks: Iterable[CardMarks]) -> None:
    for mark in marks:
        session.execute(update(Card).where(Card.id == mark.card_id).values(
            suspended=mark.suspended, buried_until=mark.buried_until, flag=mark.flag))
        session.execute(update(CardState).where(CardState.card_id == mark.card_id)
                        .values(**memory_columns(mark.memory)))


def change_cards(engine: Engine, card_ids: Iterable[int],
                 change: Change) -> list[tuple[CardMarks, CardMarks]]:
    """Apply `change` to each card of `card_ids` (those that exist) in one transaction;
    returns (before, after) of each card it changed, the others left unwritten."""
    ids = sorted(set(card_ids))
    with writing(engine) as session:
        changed = [(before, after) for before in _read(session, ids)
                   if (after := change(before)) != before]
        _write(session, (after for _, after in changed))
    return changed


def restore_cards(engine: Engine, marks: Iterable[CardMarks]) -> int:
    """Write back each card's marks and memory as `marks` has them (an undo), in one
    transaction; returns how many cards there were."""
    marks = list(marks)
    with writing(engine) as session:
        _write(session, marks)
    return len(marks)
