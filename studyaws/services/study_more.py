"""Study more than today's queue: extra new cards today, review ahead, the cards forgotten
lately, the misses of a mock exam, the cards a search finds (the browser's). Each but the first is
a temporary session (review.CardSelection) that schedules its answers as the daily review
does; the first raises today's new limit until the study day ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from studyaws.core.clock import Clock
from studyaws.core.srs.day import day_start, next_day_start
from studyaws.services import browse
from studyaws.services.exam import PastExam, exam_history, retake_picks
from studyaws.services.review import CardSelection, ReviewService
from studyaws.store import card_sets

MAX_DAYS = 365
MAX_NEW = 999


class StudyMoreError(ValueError):
    """A number out of range, or nothing to study: the message says which, for the user."""


def _check(number: int, most: int, what: str) -> None:
    if not 1 <= number <= most:
        raise StudyMoreError(f"{what} must be from 1 to {most}")


def _bounds(engine: Engine, clock: Clock) -> tuple[datetime, datetime]:
    return ReviewService(engine, clock).day_bounds()


def _days_after(when: datetime, days: int, clock: Clock, engine: Engine) -> datetime:
    """The start of the study day `days` study days after the one starting at `when`."""
    hour = ReviewService(engine, clock).settings.day_starts_at
    zone = clock.local_zone()
    for _ in range(days):
        when = next_day_start(when, zone, hour)
    return when


def _days_before(start: datetime, days: int, clock: Clock, engine: Engine) -> datetime:
    """The start of the study day `days` study days before the one starting at `start`."""
    hour = ReviewService(engine, clock).settings.day_starts_at
    zone = clock.local_zone()
    for _ in range(days):
        start = day_start(start - timedelta(hours=1), zone, hour)
    return start


# -- extra new cards today ------------------------------------------------------------------
def add_new_today(engine: Engine, clock: Clock, cards: int) -> int:
    """Raise today's new-card limit by `cards`, for this study day only; returns how many
    new cards the raise adds up to today. StudyMoreError when no new card is left."""
    _check(cards, MAX_NEW, "the number of new cards")
    if card_sets.new_cards_left(engine, clock.now()) == 0:
        raise StudyMoreError("no new card is left to study: import more decks")
    _, end = _bounds(engine, clock)
    return card_sets.add_extra_new(engine, cards, end)


# -- temporary sessions -----------------------------------------------------------------------
def review_ahead(engine: Engine, clock: Clock, days: int) -> CardSelection:
    """The cards in review that fall due within the next `days` study days (today's too),
    the earliest due first."""
    _check(days, MAX_DAYS, "the number of days")
    _, end = _bounds(engine, clock)
    horizon = _days_after(end, days, clock, engine)
    found = card_sets.due_before(engine, horizon, clock.now())
    if not found:
        raise StudyMoreError(f"no card in review falls due within {_days(days)}")
    return CardSelection(f"Review ahead {_days(days)}", tuple(found))


def forgotten(engine: Engine, clock: Clock, days: int) -> CardSelection:
    """The cards answered Again in the last `days` study days (1: today), in a review or a
    mock exam, the one forgotten first first."""
    _check(days, MAX_DAYS, "the number of days")
    start, _ = _bounds(engine, clock)
    since = _days_before(start, days - 1, clock, engine)
    found = card_sets.rated_again_since(engine, since, clock.now())
    if not found:
        when = "today" if days == 1 else f"in the last {_days(days)}"
        raise StudyMoreError(f"no card was answered Again {when}")
    return CardSelection(f"Forgotten {'today' if days == 1 else f'in the last {_days(days)}'}",
                         tuple(found))


@dataclass(frozen=True)
class ExamChoice:
    exam: PastExam
    misses: int  # questions wrong, unanswered or flagged whose card is still in the collection


def exam_choices(engine: Engine) -> list[ExamChoice]:
    """The finished mock exams, the latest first, with how many of their questions were
    missed or flagged."""
    return [ExamChoice(exam, len(retake_picks(engine, exam.id, include_flagged=True)))
            for exam in reversed(exam_history(engine))]


def exam_misses(engine: Engine, clock: Clock, exam_id: int) -> CardSelection:
    """The questions of the finished exam `exam_id` that were wrong, left unanswered or
    flagged, in the exam's order."""
    from studyaws.services.exam import ExamError

    try:
        picks = retake_picks(engine, exam_id, include_flagged=True)
    except ExamError as error:
        raise StudyMoreError(str(error)) from None
    cards = tuple(dict.fromkeys(card_id for card_id, _ in picks))
    studied = {card_id for card_id, _ in card_sets.states_of(engine, list(cards), clock.now())}
    cards = tuple(card_id for card_id in cards if card_id in studied)  # not suspended
    if not cards:
        raise StudyMoreError(f"no question of exam {exam_id} was wrong, unanswered or flagged")
    return CardSelection(f"Missed or flagged in exam {exam_id}", cards)


def matching(engine: Engine, clock: Clock, query: str, sort: str = "due",
             descending: bool = False, card_ids: list[int] | None = None) -> CardSelection:
    """The cards the search `query` finds (the browser's search, in its `sort` order) that
    can be studied now (not suspended, buried or retired); `card_ids` (the browser's marked
    cards) takes their place when given. StudyMoreError for a search that cannot be read or
    finds nothing to study."""
    if card_ids is None:
        try:
            card_ids = browse.search_ids(engine, clock, query, sort, descending)
        except browse.SearchError as error:
            raise StudyMoreError(str(error)) from None
    studied = {card_id for card_id, _ in card_sets.states_of(engine, card_ids, clock.now())}
    cards = tuple(card_id for card_id in card_ids if card_id in studied)
    if not cards:
        raise StudyMoreError("the search finds no card" if not card_ids else
                             "no card it finds can be studied now (each is suspended, "
                             "buried or retired)")
    shown = " ".join(query.split()) or "every card"
    if len(shown) > 40:
        shown = shown[:39] + "…"
    return CardSelection(f"Search: {shown}", cards)


def _days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"
