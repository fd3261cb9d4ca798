"""Every overlay names itself in its top border and says what Escape does in its bottom one,
and Escape then does that: help, a card's context, the exam's navigator, review before
submitting, the confirmation, leaving the exam, and leaving the settings with changes."""

from __future__ import annotations

from support import basic_deck, make_collection
from test_exam_core import QUESTIONS
from test_tui_review import screen_text
from textual.content import Content
from textual.screen import ModalScreen

from studyaws.services import exam as service
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.exam import ExamScreen
from studyaws.tui.screens.exam_modals import (
    ConfirmScreen,
    LeaveExamScreen,
    NavigatorScreen,
    ReviewBeforeSubmitScreen,
)
from studyaws.tui.screens.home import HomeScreen
from studyaws.tui.screens.modals import ContextScreen, HelpScreen, UnsavedChangesScreen
from studyaws.tui.screens.review import ReviewScreen
from studyaws.tui.screens.settings import SettingsScreen

SIZE = (110, 34)


def borders(app) -> tuple[str, str]:
    """The title and the subtitle of the shown overlay's box, as plain text; both are on
    the screen."""
    assert isinstance(app.screen, ModalScreen)
    box = app.screen.query_one(".modal-box")
    title = Content.from_markup(box.border_title or "").plain
    subtitle = Content.from_markup(box.border_subtitle or "").plain
    text = screen_text(app)
    assert title in text and subtitle in text
    return title, subtitle


async def shows(pilot, key: str, kind: type, title: str, escape: str) -> None:
    await pilot.press(key)
    await pilot.pause()
    assert isinstance(pilot.app.screen, kind)
    assert borders(pilot.app) == (title, f"Esc {escape}")


async def test_the_review_and_home_overlays(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(2))
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await shows(pilot, "question_mark", HelpScreen, "Help", "close")
        assert "closes this help" not in screen_text(app)  # said once, in the border
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)

        await pilot.press("r")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen)
        await shows(pilot, "e", ContextScreen, "Context", "close")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is review
        await shows(pilot, "question_mark", HelpScreen, "Help", "close")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is review

        await pilot.press("escape")  # leave the review
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        settings = app.screen
        assert isinstance(settings, SettingsScreen)
        await pilot.press("end", "5")
        await shows(pilot, "escape", UnsavedChangesScreen, "Unsaved changes", "keep editing")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is settings


async def test_the_exam_overlays(tmp_path):
    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    view = service.start_exam(engine, clock, "quick", seed=8)
    app = StudyApp(engine, clock, start="exam", exam_id=view.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        exam = app.screen
        assert isinstance(exam, ExamScreen)
        for key, kind, title, escape in (
                ("g", NavigatorScreen, "Questions", "close"),
                ("r", ReviewBeforeSubmitScreen, "Review before submitting", "back to the exam"),
                ("s", ConfirmScreen, "Are you sure?", "no"),
                ("escape", LeaveExamScreen, "Leave the exam?", "cancel"),
                ("question_mark", HelpScreen, "Help", "close")):
            await shows(pilot, key, kind, title, escape)
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is exam, kind.__name__
        assert service.running_exam(engine) == view.id  # nothing was submitted or discarded
        # The keys the overlays name in their text: Enter goes to the question it is on.
        await pilot.press("g", "right", "enter")
        await pilot.pause()
        assert app.screen is exam and exam.index == 1
