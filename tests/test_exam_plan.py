"""The exam-date plan: the pure rules, and the review service applying them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update
from support import basic_deck, make_collection

from studyaws.core.srs.exam_plan import (
    ExamPlan,
    below_target,
    exam_moment,
    plan_for_exam,
    short_date,
)
from studyaws.core.srs.policy import EASY, GOOD, NEW, REVIEW
from studyaws.services.review import ReviewService
from studyaws.store.engine import writing
from studyaws.store.tables import CardState

TODAY = date(2026, 3, 2)


def test_no_plan_without_an_exam_ahead():
    assert plan_for_exam(TODAY, None, 100, 20) is None
    assert plan_for_exam(TODAY, TODAY, 100, 20) is None
    assert plan_for_exam(TODAY, TODAY - timedelta(days=3), 100, 20) is None


def test_budget_grows_to_finish_two_weeks_before_the_exam():
    exam = TODAY + timedelta(days=31)
    plan = plan_for_exam(TODAY, exam, 100, 2)
    # 18 study days (today up to and including exam - 14 days) for 100 cards: 6 a day.
    assert plan.target == exam - timedelta(days=14)
    assert plan.new_per_day == 6 and plan.raised
    assert plan.finish == TODAY + timedelta(days=16)
    assert plan.finish <= plan.target
    assert plan.days_left == 31
    assert plan.summary() == f"6 new cards a day to finish by {short_date(plan.finish)}"


def test_budget_never_drops_below_the_users_limit():
    plan = plan_for_exam(TODAY, TODAY + timedelta(days=60), 50, 20)
    assert plan.new_per_day == 20 and not plan.raised
    assert plan.finish == TODAY + timedelta(days=2)
    assert plan.summary() == "20 new cards a day to finish by 4 Mar"


def test_inside_the_margin_new_cards_are_spread_over_about_half_the_days_left():
    exam = TODAY + timedelta(days=10)
    plan = plan_for_exam(TODAY, exam, 45, 0)
    assert plan.target == TODAY + timedelta(days=7)  # 8 of the 10 days: ceil((10 + 5) / 2)
    assert plan.new_per_day == 6  # 45 / 8, to the nearest card
    assert plan.finish == TODAY + timedelta(days=7)
    last = plan_for_exam(TODAY, TODAY + timedelta(days=1), 5, 0)
    assert last.target == TODAY and last.new_per_day == 5


def test_nothing_left_to_introduce_and_the_last_day():
    plan = plan_for_exam(TODAY, TODAY + timedelta(days=1), 0, 20)
    assert plan.summary() == "every card introduced"
    assert plan.finish is None and plan.last_study_day
    assert not plan_for_exam(TODAY, TODAY + timedelta(days=2), 0, 20).last_study_day


def test_keeping_to_the_plan_introduces_every_card_before_the_exam_whatever_the_counts():
    # The target is two weeks before the exam when it is 31 days or more away; nearer, the
    # window keeps a little over half the days left (so the target moves a day later every
    # other day), and the last card always comes before the exam day.
    for days in range(1, 120):
        for left in (0, 1, 7, 99, 1000):
            exam = TODAY + timedelta(days=days)
            plan: ExamPlan = plan_for_exam(TODAY, exam, left, 3)
            assert plan.new_per_day >= 3
            assert plan.target < exam
            assert (plan.target == exam - timedelta(days=14)) == (days >= 31)
            day = TODAY
            while plan is not None and left:
                assert day < exam
                left -= min(left, plan.new_per_day)
                day += timedelta(days=1)
                plan = plan_for_exam(day, exam, left, 3)


def test_exam_moment_and_target():
    assert exam_moment(date(2027, 3, 1), UTC) == datetime(2027, 3, 1, 12, tzinfo=UTC)
    assert below_target(0.85, 0.9) and not below_target(0.9, 0.9)


def test_service_raises_the_new_card_limit_for_the_day(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(100), settings={
        "new-per-day": "2", "exam-date": "2026-04-01"})
    service = ReviewService(engine, clock)
    # 2 March to 18 March (exam minus 14 days) is 17 days for 100 cards: 6 a day.
    assert service.exam_plan().new_per_day == 6
    assert service.counts().new == 6
    for _ in range(4):
        view = service.next_card()
        service.answer(view, EASY)
    # The budget holds all day: 4 answered, 2 left (not a fresh 6 of the 96 left).
    assert service.counts().new == 2
    # A fresh service on the same day agrees.
    assert ReviewService(engine, clock).counts().new == 2
    # After the exam date the user's own limit is back.
    clock.set(datetime(2026, 4, 2, 9, tzinfo=UTC))
    assert ReviewService(engine, clock).exam_plan() is None
    assert ReviewService(engine, clock).counts().new == 2


def test_without_an_exam_date_nothing_changes(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(100), settings={"new-per-day": "2"})
    service = ReviewService(engine, clock)
    assert service.exam_plan() is None
    assert service.counts().new == 2


def _set_review(engine, card_id: int, stability: float, last: datetime, due: datetime):
    with writing(engine) as session:
        session.execute(update(CardState).where(CardState.card_id == card_id).values(
            state=REVIEW, step=None, stability=stability, difficulty=5.0, due=due,
            last_review=last, reps=3))


def test_last_day_before_the_exam_brings_reviews_forward(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(4), settings={
        "new-per-day": "0", "exam-date": "2026-03-20"})
    at = lambda d, h=9: datetime(2026, 3, d, h, tzinfo=UTC)  # noqa: E731
    # 1: due on the exam morning, recall at the exam below 0.9  -> brought forward
    # 2: due long after the exam, recall at the exam well above 0.9  -> left alone
    # 3: due on the last day anyway
    # 4: due the day after the exam with recall at the exam above 0.9 -> left alone
    _set_review(engine, 1, 8.0, at(10), at(20, 8))
    _set_review(engine, 2, 30.0, at(5), at(5) + timedelta(days=30))
    _set_review(engine, 3, 9.0, at(10), at(19, 10))
    _set_review(engine, 4, 12.0, at(10), at(21))
    clock.set(at(18))
    assert ReviewService(engine, clock).counts().review == 0
    clock.set(at(19))
    service = ReviewService(engine, clock)
    assert service.exam_plan().last_study_day
    assert service.counts().review == 2
    shown = []
    while (view := service.next_card()) is not None:
        assert view.memory.state == REVIEW
        shown.append(view.id)
        service.answer(view, GOOD)
    assert sorted(shown) == [1, 3]  # each once: an answered card is not brought forward again
    assert service.counts().review == 0


def test_bring_forward_respects_the_new_state(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(3), settings={
        "new-per-day": "5", "exam-date": "2026-03-03"})
    service = ReviewService(engine, clock)
    plan = service.exam_plan()
    assert plan.last_study_day and plan.new_left == 3
    assert service.counts().new == 3 and service.counts().review == 0
    view = service.next_card()
    assert view.memory.state == NEW
