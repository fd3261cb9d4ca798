"""Snapshot tests of the exam screens (pytest-textual-snapshot): the setup, the answer review
with every option, and the history's score trend. Review the SVGs in tests/__snapshots__ when
a screen changes, then run `pytest --snapshot-update`."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from support import make_collection
from test_exam_core import QUESTIONS
from test_tui_exam_flow import MIXED

from studyaws.services import exam as service
from studyaws.tui.app import StudyApp

SIZES = {"80x24": (80, 24), "200x50": (200, 50)}


def history(tmp_path, monkeypatch):
    """A collection with six finished quick exams (scores rising with ups and downs) and one
    running exam with a right, a wrong and an unanswered question of each kind."""
    monkeypatch.chdir(tmp_path)  # sources show as deck.md:LINE, the same on every run
    engine, clock, _ = make_collection(tmp_path, MIXED + "\n\n" + QUESTIONS)
    rng = random.Random(5)
    for n in range(6):
        view = service.start_exam(engine, clock, "quick", seed=n)
        for item in view.items:
            question = item.question
            if hasattr(question, "correct") and rng.random() < 0.25 + 0.12 * n:
                service.save_answer(engine, view.id, item,
                                    {"chosen": sorted(question.correct)}, 5, clock.now())
        clock.advance(timedelta(minutes=9))
        view.remaining_s -= 540
        service.finish_exam(engine, clock, view)
        clock.advance(timedelta(days=2))
    view = service.start_exam(engine, clock, "quick", seed=42)
    kinds = {type(i.question).__name__: i for i in view.items
             if not hasattr(i.question, "options") or len(i.question.options) == 4}
    assert set(kinds) == {"Choice", "Ordering", "Numeric"}  # the multi-select one
    service.save_answer(engine, view.id, kinds["Choice"], {"chosen": [0, 3]}, 5, clock.now())
    service.save_answer(engine, view.id, kinds["Ordering"], {"order": [1, 0, 2]}, 5,
                        clock.now())
    service.set_flag(engine, view.id, kinds["Choice"], True)
    return StudyApp(engine, clock, start="exam", exam_id=view.id), kinds


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_setup_screen(tmp_path, monkeypatch, snap_compare, size):
    app, _ = history(tmp_path, monkeypatch)
    service.discard_exam(app.engine, app.start_exam_id)
    app.start = "home"
    # The cursor on the retake of the last exam, with its flagged questions.
    keys = ["x", *["down"] * 6, "right", "down", "right", "up"]
    assert snap_compare(app, press=keys, terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_answer_review(tmp_path, monkeypatch, snap_compare, size):
    app, _ = history(tmp_path, monkeypatch)
    assert snap_compare(app, press=["s", "y", "a", "f"], terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_answer_review_of_ordering_and_numeric(tmp_path, monkeypatch, snap_compare, size):
    app, kinds = history(tmp_path, monkeypatch)
    # Wrong only, scrolled to the ordering question.
    async def scroll(pilot):
        await pilot.press("s", "y", "a", "w")
        await pilot.pause()
        heads = list(pilot.app.screen.query(".answer-head"))
        ordering = next(h for h in heads
                        if f"Question {kinds['Ordering'].position + 1} " in str(h.render()))
        pilot.app.screen.query_one("#answers").scroll_to_widget(ordering, animate=False,
                                                                 top=True)
        await pilot.pause()

    assert snap_compare(app, run_before=scroll, terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_history(tmp_path, monkeypatch, snap_compare, size):
    app, _ = history(tmp_path, monkeypatch)
    assert snap_compare(app, press=["s", "y", "h"], terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
@pytest.mark.parametrize("kind", ["Choice", "Ordering", "Numeric"])
def test_exam_question(tmp_path, monkeypatch, snap_compare, kind, size):
    """The running exam on a question of each kind: the multi-select picked and flagged,
    the ordering moved, the numeric one still to answer."""
    app, kinds = history(tmp_path, monkeypatch)

    async def go_to(pilot):
        await pilot.pause()
        screen = pilot.app.screen
        screen.index = kinds[kind].position
        screen.show_question()
        await pilot.pause()
        for field in screen.query("Input"):
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, run_before=go_to, terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_results(tmp_path, monkeypatch, snap_compare, size):
    app, _ = history(tmp_path, monkeypatch)
    assert snap_compare(app, press=["s", "y"], terminal_size=SIZES[size])
