"""Any terminal size, down to 1x1: every screen takes its keys without a crash, whether the
terminal was small from the start or shrank while the screen was showing."""

from __future__ import annotations

import pytest
from support import make_collection, review_count

from studyaws.tui.app import StudyApp
from studyaws.tui.screens.home import HomeScreen

DECK = "\n\n".join([
    "# Sizes",
    "Q: A flashcard with a long enough prompt to wrap on a narrow terminal?\nA: Its answer.",
    *(f"Which option is number {n}? {{#c{n}}}\n\n- [x] Option {n}\n- [ ] Not {n}\n\n"
      f"> Because {n}.\n> domain: secure" for n in range(1, 4)),
    "Order: Put these in order. {#o1}\n1. First\n2. Second\n3. Third\n\n> domain: secure",
    "Q: How many days at most? {#n1}\nA: = 35\n\n> domain: secure",
]) + "\n"

# Home, help, a review with every kind of card, the context and help modals, the summary,
# a whole exam (setup, navigator, review before submitting, leaving, confirmation, results,
# answer review, history, a past exam's results), the stats, the settings and the import
# screen.
WALK = [
    ("down", "up", "question_mark"), ("escape",),
    ("r",), ("space",), ("3",), ("e",), ("escape",), ("question_mark",), ("escape",),
    ("space", "1", "enter"), ("space",), ("u",), ("space",), ("escape",),
    ("x",), ("down", "up", "1", "backspace", "left"), ("enter",), ("1", "right", "f", "2"),
    ("g",), ("right", "down"), ("enter",), ("r",), ("escape",), ("escape",), ("escape",),
    ("s",), ("n",), ("s",), ("y",),
    ("a",), ("w", "f", "a", "down"), ("escape",), ("h",), ("enter",), ("enter",),
    ("escape",), ("escape",),
    ("t",), ("down", "question_mark"), ("escape",), ("escape",),
    ("s",), ("tab", "tab"), ("escape",),
    ("i",), ("escape",),
]
SCREENS = {"HomeScreen", "HelpScreen", "ReviewScreen", "ContextScreen", "ExamSetupScreen",
           "ExamScreen", "NavigatorScreen", "ReviewBeforeSubmitScreen", "LeaveExamScreen",
           "ConfirmScreen", "ExamResultScreen", "AnswerReviewScreen", "ExamHistoryScreen",
           "PastExamResultScreen", "StatsScreen", "SettingsScreen", "ImportScreen"}
SIZES = [(1, 1), (6, 3), (12, 10), (40, 12)]


@pytest.mark.parametrize("width,height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_every_screen_takes_its_keys_at_any_size(tmp_path, width, height):
    engine, clock, _ = make_collection(tmp_path, DECK, settings={"learning-steps": "1"})
    app = StudyApp(engine, clock)
    seen = set()
    async with app.run_test(size=(100, 32)) as pilot:
        for keys in WALK:
            # Shrink with this screen showing, press its keys, grow back.
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            await pilot.press(*keys)
            await pilot.pause()
            assert app.return_code is None, f"the app stopped after {keys}"
            seen.add(type(app.screen).__name__)
        await pilot.resize_terminal(100, 32)
        await pilot.pause()
        assert app.return_code is None
    assert app.crash_error is None
    assert seen == SCREENS


@pytest.mark.parametrize("width,height", [(1, 1), (12, 10)])
async def test_a_small_terminal_from_the_start_then_grown(tmp_path, width, height):
    engine, clock, _ = make_collection(tmp_path, DECK)
    app = StudyApp(engine, clock)
    async with app.run_test(size=(width, height)) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.resize_terminal(100, 32)
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("r", "space", "3")
        await pilot.pause()
        assert review_count(engine) == 1
    assert app.crash_error is None
