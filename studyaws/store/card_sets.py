"""Sets of cards picked outside the day's queue (study more: review ahead, forgotten, an
exam's misses), a card's flag, and today's extra new cards."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine, and_, func, or_, select, update

from studyaws.core.srs.policy import AGAIN, NEW, REVIEW
from studyaws.store.engine import read_connection, reading, writing
from studyaws.store.first_read import EXTRA_NEW as _EXTRA_NEW
from studyaws.store.first_read import extra_new
from studyaws.store.postgres import upsert
from studyaws.store.tables import Card, CardState, ReviewLog, Setting

_CHUNK = 500  # ids a statement binds at most


def _active(now: datetime):
    return and_(Card.retired.is_(False), Card.suspended.is_(False),
                or_(Card.buried_until.is_(None), Card.buried_until <= now))


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


# -- flags ----------------------------------------------------------------------------------
def set_flags(engine: Engine, card_ids: Iterable[int], flag: int) -> int:
    """Give each card `flag` (0 clears it) in one transaction; returns how many cards exist
    among `card_ids`."""
    ids = sorted(set(card_ids))
    changed = 0
    with writing(engine) as session:
        for chunk in _chunks(ids):
            changed += session.execute(
                update(Card).where(Card.id.in_(chunk)).values(flag=flag)).rowcount
    return changed


def flags_of(engine: Engine, card_ids: Iterable[int]) -> dict[int, int]:
    ids = sorted(set(card_ids))
    found: dict[int, int] = {}
    with reading(engine) as session:
        for chunk in _chunks(ids):
            found.update(session.execute(
                select(Card.id, Card.flag).where(Card.id.in_(chunk))).all())
    return found


# -- the sets a session of study more goes through ------------------------------------------
def states_of(engine: Engine, card_ids: list[int], now: datetime) -> list[tuple[int, int]]:
    """(card, state) of each card of `card_ids` that can be studied now (not retired,
    suspended or buried), in the order given."""
    states: dict[int, int] = {}
    with reading(engine) as session:
        for chunk in _chunks(card_ids):
            states.update(session.execute(
                select(CardState.card_id, CardState.state)
                .join(Card, Card.id == CardState.card_id)
                .where(CardState.card_id.in_(chunk), _active(now))).all())
    return [(card_id, states[card_id]) for card_id in card_ids if card_id in states]


def due_before(engine: Engine, horizon: datetime, now: datetime) -> list[int]:
    """Cards in review that fall due before `horizon` (those due already included), the
    earliest due first."""
    with reading(engine) as session:
        return list(session.execute(
            select(CardState.card_id).join(Card, Card.id == CardState.card_id)
            .where(CardState.state == REVIEW, CardState.due < horizon, _active(now))
            .order_by(CardState.due, CardState.card_id)).scalars())


def rated_again_since(engine: Engine, since: datetime, now: datetime) -> list[int]:
    """Cards answered Again (in a review or an exam) at or after `since`, the one forgotten
    first first."""
    first = func.min(ReviewLog.reviewed_at)
    with reading(engine) as session:
        return list(session.execute(
            select(ReviewLog.card_id).join(Card, Card.id == ReviewLog.card_id)
            .where(ReviewLog.rating == AGAIN, ReviewLog.reviewed_at >= since, _active(now))
            .group_by(ReviewLog.card_id).order_by(first, ReviewLog.card_id)).scalars())


def new_cards_left(engine: Engine, now: datetime) -> int:
    with reading(engine) as session:
        return session.execute(
            select(func.count()).select_from(CardState).join(Card, Card.id == CardState.card_id)
            .where(CardState.state == NEW, _active(now))).scalar_one()


# -- today's extra new cards ------------------------------------------------------------------
# Not a setting of the user's (`studyaws config` lists only the Settings fields): how many new
# cards today's limit was raised by, and the end of the study day it holds until.


def load_extra_new(engine: Engine, conn=None) -> tuple[int, datetime] | None:
    """(cards, until) as last stored, or None (`conn`: read on this open connection)."""
    if conn is not None:
        return _read_extra(conn.execute(_READ_EXTRA_NEW).scalar())
    with read_connection(engine) as conn:  # read before every card: no ORM session
        return _read_extra(conn.execute(_READ_EXTRA_NEW).scalar())


def add_extra_new(engine: Engine, cards: int, until: datetime) -> int:
    """Raise today's new limit by `cards` more until `until` (the study day's end): added to
    what was added already for the same day, in place of what is left from another day.
    Returns the extra now in force."""
    with writing(engine) as session:
        value = session.execute(select(Setting.value).where(Setting.key == _EXTRA_NEW)).scalar()
        stored = _read_extra(value)
        total = cards + (stored[0] if stored is not None and stored[1] == until else 0)
        text = json.dumps({"cards": total, "until": until.isoformat()})
        session.execute(upsert(session, Setting).values(key=_EXTRA_NEW, value=text)
                        .on_conflict_do_update(index_elements=["key"], set_={"value": text}))
    return total


_READ_EXTRA_NEW = select(Setting.__table__.c.value).where(Setting.__table__.c.key == _EXTRA_NEW)


_read_extra = extra_new  # (cards, until) as stored, None when none or unreadable
