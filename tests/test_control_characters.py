"""Terminal control characters in names and card text never reach the terminal.

A file named `deck ESC]0;PWNED BEL ESC[2J.md` or a deck title holding the same bytes (a JSON
restored from elsewhere keeps them) would set the terminal's title and clear the screen if
it were printed as is. Every command and every screen shows such characters as visible
marks (`^[`, `^G`), and keeps a name with a line break on one line (`⏎`).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import backends
import pytest
from backends import open_test_engine, query
from support import START, make_collection
from waiting import settle

from studyaws.core.clock import FakeClock
from studyaws.core.text import printable
from studyaws.services import exam as service
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.exam import ExamScreen
from studyaws.tui.screens.exam_results import AnswerReviewScreen
from studyaws.tui.screens.importing import ImportScreen
from studyaws.tui.screens.modals import ContextScreen
from studyaws.tui.screens.review import ReviewScreen
from studyaws.tui.screens.stats import StatsScreen

NASTY = "\x1b]0;PWNED\x07\x1b[2J"
SHOWN = "^[]0;PWNED^G^[[2J"  # the same, as it is shown
# What must never be written to a terminal from user data: C0 controls but newline and tab,
# DEL, C1 controls.
RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
RAW_BYTES = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")


# -- the function ----------------------------------------------------------------------------


def test_printable_makes_controls_visible_and_keeps_one_line_one_line():
    assert printable(f"deck{NASTY}") == f"deck{SHOWN}"
    assert printable("a\x00b\x7fc\x9bd") == "a^@b^?c\ufffdd"
    assert printable("two\nlines\tand\r\nmore") == "two⏎lines and⏎more"
    assert printable("two\nlines\tkept\r\n\x1b[1m", multiline=True) == "two\nlines\tkept\n^[[1m"
    assert printable("caf\udce9.md") == "caf\ufffd.md"  # a file name that is not UTF-8
    assert printable("\udcc3\udca9t\udcc3\udca9.md") == "été.md"  # UTF-8 read as ASCII
    assert printable("x\ud800y") == "x\ufffdy"
    assert printable("plain [b]text[/b] é → ✓") == "plain [b]text[/b] é → ✓"
    assert printable("x\u2028y") == "x⏎y"
    for text in (NASTY, "\x85\x9b31m", "".join(map(chr, range(0xA0)))):
        assert not RAW.search(printable(text))
        assert not RAW.search(printable(text, multiline=True).replace("\n", "").replace("\t", ""))


# -- the command ---------------------------------------------------------------------------


def run(*args: str, home: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = backends.cli_env({k: v for k, v in os.environ.items() if k != "STUDYAWS_HOME"}, home)
    return subprocess.run([sys.executable, "-m", "studyaws", "--home", str(home), *args],
                          capture_output=True, env=env, cwd=cwd, timeout=120)


def assert_clean(result: subprocess.CompletedProcess) -> tuple[str, str]:
    out, err = result.stdout, result.stderr
    assert not RAW_BYTES.search(out), out
    assert not RAW_BYTES.search(err), err
    assert b"Traceback" not in err, err
    return out.decode(), err.decode()


def test_a_file_name_with_escapes_is_shown_with_visible_marks(tmp_path: Path):
    home = tmp_path / "home"
    bad = tmp_path / f"bad{NASTY}.md"
    bad.write_text("# Broken\n\nQ: lonely question\n", encoding="utf-8")
    result = run("import", bad.name, home=home, cwd=tmp_path)
    out, err = assert_clean(result)
    assert result.returncode == 1
    assert err.splitlines()[0].startswith(f"bad{SHOWN}.md:3: ")

    result = run("check", bad.name, home=home, cwd=tmp_path)
    out, err = assert_clean(result)
    assert result.returncode == 1 and f"bad{SHOWN}.md:3: " in err

    result = run("import", f"missing{NASTY}.md", home=home, cwd=tmp_path)
    out, err = assert_clean(result)
    assert result.returncode == 1 and f"missing{SHOWN}.md: no such file or folder" in err

    good = tmp_path / f"good{NASTY}.md"
    good.write_text("Q: one\nA: two\n", encoding="utf-8")  # no title: the file's name is
    result = run("import", good.name, home=home, cwd=tmp_path)
    out, err = assert_clean(result)
    assert result.returncode == 0 and f"good{SHOWN}" in out

    result = run("decks", home=home, cwd=tmp_path)
    out, err = assert_clean(result)
    assert result.returncode == 0 and f"good{SHOWN}" in out


def test_a_file_name_with_a_line_break_stays_on_one_line(tmp_path: Path):
    home = tmp_path / "home"
    bad = tmp_path / "two\nlines.md"
    bad.write_text("# Broken\n\nQ: lonely question\n", encoding="utf-8")
    result = run("import", bad.name, home=home, cwd=tmp_path)
    out, err = assert_clean(result)
    assert result.returncode == 1
    assert err.splitlines() == [f"two⏎lines.md:3: {err.splitlines()[0].split(': ', 1)[1]}",
                                "1 error; nothing was imported."]


def test_backup_export_and_restore_name_their_files_with_visible_marks(tmp_path: Path):
    engine, _, _ = make_collection(tmp_path, "# Title\n\nQ: one\nA: two\n")
    engine.dispose()
    home = tmp_path / "home"
    for args, expected in (
        (("backup", f"copy{NASTY}.sqlite3"), f"copy{SHOWN}.sqlite3"),
        (("export", "-o", f"all{NASTY}.json"), f"wrote all{SHOWN}.json"),
        (("export", "--format", "csv", "-o", f"cards{NASTY}.csv"), f"wrote cards{SHOWN}.csv"),
        (("restore", f"missing{NASTY}.json"), f"missing{SHOWN}.json"),
        (("restore", "--force", f"copy{NASTY}.sqlite3"), f"copy{SHOWN}.sqlite3"),
    ):
        result = run(*args, home=home, cwd=tmp_path)
        out, err = assert_clean(result)
        assert expected in out + err, (args, out, err)


def test_a_restored_deck_title_with_escapes_is_shown_with_visible_marks(tmp_path: Path):
    engine, _, _ = make_collection(tmp_path, "# Title\n\nQ: one\nA: two\n")
    engine.dispose()
    poison(tmp_path / "home" / "studyaws.sqlite3")
    result = run("decks", home=tmp_path / "home", cwd=tmp_path)
    out, err = assert_clean(result)
    assert result.returncode == 0
    assert f"Evil{SHOWN}deck⏎line two" in out
    assert len(out.splitlines()) == 3  # heading, the deck, today's counts
    result = run("stats", home=tmp_path / "home", cwd=tmp_path)
    out, err = assert_clean(result)
    assert result.returncode == 0 and f"dom{SHOWN}" in out


# -- the app -------------------------------------------------------------------------------

DECK = """\
# Deck

