"""The question input on its own, in a tiny app under Pilot: the keys it owns for each kind of
question, the "choose N" check, the Response it gives back, and its keys in the help."""

from __future__ import annotations

import json
import random

from sqlalchemy import select
from support import make_collection
from test_exam_core import QUESTIONS
from test_tui_exam import burst
from test_tui_exam_flow import MIXED
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from studyaws.core.questions import Choice, Numeric, Ordering, Response
from studyaws.services import exam as service
from studyaws.store.engine import reading
from studyaws.store.tables import ExamQuestion
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.modals import HelpScreen, key_rows
from studyaws.tui.widgets.question import NumberField, OptionsView, OrderingView
from studyaws.tui.widgets.question_input import QuestionInput

SINGLE = Choice("Which one?", ("Alpha", "Beta", "Gamma"), frozenset({1}))
MULTI = Choice("Which two?", ("Alpha", "Beta", "Gamma", "Delta"), frozenset({0, 2}))
ORDER = Ordering("Put in order.", ("First", "Second", "Third"))
NUMBER = Numeric("How many?", 35.0)


class HostScreen(Screen):
    """Holds the input; `x` is a key of its own, `held` holds every key back (as a screen
    does while an answer waits to be saved)."""

    BINDINGS = [Binding("x", "mark", "Mark", priority=True)]

    def __init__(self, question, enter, given, locked):
        super().__init__()
        self.question, self.enter, self.given, self.locked = question, enter, given, locked
        self.changes: list[Response | None] = []
        self.marks = 0
        self.held = False

    def compose(self) -> ComposeResult:
        yield Static("host")
        yield QuestionInput(enter=self.enter, on_change=self.changed)

    def on_mount(self) -> None:
        self.query_one(QuestionInput).show(self.question, random.Random(7), self.given,
                                           locked=self.locked)

    async def changed(self, response: Response | None) -> None:
        self.changes.append(response)

    def action_mark(self) -> None:
        self.marks += 1

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not self.held


class Host(App):
    def __init__(self, question, enter="submit", given=None, locked=False):
        super().__init__()
        self.host = HostScreen(question, enter, given, locked)

    def get_default_screen(self) -> Screen:
        return self.host


def key_of(widget: QuestionInput, option: int) -> str:
    """The number key of a question option (the options are shown shuffled)."""
    return str(widget.query_one(OptionsView).order.index(option) + 1)


async def test_a_single_choice_is_picked_with_its_number():
    app = Host(SINGLE)
    async with app.run_test() as pilot:
        widget = app.host.query_one(QuestionInput)
        assert app.host.focused is widget and widget.answering
        assert widget.hint() == "Press an option's number, Enter to submit"
        assert widget.response() is None
        assert widget.problem() == "Choose 1 option (you picked 0)."
        await pilot.press(key_of(widget, 0))
        await pilot.press(key_of(widget, 1))  # one option only: the new pick replaces it
        assert widget.response() == Response(chosen=frozenset({1}))
        assert widget.problem() is None and widget.answer() == Response(chosen=frozenset({1}))
        assert app.host.changes == [Response(chosen=frozenset({0})),
                                    Response(chosen=frozenset({1}))]
        await pilot.press(key_of(widget, 1))  # picked again: unpicked
        assert widget.response() is None and app.host.changes[-1] is None
        await pilot.press("9")  # no ninth option: nothing picked
        assert widget.response() is None


