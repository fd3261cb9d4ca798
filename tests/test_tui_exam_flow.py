"""The mock exam's flow in the real app under Pilot: leaving (save, discard, cancel), the
setup screen, the results keys, the per-option answer review and the history chart."""

from __future__ import annotations

import pytest
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
    from test_exam_flow import dump

    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    before = dump(tmp_path / "home" / "studyaws.sqlite3")
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
        assert dump(tmp_path / "home" / "studyaws.sqlite3") == before
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


TWO_DECKS = {"aws.md": QUESTIONS, "more.md": "---\ntitle: More [/] [red]questions\n---\n\n" + "\n\n".join(
    f"Which one is extra {n}? {{#x{n}}}\n\n- [x] Extra {n}\n- [ ] Not {n}\n\n"
    f"> domain: cost-optimized" for n in range(1, 5)) + "\n"}


async def test_the_setup_screen_has_defaults_from_the_preset_and_says_what_is_wrong(tmp_path):
    from studyaws.services.importer import import_paths
    from studyaws.tui.screens.exam_setup import ExamSetupScreen

    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    more = tmp_path / "more.md"
    more.write_text(TWO_DECKS["more.md"], encoding="utf-8")
    import_paths(engine, [more], clock.now())
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        await pilot.pause()
        setup = app.screen
        assert isinstance(setup, ExamSetupScreen)
        assert (setup.questions, setup.minutes) == ("65", "130")  # SAA-C03
        await pilot.press("right")  # CLF-C02
        assert (setup.preset.value, setup.questions, setup.minutes) == ("clf-c02", "65", "90")
        await pilot.press("right")  # quick
        assert (setup.questions, setup.minutes) == ("10", "15")
        # Questions typed: the minutes follow at the exam's pace until they are typed.
        await pilot.press("down", "backspace", "4")  # Backspace takes the default whole
        assert (setup.questions, setup.minutes) == ("4", "6")
        await pilot.press("1")
        assert (setup.questions, setup.minutes) == ("41", "61.5")
        await pilot.press("backspace", "backspace", "enter")
        await pilot.pause()
        assert app.screen is setup
        assert "Questions: type a number from 1 to 500." in screen_text(app)
        await pilot.press("0", "enter")  # a leading 0 is not kept: still empty
        await pilot.pause()
        assert "Questions: type a number from 1 to 500." in screen_text(app)
        await pilot.press("5", "down", "backspace", "enter")
        await pilot.pause()
        assert "Minutes: type a number from 1 to 600." in screen_text(app)
        await pilot.press("3")
        # Only the other deck (by title, case aside: after "deck"), in practice mode.
        await pilot.press("down", "right", "right")
        assert setup.deck.label == "More [/] [red]questions"
        assert "More [/] [red]questions" in screen_text(app)  # a title is data, not markup
        await pilot.press("down", "down", "right")
        assert setup.mode.value == "practice"
        await pilot.press("enter")
        await pilot.pause()
        exam = app.screen
        assert isinstance(exam, ExamScreen) and exam.exam.practice
        assert len(exam.exam.items) == 4
        assert exam.exam.time_limit_s == 3 * 60 * 4 / 5  # the time of the 5 asked for, pro rata
        assert {i.deck_title for i in exam.exam.items} == {"More [/] [red]questions"}
        assert "only 4 questions for the 5" in exam.exam.notice


async def test_the_setup_screen_retakes_what_was_wrong_in_a_past_exam(tmp_path):
    from studyaws.tui.screens.exam_setup import ExamSetupScreen

    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    older = service.start_exam(engine, clock, "quick", seed=1)
    service.finish_exam(engine, clock, older)  # all 10 unanswered
    clock.advance(60)
    last = service.start_exam(engine, clock, "quick", seed=2)
    for item in last.items[:8]:
        service.save_answer(engine, last.id, item, {"chosen": sorted(item.question.correct)},
                            5, clock.now())
    service.set_flag(engine, last.id, last.items[0], True)
    service.finish_exam(engine, clock, last)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        await pilot.pause()
        setup = app.screen
        assert isinstance(setup, ExamSetupScreen)
        await pilot.press(*["down"] * 6, "right")  # Questions from: the last exam first
        assert setup.retake == last.id and setup.retake_count == 2
        assert "2 (every one that was wrong)" in screen_text(app)
        await pilot.press("down", "right")  # also flagged
        assert setup.retake_count == 3
        await pilot.press("down")  # wraps to the first field still in use: not the preset
        assert setup.cursor == 2  # minutes
        await pilot.press("up", "up", "right")  # the older exam
        assert setup.retake == older.id and setup.retake_count == 10
        await pilot.press("left", "enter")  # back to the last one
        await pilot.pause()
        exam = app.screen
        assert isinstance(exam, ExamScreen)
        wanted = {last.items[n].card_id for n in (0, 8, 9)}
        assert {i.card_id for i in exam.exam.items} == wanted
        assert exam.exam.time_limit_s == pytest.approx(3 * 90)  # quick's pace: 90 s each


