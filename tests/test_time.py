"""Time going wrong: daylight-saving changes, a new time zone between sessions and a clock
that goes backwards cause no crash, no negative interval and no lost review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from support import basic_deck, make_collection, review_count, state_of

from studyaws.core.clock import FakeClock
from studyaws.core.config import Settings
from studyaws.core.srs import policy
from studyaws.core.srs.policy import AGAIN, EASY, GOOD, HARD, REVIEW, Memory
from studyaws.services.review import ReviewService

NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # a half-hour DST shift


def _answer_all_due(service: ReviewService, rating: int = GOOD, limit: int = 50) -> int:
    answered = 0
    while answered < limit:
        view = service.next_card()
        if view is None:
            break
        now = service.clock.now()
        for interval in service.preview(view).values():
            assert not interval.startswith("-")
        result = service.answer(view, rating, 2000)
        assert result.memory.due >= now, "a review may not be due before it was answered"
        assert result.memory.last_review == now
        answered += 1
    return answered


def _check_day(service: ReviewService) -> None:
    start, end = service.day_bounds()
    now = service.clock.now()
    assert start <= now < end
    assert timedelta(hours=22) <= end - start <= timedelta(hours=26)


@pytest.mark.parametrize("zone, hour, first", [
    (NEW_YORK, 2, datetime(2026, 3, 7, 12, 0, tzinfo=UTC)),  # 2 AM does not exist on 8 March
    (NEW_YORK, 1, datetime(2026, 10, 31, 12, 0, tzinfo=UTC)),  # 1 AM happens twice on 1 Nov
    (NEW_YORK, 4, datetime(2026, 3, 7, 12, 0, tzinfo=UTC)),
    (LORD_HOWE, 2, datetime(2026, 4, 3, 12, 0, tzinfo=UTC)),
])
def test_reviews_across_a_dst_change_hour_by_hour(tmp_path, zone, hour, first):
    engine, _, _ = make_collection(tmp_path, basic_deck(40),
                                   settings={"day-starts-at": str(hour), "new-per-day": "4"})
    clock = FakeClock(first, zone)
    service = ReviewService(engine, clock)
    answered = 0
    for _ in range(72):  # three days, an hour at a time, across the change
        _check_day(service)
        service.counts()
        answered += _answer_all_due(service, GOOD if answered % 3 else EASY)
        clock.advance(timedelta(hours=1))
    assert answered >= 12
    assert review_count(engine) == answered


def test_a_new_time_zone_between_sessions_loses_nothing(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(30), settings={"new-per-day": "5"})
    answered = _answer_all_due(ReviewService(engine, FakeClock(clock.now(), UTC)))
    # The next session, the same instant seen from the other side of the date line.
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kolkata", "America/St_Johns"):
        moved = FakeClock(clock.now() + timedelta(minutes=30), ZoneInfo(zone))
        service = ReviewService(engine, moved)
        _check_day(service)
        counts = service.counts()
        assert min(counts.new, counts.learning, counts.review) >= 0
        answered += _answer_all_due(service)
        clock.advance(timedelta(minutes=30))
    assert review_count(engine) == answered


def test_a_clock_that_goes_backwards_gives_no_negative_interval(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(3), settings={"new-per-day": "3"})
    service = ReviewService(engine, clock)
    view = service.next_card()
    service.answer(view, EASY, 1000)  # straight to review, due in days
    reviewed_at = clock.now()
    clock.set(reviewed_at - timedelta(days=3))  # the machine's clock is set back
    again = service.card(view.id)
    assert again.memory.last_review == reviewed_at
    for rating in (AGAIN, HARD, GOOD, EASY):
        outcome = policy.review(service.scheduler, again.id, again.memory, rating, clock.now())
        assert outcome.due >= clock.now()
        assert outcome.stability > 0
    result = service.answer(again, GOOD, 1000)
    assert result.memory.due > clock.now()
    assert state_of(engine, view.id).state == REVIEW
    assert 0.0 <= policy.retrievability(service.scheduler, result.memory, clock.now()) <= 1.0
    # The rest of the queue still works at the earlier time, and every answer is kept.
    assert _answer_all_due(service, EASY) == 2
    assert review_count(engine) == 4


def test_a_review_before_the_last_one_counts_as_no_time_elapsed():
    scheduler = policy.scheduler_for(Settings(fuzz=False))
    now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    seen = Memory(REVIEW, None, 10.0, 5.0, now + timedelta(days=10), now, 4, 0)
    future = Memory(REVIEW, None, 10.0, 5.0, now + timedelta(days=10), now + timedelta(days=2),
                    4, 0)
    # Answered "two days before" its last review: the same as answering right after it.
    for rating in (AGAIN, HARD, GOOD, EASY):
        assert (policy.review(scheduler, 1, future, rating, now).stability
                == policy.review(scheduler, 1, seen, rating, now).stability)
    assert policy.retrievability(scheduler, future, now) == pytest.approx(1.0)
