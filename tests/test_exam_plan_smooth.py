"""The exam plan's pace: smooth from day to day, within the user's load cap, and plain about
a date it cannot meet. Checked on the pure plan over many counts, and on the real review
service with a synthetic learner answering on a fake clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from support import basic_deck, make_collection

from studyaws.core.srs.exam_plan import cap_new_per_day, plan_for_exam
from studyaws.services.learner import SyntheticLearner
from studyaws.services.review import ReviewService

TODAY = date(2026, 3, 2)
CARDS, CAP = 250, 15  # the service test: the issue's 1,000 cards and 60 minutes, scaled down


def smooth(previous: int, budget: int) -> bool:
    """At most a factor of 1.5 either way (or a single card: 1 to 2 is not a jump)."""
    return max(previous, budget) <= 1.5 * min(previous, budget) or abs(previous - budget) <= 1


def test_the_issue_case_no_longer_jumps():
    # 1,000 new cards left at 16, 15, 14 and 13 days out: the old plan asked for 334, 500,
    # 1,000 and then 77 new cards a day.
    exam = TODAY + timedelta(days=16)
    left, budgets = 1000, []
    for day in range(16):
        plan = plan_for_exam(TODAY + timedelta(days=day), exam, left, 0)
        budgets.append(plan.new_per_day)
        left -= min(left, plan.new_per_day)
    assert left == 0
    assert budgets == [91, 91, 82, 82, 73, 73, 64, 63, 54, 55, 45, 45, 46, 45, 46, 45]
    assert all(smooth(a, b) for a, b in zip(budgets, budgets[1:], strict=False) if b)


@pytest.mark.parametrize("own", [0, 2, 20])
def test_keeping_to_the_plan_never_changes_the_pace_by_more_than_half(own):
    for days_out in range(1, 80):
        for cards in (1, 3, 7, 10, 25, 99, 250, 1000, 5000):
            exam, left, previous = TODAY + timedelta(days=days_out), cards, None
            for day in range(days_out):
                plan = plan_for_exam(TODAY + timedelta(days=day), exam, left, own)
                if left == 0:
                    break
                if previous is not None:
                    assert smooth(previous, plan.new_per_day), (days_out, cards, day)
                previous = plan.new_per_day
                left -= min(left, plan.new_per_day)
            assert left == 0, (days_out, cards)


def test_the_cap_bounds_the_budget_but_never_below_the_users_own_limit():
    exam = TODAY + timedelta(days=20)
    free = plan_for_exam(TODAY, exam, 1000, 0)
    capped = plan_for_exam(TODAY, exam, 1000, 0, cap_minutes=30, answer_seconds=10.0,
                           reviews_per_day=40)
    assert free.new_per_day == 77 and not free.capped
    # 30 minutes at 10 s an answer is 180 answers; 40 go to reviews; 140 / 5.1 answers a new
    # card a day over the 13 days of the pace: 27 new cards a day.
    assert capped.intro_days == 13
    assert capped.cap_new == cap_new_per_day(30, 10.0, 40, 13) == 27
    assert capped.new_per_day == 27 and capped.capped and capped.needed == 77
    own = plan_for_exam(TODAY, exam, 1000, 50, cap_minutes=30, answer_seconds=10.0,
                        reviews_per_day=40)
    assert own.new_per_day == 50  # the user's own limit stands
    full = plan_for_exam(TODAY, exam, 1000, 0, cap_minutes=30, answer_seconds=10.0,
                         reviews_per_day=500)
    assert full.cap_new == 0 and full.new_per_day == 0


def test_the_summary_says_plainly_when_the_date_cannot_be_met():
    exam = TODAY + timedelta(days=14)
    plan = plan_for_exam(TODAY, exam, 1000, 0, cap_minutes=60, answer_seconds=10.0)
    assert plan.capped
    assert plan.summary() == (
        "1,000 new cards in 10 days needs 100 a day (about 75 min a day); at your 60-minute "
        "cap, 80 a day: about 800 introduced by 11 Mar")
    roomy = plan_for_exam(TODAY, exam, 1000, 0, cap_minutes=120, answer_seconds=10.0)
    assert not roomy.capped and roomy.summary() == "100 new cards a day to finish by 11 Mar"


@pytest.mark.slow
def test_on_the_review_service_the_plan_is_smooth_and_within_the_load_cap(tmp_path):
    """CARDS new cards, the exam 16 days out, a CAP-minute cap, no new cards of the user's own:
    a synthetic learner answers everything the queue gives each day (8 s an answer). The
    plan's daily new count changes by at most a factor of 1.5 from one day to the next, never
    exceeds what the cap leaves room for, and the minutes really spent stay under the cap."""
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    exam = (start + timedelta(days=16)).date()
    engine, clock, _ = make_collection(tmp_path, basic_deck(CARDS), settings={
        "new-per-day": "0", "exam-date": exam.isoformat(), "max-study-minutes": str(CAP),
        "reviews-per-day": "9999"}, start=start)
    learner = SyntheticLearner(seed=3)
    budgets, minutes, capped_days = [], [], 0
    for day in range(16):
        clock.set(start + timedelta(days=day))
        service = ReviewService(engine, clock)
        plan = service.exam_plan()
        if plan.new_left == 0:
            break
        assert plan.new_per_day <= plan.cap_new
        capped_days += plan.capped
        budgets.append(plan.new_per_day)
        answers = 0
        while (view := service.next_card()) is not None:
            rating = learner.answer(view.id, clock.now())
            service.answer(view, rating, duration_ms=8000)
            clock.advance(8)
            answers += 1
        minutes.append(answers * 8 / 60)
    assert len(budgets) >= 10
    assert all(smooth(a, b) for a, b in zip(budgets, budgets[1:], strict=False)), budgets
    assert capped_days > 0  # the cap did bind
    assert max(minutes) <= CAP, minutes