async def test_escape_on_the_setup_screen_starts_nothing(tmp_path):
    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and service.running_exam(engine) is None


async def test_home_says_how_many_of_the_day_s_answers_were_in_exams(tmp_path):
    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    view = service.start_exam(engine, clock, "quick", seed=3)
    for item in view.items[:3]:
        service.save_answer(engine, view.id, item, {"chosen": [9]}, 5, clock.now())
    service.finish_exam(engine, clock, view)
    app = StudyApp(engine, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_settled(pilot)
        text = screen_text(app)
        assert "answered today: 3 (Again 100%)" in text
        assert "3 of today's answers were in mock exams" in text


async def test_an_exam_discarded_from_the_shell_while_open_submits_nothing(tmp_path):
    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    view = service.start_exam(engine, clock, "quick", seed=4)
    app = StudyApp(engine, clock, start="exam", exam_id=view.id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press(key_for(screen, 0))
        service.discard_exam(engine, view.id)  # as `studyaws exam --discard` would
        await pilot.press("s", "y")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "discarded" in screen_text(app)
    assert app.crash_error is None and service.exam_history(engine) == []


async def test_the_setup_says_on_the_screen_when_there_is_nothing_to_ask(tmp_path):
    from studyaws.tui.screens.exam_setup import ExamSetupScreen

    engine, clock, _ = make_collection(tmp_path, "Q: a plain card\nA: not a question\n")
    app = StudyApp(engine, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ExamSetupScreen)
        assert "no questions to ask" in screen_text(app)
        await pilot.press(*["down"] * 6, "right")  # no past exam: nothing to retake
        assert app.screen.retake is None
    assert app.crash_error is None and service.running_exam(engine) is None


async def test_the_setup_starts_on_the_exam_you_study_for(tmp_path):
    engine, clock, _ = make_collection(tmp_path, QUESTIONS, settings={"target-exam": "clf-c02"})
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        await pilot.pause()
        assert app.screen.preset.value == "clf-c02" and app.screen.minutes == "90"


async def test_results_say_the_scale_is_estimated_and_which_domains_were_inferred(tmp_path):
    from studyaws.tui.screens.exam_results import AnswerReviewScreen, ExamResultScreen

    bank = ("# SAA-C03 practice\n\n"
            "## Which storage class is the MOST cost-effective for ten-year archives?\n\n"
            "- [x] S3 Glacier Deep Archive\n- [ ] S3 Standard\n- [ ] EBS gp3\n\n"
            "## Which one is it?\n\n- [x] this\n- [ ] that\n\n"
            "**[⬆ Back to Top](#top)**\n")
    engine, clock, _ = make_collection(tmp_path, bank, name="bank.md")
    view = service.start_exam(engine, clock, "saa-c03", seed=4)
    assert "1 question of the pool has no SAA-C03 domain" in view.notice
    app = StudyApp(engine, clock, start="exam", exam_id=view.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("s", "y")
        await pilot.pause()
        assert isinstance(app.screen, ExamResultScreen)
        text = screen_text(app)
        assert "FAIL against the pass mark of 720, on the estimated scale" in text
        assert "no domain" in text and "Design Cost-Optimized Architectures" in text
        assert "1 of these questions have a domain inferred from their text" in text
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AnswerReviewScreen)
        assert "Design Cost-Optimized Architectures (inferred)" in screen_text(app)