async def test_choose_n_is_checked_and_said():
    app = Host(MULTI, enter="save")
    async with app.run_test(notifications=True) as pilot:
        widget = app.host.query_one(QuestionInput)
        assert widget.hint() == "Choose 2: press their numbers"
        await pilot.press(key_of(widget, 0))
        assert widget.problem() == "Choose 2 options (you picked 1)."
        assert widget.answer() is None
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["Choose 2 options (you picked 1)."]
        await pilot.press(key_of(widget, 2))
        assert widget.answer() == Response(chosen=frozenset({0, 2}))
        changes = len(app.host.changes)
        await pilot.press(key_of(widget, 3))  # a third pick is refused, and said
        await pilot.pause()
        assert widget.response() == Response(chosen=frozenset({0, 2}))
        assert len(app.host.changes) == changes  # nothing changed, nothing to save
        assert app._notifications and list(app._notifications)[-1].message == (
            "Choose 2: unpick one first (press its number again).")
        await pilot.press(key_of(widget, 0), key_of(widget, 3))  # unpick, then pick
        assert widget.response() == Response(chosen=frozenset({2, 3}))
        assert widget.problem() is None


async def test_an_ordering_is_put_in_order_with_the_arrows():
    app = Host(ORDER)
    async with app.run_test() as pilot:
        widget = app.host.query_one(QuestionInput)
        ordering = widget.query_one(OrderingView)
        assert widget.takes_arrows and ordering.order != [0, 1, 2]
        assert widget.hint().startswith("↑/↓ choose an item · Shift+↑/↓ (or K/J) move it")
        for target in range(3):  # choose each item with ↑/↓, move it up into place
            while ordering.cursor != ordering.order.index(target):
                await pilot.press("down" if ordering.cursor < ordering.order.index(target)
                                  else "up")
            for _ in range(ordering.cursor - target):
                await pilot.press("shift+up")
        assert widget.answer() == Response(order=(0, 1, 2))
        moves = len(app.host.changes)
        assert moves >= 1 and app.host.changes[-1] == Response(order=(0, 1, 2))
        await pilot.press("up", "up", "up")  # the cursor stops at the first item
        assert ordering.cursor == 0
        await pilot.press("J")  # K/J move too
        assert widget.response() == Response(order=(1, 0, 2)) and ordering.cursor == 1
        await pilot.press("K")
        assert widget.response() == Response(order=(0, 1, 2))
        assert len(app.host.changes) == moves + 2  # moves report, cursor steps do not

        widget.show_answer()
        await pilot.pause()
        assert not widget.answering and app.host.focused is None
        await pilot.press("shift+down")
        assert widget.response() == Response(order=(0, 1, 2))


async def test_a_number_is_typed_and_the_screen_keeps_its_letter_keys():
    app = Host(NUMBER)
    async with app.run_test(notifications=True) as pilot:
        widget = app.host.query_one(QuestionInput)
        field = widget.query_one(NumberField)
        assert app.host.focused is field
        assert widget.hint() == "Type the number and press Enter"
        assert field.placeholder == "type a number, Enter to submit"
        assert widget.problem() == "Type a number first." and widget.answer() is None
        await pilot.press("3", "x", "4")
        assert field.value == "34" and app.host.marks == 1
        assert widget.answer() == Response(text="34")
        assert app.host.changes == []  # typing is not a change until the screen asks
        widget.show_answer()
        await pilot.pause()
        assert field.disabled and app.host.focused is None


async def test_a_given_answer_is_put_back_and_a_locked_one_takes_no_keys():
    app = Host(MULTI, enter="save", given=Response(chosen=frozenset({0, 3})), locked=True)
    async with app.run_test() as pilot:
        widget = app.host.query_one(QuestionInput)
        options = widget.query_one(OptionsView)
        assert options.correct == MULTI.correct  # the right ones are marked
        assert widget.response() == Response(chosen=frozenset({0, 3}))
        assert app.host.focused is None and not widget.answering
        await pilot.press("1", "2")
        assert widget.response() == Response(chosen=frozenset({0, 3}))
        assert app.host.changes == []

    numeric = Host(NUMBER, enter="save", given=Response(text="12"))
    async with numeric.run_test() as pilot:
        field = numeric.host.query_one(NumberField)
        assert field.value == "12" and field.placeholder == "type a number, Enter to save"
        await pilot.press("5")  # typing goes on after what was given
        assert numeric.host.query_one(QuestionInput).response() == Response(text="125")


