"""Study more (`m` on home) on a real SQLite file: each option offers the right cards,
schedules their answers as the daily review does, and leaving mid-way writes nothing but the
answers given."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from support import (
    basic_deck,
    card_id_by_prompt,
    home_settled,
    make_collection,
    review_count,
    state_of,
)
from test_exam_core import QUESTIONS
from test_exam_flow import DB, card_states, rows
from test_tui_review import screen_text
from waiting import settle

from studyaws.core.srs import policy
from studyaws.core.srs.policy import AGAIN, EASY, GOOD, LEARNING, NEW, RELEARNING, REVIEW
from studyaws.services import exam
from studyaws.services import study_more as more
from studyaws.services.review import ReviewService
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.home import HomeScreen
from studyaws.tui.screens.review import ReviewScreen
from studyaws.tui.screens.study_more import (
    ExamChoiceScreen,
    NumberScreen,
    StudyMoreScreen,
)
from studyaws.tui.screens.summary import SummaryScreen

SIZE = (100, 32)
def cards(db: Path) -> list[tuple]:
    return rows(db, "SELECT * FROM card ORDER BY id")


def ids(engine, *numbers: int) -> list[int]:
    return [card_id_by_prompt(engine, f"Question {n}\n") or card_id_by_prompt(
        engine, f"Question {n}") for n in numbers]


def learned(tmp_path, count: int = 4, **settings):
    """A collection of `count` cards, each answered Easy on the first day (all in review)."""
    engine, clock, _ = make_collection(
        tmp_path, basic_deck(count),
        settings={"learning-steps": "1", "relearning-steps": "1", **settings})
    service = ReviewService(engine, clock)
    for _ in range(count):
        service.answer(service.next_card(), EASY)
    return engine, clock


async def open_number(pilot, choice: str, typed: str) -> None:
    """Home: m, the option, then the number typed in place of the one offered."""
    await pilot.press("m")
    await pilot.pause()
    assert isinstance(pilot.app.screen, StudyMoreScreen)
    await pilot.press(choice)
    await pilot.pause()
    assert isinstance(pilot.app.screen, NumberScreen)
    await pilot.press("backspace", "backspace", "backspace", *typed, "enter")
    await pilot.pause()


# -- extra new cards today ----------------------------------------------------------------------
def test_extra_new_cards_raise_todays_limit_until_the_day_ends(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(8), settings={"new-per-day": "2"})
    service = ReviewService(engine, clock)
    assert service.counts().new == 2
    assert more.add_new_today(engine, clock, 3) == 3
    assert ReviewService(engine, clock).counts().new == 5
    assert more.add_new_today(engine, clock, 1) == 4  # added to today's
    assert ReviewService(engine, clock).counts().new == 6
    with pytest.raises(more.StudyMoreError, match="from 1 to 999"):
        more.add_new_today(engine, clock, 0)
    clock.advance(timedelta(days=1))  # the next study day: the raise is over
    tomorrow = ReviewService(engine, clock)
    assert tomorrow.extra_new() == 0 and tomorrow.counts().new == 2
    assert more.add_new_today(engine, clock, 1) == 1  # a new day's raise starts again


def test_no_extra_new_cards_when_none_is_left(tmp_path):
    engine, clock = learned(tmp_path, 2)
    with pytest.raises(more.StudyMoreError, match="no new card is left"):
        more.add_new_today(engine, clock, 5)
    assert ReviewService(engine, clock).extra_new() == 0


async def test_extra_new_cards_in_the_app(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(8), settings={"new-per-day": "2"})
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await home_settled(pilot)
        await open_number(pilot, "1", "3")
        assert isinstance(app.screen, ReviewScreen) and app.screen.selection is None
        assert "raised by 3" in screen_text(app)
        for n in range(1, 6):  # 2 + 3 new cards today, then the session is over
            assert app.screen.view.prompt == f"Question {n}"
            await pilot.press("space", "4")
            await pilot.pause()
        await settle(pilot, lambda: isinstance(app.screen, SummaryScreen), what="the summary")
        assert review_count(engine) == 5


# -- review ahead --------------------------------------------------------------------------------
def test_review_ahead_offers_the_cards_due_within_n_days(tmp_path):
    engine, clock = learned(tmp_path, 3)
    dues = {card_id: state_of(engine, card_id).due for card_id in ids(engine, 1, 2, 3)}
    clock.advance(timedelta(days=1))
    assert ReviewService(engine, clock).next_card() is None  # nothing due today
    with pytest.raises(more.StudyMoreError, match="within 1 day"):
        more.review_ahead(engine, clock, 1)
    selection = more.review_ahead(engine, clock, 60)
    assert sorted(selection.card_ids) == sorted(dues)
    assert [dues[c] for c in selection.card_ids] == sorted(dues.values())  # earliest first
    with pytest.raises(more.StudyMoreError, match="from 1 to 365"):
        more.review_ahead(engine, clock, 366)


async def test_review_ahead_in_the_app_schedules_normally_and_leaving_writes_nothing_else(
        tmp_path):
    engine, clock = learned(tmp_path, 3)
    db = tmp_path / DB
    clock.advance(timedelta(days=1))
    before_states, before_cards = card_states(db), cards(db)
    logged = review_count(engine)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await home_settled(pilot)
        await open_number(pilot, "2", "60")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert "Review ahead 60 days" in str(screen.query_one("#review-header").render())
        first = screen.view
        assert first.memory.state == REVIEW and first.memory.due > clock.now()  # early
        # What the daily review's scheduler makes of Good now, elapsed days < interval.
        expected = policy.review(ReviewService(engine, clock).scheduler, first.id,
                                 first.memory, GOOD, clock.now())
        await pilot.press("space", "space")  # show the answer, then Good
        await settle(pilot, lambda: screen.view.id != first.id, what="the next card")
        await pilot.press("escape")
        await home_settled(pilot)
        assert isinstance(app.screen, HomeScreen)
    assert review_count(engine) == logged + 1
    after = card_states(db)
    assert {c: s for c, s in after.items() if c != first.id} == {
        c: s for c, s in before_states.items() if c != first.id}
    answered = state_of(engine, first.id)
    assert answered.reps == first.memory.reps + 1 and answered.state == REVIEW
    assert answered.last_review == clock.now() and answered.due > first.memory.due
    assert (answered.due, answered.stability) == (expected.due, expected.stability)
    assert cards(db) == before_cards


# -- forgotten -------------------------------------------------------------------------------------
def forgetting(tmp_path):
    """Four cards in review; on day 30 card 1 is answered Again, on day 32 card 3."""
    engine, clock = learned(tmp_path, 4)
    one, two, three, four = ids(engine, 1, 2, 3, 4)
    service = ReviewService(engine, clock)
    clock.advance(timedelta(days=30))
    service.answer(service.card(one), AGAIN)
    clock.advance(timedelta(days=2))
    service.answer(service.card(three), AGAIN)
    clock.advance(timedelta(minutes=30))
    return engine, clock, (one, two, three, four)


def test_forgotten_offers_the_cards_answered_again_in_the_last_n_days(tmp_path):
    engine, clock, (one, _, three, _) = forgetting(tmp_path)
    assert more.forgotten(engine, clock, 1).card_ids == (three,)
    assert more.forgotten(engine, clock, 2).card_ids == (three,)
    assert more.forgotten(engine, clock, 3).card_ids == (one, three)  # forgotten first first
    assert more.forgotten(engine, clock, 3).title == "Forgotten in the last 3 days"
    clock.advance(timedelta(days=5))
    with pytest.raises(more.StudyMoreError, match="no card was answered Again in the last 2"):
        more.forgotten(engine, clock, 2)


def test_a_session_brings_back_a_card_again_when_its_step_is_due(tmp_path):
    engine, clock, (one, _, three, _) = forgetting(tmp_path)
    service = ReviewService(engine, clock, selection=more.forgotten(engine, clock, 3))
    view = service.next_card()
    assert view.id == one and view.memory.state == RELEARNING
    counts = service.last_counts
    assert (counts.new, counts.learning, counts.review) == (0, 2, 0)
    service.answer(view, AGAIN)  # its relearning step starts again: due in a minute
    assert state_of(engine, one).state == RELEARNING
    view = service.next_card()
    assert view.id == three  # the card not offered yet comes before the step due later
    service.answer(view, GOOD)
    view = service.next_card()
    assert view.id == one  # the step, within the learn-ahead time
    assert service.undo() == three  # the last answer undone: card 3 is offered again
    assert service.next_card().id == three and service.last_counts.learning == 2
    service.answer(service.next_card(), GOOD)
    assert service.next_card().id == one
    service.answer(service.next_card(), GOOD)
    assert state_of(engine, one).state == REVIEW
    assert service.next_card() is None


async def test_forgotten_in_the_app_and_leaving_mid_way(tmp_path):
    engine, clock, (one, two, three, four) = forgetting(tmp_path)
    db = tmp_path / DB
    before = card_states(db)
    logged = review_count(engine)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await home_settled(pilot)
        await open_number(pilot, "3", "3")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.view.id == one
        assert "Forgotten in the last 3 days" in str(screen.query_one("#review-header").render())
        await pilot.press("space", "3")
        await settle(pilot, lambda: screen.view.id == three, what="card 3")
        await pilot.press("escape")
        await home_settled(pilot)
    assert review_count(engine) == logged + 1
    after = card_states(db)
    assert after[three] == before[three] and after[two] == before[two]
    assert after[four] == before[four] and after[one] != before[one]
    assert state_of(engine, one).state == REVIEW  # its relearning step done, Good


async def test_numbers_out_of_range_are_refused_in_the_box(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(2))
    db = tmp_path / DB
    before = card_states(db), rows(db, "SELECT * FROM setting ORDER BY key")
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await home_settled(pilot)
        await open_number(pilot, "2", "0")
        assert isinstance(app.screen, NumberScreen)
        assert "The number of days must be from 1 to 365." in screen_text(app)
        await pilot.press("backspace", "9", "9", "9", "enter")
        await pilot.pause()
        assert isinstance(app.screen, NumberScreen)
        await pilot.press("backspace", "backspace", "backspace", "enter")
        await pilot.pause()
        assert "Type a number of days." in screen_text(app)
        await pilot.press("x", "1", "enter")  # letters are not typed
        await pilot.pause()
        assert "No card in review falls due within 1 day." in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StudyMoreScreen)
        await pilot.press("3", "enter")
        await pilot.pause()
        assert "No card was answered Again today." in screen_text(app)
        await pilot.press("escape", "4")
        await pilot.pause()
        assert isinstance(app.screen, StudyMoreScreen)  # no exam finished: said, not opened
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert (card_states(db), rows(db, "SELECT * FROM setting ORDER BY key")) == before
    assert review_count(engine) == 0


# -- a mock exam's misses -------------------------------------------------------------------------
def finished_exam(tmp_path):
    """A finished quick exam: item 0 right but flagged, item 1 wrong, item 2 unanswered, the
    others right."""
    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    view = exam.start_exam(engine, clock, "quick", seed=17)
    items = view.items
    for n, item in enumerate(items):
        if n == 1:
            exam.save_answer(engine, view.id, item, {"chosen": [9]}, 10, clock.now())
        elif n != 2:
            exam.save_answer(engine, view.id, item, {"chosen": sorted(item.question.correct)},
                             10, clock.now())
    exam.set_flag(engine, view.id, items[0], True)
    exam.finish_exam(engine, clock, view)
    clock.advance(timedelta(hours=1))
    return engine, clock, view.id, [item.card_id for item in items]


def test_exam_misses_are_the_wrong_unanswered_and_flagged_questions(tmp_path):
    engine, clock, exam_id, items = finished_exam(tmp_path)
    selection = more.exam_misses(engine, clock, exam_id)
    assert selection.card_ids == tuple(items[:3])  # in the exam's order
    [choice] = more.exam_choices(engine)
    assert choice.exam.id == exam_id and choice.misses == 3
    with pytest.raises(more.StudyMoreError, match="no finished exam 99"):
        more.exam_misses(engine, clock, 99)


async def test_exam_misses_in_the_app(tmp_path):
    engine, clock, exam_id, items = finished_exam(tmp_path)
    db = tmp_path / DB
    before = card_states(db)
    logged = review_count(engine)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await home_settled(pilot)
        await pilot.press("m", "4")
        await pilot.pause()
        assert isinstance(app.screen, ExamChoiceScreen)
        assert f"Exam {exam_id}" in screen_text(app) and "3 to study" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.view.id == items[0]
        assert screen.service.last_counts.total == 3
        await pilot.press("1", "space")  # pick an option, submit
        await settle(pilot, lambda: screen.submitted, what="the answer saved")
        await pilot.press("escape")
        await home_settled(pilot)
    assert review_count(engine, "review") == 1 and review_count(engine) == logged + 1
    after = card_states(db)
    assert after[items[0]] != before[items[0]]
    assert all(after[c] == before[c] for c in before if c != items[0])
    assert state_of(engine, items[0]).state in (LEARNING, REVIEW, RELEARNING)
    assert state_of(engine, items[0]).state != NEW


# -- how the boxes look ------------------------------------------------------------------------
SIZES = {"80x24": (80, 24), "200x50": (200, 50)}


def _keys_then_still(*keys: str):
    async def run(pilot):
        await home_settled(pilot)
        await pilot.press(*keys)
        await pilot.pause()
        for field in pilot.app.screen.query("Input"):
            field.cursor_blink = False
        await pilot.pause()

    return run


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
@pytest.mark.parametrize("keys", [("m",), ("m", "2")], ids=["menu", "days"])
def test_study_more_boxes(tmp_path, monkeypatch, snap_compare, keys, size):
    monkeypatch.chdir(tmp_path)
    engine, clock, _ = make_collection(tmp_path, basic_deck(3))
    assert snap_compare(StudyApp(engine, clock), run_before=_keys_then_still(*keys),
                        terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_exam_choice_box(tmp_path, monkeypatch, snap_compare, size):
    monkeypatch.chdir(tmp_path)
    engine, clock, _, _ = finished_exam(tmp_path)
    assert snap_compare(StudyApp(engine, clock), run_before=_keys_then_still("m", "4"),
                        terminal_size=SIZES[size])
