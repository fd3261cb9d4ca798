"""The real app driven by Pilot on a real SQLite file."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from support import (
    basic_deck,
    card_id_by_prompt,
    card_of,
    home_settled,
    make_collection,
    review_count,
    state_of,
)
from textual.command import CommandList
from waiting import settle

from studyaws.core.srs import policy
from studyaws.services.review import ReviewService
from studyaws.store.engine import reading
from studyaws.store.settings import load_settings
from studyaws.store.tables import ReviewLog
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.home import HomeScreen
from studyaws.tui.screens.review import ReviewScreen
from studyaws.tui.screens.settings import SettingsScreen
from studyaws.tui.screens.summary import SummaryScreen

SIZE = (100, 32)


def screen_text(app) -> str:
    """Everything the screen shows, as plain text (from the real screenshot)."""
    svg = app.export_screenshot()
    spans = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.DOTALL)
    return html.unescape("".join(spans)).replace("\xa0", " ")


def keys_text(app) -> str:
    return str(app.screen.query_one("#keys").render())


def logs(engine) -> list[ReviewLog]:
    with reading(engine) as session:
        return list(session.execute(select(ReviewLog).order_by(ReviewLog.id)).scalars())


async def test_reveal_rate_and_intervals(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(3))
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.view.prompt == "Question 1"
        assert not screen.query_one("#answer").display
        assert "show answer" in keys_text(app)
        await pilot.press("space")
        await pilot.pause()
        assert screen.query_one("#answer").display
        keys = keys_text(app)
        for name in ("Again 1m", "Hard 6m", "Good 10m", "Easy"):
            assert name in keys
        await pilot.press("4")
        await pilot.pause()
        assert review_count(engine) == 1
        assert logs(engine)[0].rating == policy.EASY
        assert screen.view.prompt == "Question 2"
        # Space after the reveal means Good.
        await pilot.press("space", "space")
        await pilot.pause()
        assert logs(engine)[-1].rating == policy.GOOD


async def test_undo_several_steps_in_the_app(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(4))
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(3):
            await pilot.press("space", "3")
            await pilot.pause()
        assert review_count(engine) == 3
        assert app.screen.view.prompt == "Question 4"
        await pilot.press("u")
        await pilot.pause()
        assert app.screen.view.prompt == "Question 3"
        await pilot.press("u", "u")
        await pilot.pause()
        assert app.screen.view.prompt == "Question 1"
        assert review_count(engine) == 0
        assert state_of(engine, card_id_by_prompt(engine, "Question 2")).state == policy.NEW


async def test_suspend_and_bury_keys(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(3))
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert card_of(engine, card_id_by_prompt(engine, "Question 1")).suspended
        assert app.screen.view.prompt == "Question 2"
        await pilot.press("b")
        await pilot.pause()
        assert card_of(engine, card_id_by_prompt(engine, "Question 2")).buried_until is not None
        assert app.screen.view.prompt == "Question 3"


async def test_queue_end_shows_summary_then_home(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(2), settings={"learning-steps": "1"})
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("space", "1")  # Again: comes back in a minute
        await pilot.pause()
        await pilot.press("space", "4")
        await pilot.pause()
        clock.advance(timedelta(minutes=1))
        assert app.screen.view.prompt == "Question 1"  # learning card, same session
        await pilot.press("space", "3")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        text = screen_text(app)
        assert "Cards reviewed" in text and "Again rate" in text and "33%" in text and "Cards reviewed   3" in text
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_context_and_help_overlays(tmp_path):
    engine, clock, _ = make_collection(tmp_path, """
        # RDS
        ## Backups
        Automated backups keep transaction logs.

        Q: Retention?
        A: 1-35 days
        """)
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        text = screen_text(app)
        assert "transaction logs" in text and "deck.md:5" in text
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert "Suspend" in str(app.screen.content)
        assert "rate Again, Hard, Good, Easy" in str(app.screen.content)


async def test_settings_screen_saves_and_rejects(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(1))
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        app.screen.query_one("#set-new-per-day").value = "7"
        app.screen.query_one("#set-desired-retention").value = "2"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert load_settings(engine).new_per_day == 7
        assert load_settings(engine).desired_retention == 0.9
        assert "between 0.70 and 0.99" in screen_text(app)


async def test_settings_screen_refuses_a_past_exam_date_as_the_command_does(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(1))
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        yesterday = (clock.now() - timedelta(days=1)).date().isoformat()
        app.screen.query_one("#set-exam-date").value = yesterday
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert load_settings(engine).exam_date is None
        assert "past" in screen_text(app)


async def test_markup_in_card_text_renders_literally(tmp_path):
    nasty = "Is [red]this[/] or [b]x[/b] \\ kept [/] $var [@click=app.quit]?"
    engine, clock, _ = make_collection(tmp_path, f"""
        ---
        title: Deck [/] [bold]x
        ---
        # Topic [red]

        Q: {nasty}
        A: Answer with [/] and \x1b[31mANSI\x1b[0m
        """)
    app = StudyApp(engine, clock)
    async with app.run_test(size=(140, 32), notifications=True) as pilot:
        await pilot.pause()
        assert "Deck [/] [bold]x" in screen_text(app)
        await pilot.press("r")
        await pilot.pause()
        text = screen_text(app)
        assert "[red]this[/]" in text and "[b]x[/b]" in text and "Topic [red]" in text
        await pilot.press("space")
        await pilot.pause()
        text = screen_text(app)
        assert "Answer with [/] and [31mANSI[0m" in text
        assert "\x1b" not in card_of(engine, app.screen.view.id).answer
        await pilot.press("e")
        await pilot.pause()
        assert app.screen is not None


CHOICE_DECK = """
    # Objective
    Which is the answer? {#single}

    - [ ] Wrong one
    - [x] Right one
    - [ ] Wrong two

    > Because it is right.

    Which two? {#multi}

    - [x] Right A
    - [ ] Wrong B
    - [x] Right C

    Order: Order these.
    1. First
    2. Second
    3. Third

    Q: How many days?
    A: = 35 +- 1
    """


def _position(screen, text: str) -> str:
    options = screen.query_one("#options")
    index = options.options.index(text)
    return str(options.order.index(index) + 1)


async def _start(tmp_path, **settings):
    engine, clock, _ = make_collection(tmp_path, CHOICE_DECK,
                                       settings={"easy-seconds": "5", **settings})
    app = StudyApp(engine, clock, start="review")
    return engine, clock, app


async def test_single_choice_right_fast_is_easy_and_wrong_is_again(tmp_path):
    engine, clock, app = await _start(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.view.kind == "choice"
        await pilot.press(_position(screen, "Right one"), "enter")
        await pilot.pause()
        log = logs(engine)[-1]
        assert log.correct is True and log.rating == policy.EASY  # answered in 0 s
        assert "Because it is right." in screen_text(app)
        # Override the suggested rating before moving on: still one log row.
        await pilot.press("3")
        await pilot.pause()
        assert [row.rating for row in logs(engine)] == [policy.GOOD]
        await pilot.press("u")  # undo, then answer wrong after 20 s
        await pilot.pause()
        clock.advance(20)
        await pilot.press(_position(screen, "Wrong two"), "enter")
        await pilot.pause()
        rows = logs(engine)
        assert len(rows) == 1 and rows[0].correct is False and rows[0].rating == policy.AGAIN
        assert json.loads(rows[0].response)["chosen"] == [2]


async def test_multi_select_enforces_choose_n(tmp_path):
    engine, clock, app = await _start(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press(_position(screen, "Right one"), "enter", "space")
        await pilot.pause()
        assert screen.view.question.choose == 2
        clock.advance(30)
        await pilot.press(_position(screen, "Right A"), "enter")
        await pilot.pause()
        assert not screen.submitted and len(logs(engine)) == 1  # one picked of two: refused
        await pilot.press(_position(screen, "Right C"), "enter")
        await pilot.pause()
        row = logs(engine)[-1]
        assert row.correct is True and row.rating == policy.GOOD  # right, not fast


async def test_ordering_and_numeric_graded(tmp_path):
    engine, clock, app = await _start(tmp_path, **{"new-per-day": "4"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press(_position(screen, "Right one"), "enter", "space")
        await pilot.press(_position(screen, "Right A"), _position(screen, "Right C"), "enter",
                          "space")
        await pilot.pause()
        assert screen.view.kind == "ordering"
        ordering = screen.query_one("#ordering")
        # Put the items in order with the keys: select each item and move it into place.
        for target in range(3):
            current = ordering.order.index(target)
            ordering.cursor = current
            for _ in range(current - target):
                await pilot.press("shift+up")
        assert ordering.order == [0, 1, 2]
        await pilot.press("enter")
        await pilot.pause()
        assert logs(engine)[-1].correct is True
        await pilot.press("space")
        await pilot.pause()
        assert screen.view.kind == "numeric"
        await pilot.press("3", "4", "enter")  # 34 is within 35 +- 1
        await pilot.pause()
        row = logs(engine)[-1]
        assert row.correct is True and json.loads(row.response) == {"text": "34"}


async def test_numeric_wrong_is_again(tmp_path):
    engine, clock, _ = make_collection(tmp_path, "Q: Days?\nA: = 35\n")
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("3", "0", "enter")
        await pilot.pause()
        row = logs(engine)[-1]
        assert row.correct is False and row.rating == policy.AGAIN
        assert "35" in screen_text(app)


async def test_scenario_seed_is_stored_and_reproduces_the_question(tmp_path):
    engine, clock, _ = make_collection(tmp_path, "```scenario aurora-quorum\n```\n")
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        shown = screen.view.question
        assert screen.view.kind == "scenario" and screen.view.seed is not None
        picks = [str(n + 1) for n in range(shown.choose)]
        await pilot.press(*picks, "enter")
        await pilot.pause()
    row = logs(engine)[-1]
    assert row.seed == screen.view.seed
    again = ReviewService(engine, clock).card(row.card_id, seed=row.seed)
    assert again.question == shown
    assert row.correct == (frozenset(json.loads(row.response)["chosen"]) == shown.correct)


async def test_command_palette_lists_review_actions(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(2))
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"suspend")
        await settle(pilot, lambda: app.screen.query_one(CommandList).highlighted is not None,
                     10, "the palette to list the matching commands")
        await pilot.press("enter")
        await settle(pilot, lambda: card_of(engine, card_id_by_prompt(
            engine, "Question 1")).suspended, 10, "the card to be suspended")


async def _answer(pilot, screen, right: bool) -> None:
    """Answer the question on screen with the keys a user would press, right or wrong."""
    from studyaws.core.questions import Choice, Numeric, Ordering

    question = screen.view.question
    if isinstance(question, Choice):
        wanted = set(question.correct)
        if not right:
            wrong = [i for i in range(len(question.options)) if i not in question.correct]
            wanted = set(sorted(wanted)[1:]) | {wrong[0]}
        options = screen.query_one("#options")
        await pilot.press(*[str(options.order.index(i) + 1) for i in sorted(wanted)])
    elif isinstance(question, Ordering):
        ordering = screen.query_one("#ordering")
        for target in range(len(question.items)):
            ordering.cursor = ordering.order.index(target)
            for _ in range(ordering.cursor - target):
                await pilot.press("shift+up")
        if not right:
            ordering.cursor = 0
            await pilot.press("shift+down")
    elif isinstance(question, Numeric):
        value = question.answer if right else question.answer + question.tolerance + 7
        await pilot.press(*f"{value:g}")
    await pilot.press("enter")
    await pilot.pause()


ALL_TYPES = CHOICE_DECK + """
    ```scenario nacl
    ```

    ```scenario aurora-quorum
    ```

    ```scenario backup-retention
    ```

    ```scenario multi-az-vs-replica
    ```

    ```scenario subnet-routing
    ```
    """


@pytest.mark.slow  # seconds of waiting: in the full suite, not the quick loop
async def test_every_question_type_right_and_wrong(tmp_path):
    engine, clock, _ = make_collection(tmp_path, ALL_TYPES,
                                       settings={"new-per-day": "50", "easy-seconds": "5"})
    app = StudyApp(engine, clock, start="review")
    seen = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        for _ in range(40):
            if not isinstance(app.screen, ReviewScreen) or screen.view is None:
                break
            view = screen.view
            right = (view.kind, False) in seen  # each kind: wrong first, then right
            clock.advance(1 if right else 61)
            await _answer(pilot, screen, right)
            row = logs(engine)[-1]
            assert row.card_id == view.id
            assert row.correct is right, (view.kind, view.prompt)
            assert row.rating == (policy.EASY if right else policy.AGAIN)
            if view.kind == "scenario":
                assert row.seed == view.seed
            seen.append((view.kind, right))
            await pilot.press("space")
            await pilot.pause()
    assert set(seen) == {(kind, right) for kind in ("choice", "ordering", "numeric", "scenario")
                         for right in (True, False)}


async def test_daily_limit_and_the_next_study_day_in_the_app(tmp_path):
    from datetime import UTC, datetime

    engine, clock, _ = make_collection(tmp_path, basic_deck(5), settings={"new-per-day": "2"})
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        assert "2 new" in screen_text(app)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("space", "4", "space", "4")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)  # the limit ends the session
        await pilot.press("enter")
        await pilot.pause()
        await home_settled(pilot)
        assert "0 new" in screen_text(app)
        clock.set(datetime(2026, 3, 3, 3, 59, tzinfo=UTC))  # before 4 AM: the same day
        app.screen.refresh_counts()
        assert "0 new" in screen_text(app)
        clock.set(datetime(2026, 3, 3, 4, 0, tzinfo=UTC))  # a new study day
        app.screen.refresh_counts()
        assert "2 new" in screen_text(app)
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.view.prompt == "Question 3"


async def test_siblings_are_not_shown_after_one_is_answered(tmp_path):
    engine, clock, _ = make_collection(tmp_path, """
        C: Aurora keeps {{six}} copies in {{three}} AZs.
        Q: Other card
        A: yes
        """)
    app = StudyApp(engine, clock, start="review")
    shown = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        while isinstance(app.screen, ReviewScreen):
            shown.append(app.screen.view.kind)
            await pilot.press("space", "4")
            await pilot.pause()
    assert sorted(shown) == ["basic", "cloze"]


async def test_leech_is_suspended_and_the_user_is_told(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(1), settings={
        "leech-threshold": "1", "learning-steps": "1", "relearning-steps": "1"})
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("space", "4")  # graduates
        await pilot.pause()
        clock.advance(timedelta(days=30))
        await pilot.press("escape", "r")
        await pilot.pause()
        assert app.screen.view.prompt == "Question 1"
        await pilot.press("space", "1")  # a lapse: the first is enough here
        await pilot.pause()
        assert "leech" in screen_text(app)
        assert isinstance(app.screen, SummaryScreen)
    card = card_of(engine, card_id_by_prompt(engine, "Question 1"))
    assert card.leech and card.suspended


async def test_home_reads_its_counts_in_a_thread_on_return(tmp_path, monkeypatch):
    import threading

    from studyaws.tui.screens import home

    threads = []
    real = home.read_home

    def recording(*args):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args)

    monkeypatch.setattr(home, "read_home", recording)
    engine, clock, _ = make_collection(tmp_path, basic_deck(5), settings={"new-per-day": "3"})
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        assert "3 new" in screen_text(app)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("space", "3")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await home_settled(pilot)
        assert "2 new" in screen_text(app) and "answered today: 1" in screen_text(app)
        # The first showing reads them before its first paint; a return, in a worker.
        assert threads == [True, False]
        # Numbers that did not change leave the table as it is.
        table = app.screen.query_one("#home-decks")
        table.move_cursor(row=0)
        before = app.screen.shown
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("escape")
        await home_settled(pilot)
        assert threads == [True, False, False]
        assert app.screen.shown is before


def burst(app, *keys: str) -> None:
    """Keys arriving together, as a terminal delivers fast typing: no pause between them,
    unlike pilot.press, which waits for the app to go idle after each key."""
    from textual import events

    for key in keys:
        event = events.Key(key, " " if key == "space" else key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


async def test_fast_typing_acts_in_order_onto_the_next_card(tmp_path):
    """A flashcard answered, then the number of the numeric card after it typed at once:
    every key acts, in the order typed, on the card showing by then."""
    deck = ("# Fast\n\nQ: A flashcard\nA: Its answer\n\nQ: How many days?\nA: = 42\n\n"
            "Q: Another flashcard\nA: Its answer\n\nQ: How many hours?\nA: = 7\n")
    engine, clock, _ = make_collection(tmp_path, deck)
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(app, "space", "3", "4", "2", "enter", "space", "space", "4", "7", "enter", "1")
        await pilot.pause()
        await pilot.pause()
    answered = [(log.rating, json.loads(log.response or "null")) for log in logs(engine)]
    # Right at once is Easy; the last answer's rating was changed to Again with 1.
    assert answered == [(policy.GOOD, None), (policy.EASY, {"text": "42"}),
                        (policy.EASY, None), (policy.AGAIN, {"text": "7"})]


# -- an answer that cannot be saved yet stays on screen and is tried again --------------------


def save_line(app) -> str:
    line = app.screen.query_one("#save-status")
    return str(line.render()) if line.display else ""


@pytest.mark.slow  # seconds of waiting: in the full suite, not the quick loop
@pytest.mark.sqlite_only  # holds SQLite's write lock from sqlite3 (PostgreSQL: test_postgres)
async def test_an_answer_that_meets_the_write_lock_is_kept_and_saved_once_released(
        tmp_path, monkeypatch):
    import sqlite3

    from studyaws.store import engine as store
    from studyaws.tui import saving

    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 100)  # SQLite gives up after 0.1 s
    monkeypatch.setattr(saving, "RETRY_PAUSES", (0.2,))
    engine, clock, _ = make_collection(tmp_path, basic_deck(3))
    holder = sqlite3.connect(tmp_path / "home" / "studyaws.sqlite3", isolation_level=None)
    app = StudyApp(engine, clock, start="review")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            for number, prompt in ((1, "Question 1"), (2, "Question 2")):
                await pilot.press("space")
                await pilot.pause()
                holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
                await pilot.press("3")
                await pilot.pause()
                assert screen.view.prompt == prompt  # kept on screen, not dropped
                line = save_line(app)
                assert line.startswith(f"Not saved yet: your answer to “{prompt}” (")
                assert "another program holds the collection's write lock" in line
                assert "r retries now" in line
                assert review_count(engine) == number - 1
                # Nothing else happens until it is saved: no second answer, no leaving.
                await pilot.press("3", "space", "u", "s", "b", "escape", "ctrl+q")
                await pilot.pause()
                assert app.screen is screen and screen.view.prompt == prompt
                assert app.is_running  # Ctrl+Q asks first: it would lose the answer
                holder.execute("COMMIT")
                if number == 1:
                    await pilot.press("r")  # at once, by the key
                await app.workers.wait_for_complete()  # the second: by itself, 0.2 s later
                await pilot.pause()
                assert review_count(engine) == number
                assert screen.view.prompt == f"Question {number + 1}"
                assert save_line(app) == ""
    finally:
        holder.close()
    assert [(log.rating, log.state_before) for log in logs(engine)] == [
        (policy.GOOD, policy.NEW), (policy.GOOD, policy.NEW)]


@pytest.mark.sqlite_only  # the SQLite file's disk filled up (PostgreSQL's is the server's)
async def test_an_answer_on_a_full_disk_is_kept_and_saved_once_space_is_freed(tmp_path):
    """A tiny tmpfs as the data folder, filled up: the answer's write fails for want of
    space; one line names the card and says why; once space is freed, r saves it."""
    import sqlite3
    from contextlib import closing

    import pytest
    from test_bad_environment import _fill, _mount, _umount

    home = tmp_path / "home"
    home.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(home)):
        pytest.skip("needs root and mount (a tmpfs)")
    try:
        engine, clock, deck = make_collection(tmp_path, basic_deck(3))
        with engine.connect() as conn:  # an empty log: the next write must grow it
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        app = StudyApp(engine, clock, start="review")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            await pilot.press("space")
            await pilot.pause()
            _fill(home, 0)
            await pilot.press("3")
            await pilot.pause()
            assert screen.view.prompt == "Question 1"
            line = save_line(app)
            assert line.startswith(f"Not saved yet: your answer to “Question 1” ({deck.name}:3): ")
            assert "the disk is full: free some space" in line
            assert app.crash_error is None
            (home / "filler").unlink()
            await pilot.press("r")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert screen.view.prompt == "Question 2" and save_line(app) == ""
        assert app.crash_error is None
        assert [log.rating for log in logs(engine)] == [policy.GOOD]
        engine.dispose()
        with closing(sqlite3.connect(home / "studyaws.sqlite3")) as conn:
            assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert not list(home.glob("crash-*"))
    finally:
        _umount(home)


async def test_the_answer_shows_the_question_domains_and_whether_they_were_inferred(tmp_path):
    deck = """
        # Filed
        Which storage class is the MOST cost-effective for archives kept ten years? {#cost}

        - [x] S3 Glacier Deep Archive
        - [ ] S3 Standard

        > Deep Archive costs least to keep.

        Which one is filed by hand? {#written}

        - [x] This one
        - [ ] That one

        > Because.
        > domain: saa-c03: resilient, clf-c02: technology
        """
    engine, clock, _ = make_collection(tmp_path, deck)
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE) as pilot:
        shown = set()
        for _ in range(2):
            await pilot.pause()
            screen = app.screen
            await pilot.press("1", "enter")
            await pilot.pause()
            shown.add(str(screen.query_one("#feedback").render()))
            await pilot.press("space")
        text = "\n".join(shown)
        assert "Domain: SAA-C03: Design Cost-Optimized Architectures (inferred)" in text
        assert ("Domain: SAA-C03: Design Resilient Architectures · CLF-C02: Cloud Technology "
                "and Services") in text
