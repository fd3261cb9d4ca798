"""`?` shows the keys of the screen it is pressed on, made from that screen's live bindings:
every key the footer and the palette offer is in it, a key bound later shows up too, and the
exam has its own help."""

from __future__ import annotations

from support import basic_deck, make_collection
from test_exam_core import QUESTIONS
from textual.binding import Binding

from studyaws.tui.app import StudyApp
from studyaws.tui.screens.exam import ExamScreen
from studyaws.tui.screens.exam_setup import ExamSetupScreen
from studyaws.tui.screens.modals import HelpScreen
from studyaws.tui.screens.review import ReviewScreen

SIZE = (110, 40)


def help_text(app) -> str:
    assert isinstance(app.screen, HelpScreen)
    return str(app.screen.content)


def described(screen) -> set[str]:
    return {b.description for b in screen.BINDINGS if b.description}


async def test_help_lists_the_live_keys_of_the_review(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(3))
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        text = help_text(app)
        assert text.startswith("Review")
        # Every key but those of the other states of Space, of a question, and of
        # scrolling a card longer than the screen, and of a picture (these are not live on a
        # short flashcard with no picture).
        elsewhere = {"Good", "Submit", "Next", "Reveal (Again)", "Scroll up", "Scroll down",
                     "Open picture"}
        for description in described(review) - elsewhere:
            assert description in text, description
        rows = {line.strip().split("  ")[-1].strip() for line in text.splitlines()[1:]}
        assert "Show answer" in rows and not elsewhere & rows, rows
        assert "rate Again, Hard, Good, Easy" in text  # the screen's notes
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is review

        # A key bound while the app runs is in the next help: it is read, not kept by hand.
        review._bindings.bind("ctrl+t", "app.bell", "Ring the bell")
        await pilot.press("question_mark")
        await pilot.pause()
        assert "Ring the bell" in help_text(app)
        assert app.get_key_display(Binding("ctrl+t", "app.bell")) in help_text(app)


async def test_question_mark_in_an_exam_shows_the_exam_keys(tmp_path):
    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExamSetupScreen)
        await pilot.press("question_mark")  # the setup's own keys
        await pilot.pause()
        text = help_text(app)
        assert text.startswith("Set up a mock exam") and "Start" in text and "Cancel" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ExamSetupScreen)
        await pilot.press("left", "enter")  # quick
        await pilot.pause()
        exam = app.screen
        assert isinstance(exam, ExamScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        text = help_text(app)
        assert text.startswith("Mock exam")
        for description in ("Next", "Previous", "Flag", "Navigator", "Submit", "Leave"):
            assert description in text, description
        assert "Pause" not in text  # a timed exam's clock does not pause
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is exam  # the exam goes on