async def test_its_keys_wait_while_the_screen_holds_its_keys_back():
    app = Host(SINGLE)
    async with app.run_test() as pilot:
        widget = app.host.query_one(QuestionInput)
        app.host.held = True
        await pilot.press(key_of(widget, 1))
        assert widget.response() is None and app.host.changes == []
        app.host.held = False
        await pilot.press(key_of(widget, 1))
        assert widget.response() == Response(chosen=frozenset({1}))


async def test_its_keys_are_in_the_help_while_it_takes_an_answer():
    app = Host(ORDER)
    async with app.run_test() as pilot:
        widget = app.host.query_one(QuestionInput)
        rows = key_rows(app.host)
        assert rows[0] == ("x", "Mark")  # the screen's keys first
        described = dict((what, keys) for keys, what in rows)
        assert described["Move item up"] == "shift+↑ K"
        assert described["Move item down"] == "shift+↓ J"
        assert {"Up", "Down"} <= set(described)
        assert {b.id for b in QuestionInput.BINDINGS if b.id} == {
            "question.up", "question.down", "question.move-up", "question.move-down"}
        widget.show_answer()
        await pilot.pause()
        assert "Move item up" not in {what for _, what in key_rows(app.host)}


async def test_a_flashcard_hides_it():
    app = Host(None)
    async with app.run_test():
        widget = app.host.query_one(QuestionInput)
        assert not widget.display and widget.response() is None and widget.hint() == ""
        assert widget.problem() is None and not widget.answering


# -- in the real screens ---------------------------------------------------------------------


async def test_the_review_and_exam_help_list_the_keys_of_the_question_input(tmp_path):
    engine, clock, _ = make_collection(tmp_path, "Order: Put these in order.\n1. A\n2. B\n3. C\n")
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        text = str(app.screen.content)
        assert isinstance(app.screen, HelpScreen) and text.startswith("Review")
        for row in ("Submit", "Reveal (Again)", "Undo", "Up", "Down", "Move item up",
                    "Move item down"):
            assert row in text, row
        assert text.index("Undo") < text.index("Move item up")  # the screen's keys first

    (tmp_path / "exam").mkdir()
    engine, clock, _ = make_collection(tmp_path / "exam", MIXED)
    view = service.start_exam(engine, clock, "quick", seed=5)
    app = StudyApp(engine, clock, start="exam", exam_id=view.id)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        text = str(app.screen.content)
        assert text.startswith("Mock exam")
        for row in ("Previous", "Next", "Flag", "Move item up", "Move item down"):
            assert row in text, row


async def test_exam_picks_typed_at_once_are_each_saved_to_their_own_question(tmp_path):
    """Each pick is saved before the next key acts, so picks and moves typed together land on
    the question that showed when they were typed."""
    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    view = service.start_exam(engine, clock, "quick", seed=3)
    app = StudyApp(engine, clock, start="exam", exam_id=view.id)
    async with app.run_test(size=(110, 34)) as pilot:
        await pilot.pause()
        screen = app.screen
        shown = []
        for _ in range(4):
            shown.append(list(screen.query_one(OptionsView).order))
            await pilot.press("right")
        await pilot.press("left", "left", "left", "left")
        await pilot.pause()
        assert screen.index == 0
        burst(app, "1", "right", "2", "right", "3", "3", "right", "2")
        await pilot.pause()
        await pilot.pause()
        assert screen.index == 3
    with reading(engine) as session:
        saved = dict(session.execute(select(ExamQuestion.position, ExamQuestion.response).where(
            ExamQuestion.exam_id == view.id, ExamQuestion.position < 4)).all())
    picked = {position: json.loads(text)["chosen"] if text else None
              for position, text in saved.items()}
    assert picked == {0: [shown[0][0]], 1: [shown[1][1]], 2: None, 3: [shown[3][1]]}