Q: Basic question
A: Basic answer

Which one is right?

- [x] Right one
- [ ] Wrong one

> Because.
"""


def poison(db: Path) -> None:
    """Put escapes where a restored JSON export could: deck title, every field of a card."""
    query(db, "UPDATE deck SET title = ?", (f"Evil{NASTY}deck\nline two",))
    query(db, "UPDATE card SET prompt = prompt || ?, answer = answer || ?, explanation = ?, "
              "topic = ?, source_path = ?, saa_domain = ?, clf_domain = ?",
          (NASTY, NASTY, f"explained{NASTY}", f"topic{NASTY}",
           f"/decks/path{NASTY}.md", f"dom{NASTY}", f"clf{NASTY}"))
    # Every card's section notes (kept once, in shared_text, since schema 5).
    query(db, "INSERT INTO shared_text (deck_id, text) SELECT id, ? FROM deck",
          (f"context{NASTY}",))
    query(db, "UPDATE card SET context_id = (SELECT max(id) FROM shared_text "
              "WHERE shared_text.deck_id = card.deck_id)")
    for card_id, payload in query(db, "SELECT id, payload FROM card"):
        data = json.loads(payload)
        if data.get("options"):
            data["stem"] += NASTY
            data["options"] = [o + NASTY for o in data["options"]]
            data["explanation"] = f"why{NASTY}"
            query(db, "UPDATE card SET payload = ? WHERE id = ?", (json.dumps(data), card_id))


def rendered(app) -> str:
    """Every character the current screen would write to the terminal (its text)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def assert_screen_clean(app) -> str:
    text = rendered(app)
    assert not RAW.search(text.replace("\n", "")), repr(text)
    return text


