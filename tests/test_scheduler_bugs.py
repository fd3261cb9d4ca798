"""The scheduler's four bugs of issue 19, each shown on the real review service (a SQLite
file, a fake clock) and, where thousands of cases are needed, in the core policy it calls:

1. the maximum interval holds for Hard, Good and Easy alike, fuzz or not;
2. fuzz is unbiased: on average a fuzzed interval is the interval itself;
3. days are counted by study day, not by 24-hour periods;
4. the local zone is the named zone, so days across a daylight-saving change start at the
   same local hour (the heatmap puts each answer on its own day).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State
from sqlalchemy import select, update
from support import basic_deck, make_collection

from studyaws.core.clock import Clock, FakeClock, system_zone
from studyaws.core.config import Settings
from studyaws.core.srs import policy
from studyaws.core.srs.day import StudyDays, day_start_of
from studyaws.core.srs.policy import (
    AGAIN,
    EASY,
    GOOD,
    HARD,
    LEARNING,
    NEW,
    RELEARNING,
    REVIEW,
    Memory,
)
from studyaws.services.review import ReviewService
from studyaws.store.engine import reading, writing
from studyaws.store.tables import Card, CardState, ReviewLog, memory_columns

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def card_ids(engine) -> list[int]:
    with reading(engine) as session:
        return list(session.execute(select(Card.id).order_by(Card.id)).scalars())


def set_memories(engine, memories: dict[int, Memory]) -> None:
    """Put cards in the given memory states (the collection as months of study left it)."""
    with writing(engine) as session:
        for card_id, memory in memories.items():
            session.execute(update(CardState).where(CardState.card_id == card_id)
                            .values(**memory_columns(memory)))


def random_memory(rng: random.Random, now: datetime) -> Memory:
    """A card as it may be found: any state, stability from hours to years, difficulty 1 to
    10, last answered up to a year ago (or in the future, a clock set back), any step."""
    state = rng.choice((NEW, LEARNING, REVIEW, REVIEW, REVIEW, RELEARNING))
    if state == NEW:
        return Memory()
    stability = 10 ** rng.uniform(-1, 3.5)
    elapsed = timedelta(days=rng.uniform(-1, 400) if rng.random() < 0.9 else rng.uniform(0, 2))
    return Memory(state, rng.choice((0, 1)) if state != REVIEW else None, stability,
                  rng.uniform(1, 10), now, now - elapsed, rng.randint(1, 40), rng.randint(0, 5))


# -- 1. the maximum interval ----------------------------------------------------------------
def test_no_rating_of_10000_random_cards_goes_past_the_maximum_interval():
    """With fuzz on, the Hard < Good < Easy spacing used to push Good and Easy past
    maximum-interval (at 30 days with fuzz off: 30, 31 and 32 days). Now every outcome of
    10,000 random cards, each answered at a random moment, stays within 30 days."""
    scheduler = policy.scheduler_for(Settings(maximum_interval=30), zone=BERLIN)
    rng = random.Random(19)
    at_maximum = 0
    for card_id in range(1, 10_001):
        now = NOW + timedelta(days=rng.uniform(0, 365))  # both sides of two DST changes
        memory = random_memory(rng, now)
        outcomes = policy.outcomes(scheduler, card_id, memory, now)
        for rating, outcome in outcomes.items():
            assert scheduler.days.between(now, outcome.due) <= 30, (card_id, rating, memory)
            assert outcome.due - now <= timedelta(days=30, hours=1), (card_id, rating)
        spaced = [scheduler.days.between(now, outcomes[r].due) for r in (HARD, GOOD, EASY)
                  if outcomes[r].state == REVIEW]
        assert spaced == sorted(spaced)  # never out of order
        at_maximum += 30 in spaced
    assert at_maximum > 2000  # many cards did reach the maximum


def test_at_the_maximum_hard_good_and_easy_are_all_the_maximum():
    settings = Settings(maximum_interval=30, fuzz=False)
    memory = Memory(REVIEW, None, 300.0, 5.0, NOW, NOW - timedelta(days=100), 9, 0)
    labels = policy.interval_labels(policy.scheduler_for(settings), 1, memory, NOW)
    outcomes = policy.outcomes(policy.scheduler_for(settings), 1, memory, NOW)
    assert [outcomes[r].due - NOW for r in (HARD, GOOD, EASY)] == [30 * DAY] * 3
    assert [labels[r] for r in (HARD, GOOD, EASY)] == ["1mo"] * 3
    # Below the maximum the spacing is kept: Good a day beyond Hard, Easy beyond Good.
    roomy = policy.outcomes(policy.scheduler_for(replace(settings, maximum_interval=36500)),
                            1, memory, NOW)
    hard, good, easy = ((roomy[r].due - NOW).days for r in (HARD, GOOD, EASY))
    assert 30 < hard < good < easy


def test_the_review_service_keeps_every_answer_within_the_maximum_interval(tmp_path):
    """50 cards, 6 sessions a month apart, random ratings, fuzz on, through the service: no
    card is ever given more than 30 days."""
    engine, clock, _ = make_collection(
        tmp_path, basic_deck(50),
        settings={"maximum-interval": "30", "new-per-day": "50", "reviews-per-day": "9999"})
    service = ReviewService(engine, clock)
    rng = random.Random(7)
    answered = at_maximum = 0
    for _session in range(6):
        while (view := service.next_card()) is not None:
            rating = rng.choice((AGAIN, HARD, GOOD, GOOD, EASY, EASY))
            now = clock.now()
            memory = service.answer(view, rating, 2000).memory
            assert memory.due - now <= 30 * DAY
            at_maximum += memory.due - now == 30 * DAY
            answered += 1
            clock.advance(timedelta(seconds=5))
        clock.advance(timedelta(days=31))
    # Load balancing (on by default) leans towards the earlier, lighter days of the range:
    # fewer cards land on the maximum itself, none beyond it.
    assert answered > 300 and at_maximum > 30
    with reading(engine) as session:
        logged = session.execute(select(ReviewLog.reviewed_at, ReviewLog.due)).all()
    assert len(logged) == answered
    assert max(due - when for when, due in logged) == 30 * DAY


# -- 2. unbiased fuzz -----------------------------------------------------------------------
@pytest.mark.parametrize("days, low, high", [
    (3, 2, 4), (7, 5, 9), (15, 13, 17), (30, 27, 33), (100, 93, 107), (365, 345, 385),
])
def test_fuzz_draws_each_day_of_anki_s_range_equally_often(days, low, high):
    """Anki's and FSRS's ranges (delta = 1 + 15 % of the days from 2.5 to 7, 10 % from 7 to
    20, 5 % beyond; round(days -+ delta)), each whole day equally likely, so that the mean
    is the interval itself within sampling error."""
    assert policy.fuzz_range(days, 36500) == (low, high)
    rng = random.Random(days)
    draws = 100_000
    counts: dict[int, int] = {}
    for _ in range(draws):
        value = policy.fuzzed_interval(days, 36500, rng.random())
        counts[value] = counts.get(value, 0) + 1
    assert sorted(counts) == list(range(low, high + 1))
    expected = draws / (high - low + 1)
    assert all(abs(count - expected) < 5 * expected ** 0.5 for count in counts.values())
    mean = sum(value * count for value, count in counts.items()) / draws
    spread = ((high - low + 1) ** 2 - 1) ** 0.5 / 12 ** 0.5
    assert abs(mean - days) < 4 * spread / draws ** 0.5
    # Draws at the very ends of [0, 1) give the range's ends, within the maximum interval.
    assert policy.fuzzed_interval(days, 36500, 0.0) == low
    assert policy.fuzzed_interval(days, 36500, 1 - 1e-12) == high
    assert policy.fuzzed_interval(days, days, 1 - 1e-12) == days


def hard_in(days: int) -> Memory:
    """A review card whose Hard gives `days` before fuzz (found with fuzz off)."""
    off = policy.scheduler_for(Settings(fuzz=False))
    for hundredths in range(100, 20_000):
        memory = Memory(REVIEW, None, hundredths / 100, 5.0, NOW, NOW - 2 * DAY, 6, 0)
        if policy.outcomes(off, 1, memory, NOW)[HARD].due - NOW == days * DAY:
            return memory
    raise AssertionError(f"no card found whose Hard gives {days} days")


def test_the_review_service_fuzzes_7_day_intervals_to_7_days_on_average(tmp_path):
    """600 cards whose Hard gives 7 days before fuzz, each answered Hard in the service:
    fuzzed, they average 7 days (sampling error 0.06), where they averaged 7.5 before (py-fsrs's
    fuzz, which rounds its draw to the nearest day, gives 7.50 on 200,000 draws)."""
    engine, clock, _ = make_collection(tmp_path, basic_deck(600))
    memory = hard_in(7)
    ids = card_ids(engine)
    set_memories(engine, {card_id: replace(memory, reps=card_id % 50) for card_id in ids})
    service = ReviewService(engine, clock)
    days = [(service.answer(service.card(card_id), HARD, 2000).memory.due - NOW) / DAY
            for card_id in ids]
    assert set(days) == {5, 6, 7, 8, 9}
    assert statistics.fmean(days) == pytest.approx(7, abs=0.2)


# -- 3. study days --------------------------------------------------------------------------
def fsrs_scheduler(learning_steps: tuple[timedelta, ...]) -> Scheduler:
    return Scheduler(learning_steps=learning_steps, relearning_steps=(timedelta(minutes=10),),
                     enable_fuzzing=False)


@pytest.mark.parametrize("zone", [UTC, NEW_YORK, BERLIN])
def test_a_day_step_answered_at_23_00_is_due_as_the_next_day_starts_and_counts_one_day(
        tmp_path, zone):
    """Learning steps of 10 minutes and a day. A new card answered Good at 23:00 is due as
    the next study day starts (04:00); answered at 09:00 that morning, ten hours later, it
    is a day later for FSRS (elapsed_days == 1: the long-term memory update), where py-fsrs
    alone counts no day and uses its same-day formula."""
    evening = datetime(2026, 3, 2, 23, 0, tzinfo=zone).astimezone(UTC)
    engine, _, _ = make_collection(tmp_path, basic_deck(1),
                                   settings={"learning-steps": "10m 1d"}, start=evening)
    clock = FakeClock(evening, zone)
    service = ReviewService(engine, clock)
    view = service.next_card()
    assert service.preview(view)[GOOD] == "1d"
    first = service.answer(view, GOOD, 2000).memory
    assert first.state == LEARNING and first.step == 1
    morning_start = datetime(2026, 3, 3, 4, 0, tzinfo=zone).astimezone(UTC)
    assert first.due == morning_start
    clock.set(morning_start - timedelta(minutes=30))
    assert service.next_card() is None  # 03:30: still the day before
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=zone).astimezone(UTC))
    view = service.next_card()
    assert view is not None and view.id == first_id(engine)
    second = service.answer(view, GOOD, 2000).memory
    assert second.state == REVIEW

    steps = (timedelta(minutes=10), timedelta(days=1))
    before = FsrsCard(card_id=view.id, state=State.Learning, step=1, stability=first.stability,
                      difficulty=first.difficulty, due=first.due, last_review=evening)
    now = clock.now()
    one_day, _ = fsrs_scheduler(steps).review_card(replace_last_review(before, now - DAY),
                                                   Rating.Good, review_datetime=now)
    same_day, _ = fsrs_scheduler(steps).review_card(before, Rating.Good, review_datetime=now)
    assert second.stability == pytest.approx(one_day.stability, rel=1e-12)
    assert second.difficulty == pytest.approx(one_day.difficulty, rel=1e-12)
    assert abs(second.stability - same_day.stability) > 0.5
    # fsrs-rs (Anki's own FSRS) given the same two answers a day apart agrees.
    from fsrs_rs_python import FSRS, FSRSItem, FSRSReview

    rs = FSRS(list(service.scheduler.parameters)).memory_state(
        FSRSItem([FSRSReview(GOOD, 0), FSRSReview(GOOD, 1)]))
    assert second.stability == pytest.approx(rs.stability, rel=1e-3)


def first_id(engine) -> int:
    return card_ids(engine)[0]


def replace_last_review(card: FsrsCard, when: datetime) -> FsrsCard:
    from copy import copy

    moved = copy(card)
    moved.last_review = when
    return moved


def test_a_review_at_09_00_after_one_at_23_00_counts_one_day_in_the_service(tmp_path):
    """A card in review, answered at 23:00 and again at 09:00 (New York): one day for the
    memory update, the same as py-fsrs's for a card last answered exactly 24 hours before."""
    zone = NEW_YORK
    evening = datetime(2026, 3, 2, 23, 0, tzinfo=zone).astimezone(UTC)
    engine, _, _ = make_collection(tmp_path, basic_deck(1), settings={"fuzz": "off"},
                                   start=evening)
    set_memories(engine, {first_id(engine): Memory(REVIEW, None, 12.0, 6.0, evening,
                                                   evening - timedelta(days=12), 5, 0)})
    clock = FakeClock(evening, zone)
    service = ReviewService(engine, clock)
    at_23 = service.answer(service.card(first_id(engine)), GOOD, 2000).memory
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=zone).astimezone(UTC))
    at_09 = service.answer(service.card(first_id(engine)), GOOD, 2000).memory

    scheduler, now = fsrs_scheduler((timedelta(minutes=1), timedelta(minutes=10))), clock.now()
    card = FsrsCard(card_id=1, state=State.Review, stability=at_23.stability,
                    difficulty=at_23.difficulty, due=at_23.due, last_review=now - DAY)
    expected, _ = scheduler.review_card(card, Rating.Good, review_datetime=now)
    assert at_09.stability == pytest.approx(expected.stability, rel=1e-12)
    assert StudyDays(zone, 4).between(now, at_09.due) == (expected.due - now).days
    assert (now - at_23.last_review) < DAY  # ten hours: py-fsrs alone would count 0 days


