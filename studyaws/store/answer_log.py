"""Whether an answer reached the review log: after a connection was lost during its write,
the answer is looked up by its card, its time (given by the program, the same on every try)
and its source before it is written again, so that nothing is recorded twice; and after a
lost undo, whether its row is still there."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from studyaws.core.srs.policy import Memory
from studyaws.store.answers import answered_card
from studyaws.store.engine import reading
from studyaws.store.tables import ReviewLog


@dataclass(frozen=True)
class LoggedAnswer:
    log_id: int
    prior: Memory  # the card before the answer (as undo restores it)
    memory: Memory  # the card now
    became_leech: bool
    buried_siblings: tuple[int, ...]


def logged_answer(session, card_id: int, at: datetime, source: str) -> LoggedAnswer | None:
    """The answer to `card_id` logged at `at` from `source`, if it is in the log (`session`:
    the write transaction's connection or ORM session)."""
    row = session.execute(
        select(ReviewLog.id, ReviewLog.prior_state)
        .where(ReviewLog.card_id == card_id, ReviewLog.reviewed_at == at,
               ReviewLog.source == source)
        .order_by(ReviewLog.id).limit(1)).first()
    if row is None:
        return None
    info = json.loads(row.prior_state or "{}")
    card = answered_card(session, card_id)
    return LoggedAnswer(
        row.id, Memory.from_dict(info["memory"]), card.memory,
        bool(card.leech and not info.get("leech")), tuple(info.get("buried_siblings") or ()))


def answer_logged(engine: Engine, log_id: int) -> bool:
    """Whether review-log row `log_id` is there (an undo removes it)."""
    with reading(engine) as session:
        return session.get(ReviewLog, log_id) is not None