async def test_home_review_and_context_show_escapes_as_marks(tmp_path: Path):
    engine, clock, _ = make_collection(tmp_path, DECK)
    poison(tmp_path / "home" / "studyaws.sqlite3")
    app = StudyApp(engine, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = assert_screen_clean(app)
        assert f"Evil{SHOWN}deck⏎line two" in text
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        seen = set()
        for _ in range(2):
            text = assert_screen_clean(app)
            assert SHOWN in text
            seen.add(screen.view.kind)
            await pilot.press("e")
            await pilot.pause()
            assert isinstance(app.screen, ContextScreen)
            text = assert_screen_clean(app)
            assert f"path{SHOWN}.md" in text and f"context{SHOWN}" in text
            await pilot.press("escape")
            await pilot.pause()
            if screen.view.kind == "choice":
                await pilot.press("1", "enter")
            else:
                await pilot.press("space")
            await pilot.pause()
            text = assert_screen_clean(app)
            assert SHOWN in text
            await pilot.press("space")
            await pilot.pause()
        assert seen == {"basic", "choice"}
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = assert_screen_clean(app)
        assert f"dom{SHOWN}" in text


async def test_the_exam_shows_escapes_as_marks(tmp_path: Path):
    engine, clock, _ = make_collection(tmp_path, DECK)
    poison(tmp_path / "home" / "studyaws.sqlite3")
    view = service.start_exam(engine, clock, "quick", mode="practice")
    app = StudyApp(engine, clock, start="exam", exam_id=view.id)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ExamScreen)
        text = assert_screen_clean(app)
        assert f"Which one is right?{SHOWN}" in text and f"Right one{SHOWN}" in text
        await pilot.press("1", "enter")
        await pilot.pause()
        text = assert_screen_clean(app)
        assert f"explained{SHOWN}" in text, text
        await pilot.press("r")
        await pilot.pause()
        assert_screen_clean(app)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert_screen_clean(app)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AnswerReviewScreen)
        text = assert_screen_clean(app)
        assert f"explained{SHOWN}" in text and f"path{SHOWN}.md" in text


@pytest.mark.parametrize("name_kind", ["escapes", "line break"])
async def test_the_import_picker_and_preview_show_escapes_as_marks(tmp_path: Path, monkeypatch,
                                                                   name_kind: str):
    work = tmp_path / "work"
    work.mkdir()
    mark, shown = (NASTY, SHOWN) if name_kind == "escapes" else ("\n", "⏎")
    (work / f"good{mark}deck.md").write_text("Q: one\nA: two\n", encoding="utf-8")
    (work / f"bad{mark}deck.md").write_text("# B\n\nQ: lonely\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(work))  # the picker first opens on the home folder
    app = StudyApp(open_test_engine(tmp_path / "home" / "studyaws.sqlite3"), FakeClock(START))
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        await pilot.pause()
        text = assert_screen_clean(app)
        assert f"good{shown}" in text and f"bad{shown}" in text

        for name, expected in ((f"good{mark}deck.md", f"good{shown}deck"),
                               (f"bad{mark}deck.md", f"bad{shown}deck.md:3:")):
            screen.select_path(work / name)
            screen.action_preview()
            await settle(pilot, lambda: not screen.running, 10, "the preview to end")
            text = assert_screen_clean(app)
            assert expected in text, text
        screen.select_path(work / f"good{mark}deck.md")
        screen.action_run_import()
        await settle(pilot, lambda: not screen.running, 10, "the import to end")
        await pilot.pause()
        assert_screen_clean(app)