def test_two_answers_in_one_night_are_the_same_day():
    """Answered at 05:00 and at 03:00 the next night: 22 hours, the same study day. A review
    just after 04:00 after one just before it: a day, though only minutes passed."""
    scheduler = policy.scheduler_for(Settings(fuzz=False))
    memory = Memory(REVIEW, None, 12.0, 6.0, NOW, datetime(2026, 3, 2, 5, 0, tzinfo=UTC), 5, 0)
    night = policy.review(scheduler, 1, memory, GOOD, datetime(2026, 3, 3, 3, 0, tzinfo=UTC))
    same = policy.review(scheduler, 1, memory, GOOD, datetime(2026, 3, 2, 5, 1, tzinfo=UTC))
    assert night.stability == same.stability
    just_before = replace(memory, last_review=datetime(2026, 3, 3, 3, 59, tzinfo=UTC))
    after = policy.review(scheduler, 1, just_before, GOOD, datetime(2026, 3, 3, 4, 1, tzinfo=UTC))
    a_day = policy.review(scheduler, 1, replace(memory, last_review=datetime(
        2026, 3, 2, 4, 1, tzinfo=UTC)), GOOD, datetime(2026, 3, 3, 4, 1, tzinfo=UTC))
    assert after.stability == a_day.stability


def test_whole_days_give_what_py_fsrs_gives():
    """When the study days and the 24-hour periods agree, the policy is py-fsrs."""
    scheduler = policy.scheduler_for(Settings(fuzz=False))
    theirs = fsrs_scheduler((timedelta(minutes=1), timedelta(minutes=10)))
    rng = random.Random(3)
    for card_id in range(1, 300):
        elapsed = rng.randint(0, 60)
        memory = Memory(REVIEW, None, rng.uniform(0.5, 100), rng.uniform(1, 10), NOW,
                        NOW - timedelta(days=elapsed, hours=rng.uniform(0, 4)), 3, 0)
        spaced = None  # the Hard < Good < Easy spacing may move Good and Easy on
        for rating in (AGAIN, HARD, GOOD, EASY):
            ours = policy.review(scheduler, card_id, memory, rating, NOW)
            card, _ = theirs.review_card(policy._to_fsrs(card_id, memory, NOW),
                                         Rating(rating), review_datetime=NOW)
            assert (ours.stability, ours.difficulty, ours.state) == (
                card.stability, card.difficulty, int(card.state))
            due = card.due if spaced is None else max(card.due, spaced + DAY)
            assert ours.due == due
            spaced = ours.due if rating != AGAIN else None


