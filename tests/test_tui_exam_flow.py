"""The mock exam's flow in the real app under Pilot: leaving (save, discard, cancel), the
setup screen, the results keys, the per-option answer review and the history chart."""

from __future__ import annotations

from support import home_settled, make_collection
from test_exam_core import QUESTIONS
from test_tui_exam import key_for, screen_text

from studyaws.services import exam as service
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.exam import ExamScreen
from studyaws.tui.screens.exam_modals import ConfirmScreen, LeaveExamScreen
from studyaws.tui.screens.home import HomeScreen

SIZE = (110, 34)


async def test_leaving_an_exam_offers_save_discard_and_cancel(tmp_path):
    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    view = service.start_exam(engine, clock, "quick", seed=8)
    app = StudyApp(engine, clock, start="exam", exam_id=view.id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press(key_for(screen, 0), "right", "f")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LeaveExamScreen)
        text = screen_text(app)
        assert "1 of 10 answered" in text and "discard it" in text
        await pilot.press("escape")  # cancel: back to the same question
        await pilot.pause()
        assert app.screen is screen and screen.index == 1
        await pilot.press("escape", "d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Discard this exam? Its answer is thrown away" in screen_text(app)
        await pilot.press("n")  # not confirmed: still the exam
        await pilot.pause()
        assert app.screen is screen
        assert service.running_exam(engine) == view.id
        await pilot.press("escape", "d", "y")
        await pilot.pause()
        await home_settled(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert service.running_exam(engine) is None and service.exam_history(engine) == []
        assert "exam is in progress" not in screen_text(app)
        await pilot.press("x")  # a new exam can be set up and started
        await pilot.pause()
        assert not isinstance(app.screen, ExamScreen)


async def test_the_submit_confirmation_counts_unanswered_and_flagged(tmp_path):
    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    view = service.start_exam(engine, clock, "quick", seed=9)
    app = StudyApp(engine, clock, start="exam", exam_id=view.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press(key_for(screen, 0), "right", "f", "right", "f", "s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        text = screen_text(app)
        assert "9 unanswered" in text and "2 flagged" in text
