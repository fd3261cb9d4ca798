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


MIXED = "\n\n".join([
    "Which two are right? {#multi}\n\n- [x] Alpha right\n- [ ] Beta wrong\n- [x] Gamma right\n"
    "- [ ] Delta [red]wrong[/]\n\n> Alpha and Gamma, because.\n> domain: secure",
    "Order: Put these in order. {#order}\n1. First\n2. Second\n3. Third\n\n"
    "> Because order.\n> domain: secure",
    "Q: How many days at most? {#num}\nA: = 35\n\n> Thirty-five.\n> domain: secure",
]) + "\n"


async def test_the_answer_review_lists_every_option_with_the_pick_and_the_right_ones(tmp_path):
    from studyaws.tui.screens.exam_results import AnswerReviewScreen, ExamResultScreen
    from studyaws.tui.widgets.answer_review import shown_order

    engine, clock, _ = make_collection(tmp_path, MIXED)
    view = service.start_exam(engine, clock, "quick", seed=5)
    by_kind = {type(i.question).__name__: i for i in view.items}
    multi, order = by_kind["Choice"], by_kind["Ordering"]
    assert "Numeric" in by_kind  # left unanswered
    service.save_answer(engine, view.id, multi, {"chosen": [0, 3]}, 5, clock.now())
    service.save_answer(engine, view.id, order, {"order": [1, 0, 2]}, 5, clock.now())
    app = StudyApp(engine, clock, start="exam", exam_id=view.id)
    async with app.run_test(size=(110, 60)) as pilot:
        await pilot.pause()
        exam_screen = app.screen
        # the review lists the options in the order the exam showed them
        exam_screen.index = multi.position
        exam_screen.show_question()
        assert exam_screen.query_one("#options").order == shown_order(4, multi.seed)
        await pilot.press("s", "y")
        await pilot.pause()
        assert isinstance(app.screen, ExamResultScreen)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AnswerReviewScreen)
        text = screen_text(app)
    shown = [("Alpha right", "Beta wrong", "Gamma right", "Delta [red]wrong[/]")[i]
             for i in shown_order(4, multi.seed)]
    for n, option in enumerate(shown, 1):
        assert f"{n}. {option}" in text  # every option, card text as typed
    assert "Delta [red]wrong[/]  ← your pick, not right" in text
    assert "Gamma right  ← right, not picked" in text
    assert "✗ 1. Second  ← belongs at 2" in text and "✓ 3. Third" in text
    assert "Right order" in text and "1. First" in text
    assert "Your answer   not answered (counts as wrong)" in text
    assert "Right answer  35" in text
    assert "Alpha and Gamma, because." in text and "Thirty-five." in text


async def test_enter_on_the_results_goes_home_and_the_history_opens_past_exams(tmp_path):
    from studyaws.tui.screens.exam_results import (
        AnswerReviewScreen,
        ExamHistoryScreen,
        ExamResultScreen,
        PastExamResultScreen,
    )

    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    first = service.start_exam(engine, clock, "quick", seed=1)
    for item in first.items[:7]:
        service.save_answer(engine, first.id, item, {"chosen": sorted(item.question.correct)},
                            5, clock.now())
    service.finish_exam(engine, clock, first)
    clock.advance(86400)
    view = service.start_exam(engine, clock, "quick", seed=2)
    app = StudyApp(engine, clock, start="exam", exam_id=view.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("s", "y")
        await pilot.pause()
        assert isinstance(app.screen, ExamResultScreen)
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, ExamHistoryScreen)
        text = screen_text(app)
        assert "1000┤" in text and " 100└" in text and "720┤" in text and "pass" in text
        assert "2 finished exams" in text
        await pilot.press("down", "enter")  # the older exam (newest is on top)
        await pilot.pause()
        past = app.screen
        assert isinstance(past, PastExamResultScreen) and past.exam.id == first.id
        assert "7 of 10 right" in screen_text(app) and "Enter: back" in screen_text(app)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AnswerReviewScreen)
        await pilot.press("escape", "enter")  # back to the past results, then to the history
        await pilot.pause()
        assert isinstance(app.screen, ExamHistoryScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ExamResultScreen)
        await pilot.press("enter")  # what its hint says: home
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