# -- 4. the named local zone ----------------------------------------------------------------
@pytest.fixture
def tz(monkeypatch):
    """Set TZ for the test (and for the C library's local time)."""

    def set_to(value: str | None) -> None:
        if value is None:
            monkeypatch.delenv("TZ", raising=False)
        else:
            monkeypatch.setenv("TZ", value)
        time.tzset()

    yield set_to
    monkeypatch.undo()
    time.tzset()


def test_the_local_zone_is_the_named_zone(tz):
    tz("Europe/Berlin")
    assert Clock().local_zone() == BERLIN
    tz(":America/New_York")
    assert Clock().local_zone() == NEW_YORK
    tz("/usr/share/zoneinfo/Europe/Berlin")
    assert str(Clock().local_zone()) == "Europe/Berlin"
    tz("")
    assert Clock().local_zone() is UTC
    tz("Nowhere/Atlantis")  # unknown: UTC (what the C library takes it for)
    assert Clock().local_zone().utcoffset(NOW) == timedelta(0)
    tz(None)  # the machine's own: the zone /etc/localtime links to
    zone = Clock().local_zone()
    assert system_zone() == zone
    if os.path.islink("/etc/localtime"):
        assert isinstance(zone, ZoneInfo)
        assert os.path.realpath("/etc/localtime").endswith("/" + str(zone))


