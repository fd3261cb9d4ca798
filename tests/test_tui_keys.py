"""Every key does what the screen says, in the real app under Pilot on a real collection: the
review's and the exam's keys act while a number is being typed, "choose N" refuses an extra
pick, Space's footer entry names what Space does, `a` reveals a question's answer as Again,
the results' keys, the palette offers only what acts now, and one toast shows at a time."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from support import card_id_by_prompt, card_of, make_collection, review_count
from test_exam_core import QUESTIONS
from test_tui_exam import burst
from test_tui_exam_flow import MIXED
from textual.command import CommandList
from textual.widgets import Static
from textual.widgets._footer import FooterKey
from textual.widgets._toast import Toast
from waiting import settle

from studyaws.core.questions import Choice
from studyaws.core.srs import policy
from studyaws.services import exam as service
from studyaws.store.engine import reading
from studyaws.store.tables import ExamQuestion, ReviewLog
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.exam import ExamScreen
from studyaws.tui.screens.exam_modals import (
    ConfirmScreen,
    LeaveExamScreen,
    NavigatorScreen,
    ReviewBeforeSubmitScreen,
)
from studyaws.tui.screens.exam_results import (
    AnswerReviewScreen,
    ExamHistoryScreen,
    ExamResultScreen,
)
from studyaws.tui.screens.home import HomeScreen
from studyaws.tui.screens.modals import ContextScreen, HelpScreen
from studyaws.tui.screens.review import ReviewScreen
from studyaws.tui.widgets.question import NumberField, OptionsView

SIZE = (110, 34)

NUMBERS_DECK = """
    # Numbers
    Q: How many days? {#days}
    A: = 35

    Q: How many hours? {#hours}
    A: = 7

    Q: How many weeks? {#weeks}
    A: = 4
    """


def logs(engine) -> list[ReviewLog]:
    with reading(engine) as session:
        return list(session.execute(select(ReviewLog).order_by(ReviewLog.id)).scalars())


def toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def field(app) -> NumberField:
    return app.screen.query_one(NumberField)


def footer(app) -> list[tuple[str, str]]:
    """(key, description) of what the footer shows now (but the palette's key)."""
    return [(key.key, key.description) for key in app.screen.query(FooterKey)
            if key.key != "ctrl+p"]


async def footer_says(pilot, key: str, description: str) -> None:
    """Wait for the footer to show `key` with `description` (it is rebuilt after a change)."""
    app = pilot.app
    await settle(pilot, lambda: (key, description) in footer(app), 5,
                 lambda: f"{key} {description!r} in the footer, which shows {footer(app)}")


# -- the review: its keys act while a number is being typed ----------------------------------


async def _typing_in_review(tmp_path):
    engine, clock, _ = make_collection(tmp_path, NUMBERS_DECK)
    app = StudyApp(engine, clock, start="review")
    return engine, clock, app


async def _typed(pilot, text: str = "1") -> ReviewScreen:
    """A number typed into the numeric question's field, which has focus."""
    app = pilot.app
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ReviewScreen) and isinstance(screen.focused, NumberField)
    await pilot.press(*text)
    assert field(app).value == text
    return screen


async def test_review_u_undoes_while_typing_a_number(tmp_path):
    engine, _, app = await _typing_in_review(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("3", "5", "enter", "space")  # the first answered, on to the second
        await pilot.pause()
        assert review_count(engine) == 1
        screen = await _typed(pilot)
        assert screen.view.prompt == "How many hours?"
        await pilot.press("u")
        await pilot.pause()
        assert review_count(engine) == 0
        assert screen.view.prompt == "How many days?" and field(app).value == ""
        assert toasts(app) == ["Undone."]


async def test_review_s_suspends_the_card_typed_into(tmp_path):
    engine, _, app = await _typing_in_review(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await _typed(pilot)
        await pilot.press("s")
        await pilot.pause()
        assert card_of(engine, card_id_by_prompt(engine, "How many days?")).suspended
        assert not card_of(engine, card_id_by_prompt(engine, "How many hours?")).suspended
        assert screen.view.prompt == "How many hours?" and field(app).value == ""
        [toast] = toasts(app)
        assert toast.startswith("Suspended “How many days?” (") and toast.endswith("(u to undo).")


async def test_review_b_buries_the_card_typed_into_and_names_it(tmp_path):
    engine, _, app = await _typing_in_review(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await _typed(pilot)
        burst(app, "b", "7")  # the 7 is for the next card
        await settle(pilot, lambda: field(app).value == "7", 5, "the 7 in the next card")
        buried = card_of(engine, card_id_by_prompt(engine, "How many days?"))
        assert buried.buried_until is not None
        assert card_of(engine, card_id_by_prompt(engine, "How many hours?")).buried_until is None
        assert screen.view.prompt == "How many hours?"
        [toast] = toasts(app)
        assert toast.startswith("Buried “How many days?” (") and "until tomorrow" in toast


async def test_review_e_shows_the_context_of_the_card_typed_into(tmp_path):
    _, _, app = await _typing_in_review(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _typed(pilot, "12")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ContextScreen)
        assert app.screen.view.id == screen.view.id
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and field(app).value == "12"


async def test_review_question_mark_shows_help_while_typing_a_number(tmp_path):
    _, _, app = await _typing_in_review(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _typed(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert str(app.screen.content).startswith("Review")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and field(app).value == "1"


async def test_review_escape_goes_home_while_typing_a_number(tmp_path):
    engine, _, app = await _typing_in_review(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _typed(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert review_count(engine) == 0


async def test_review_a_reveals_the_answer_of_the_numeric_question_typed_into(tmp_path):
    engine, _, app = await _typing_in_review(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _typed(pilot, "3")
        await pilot.press("a")
        await pilot.pause()
        [log] = logs(engine)
        assert (log.rating, log.correct, log.response) == (policy.AGAIN, False, "")
        assert screen.submitted and "35" in str(screen.query_one("#feedback").render())


async def test_typing_a_number_with_digits_point_and_signs(tmp_path):
    engine, _, app = await _typing_in_review(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _typed(pilot, "-3.5")
        await pilot.press("enter", "space")
        await pilot.pause()
        await _typed(pilot, "+7")
        await pilot.press("enter")
        await pilot.pause()
    assert [json.loads(log.response) for log in logs(engine)] == [{"text": "-3.5"},
                                                                   {"text": "+7"}]
    assert [log.correct for log in logs(engine)] == [False, True]


# -- the exam: every key its footer and hint show acts while a number is being typed ---------

EXAM_NUMBERS = "\n\n".join(
    f"Q: How many things in box {n}? {{#n{n}}}\nA: = {n}\n\n> domain: secure"
    for n in range(1, 5)) + "\n"


async def _exam_typed(pilot, text: str = "42", index: int = 0) -> ExamScreen:
    """`text` typed into the numeric question at `index`; "right": its right answer."""
    app = pilot.app
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ExamScreen)
    if index:
        await screen.go(index)
        await pilot.pause()
    assert isinstance(screen.focused, NumberField)
    if text == "right":
        text = f"{screen.item.question.answer:g}"
    await pilot.press(*text)
    assert field(app).value == text
    return screen


def saved_answers(engine, exam_id: int) -> dict[int, str | None]:
    with reading(engine) as session:
        return dict(session.execute(select(ExamQuestion.position, ExamQuestion.response).where(
            ExamQuestion.exam_id == exam_id)).all())


def _exam(tmp_path, mode: str = "exam"):
    engine, clock, _ = make_collection(tmp_path, EXAM_NUMBERS)
    view = service.start_exam(engine, clock, "quick", seed=2, mode=mode)
    return engine, view, StudyApp(engine, clock, start="exam", exam_id=view.id)


async def test_exam_footer_and_hint_show_the_keys_tested_here(tmp_path):
    """The keys below are each tested with the focus in the number field: the footer and
    the hint show those, and no other."""
    _, _, app = _exam(tmp_path, mode="practice")
    async with app.run_test(size=(160, 34)) as pilot:
        await _exam_typed(pilot)
        await footer_says(pilot, "z", "Pause")
        assert {key for key, _ in footer(app)} == {"left", "right", "f", "g", "r", "s", "z",
                                                    "escape"}
        assert str(app.screen.query_one("#keys").render()) == (
            "Type the number, Enter saves it · Enter checks the answer")


async def test_exam_right_saves_the_number_and_moves_on(tmp_path):
    engine, view, app = _exam(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _exam_typed(pilot)
        await pilot.press("right")
        await pilot.pause()
        assert screen.index == 1 and field(app).value == ""
    assert saved_answers(engine, view.id)[0] == '{"text": "42"}'


async def test_exam_left_saves_the_number_and_goes_back(tmp_path):
    engine, view, app = _exam(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _exam_typed(pilot, "7", index=1)
        await pilot.press("left")
        await pilot.pause()
        assert screen.index == 0
    assert saved_answers(engine, view.id)[1] == '{"text": "7"}'


async def test_exam_f_flags_and_keeps_the_number_typed(tmp_path):
    engine, view, app = _exam(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _exam_typed(pilot)
        await pilot.press("f")
        await pilot.pause()
        assert screen.item.flagged and screen.index == 0
        assert field(app).value == "42"  # shown again as typed, not lost
        await pilot.press("5")  # typing goes on
        assert field(app).value == "425"
    assert saved_answers(engine, view.id)[0] == '{"text": "42"}'


async def test_exam_g_opens_the_navigator_with_the_number_saved(tmp_path):
    engine, view, app = _exam(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _exam_typed(pilot)
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, NavigatorScreen)
        assert screen.item.answered  # the navigator shows it answered
        await pilot.press("right", "enter")
        await pilot.pause()
        assert app.screen is screen and screen.index == 1
    assert saved_answers(engine, view.id)[0] == '{"text": "42"}'


async def test_exam_r_opens_the_review_with_the_number_saved(tmp_path):
    engine, view, app = _exam(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _exam_typed(pilot)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewBeforeSubmitScreen)
        assert "1 answered · 3 unanswered" in str(app.screen.query(Static).first().render())
    assert saved_answers(engine, view.id)[0] == '{"text": "42"}'


async def test_exam_s_asks_to_submit_counting_the_number_typed(tmp_path):
    engine, view, app = _exam(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _exam_typed(pilot, "right")
        typed = field(app).value
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "3 unanswered" in app.screen.question
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ExamResultScreen)
        assert app.screen.result.correct == 1  # the number typed, right
    assert saved_answers(engine, view.id)[0] == json.dumps({"text": typed})


async def test_exam_z_pauses_a_practice_exam_while_typing(tmp_path):
    _, _, app = _exam(tmp_path, mode="practice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _exam_typed(pilot)
        await pilot.press("z")
        await pilot.pause()
        assert screen.countdown.paused and "(paused)" in str(
            screen.query_one("#exam-clock").render())
        assert field(app).value == "42"


async def test_a_timed_exam_shows_no_pause_key(tmp_path):
    _, _, app = _exam(tmp_path)
    async with app.run_test(size=(160, 34)) as pilot:
        screen = await _exam_typed(pilot)
        await footer_says(pilot, "escape", "Leave")
        assert "z" not in {key for key, _ in footer(app)}
        await pilot.press("z")
        await pilot.pause()
        assert not screen.countdown.paused


async def test_exam_escape_offers_to_leave_with_the_number_saved(tmp_path):
    engine, view, app = _exam(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _exam_typed(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LeaveExamScreen)
        await pilot.press("s")  # save and leave
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert saved_answers(engine, view.id)[0] == '{"text": "42"}'


async def test_exam_enter_saves_the_number_and_moves_on(tmp_path):
    engine, view, app = _exam(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _exam_typed(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert screen.index == 1
    assert saved_answers(engine, view.id)[0] == '{"text": "42"}'


async def test_exam_enter_checks_a_practice_answer(tmp_path):
    _, _, app = _exam(tmp_path, mode="practice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _exam_typed(pilot, "right")
        await pilot.press("enter")
        await pilot.pause()
        assert 0 in screen.checked and screen.index == 0
        assert "✓ Correct" in str(screen.query_one("#feedback").render())


async def test_exam_question_mark_shows_the_exam_help_while_typing(tmp_path):
    _, _, app = _exam(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _exam_typed(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert str(app.screen.content).startswith("Mock exam")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and field(app).value == "42"


# -- choose N: an extra pick is refused and said ---------------------------------------------

CHOOSE_TWO = """
    # Picks
    Which two? {#two}

    - [x] Right A
    - [ ] Wrong B
    - [x] Right C
    - [ ] Wrong D
    """


def key_of(screen, text: str) -> str:
    options = screen.query_one(OptionsView)
    return str(options.order.index(options.options.index(text)) + 1)


def picked(screen) -> set[str]:
    options = screen.query_one(OptionsView)
    return {options.options[i] for i in options.picked}


async def test_review_refuses_a_third_pick_of_two_and_says_so(tmp_path):
    engine, clock, _ = make_collection(tmp_path, CHOOSE_TWO)
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press(key_of(screen, "Wrong B"), key_of(screen, "Right A"),
                          key_of(screen, "Right C"))
        await pilot.pause()
        assert picked(screen) == {"Wrong B", "Right A"}  # neither pick was dropped
        assert toasts(app) == ["Choose 2: unpick one first (press its number again)."]
        await pilot.press(key_of(screen, "Wrong B"), key_of(screen, "Right C"), "enter")
        await pilot.pause()
        assert logs(engine)[-1].correct is True


async def test_exam_refuses_a_third_pick_of_two_and_keeps_the_saved_answer(tmp_path):
    engine, clock, _ = make_collection(tmp_path, MIXED)
    view = service.start_exam(engine, clock, "quick", seed=5)
    multi = next(i for i in view.items if isinstance(i.question, Choice) and i.question.multi)
    app = StudyApp(engine, clock, start="exam", exam_id=view.id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        screen = app.screen
        await screen.go(multi.position)
        await pilot.pause()
        options = screen.query_one(OptionsView)
        first, second, third = (str(options.order.index(i) + 1) for i in range(3))
        await pilot.press(first, second, third)
        await pilot.pause()
        assert sorted(options.picked) == [0, 1]
        assert toasts(app)[-1] == "Choose 2: unpick one first (press its number again)."
    assert json.loads(saved_answers(engine, view.id)[multi.position]) == {"chosen": [0, 1]}


# -- the review's footer says what Space does; a shows a question's answer as Again ----------

STATES_DECK = """
    # States
    Q: A flashcard {#flash}
    A: Its answer

    Which one? {#pick}

    - [ ] Wrong one
    - [x] Right one
    """


async def test_the_footer_names_what_space_does_in_each_state(tmp_path):
    engine, clock, _ = make_collection(tmp_path, STATES_DECK)
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=(140, 34)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.view.question is None
        await footer_says(pilot, "space", "Show answer")
        assert ("a", "Reveal (Again)") not in footer(app)  # not for a flashcard
        await pilot.press("space")
        await footer_says(pilot, "space", "Good")
        assert screen.revealed
        await pilot.press("space")  # Good, as it says
        await pilot.pause()
        assert logs(engine)[-1].rating == policy.GOOD
        assert isinstance(screen.view.question, Choice)
        await footer_says(pilot, "space", "Submit")
        assert ("a", "Reveal (Again)") in footer(app)
        await pilot.press(key_of(screen, "Right one"), "space")  # Submit, as it says
        await pilot.pause()
        assert logs(engine)[-1].correct is True and screen.submitted
        await footer_says(pilot, "space", "Next")
        assert ("a", "Reveal (Again)") not in footer(app)
        for key, description in footer(app):  # one Space, one description
            assert key != "space" or description == "Next"
        question = screen.view.id
        await pilot.press("space")  # Next, as it says
        await pilot.pause()
        assert screen.view.id != question and screen.view.prompt == "A flashcard"  # back
        await footer_says(pilot, "space", "Show answer")  # a flashcard again, from the start


async def test_a_reveals_a_choice_answer_as_again_and_u_undoes_it(tmp_path):
    engine, clock, _ = make_collection(tmp_path, STATES_DECK,
                                       settings={"easy-seconds": "5"})
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=(140, 34)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("space", "3")  # the flashcard
        await pilot.pause()
        assert isinstance(screen.view.question, Choice)
        await pilot.press(key_of(screen, "Wrong one"))  # a pick, then a change of mind
        await pilot.press("a")
        await pilot.pause()
        log = logs(engine)[-1]
        assert (log.rating, log.correct, log.response) == (policy.AGAIN, False, "")
        feedback = str(screen.query_one("#feedback").render())
        assert "rated Again" in feedback and "Right one" in feedback
        assert screen.query_one(OptionsView).correct is not None  # the right one marked
        await footer_says(pilot, "space", "Next")
        await pilot.press("u")
        await pilot.pause()
        assert review_count(engine) == 1  # the flashcard's answer only
        assert not screen.submitted and screen.query_one(OptionsView).correct is None
        await pilot.press(key_of(screen, "Right one"), "enter")  # answered for real now
        await pilot.pause()
        log = logs(engine)[-1]
        assert (log.rating, log.correct) == (policy.EASY, True)


@pytest.mark.sqlite_only  # holds SQLite's write lock from sqlite3 (PostgreSQL: test_postgres)
async def test_a_is_saved_as_an_answer_is_when_the_collection_is_locked(tmp_path,
                                                                        monkeypatch):
    """`a` commits through the same path as an answer: kept on screen while another program
    holds the write lock, saved once it lets go."""
    import sqlite3

    from studyaws.store import engine as store
    from studyaws.tui import saving

    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 100)
    monkeypatch.setattr(saving, "RETRY_PAUSES", (30.0,))  # only r retries, in this test
    engine, clock, _ = make_collection(tmp_path, NUMBERS_DECK)
    holder = sqlite3.connect(tmp_path / "home" / "studyaws.sqlite3", isolation_level=None)
    app = StudyApp(engine, clock, start="review")
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await _typed(pilot, "3")
            holder.execute("BEGIN IMMEDIATE")
            await pilot.press("a")
            await pilot.pause()
            line = screen.query_one("#save-status")
            assert line.display and "How many days?" in str(line.render())
            assert review_count(engine) == 0 and not screen.submitted
            holder.execute("COMMIT")
            await pilot.press("r")
            await settle(pilot, lambda: screen.submitted, 10, "the reveal to be saved")
            assert [(log.rating, log.correct) for log in logs(engine)] == [
                (policy.AGAIN, False)]
    finally:
        holder.close()


# -- the exam's results: each key its footer and hint show ----------------------------------


async def test_every_key_of_the_results_does_what_its_footer_and_hint_say(tmp_path):
    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    view = service.start_exam(engine, clock, "quick", seed=2)
    app = StudyApp(engine, clock, start="exam", exam_id=view.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("s", "y")
        await pilot.pause()
        results = app.screen
        assert isinstance(results, ExamResultScreen)
        hint = str(results.query_one("#results-keys").render())
        assert hint == "a: review every answer · h: exam history · Enter: home"
        await footer_says(pilot, "enter", "Home")
        assert set(footer(app)) == {("a", "Answer review"), ("h", "History"),
                                    ("enter", "Home")}
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AnswerReviewScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is results
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, ExamHistoryScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is results
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


# The navigator in the quick loop; the other overlays in the full suite.
@pytest.mark.parametrize("overlay", ["g", *(pytest.param(key, marks=pytest.mark.slow)
                                            for key in ("r", "s", "escape", "question_mark"))])
async def test_enter_on_results_goes_home_when_time_ran_out_under_an_overlay(tmp_path,
                                                                              overlay):
    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    view = service.start_exam(engine, clock, "quick", seed=2)
    app = StudyApp(engine, clock, start="exam", exam_id=view.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        exam = app.screen
        await pilot.press(overlay)
        await pilot.pause()
        assert app.screen is not exam
        clock.advance(3600)
        await exam.tick()
        await pilot.pause()
        assert isinstance(app.screen, ExamResultScreen)
        assert exam not in app.screen_stack  # the finished exam is gone, overlays and all
        await pilot.press("enter")  # what its hint says: home
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


# -- the command palette ---------------------------------------------------------------------


async def palette(pilot, query: str = "") -> list[str]:
    """Open the palette on the screen shown and give the commands it lists for `query`."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await pilot.pause()
    if query:
        await pilot.press(*query)

    def listed() -> list[str]:
        commands = app.screen.query_one(CommandList)
        return [str(commands.get_option_at_index(i).prompt).split("\n")[0]
                for i in range(commands.option_count)]

    # The providers answer in their own time: wait until the list stops growing.
    seen: list[list[str]] = []

    def steady() -> bool:
        seen.append(listed())
        return len(seen) > 5 and seen[-1] and seen[-1] == seen[-5]

    await settle(pilot, steady, 10, lambda: f"the palette to list its commands: {seen[-1:]}")
    return seen[-1]


async def test_the_palette_lists_quit_once(tmp_path):
    engine, clock, _ = make_collection(tmp_path, NUMBERS_DECK)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        listed = await palette(pilot)
        assert listed.count("Quit") == 1, listed
        assert "Review all" in listed  # home's keys are there


async def test_the_palette_offers_only_what_acts_on_the_card_shown(tmp_path):
    deck = NUMBERS_DECK + "\n    Order: Put these in order. {#order}\n    1. A\n    2. B\n"
    engine, clock, _ = make_collection(tmp_path, deck)
    app = StudyApp(engine, clock, start="review")
    arrows = {"Up", "Down", "Move item up", "Move item down", "Scroll up", "Scroll down"}
    async with app.run_test(size=SIZE) as pilot:
        await _typed(pilot, "35")
        listed = await palette(pilot)
        assert "Submit" in listed and "Reveal (Again)" in listed and "Undo" in listed
        assert not arrows & set(listed), listed
        assert not {"Show answer", "Good", "Next"} & set(listed)
        await pilot.press("escape")  # closes the palette
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and field(app).value == "35"
        await pilot.press("enter")  # the answer to the numeric question
        await pilot.pause()
        listed = await palette(pilot)
        assert "Next" in listed and "Submit" not in listed and "Reveal (Again)" not in listed
        await pilot.press("escape")
        await pilot.pause()
        for _ in range(3):
            if app.screen.view.kind == "ordering":
                break
            await pilot.press("space", "a", "space")
            await pilot.pause()
        assert app.screen.view.kind == "ordering"
        listed = await palette(pilot)
        assert {"Move item up", "Move item down"} <= set(listed)


def _no_downloads(monkeypatch, home):
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_CONFIG_HOME", "XDG_DOWNLOAD_DIR"):
        monkeypatch.delenv(name, raising=False)


async def test_screenshot_without_a_downloads_folder_goes_to_the_data_folder(tmp_path,
                                                                              monkeypatch):
    _no_downloads(monkeypatch, tmp_path / "user")
    engine, clock, _ = make_collection(tmp_path, NUMBERS_DECK)
    data = tmp_path / "home"
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await palette(pilot, "Screenshot")
        await pilot.press("enter")
        shots = await settle(pilot, lambda: list(data.glob("*.svg")), 10, "a screenshot")
        assert len(shots) == 1 and "studyaws" in shots[0].read_text(encoding="utf-8")
        await settle(pilot, lambda: toasts(app), 5, "a toast")
        assert toasts(app) == [f"Screenshot saved to {shots[0]}"]
    assert not (tmp_path / "user" / "Downloads").exists()


@pytest.mark.slow  # as the test above, with a Downloads folder: in the full suite
async def test_screenshot_goes_to_the_downloads_folder_when_there_is_one(tmp_path,
                                                                        monkeypatch):
    _no_downloads(monkeypatch, tmp_path / "user")
    downloads = tmp_path / "user" / "Downloads"
    downloads.mkdir()
    engine, clock, _ = make_collection(tmp_path, NUMBERS_DECK)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await palette(pilot, "Screenshot")
        await pilot.press("enter")
        shots = await settle(pilot, lambda: list(downloads.glob("*.svg")), 10, "a screenshot")
        await settle(pilot, lambda: toasts(app), 5, "a toast")
        assert toasts(app) == [f"Screenshot saved to {shots[0]}"]
    assert not list((tmp_path / "home").glob("*.svg"))


# -- toasts: one at a time -------------------------------------------------------------------


async def test_burying_cards_quickly_shows_one_toast(tmp_path):
    deck = "# Many\n\n" + "\n\n".join(f"Q: Card {n}\nA: Answer {n}" for n in range(1, 6))
    engine, clock, _ = make_collection(tmp_path, deck)
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        screen = app.screen
        burst(app, "b", "b", "b")
        await settle(pilot, lambda: screen.view.prompt == "Card 4", 5, "three cards buried")
        await pilot.pause()
        await pilot.pause()
        assert len(app._notifications) == 1
        assert toasts(app)[0].startswith("Buried “Card 3” (")
        assert len(app.screen.query(Toast)) == 1


async def test_the_exam_notice_and_the_leave_toast_still_show(tmp_path):
    engine, _, app = _exam(tmp_path)  # 4 questions for the 10 asked: a notice says so
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert toasts(app) and toasts(app)[0].startswith("The pool has only 4 questions")
        assert len(app.screen.query(Toast)) == 1
        await pilot.press("escape", "s")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert toasts(app) == ["The exam is saved: press x on the home screen to resume it."]
        assert len(app.screen.query(Toast)) == 1
