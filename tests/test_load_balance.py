"""Load balancing and easy days: a review interval goes to the days of its fuzz range that
are lighter than the week around them, away from its siblings and from easy days at their
share; reproducible per card. On the synthetic learner, the standard deviation of the daily
reviews falls by a third and the retention stays at its target; through the review service,
the balancer reads the real due counts."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from support import basic_deck, make_collection

from studyaws.core.config import Settings, parse_value, weekday_numbers
from studyaws.core.srs import policy
from studyaws.core.srs.day import StudyDays
from studyaws.core.srs.policy import GOOD, REVIEW, Load, balanced_interval, fuzz_range
from studyaws.services.learner import SyntheticLearner, simulate_study
from studyaws.services.review import ReviewService
from studyaws.store import load as loads
from studyaws.store.engine import reading, writing

MONDAY = date(2026, 3, 2)


def draws(n: int = 2000):
    return [(k + 0.5) / n for k in range(n)]


def test_the_lighter_day_is_preferred_and_every_day_of_the_range_stays_possible():
    low, high = fuzz_range(10, 36500)  # 8 to 12
    counts = [0] * 20
    for d in range(low, high + 1):
        counts[d] = 50
    counts[11] = 10
    picked = Counter(balanced_interval(10, 36500, Load(MONDAY, tuple(counts)), u)
                     for u in draws())
    assert set(picked) <= set(range(low, high + 1))
    assert picked.most_common(1)[0][0] == 11 and picked[11] > 0.9 * sum(picked.values())
    # Even days: each equally likely, as with fuzz alone.
    even = Counter(balanced_interval(10, 36500, Load(MONDAY, (40,) * 20), u) for u in draws())
    assert sorted(even.values()) == [400] * 5


def test_days_further_out_are_not_preferred_for_having_fewer_cards_due_yet():
    """The cards due on later days are fewer because some of theirs are still to come: a
    load falling steadily with the distance is no reason to push intervals out. Weighed
    against the week around each day, every day of the range is as likely as the others;
    weighed by its count alone (1 / (due + 1)^4 / days), 12 days would come out twice as
    often as 8."""
    falling = tuple(200 - 8 * d for d in range(20))
    picked = Counter(balanced_interval(10, 36500, Load(MONDAY, falling), u) for u in draws())
    assert sorted(picked) == [8, 9, 10, 11, 12]
    assert max(picked.values()) <= 1.02 * min(picked.values())
    mean = sum(d * n for d, n in picked.items()) / sum(picked.values())
    assert mean == pytest.approx(10, abs=0.01)
    # A day 15 % lighter than its neighbours is preferred wherever it lies in the range.
    dip = list(falling)
    dip[9] -= 20
    picked = Counter(balanced_interval(10, 36500, Load(MONDAY, tuple(dip)), u) for u in draws())
    assert all(picked[9] > 3 * picked[d] for d in (8, 10, 11, 12))


def test_siblings_and_easy_days_are_kept_apart():
    counts = (30,) * 20
    sib = Counter(balanced_interval(10, 36500, Load(MONDAY, counts, frozenset({9, 10, 11})), u)
                  for u in draws())
    assert sib[9] + sib[10] + sib[11] < 0.01 * sum(sib.values())
    # 2 March 2026 is a Monday: offsets 12 and 13 are Saturday and Sunday.
    weekend = weekday_numbers(parse_value("easy-days", "sat,sun"))
    assert weekend == {5, 6}
    low, high = fuzz_range(13, 36500)  # 11 to 15
    easy = Counter(balanced_interval(13, 36500, Load(MONDAY, counts, easy_days=weekend), u)
                   for u in draws())
    assert easy[12] + easy[13] < 0.01 * sum(easy.values())
    assert balanced_interval(200, 36500, Load(MONDAY, counts), 0.5) is None  # too far out


def test_the_interval_is_reproducible_and_py_fsrs_unbalanced_without_counts():
    scheduler = policy.scheduler_for(Settings())
    memory = policy.Memory(REVIEW, None, 20.0, 5.0, datetime(2026, 3, 2, tzinfo=UTC),
                           datetime(2026, 2, 10, tzinfo=UTC), 4, 0)
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    plain = policy.review(scheduler, 7, memory, GOOD, now)
    unfuzzed = policy.review(policy.scheduler_for(Settings(fuzz=False)), 7, memory, GOOD, now)
    low, high = fuzz_range((unfuzzed.due - now).days, 36500)
    light = high if (plain.due - now).days != high else low
    counts = tuple(5 if d == light else 60 for d in range(policy.LOAD_DAYS))
    balanced = [policy.review(scheduler, 7, memory, GOOD, now,
                              load=lambda: Load(MONDAY, counts)).due for _ in range(3)]
    assert len(set(balanced)) == 1
    assert plain == policy.review(scheduler, 7, memory, GOOD, now, load=None)
    assert (balanced[0] - now).days == light  # the one light day of the range


def test_the_due_counts_come_from_one_grouped_query_by_study_day(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(30), settings={
        "new-per-day": "30"})
    service = ReviewService(engine, clock)
    while (view := service.next_card()) is not None:
        service.answer(view, GOOD if view.memory.state else policy.EASY)
    days = StudyDays()
    today = days.date_of(clock.now())
    from sqlalchemy import select, update

    from studyaws.store.tables import Card, CardState
    with writing(engine) as session:  # neither a suspended nor a retired card is counted
        session.execute(update(Card).where(Card.id.in_((3, 4, 9))).values(suspended=True))
        session.execute(update(Card).where(Card.id.in_((4, 17))).values(retired=True))
    with reading(engine) as session:
        counts = loads.due_per_day(session, days, today, 40)
        dues = session.execute(select(CardState.due).where(
            CardState.state != 0, CardState.card_id.not_in((3, 4, 9, 17)))).scalars()
        expected = Counter((days.date_of(d) - today).days for d in dues)
    assert sum(counts) == 26
    assert counts == [expected.get(k, 0) for k in range(40)]


def _daily_reviews(load_balance: bool, seed: int) -> tuple[list[int], float]:
    """A learner who took in a 2,000-card deck at 20 new cards a day (100 days) and has
    kept up its reviews since: days 200 to 259 measured. Review answers a day, and the
    share of them recalled."""
    scheduler = policy.scheduler_for(Settings())
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    learner = SyntheticLearner(seed=seed)
    ids = list(range(1, 2001))
    _, memories = simulate_study(ids, learner, scheduler, start, 200, new_per_day=20,
                                 seed=10 * seed + 1, load_balance=load_balance)
    later = start + timedelta(days=200)
    reviews, _ = simulate_study(ids, learner, scheduler, later, 60, new_per_day=20,
                                memories=memories, seed=10 * seed + 2,
                                load_balance=load_balance)
    days = StudyDays()
    answered = [r for r in reviews if r.before.state == REVIEW]
    per_day = Counter(days.date_of(r.reviewed_at) for r in answered)
    first = days.date_of(later)
    series = [per_day[first + timedelta(days=k)] for k in range(60)]
    return series, sum(r.rating > policy.AGAIN for r in answered) / len(answered)


@pytest.mark.slow
def test_balancing_cuts_the_sd_of_daily_reviews_by_a_third_and_keeps_the_retention():
    """The issue's criterion on a learner whose load is level (its deck finished 100 days
    before the 60 days measured, about 30 reviews a day), where the standard deviation of
    the daily reviews is their unevenness: a learner still taking in new cards has a load
    that grows through the 60 days, and that growth, which no choice within a fuzz range can
    move, is most of its standard deviation (bench/balance_bench.py). Five learners (seeds):
    the standard deviation of 60 daily counts is itself uncertain by about 9 % (a ratio of
    two by about 13 %), so the third is asserted on the median ratio; balancing lowers it
    for every learner, and the share of reviews recalled stays within 2 points of 0.90."""
    ratios = []
    for seed in range(1, 6):
        off, kept_off = _daily_reviews(False, seed)
        on, kept_on = _daily_reviews(True, seed)
        ratio = statistics.pstdev(on) / statistics.pstdev(off)
        print(f"seed {seed}: mean {statistics.fmean(off):.1f} / {statistics.fmean(on):.1f}, "
              f"sd {statistics.pstdev(off):.2f} -> {statistics.pstdev(on):.2f} "
              f"({100 * (ratio - 1):+.0f} %), recalled {kept_off:.3f} / {kept_on:.3f}")
        assert ratio < 1
        assert abs(kept_on - 0.9) <= 0.02 and abs(kept_off - 0.9) <= 0.02
        ratios.append(ratio)
    assert statistics.median(ratios) <= 2 / 3


def test_the_service_reads_the_counts_once_and_keeps_them_up_to_date(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(40), settings={
        "new-per-day": "40"})
    service = ReviewService(engine, clock)
    checked = 0
    for day in range(12):
        clock.set(datetime(2026, 3, 2 + day, 9, tzinfo=UTC))
        while (view := service.next_card()) is not None:
            lapse = view.id % 7 == 0 and view.memory.state == REVIEW
            service.answer(view, policy.AGAIN if lapse else GOOD)
        days = StudyDays()
        today = days.date_of(clock.now())
        if service._due_counts.today == today:  # read today: it agrees with the store
            with reading(engine) as session:
                assert service._due_counts.counts == loads.due_per_day(
                    session, days, today, policy.LOAD_DAYS)
            checked += 1
    assert checked >= 3  # days on which a review was fuzzed (and the counts read)
