"""The review load, for the load balancer and the exam plan: cards due on each study day of
a window (one grouped query), reviews due a day, and the user's average answer time."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, timedelta

from sqlalchemy import Float, Integer, cast, func, or_, select

from studyaws.core.srs.day import StudyDays
from studyaws.core.srs.policy import NEW, REVIEW
from studyaws.store.postgres import least
from studyaws.store.tables import Card, CardState, ReviewLog, to_db

ANSWER_TIME_CAP_MS = 60_000  # an answer left open longer counts as a minute, as Anki counts it
ANSWER_TIME_SAMPLE = 1000  # the latest answers the average is taken over


def due_per_day(session, days: StudyDays, today: date, count: int) -> list[int]:
    """Active cards already answered (review, learning, relearning) due on each study day
    from `today` to `today + count - 1`: one query, grouped by the hour from the start of
    `today` (study days start on the hour, in every zone whose daylight-saving change is a
    whole hour), then the hours are summed into study days."""
    start = days.start_of(today)
    bounds = [days.start_of(today + timedelta(days=k)) for k in range(count + 1)]
    hours = [round((b - start).total_seconds() / 3600) for b in bounds]
    # A second of slack, so that a card due exactly at a day's start is not counted an hour
    # early through the rounding of julianday's floating-point days.
    hour = cast((func.julianday(CardState.due) - func.julianday(to_db(start))) * 24
                + 1 / 3600, Float)
    bucket = cast(hour, Integer)
    window = (CardState.state != NEW, CardState.due >= start, CardState.due < bounds[-1])
    # Every card of the window from the (state, due) index alone, less the few retired or
    # suspended ones (found in ix_card_queue): joined to each card's row instead, the count
    # read some 60,000 card rows at 100,000 cards (0.3 s, at a session's first answer).
    every = session.execute(select(bucket, func.count()).where(*window).group_by(bucket)).all()
    inactive = session.execute(
        select(bucket, func.count())
        .where(*window, CardState.card_id.in_(
            select(Card.id).where(or_(Card.retired.is_(True), Card.suspended.is_(True)))))
        .group_by(bucket)).all()
    result = [0] * count
    for rows, step in ((every, 1), (inactive, -1)):
        for offset, n in rows:
            day = bisect_right(hours, int(offset)) - 1
            if 0 <= day < count:
                result[day] += step * n
    return result


def reviews_due_per_day(session, before: datetime, days: int) -> float:
    """Active review cards due before `before` (overdue ones included), a day over `days`."""
    due = session.execute(
        select(func.count()).select_from(CardState).join(Card, Card.id == CardState.card_id)
        .where(CardState.state == REVIEW, CardState.due < before,
               Card.retired.is_(False), Card.suspended.is_(False))
    ).scalar_one()
    return due / max(days, 1)


def average_answer_seconds(session) -> float | None:
    """The user's average time to answer, over the latest review answers that were timed
    (each counted up to a minute); None before there is any."""
    latest = (
        select(least(ReviewLog.duration_ms, ANSWER_TIME_CAP_MS).label("ms"))
        .where(ReviewLog.source == "review", ReviewLog.duration_ms > 0)
        .order_by(ReviewLog.id.desc()).limit(ANSWER_TIME_SAMPLE).subquery()
    )
    value = session.execute(select(func.avg(latest.c.ms))).scalar_one()
    return float(value) / 1000 if value is not None else None  # PostgreSQL's avg: Decimal
