"""An unexpected error in the app: a crash report in the data folder with the traceback and
the versions, a message saying where it is once the screen is back, and every answer given
before it kept."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from support import basic_deck, make_collection, review_count
from terminal import Terminal, studyaws_command
from textual.binding import Binding

from studyaws import __version__
from studyaws.tui.app import StudyApp, report_crash
from studyaws.tui.screens.review import ReviewScreen

SIZE = (100, 32)


class FailingApp(StudyApp):
    """The app with one more key whose action fails, as a bug would."""

    BINDINGS = [*StudyApp.BINDINGS, Binding("f12", "fail", "Fail")]

    def action_fail(self) -> None:
        raise RuntimeError("an injected failure")


async def test_a_failing_action_writes_a_crash_report_and_keeps_the_answers(tmp_path, capsys):
    engine, clock, _ = make_collection(tmp_path, basic_deck(3))
    home = tmp_path / "home"
    app = FailingApp(engine, clock, start="review")
    with pytest.raises(RuntimeError, match="an injected failure"):
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)
            await pilot.press("space", "3")
            await pilot.pause()
            assert review_count(engine) == 1
            await pilot.press("f12")
            await pilot.pause()
    assert app.return_code == 1
    report = app.crash_report
    assert report is not None and report.parent == home
    assert re.fullmatch(r"crash-\d{8}-\d{6}\.txt", report.name)
    text = report.read_text()
    assert f"studyaws {__version__} crashed at" in text
    for needle in ("python 3.", "textual 8.", f"sqlite {sqlite3.sqlite_version}",
                   "Traceback (most recent call last)", "in action_fail",
                   "RuntimeError: an injected failure"):
        assert needle in text, needle
    assert review_count(engine) == 1

    report_crash(app.crash_error, report)
    assert capsys.readouterr().err.splitlines() == [
        "studyaws: stopped on an unexpected error: RuntimeError: an injected failure",
        f"studyaws: answers given before it are saved; a crash report is in {report}",
    ]


async def test_a_second_error_does_not_write_a_second_report(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(1))
    app = FailingApp(engine, clock)
    with pytest.raises(RuntimeError):
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f12")
            await pilot.pause()
            app._handle_exception(ValueError("later"))
    assert len(list((tmp_path / "home").glob("crash-*.txt"))) == 1
    assert isinstance(app.crash_error, RuntimeError)


def test_without_a_writable_folder_the_crash_is_still_told(capsys):
    report_crash(OSError(28, "No space left on device"), None)
    err = capsys.readouterr().err.splitlines()
    assert err == ["studyaws: stopped on an unexpected error: No space left on device",
                   "studyaws: answers given before it are saved; no crash report could be "
                   "written"]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.sqlite_only  # renames a table of the SQLite file under the app, SQLite's error
def test_the_real_command_reports_a_crash_after_the_screen_is_back(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYAWS")}
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="40",
               STUDYAWS_HOME=str(tmp_path / "home"))
    deck = tmp_path / "words.md"
    deck.write_text("# Words\n\n" + "\n\n".join(
        f"Q: Which word is {w}?\nA: {w}" for w in ("Alphaword", "Bravoword", "Charlieword")))
    subprocess.run([*studyaws_command(), "import", str(deck)], env=env, check=True,
                   capture_output=True)
    db = tmp_path / "home" / "studyaws.sqlite3"

    def answers() -> int:
        with closing(sqlite3.connect(db)) as conn:
            return conn.execute("select count(*) from review_log").fetchone()[0]

    term = Terminal([*studyaws_command(), "review"], env)
    try:
        term.wait_for("Alphaword")
        term.send(" ", expect="Again")  # the answer is shown, with the ratings
        term.send("3")
        term.wait_for("Bravoword")
        # Something the app cannot expect: its decks table disappears under it. The next
        # answer is saved, then fetching the card after it fails.
        with closing(sqlite3.connect(db)) as conn:
            conn.execute("alter table deck rename to deck_gone")
        term.send(" ", expect="Again")
        term.send("3")
        code = term.wait_exit(20)
    finally:
        if not term.exited:
            term.kill()
    assert code == 1
    screen = term.text()
    assert "studyaws: stopped on an unexpected error: " in screen
    assert "no such table: deck" in screen
    match = re.search(r"a crash report is in (\S+crash-\d{8}-\d{6}\.txt)", screen)
    assert match, screen[-1500:]
    report = Path(match.group(1))
    assert report.parent == tmp_path / "home"
    assert "OperationalError" in report.read_text()
    assert "Traceback" not in screen.split("stopped on an unexpected error")[0][-3000:]
    assert answers() == 2


class DiskFullApp(StudyApp):
    """The app with one more key whose action meets a full disk where nothing expects it."""

    BINDINGS = [*StudyApp.BINDINGS, Binding("f12", "fail", "Fail")]

    def action_fail(self) -> None:
        raise sqlite3.OperationalError("database or disk is full")


@pytest.mark.sqlite_only  # SQLite's full-disk error, its file on the full disk
async def test_a_crash_on_a_full_disk_leaves_no_empty_report_and_no_traceback(tmp_path):
    from test_bad_environment import _fill, _mount, _umount

    from studyaws.services.reliability import write_crash_report

    home = tmp_path / "home"
    home.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(home)):
        pytest.skip("needs root and mount (a tmpfs)")
    try:
        engine, clock, _ = make_collection(tmp_path, basic_deck(1))
        _fill(home, 0)
        with pytest.raises(OSError):
            write_crash_report(home, RuntimeError("x"))
        assert not list(home.glob("crash-*")), "an empty report was left"

        app = DiskFullApp(engine, clock)
        with pytest.raises(sqlite3.OperationalError):
            async with app.run_test(size=SIZE) as pilot:
                await pilot.press("f12")
                await pilot.pause()
        assert app.crash_report is None
        assert not list(home.glob("crash-*"))
        assert app._exit_renderables == []  # no traceback on the screen: one line says it
        engine.dispose()
    finally:
        _umount(home)