def test_a_zone_file_changed_while_running_is_read_again(tz, tmp_path):
    """The zone of a zone file is kept between reads only while the file (or the link to
    it) is the same: relinked, or replaced by another zone's file, it is read again."""
    link = tmp_path / "localtime"
    link.symlink_to("/usr/share/zoneinfo/Europe/Berlin")
    tz(str(link))
    assert str(Clock().local_zone()) == "Europe/Berlin"
    assert str(Clock().local_zone()) == "Europe/Berlin"
    link.unlink()
    link.symlink_to("/usr/share/zoneinfo/America/New_York")
    assert str(Clock().local_zone()) == "America/New_York"
    link.unlink()
    link.write_bytes(Path("/usr/share/zoneinfo/Asia/Tokyo").read_bytes())  # a copy, no link
    assert Clock().local_zone().utcoffset(NOW) == timedelta(hours=9)
    link.write_bytes(Path("/usr/share/zoneinfo/Europe/Berlin").read_bytes())  # rewritten
    assert Clock().local_zone().utcoffset(NOW) == BERLIN.utcoffset(NOW)


class MachineZoneClock(FakeClock):
    """A clock whose time the test moves, in the zone the machine is set to (TZ)."""

    def local_zone(self):
        return Clock().local_zone()


def review_at(service: ReviewService, clock, moment: datetime, card_id: int) -> None:
    clock.set(moment)
    service.answer(service.card(card_id), GOOD, 2000)


