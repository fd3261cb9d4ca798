"""A whole mock exam in the real app under Pilot, with an injected clock."""

from __future__ import annotations

import html
import re
from collections import Counter

import pytest
from sqlalchemy import select
from support import home_settled, make_collection
from test_exam_core import QUESTIONS

from studyaws.core.srs import policy
from studyaws.services import exam as service
from studyaws.store.engine import reading
from studyaws.store.tables import Exam, ExamQuestion, ReviewLog
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.exam import ExamScreen
from studyaws.tui.screens.exam_modals import (
    ConfirmScreen,
    NavigatorScreen,
    ReviewBeforeSubmitScreen,
)
from studyaws.tui.screens.exam_results import AnswerReviewScreen, ExamResultScreen
from studyaws.tui.screens.exam_setup import ExamSetupScreen
from studyaws.tui.screens.home import HomeScreen

SIZE = (110, 34)


def screen_text(app) -> str:
    svg = app.export_screenshot()
    return html.unescape("".join(re.findall(r"<text[^>]*>(.*?)</text>", svg))).replace("\xa0", " ")


def key_for(screen, option_index: int) -> str:
    return str(screen.query_one("#options").order.index(option_index) + 1)


@pytest.mark.slow  # seconds of waiting: in the full suite, not the quick loop
async def test_sit_a_quick_exam_until_the_clock_runs_out(tmp_path):
    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExamSetupScreen)
        await pilot.press("left", "enter")  # the preset before the first: quick
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExamScreen)
        exam = screen.exam
        assert exam.blueprint.name == "quick" and len(exam.items) == 10
        assert "Question 1 of 10" in screen_text(app) and "15:00" in screen_text(app)

        # Answer the first question right, the second wrong, flag the third.
        await pilot.press(key_for(screen, sorted(screen.item.question.correct)[0]))
        await pilot.press("right")
        wrong = next(i for i in range(3) if i not in screen.item.question.correct)
        await pilot.press(key_for(screen, wrong), "right", "f")
        await pilot.pause()
        assert "Question 3 of 10" in screen_text(app) and "flagged" in screen_text(app)
        await pilot.press("left")
        assert screen.index == 1

        # The navigator shows the states and jumps.
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, NavigatorScreen)
        await pilot.press("right", "right", "right", "enter")
        await pilot.pause()
        assert app.screen is screen and screen.index == 4
        await pilot.press(key_for(screen, sorted(screen.item.question.correct)[0]))

        # Review before submitting lists every question; submitting asks first.
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewBeforeSubmitScreen)
        text = screen_text(app)
        assert "3 answered" in text and "7 unanswered" in text and "1 flagged" in text
        await pilot.press("escape", "s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen

        # Time passes: warnings at 10 and 5 minutes, then the exam submits itself.
        clock.advance(5 * 60 + 1)
        await screen.tick()
        clock.advance(5 * 60)
        await screen.tick()
        with reading(engine) as session:
            saved = session.get(Exam, exam.id).remaining_s
        assert 298 <= saved <= 300  # the remaining time is saved as it runs
        clock.advance(5 * 60)
        await screen.tick()
        await pilot.pause()
        result_screen = app.screen
        assert isinstance(result_screen, ExamResultScreen)
        result = result_screen.result
        assert (result.correct, result.total, result.unanswered) == (2, 10, 7)
        text = screen_text(app)
        assert "2 of 10 right" in text and "FAIL" in text and "estimate" in text

        # Answer review with filters.
        await pilot.press("a")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, AnswerReviewScreen)
        assert "showing all: 10 of 10 questions" in screen_text(app)
        await pilot.press("w")
        await pilot.pause()
        assert "showing wrong: 8 of 10 questions" in screen_text(app)
        await pilot.press("f")
        await pilot.pause()
        assert "showing flagged: 1 of 10 questions" in screen_text(app)
        text = screen_text(app)  # the flagged one was not answered
        assert "Not answered: it counts as wrong." in text and "Because" in text

    with reading(engine) as session:
        exam_row = session.get(Exam, exam.id)
        ratings = Counter(session.execute(
            select(ReviewLog.rating).where(ReviewLog.source == "exam")).scalars())
        flagged = session.execute(select(ExamQuestion.position).where(
            ExamQuestion.exam_id == exam.id, ExamQuestion.flagged.is_(True))).scalars().all()
    assert exam_row.status == "finished" and exam_row.scaled == 280 and not exam_row.passed
    assert ratings == {policy.GOOD: 2, policy.AGAIN: 1}  # unanswered: no review
    assert flagged == [2]


async def test_practice_mode_gives_feedback_and_pauses(tmp_path):
    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    view = service.start_exam(engine, clock, "quick", mode="practice", seed=3)
    app = StudyApp(engine, clock, start="exam", exam_id=view.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExamScreen) and screen.exam.practice
        await pilot.press(key_for(screen, sorted(screen.item.question.correct)[0]), "enter")
        await pilot.pause()
        assert "✓ Correct" in screen_text(app) and "Because" in screen_text(app)
        await pilot.press("z")
        clock.advance(120)
        await screen.tick()
        assert screen.remaining == view.remaining_s
        await pilot.press("z")
        clock.advance(60)
        await screen.tick()
        assert screen.remaining == view.remaining_s - 60


