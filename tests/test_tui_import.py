"""The import screen driven by Pilot on a real SQLite file: pick a folder, preview, import,
see the summary; errors shown as text."""

from __future__ import annotations

import shutil
from pathlib import Path

from backends import open_test_engine
from support import START, basic_deck, home_settled, make_collection
from test_tui_review import screen_text
from waiting import settle

from studyaws.core.clock import FakeClock
from studyaws.core.config import DB_NAME
from studyaws.store.queries import deck_count
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.home import HomeScreen
from studyaws.tui.screens.importing import ImportScreen

SAMPLES = Path(__file__).parent / "samples"
SIZE = (120, 40)


async def until(pilot, condition) -> None:
    await settle(pilot, condition, 10, "the import to finish")


def collection(tmp_path: Path, monkeypatch):
    """An empty collection, and a home folder holding one folder of banks; the program runs
    from another folder."""
    work = tmp_path / "work"
    shutil.copytree(SAMPLES, work / "banks")
    monkeypatch.setenv("HOME", str(work))  # the picker first opens on the home folder
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # not on the folder the program was started from
    engine = open_test_engine(tmp_path / "home" / DB_NAME)
    return engine, FakeClock(START), work


async def test_pick_a_folder_preview_import_and_see_the_summary(tmp_path, monkeypatch):
    engine, clock, work = collection(tmp_path, monkeypatch)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        assert screen.selected == work.resolve()
        await until(pilot, lambda: screen.query_one("#import-tree").root.children)
        await pilot.press("down")  # the banks folder
        await pilot.pause()
        assert screen.selected == (work / "banks").resolve()

        await pilot.press("p")
        await until(pilot, lambda: screen.last is not None)
        assert screen.last.dry_run and screen.last.report.total()["added"] == 35
        assert deck_count(engine) == 0  # a preview writes nothing
        text = screen_text(app)
        assert "Preview (nothing was written): ~/banks" in text
        assert "Cloud Practitioner practice questions" in text
        assert "skipped 19 blocks:" in text
        assert "banks/bank-tasks.md:46: no option is marked correct" in text

        screen.last = None
        await pilot.press("i")
        await until(pilot, lambda: screen.last is not None)
        assert not screen.last.dry_run
        assert deck_count(engine) == 7
        text = screen_text(app)
        assert "Imported: ~/banks" in text
        assert "total" in text and "35" in text
        assert "Imported banks: 35 added, 0 updated, 0 retired" in text  # the toast

        # Importing the same folder again changes nothing.
        screen.last = None
        await pilot.click("#import-run")
        await until(pilot, lambda: screen.last is not None)
        assert screen.last.report.total() == {"added": 0, "updated": 0, "unchanged": 35,
                                              "retired": 0}

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await home_settled(pilot)
        home = screen_text(app)
        assert "Solutions Architect practice exam" in home
        assert "storage" in home


async def test_errors_are_shown_as_text_and_nothing_is_imported(tmp_path, monkeypatch):
    engine, clock, work = collection(tmp_path, monkeypatch)
    bad = work / "[red]broken.gift"
    bad.write_text("How many [b]days[/b]? {#[/]}\n", encoding="utf-8")
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        screen.select_path(bad)  # as if picked in the tree
        await pilot.press("p")
        await until(pilot, lambda: screen.last is not None)
        assert screen.last.report is None
        text = screen_text(app)
        assert "2 errors: nothing was previewed." in text
        assert "[red]broken.gift:1: numeric answer is not a number: '[/]'" in text
        assert deck_count(engine) == 0


async def test_a_format_can_be_forced_in_the_screen(tmp_path, monkeypatch):
    engine, clock, work = collection(tmp_path, monkeypatch)
    bank = work / "bank.md"
    bank.write_text("# Bank\n\n### Which stores objects?\n\n- [ ] EBS\n- [x] S3\n\n"
                    "### Which is a queue?\n\n- [ ] SNS\n- [ ] Kinesis\n", encoding="utf-8")
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        screen.select_path(bank)
        screen.query_one("#import-format").value = "md-tasks"
        await pilot.press("i")
        await until(pilot, lambda: screen.last is not None)
        assert screen.last.report.decks[0].format == "md-tasks"
        assert "bank.md:8: no option is marked correct" in screen_text(app)


async def test_help_lists_the_import_key(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(1))
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert "Import" in str(app.screen.content)