@pytest.mark.parametrize("name, change", [
    ("Europe/Berlin", date(2026, 3, 29)),  # clocks forward an hour
    ("Europe/Berlin", date(2026, 10, 25)),  # and back
    ("America/New_York", date(2026, 3, 8)),
    ("America/New_York", date(2026, 11, 1)),
])
def test_the_heatmap_puts_answers_across_a_dst_change_on_their_own_day(tmp_path, tz, name,
                                                                      change):
    """TZ names a zone with daylight saving; one answer at 03:30 and one at 04:30 local
    each day for five days either side of the change. The 03:30 ones belong to the study
    day before (it starts at 04:00), the 04:30 ones to their date, on both sides: two
    answers a day. A fixed offset (the zone as it is at "now") put one side's 03:30 answers
    an hour off, on the wrong day."""
    from studyaws.services.stats_report import collect

    tz(name)
    zone = ZoneInfo(name)
    end = datetime.combine(change + timedelta(days=6), datetime.min.time(),
                           tzinfo=zone).replace(hour=12)
    engine, _, _ = make_collection(tmp_path, basic_deck(1), start=end - timedelta(days=20))
    clock = MachineZoneClock(end - timedelta(days=20))
    service = ReviewService(engine, clock)
    assert service.clock.local_zone() == zone
    card_id = first_id(engine)
    days = [change + timedelta(days=n) for n in range(-5, 6)]
    for day in days:
        for hour in (3, 4):
            local = datetime(day.year, day.month, day.day, hour, 30, tzinfo=zone)
            review_at(service, clock, local.astimezone(UTC), card_id)
    clock.set(end.astimezone(UTC))
    heatmap = collect(engine, clock).heatmap
    # Each study day holds its own 04:30 answer and the next date's 03:30 one.
    expected = {days[0] - DAY: 1, **{day: 2 for day in days[:-1]}, days[-1]: 1}
    assert heatmap.counts == expected
    # The review service's day, on either side, starts at 04:00 local.
    for day in (days[0], days[-1]):
        clock.set(datetime(day.year, day.month, day.day, 12, tzinfo=zone).astimezone(UTC))
        start, finish = service.day_bounds()
        assert start.astimezone(zone).hour == 4 and finish.astimezone(zone).hour == 4
        assert start == day_start_of(day, zone, 4)