async def test_leaving_and_resuming_from_home(tmp_path):
    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    view = service.start_exam(engine, clock, "quick", seed=8)
    app = StudyApp(engine, clock, start="exam", exam_id=view.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press(key_for(screen, 0), "right")
        clock.advance(30)
        await screen.tick()
        await pilot.press("escape", "s")  # leave: save it for later
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await home_settled(pilot)
        assert "exam is in progress" in screen_text(app)
        clock.advance(3600)  # closed: the exam clock does not run
        await pilot.press("x")
        await pilot.pause()
        again = app.screen
        assert isinstance(again, ExamScreen) and again.index == 1
        assert again.remaining == view.remaining_s - 30
        assert again.exam.items[0].answered


EDITABLE = """\
Which option is last? {#pick}

- [ ] One
- [ ] Two
- [x] Three

> domain: secure

Order: Put these in order. {#order}
1. First
2. Second
3. Third
4. Fourth

> domain: secure
"""

EDITED = """\
Which option is last? {#pick}

- [ ] One
- [x] Two

> domain: secure

Order: Put these in order. {#order}
1. First
2. Second

> domain: secure
"""


async def test_an_exam_whose_deck_was_edited_shows_the_answers_as_given(tmp_path):
    """Options answered in the exam no longer exist after an edit of the deck: the running
    exam, its results and the answer review show the answers as given, with a note."""
    from studyaws.services.importer import import_paths

    engine, clock, deck = make_collection(tmp_path, EDITABLE)
    view = service.start_exam(engine, clock, "quick", seed=1)
    pick, order = sorted(view.items, key=lambda i: type(i.question).__name__)
    service.save_answer(engine, view.id, pick, {"chosen": [2]}, 5, clock.now())
    service.save_answer(engine, view.id, order, {"order": [3, 2, 1, 0]}, 5, clock.now())
    clock.advance(60)
    deck.write_text(EDITED)
    import_paths(engine, [deck], clock.now())

    app = StudyApp(engine, clock, start="exam", exam_id=view.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExamScreen)
        for _ in range(2):  # both questions show, the stale answer left out
            await pilot.press("right")
            await pilot.pause()
        await pilot.press("s", "y")
        await pilot.pause()
        assert isinstance(app.screen, ExamResultScreen)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AnswerReviewScreen)
        text = screen_text(app)
        assert "Three (no longer an option)" not in text  # the text was not stored
        assert "option 3 (no longer in the question)" in text
        assert "Fourth" not in text
        assert ("1. item 4 (no longer in the question)" in text
                and "2. item 3 (no longer in the question)" in text
                and "✗ 3. Second  ← belongs at 2" in text and "✗ 4. First  ← belongs at 1" in text)
        assert text.count("edited after this exam") == 2


def burst(app, *keys: str) -> None:
    """Keys arriving together, as a terminal delivers fast typing: no pause between them,
    unlike pilot.press, which waits for the app to go idle after each key."""
    from textual import events

    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


NUMBERS = "\n\n".join(
    f"Q: How many things in box {n}? {{#n{n}}}\nA: = {n}\n\n> domain: secure"
    for n in range(1, 5)) + "\n"


async def test_digits_typed_right_after_moving_to_a_numeric_question_are_kept(tmp_path):
    engine, clock, _ = make_collection(tmp_path, NUMBERS)
    view = service.start_exam(engine, clock, "quick", seed=2)
    app = StudyApp(engine, clock, start="exam", exam_id=view.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExamScreen) and len(view.items) == 4
        burst(app, "1")
        for index, typed in enumerate(("42", "7", "365")):
            burst(app, "right", *typed)
            await pilot.pause()
            assert screen.index == index + 1
            assert screen.query_one("#numeric").value == typed
        burst(app, "left", "9", "enter", "f")  # letters are keys of the exam, not input
        await pilot.pause()
        assert screen.index == 3 and screen.item.flagged
    with reading(engine) as session:
        saved = dict(session.execute(select(ExamQuestion.position, ExamQuestion.response).where(
            ExamQuestion.exam_id == view.id)).all())
    assert saved == {0: '{"text": "1"}', 1: '{"text": "42"}', 2: '{"text": "79"}',
                     3: '{"text": "365"}'}


@pytest.mark.slow  # seconds of waiting: in the full suite, not the quick loop
@pytest.mark.sqlite_only  # holds SQLite's write lock from sqlite3 (PostgreSQL: test_postgres)
async def test_an_exam_answer_that_meets_the_write_lock_is_kept_and_saved(tmp_path, monkeypatch):
    import sqlite3

    from studyaws.store import engine as store
    from studyaws.tui import saving

    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 100)
    monkeypatch.setattr(saving, "RETRY_PAUSES", (0.2,))
    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    view = service.start_exam(engine, clock, "quick", seed=4)
    holder = sqlite3.connect(tmp_path / "home" / "studyaws.sqlite3", isolation_level=None)
    app = StudyApp(engine, clock, start="exam", exam_id=view.id)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            holder.execute("BEGIN IMMEDIATE")
            await pilot.press(key_for(screen, 0))
            await pilot.pause()
            line = screen.query_one("#save-status")
            assert line.display and str(line.render()).startswith(
                "Not saved yet: your answer to question 1, “Question number")
            clock.advance(5)
            await screen.tick()  # the clock runs on, unsaved
            await pilot.press("right", "f", "escape")  # nothing else until it is saved
            await pilot.pause()
            assert app.screen is screen and screen.index == 0
            holder.execute("COMMIT")
            await pilot.press("r")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert not line.display
            await pilot.press("right")
            await pilot.pause()
            assert screen.index == 1
    finally:
        holder.close()
    with reading(engine) as session:
        saved = session.execute(select(ExamQuestion.position, ExamQuestion.response).where(
            ExamQuestion.exam_id == view.id, ExamQuestion.response != "")).all()
        exam_row = session.get(Exam, view.id)
    assert saved == [(0, '{"chosen": [0]}')]
    assert exam_row.current == 1 and exam_row.remaining_s < view.remaining_s