@pytest.mark.parametrize("name, change", [("Europe/Berlin", date(2026, 3, 29)),
                                          ("Europe/Berlin", date(2026, 10, 25)),
                                          ("America/New_York", date(2026, 3, 8)),
                                          ("America/New_York", date(2026, 11, 1))])
def test_an_interval_across_a_dst_change_ends_on_its_study_day(tmp_path, tz, name, change):
    """A card given a 1-day interval at 03:30 or 04:30 the day before a change is due the
    next study day, at the same local time: 24 hours on would be the same study day after
    clocks go back (04:30 becomes 03:30, before the 04:00 start) and two days on after they
    go forward (03:30, the day before, becomes 04:30)."""
    tz(name)
    zone = ZoneInfo(name)
    day = change - DAY
    days = StudyDays(zone, 4)
    for hour in (3, 4):
        (tmp_path / f"{hour}").mkdir()
        engine, _, _ = make_collection(tmp_path / f"{hour}", basic_deck(1),
                                       settings={"fuzz": "off"})
        answered = datetime(day.year, day.month, day.day, hour, 30, tzinfo=zone).astimezone(UTC)
        set_memories(engine, {first_id(engine): Memory(REVIEW, None, 0.4, 8.0, answered,
                                                       answered - timedelta(days=1), 3, 0)})
        clock = MachineZoneClock(answered)
        service = ReviewService(engine, clock)
        assert service.preview(service.card(first_id(engine)))[HARD] == "1d"
        memory = service.answer(service.card(first_id(engine)), HARD, 2000).memory
        assert days.between(answered, memory.due) == 1
        assert memory.due.astimezone(zone).hour == hour  # the same local time, a day later
        assert abs(memory.due - answered - DAY) == timedelta(hours=1)  # not 24 hours
        # The card is shown on that study day, and not on the day it was answered.
        assert service.due_tomorrow() == 1
        assert service.next_card() is None
        clock.set(memory.due)
        assert service.next_card() is not None
