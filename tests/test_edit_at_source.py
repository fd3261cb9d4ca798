"""Edit at the source (E in the review): the editor opens the card's file at its line, the
file is imported again when it returns, and the card comes back with its new text and its
history. A file that no longer reads leaves the collection as it was; a bundled deck is
edited in a copy in the data folder, which takes over the deck."""

from __future__ import annotations

import html
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import backends
import pytest
from sqlalchemy import select
from support import START, make_collection, without_bundled_decks
from terminal import Terminal, studyaws_command
from waiting import settle, wait_until

from studyaws.core.clock import FakeClock
from studyaws.core.config import bundled_decks_dir
from studyaws.core.srs import policy
from studyaws.services import editing
from studyaws.services.importer import import_paths
from studyaws.services.review import ReviewService
from studyaws.store.engine import reading
from studyaws.store.settings import save_setting
from studyaws.store.tables import Card, Deck
from studyaws.tui.app import StudyApp
from studyaws.tui.editing import GONE, KEPT
from studyaws.tui.screens.edit_error import EditErrorScreen
from studyaws.tui.screens.review import ReviewScreen

SIZE = (100, 32)

DECK = """\
# Storage

Q: Which AWS service stores objets in buckets?
A: Amazon S3

Q: Which AWS service gives a virtual server?
A: Amazon EC2
"""


def fake_editor(tmp_path: Path, body: str, name: str = "vi") -> Path:
    """An "editor": a Python script named `name` (vi by default, so that it is given
    `+LINE`) that appends its arguments to calls.txt, then runs `body` with `path` (the file)
    and `call` (how many times it ran before)."""
    folder = tmp_path / "editor"
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text(f"#!{sys.executable}\n" + textwrap.dedent(f"""\
        import pathlib, sys
        log = pathlib.Path({str(folder / "calls.txt")!r})
        call = len(log.read_text().splitlines()) if log.exists() else 0
        with log.open("a") as out:
            out.write(" ".join(sys.argv[1:]) + "\\n")
        path = pathlib.Path(sys.argv[-1])
        """) + textwrap.dedent(body))
    script.chmod(0o755)
    return script


def calls(script: Path) -> list[str]:
    log = script.parent / "calls.txt"
    return log.read_text().splitlines() if log.exists() else []


def replacing(old: str, new: str) -> str:
    return f"path.write_text(path.read_text().replace({old!r}, {new!r}))\n"


def dump(db: Path) -> list[str] | dict[str, list[tuple]]:
    """Everything the collection kept at `db` holds (SQLite's dump, or every row of every
    table on PostgreSQL)."""
    if backends.on_postgres():
        return backends.dump(db)
    with closing(sqlite3.connect(db)) as conn:
        return list(conn.iterdump())


def history(db: Path, card_id: int) -> list[tuple]:
    return backends.query(db, f"SELECT * FROM review_log WHERE card_id = {int(card_id)}"
                              " ORDER BY id")


def due_with_history(engine, clock: FakeClock, card_id: int) -> None:
    """Give `card_id` two reviews and make it the one card the review shows: due, with no
    new cards offered."""
    service = ReviewService(engine, clock)
    service.answer(service.card(card_id), policy.GOOD)
    clock.advance(timedelta(days=1))
    service.answer(service.card(card_id), policy.EASY)
    clock.advance(timedelta(days=90))
    save_setting(engine, "new-per-day", "0")


def card_id(engine, prompt: str) -> int:
    with reading(engine) as session:
        return session.execute(select(Card.id).where(Card.prompt == prompt)).scalar_one()


def screen_text(app) -> str:
    """Everything the screen shows, as plain text (from the real screenshot)."""
    svg = app.export_screenshot()
    spans = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.DOTALL)
    return html.unescape("".join(spans)).replace("\xa0", " ")


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def review_on(pilot, prompt: str) -> ReviewScreen:
    return await settle(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen)
                        and pilot.app.screen.view is not None
                        and pilot.app.screen.view.prompt == prompt and pilot.app.screen,
                        what=f"the review showing {prompt!r}")


# -- the editor and its command line ----------------------------------------------------------

def test_the_editor_is_visual_then_editor_then_nano_or_vi(tmp_path):
    assert editing.find_editor({"VISUAL": "code --wait", "EDITOR": "vim"}) == ["code", "--wait"]
    assert editing.find_editor({"VISUAL": " ", "EDITOR": "emacsclient -t"}) == \
        ["emacsclient", "-t"]
    for name in ("nano", "vi"):
        (tmp_path / name).write_text("#!/bin/sh\n")
        (tmp_path / name).chmod(0o755)
    path = os.environ["PATH"]
    try:
        os.environ["PATH"] = str(tmp_path)
        assert editing.find_editor({}) == [str(tmp_path / "nano")]
        (tmp_path / "nano").unlink()
        assert editing.find_editor({}) == [str(tmp_path / "vi")]
        (tmp_path / "vi").unlink()
        assert editing.find_editor({}) is None
    finally:
        os.environ["PATH"] = path


def test_the_line_is_given_to_editors_that_take_it():
    deck = Path("/decks/storage.md")
    assert editing.editor_command(["vim"], deck, 12) == ["vim", "+12", "/decks/storage.md"]
    assert editing.editor_command(["/usr/bin/nano"], deck, 3) == \
        ["/usr/bin/nano", "+3", "/decks/storage.md"]
    assert editing.editor_command(["emacsclient", "-t"], deck, 7) == \
        ["emacsclient", "-t", "+7", "/decks/storage.md"]
    assert editing.editor_command(["code", "--wait"], deck, 7) == \
        ["code", "--wait", "/decks/storage.md"]
    assert editing.editor_command(["vi"], deck, 0) == ["vi", "/decks/storage.md"]


def test_a_file_imported_from_a_folder_keeps_its_name_below_it(tmp_path):
    deck = tmp_path / "bank" / "sub" / "deck.md"
    deck.parent.mkdir(parents=True)
    deck.write_text(DECK)
    engine = backends.open_test_engine(tmp_path / "home" / "studyaws.sqlite3")
    clock = FakeClock(START)
    import_paths(engine, [tmp_path / "bank"], clock.now())
    edited = card_id(engine, "Which AWS service stores objets in buckets?")
    source = editing.source_file(engine, edited)
    assert (source.path, source.line, source.root) == \
        (deck.resolve(), 3, (tmp_path / "bank").resolve())
    deck.write_text("# Storage\n\n" + DECK.replace("objets", "objects"))
    result = editing.reimport(engine, source, clock.now())
    assert result.card_id == edited
    with reading(engine) as session:
        assert session.execute(select(Card.prompt, Card.source_path, Card.source_line)
                               .where(Card.id == edited)).one() == \
            ("Which AWS service stores objects in buckets?", "sub/deck.md", 5)


# -- in the review, under Pilot ---------------------------------------------------------------

async def test_an_edit_shows_the_new_text_and_keeps_the_history(tmp_path, monkeypatch):
    engine, clock, deck = make_collection(tmp_path, DECK)
    edited = card_id(engine, "Which AWS service stores objets in buckets?")
    due_with_history(engine, clock, edited)
    db = tmp_path / "home" / "studyaws.sqlite3"
    before = history(db, edited)
    assert len(before) == 2
    script = fake_editor(tmp_path, replacing("objets", "objects")
                         + replacing("A: Amazon S3", "A: Amazon S3 (Simple Storage Service)"))
    monkeypatch.setenv("EDITOR", str(script))
    monkeypatch.delenv("VISUAL", raising=False)
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await review_on(pilot, "Which AWS service stores objets in buckets?")
        await pilot.press("space")  # the answer shows: it shows again after the edit
        await pilot.press("E")
        await review_on(pilot, "Which AWS service stores objects in buckets?")
        assert calls(script) == [f"+3 {deck.resolve()}"]  # at the card's line
        assert screen.view.id == edited
        assert screen.revealed and screen.view.answer == "Amazon S3 (Simple Storage Service)"
        assert history(db, edited) == before
        # Studying goes on with the same card: its answer is the next review in its history.
        await pilot.press("3")
        await settle(pilot, lambda: len(history(db, edited)) == 3, what="the rating saved")
    assert "objects" in deck.read_text()


CHOICE = """\
# Storage

Which AWS service stores objects in buckets? {#s3}

- [x] Amazon S3
- [ ] Amazon EC2

> S3 keeps objets in buckets.
"""


async def test_an_answered_question_shows_its_verdict_again_with_the_new_text(tmp_path,
                                                                              monkeypatch):
    engine, clock, _ = make_collection(tmp_path, CHOICE)
    db = tmp_path / "home" / "studyaws.sqlite3"
    monkeypatch.setenv("EDITOR", str(fake_editor(tmp_path, replacing("objets", "objects"))))
    monkeypatch.delenv("VISUAL", raising=False)
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await review_on(pilot, "Which AWS service stores objects in buckets?")
        await pilot.press("2", "enter")  # wrong: rated Again
        await settle(pilot, lambda: screen.submitted, what="the answer saved")
        before = history(db, screen.view.id)
        await pilot.press("E")
        await settle(pilot, lambda: screen.view.explanation == "S3 keeps objects in buckets.",
                     what="the new explanation")
        assert "S3 keeps objects in buckets." in screen_text(app)
        assert screen.query_one("#feedback").has_class("wrong")
        assert screen.submitted and screen.rated == policy.AGAIN
        assert history(db, screen.view.id) == before
        await pilot.press("3")  # the rating can still change, as after any answer
        await settle(pilot, lambda: [row[2] for row in history(db, screen.view.id)]
                     == [policy.GOOD], what="the rating changed")


async def test_a_card_removed_from_its_file_gives_way_to_the_next(tmp_path, monkeypatch):
    engine, clock, deck = make_collection(tmp_path, DECK)
    script = fake_editor(tmp_path, replacing(
        "Q: Which AWS service stores objets in buckets?\nA: Amazon S3\n", ""))
    monkeypatch.setenv("VISUAL", str(script))
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await review_on(pilot, "Which AWS service stores objets in buckets?")
        await pilot.press("E")
        await review_on(pilot, "Which AWS service gives a virtual server?")
        assert GONE in notices(app)
        assert screen.view.prompt == "Which AWS service gives a virtual server?"


async def test_no_editor_says_to_set_editor(tmp_path, monkeypatch):
    engine, clock, _ = make_collection(tmp_path, DECK)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    db = tmp_path / "home" / "studyaws.sqlite3"
    before = dump(db)
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await review_on(pilot, "Which AWS service stores objets in buckets?")
        await pilot.press("E")
        await settle(pilot, lambda: editing.NO_EDITOR in notices(app), what="the notice")
        assert app.screen is screen
    assert dump(db) == before


BROKEN = """\
if call == 0:  # the answer line goes: the question has none
    path.write_text(path.read_text().replace("A: Amazon EC2\\n", ""))
else:  # then it is put back, and the prompt fixed
    text = path.read_text().replace("virtual server?\\n", "virtual server?\\nA: Amazon EC2\\n")
    path.write_text(text.replace("gives a virtual", "gives you a virtual"))
"""


async def test_a_file_that_no_longer_reads_changes_nothing_and_opens_again(tmp_path,
                                                                            monkeypatch):
    engine, clock, deck = make_collection(tmp_path, DECK)
    edited = card_id(engine, "Which AWS service gives a virtual server?")
    due_with_history(engine, clock, edited)
    db = tmp_path / "home" / "studyaws.sqlite3"
    before = dump(db)
    script = fake_editor(tmp_path, BROKEN)
    monkeypatch.setenv("EDITOR", str(script))
    monkeypatch.delenv("VISUAL", raising=False)
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await review_on(pilot, "Which AWS service gives a virtual server?")
        await pilot.press("E")
        modal = await settle(pilot, lambda: isinstance(app.screen, EditErrorScreen)
                             and app.screen, what="the error shown")
        text = str(modal.query_one("#edit-error-problems Static").render())
        assert f"{deck.name}:6: 'Q:' without an 'A:'" in text
        assert dump(db) == before  # nothing of the edit was imported
        await pilot.press("e")  # the editor again, at the problem's line
        await review_on(pilot, "Which AWS service gives you a virtual server?")
        assert calls(script) == [f"+6 {deck.resolve()}"] * 2
        assert screen.view.id == edited
    assert len(history(db, edited)) == 2


async def test_escape_keeps_the_collection_as_it_was(tmp_path, monkeypatch):
    engine, clock, deck = make_collection(tmp_path, DECK)
    db = tmp_path / "home" / "studyaws.sqlite3"
    before = dump(db)
    monkeypatch.setenv("EDITOR", str(fake_editor(tmp_path, BROKEN)))
    monkeypatch.delenv("VISUAL", raising=False)
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await review_on(pilot, "Which AWS service stores objets in buckets?")
        await pilot.press("E")
        await settle(pilot, lambda: isinstance(app.screen, EditErrorScreen),
                     what="the error shown")
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen and KEPT in notices(app),
                     what="back in the review")
        assert screen.view.prompt == "Which AWS service stores objets in buckets?"
    assert dump(db) == before
    assert "A: Amazon EC2" not in deck.read_text()  # the file keeps the edit


async def test_a_question_bank_is_read_again_in_its_format(tmp_path, monkeypatch):
    bank = tmp_path / "bank.csv"  # GIFT, in a file its name says is Anki text
    bank.write_text("::q1:: Which service stores objets? {=Amazon S3 ~Amazon EC2}\n\n"
                    "::q2:: Which service runs servers? {=Amazon EC2 ~Amazon S3}\n")
    engine = backends.open_test_engine(tmp_path / "home" / "studyaws.sqlite3")
    clock = FakeClock(START)
    import_paths(engine, [bank], clock.now(), format="gift")
    edited = card_id(engine, "Which service stores objets?")
    monkeypatch.setenv("EDITOR", str(fake_editor(tmp_path, replacing("objets", "objects"))))
    monkeypatch.delenv("VISUAL", raising=False)
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await review_on(pilot, "Which service stores objets?")
        await pilot.press("E")
        await review_on(pilot, "Which service stores objects?")
        assert screen.view.id == edited
    with reading(engine) as session:
        assert session.execute(select(Deck.content_hash)).scalar_one().startswith("gift:")


# -- a bundled deck: edited in a copy that takes it over --------------------------------------

async def test_a_bundled_deck_is_edited_in_a_copy_that_takes_it_over(tmp_path, monkeypatch):
    installed = bundled_decks_dir() / "storage.md"
    package_text = installed.read_bytes()
    home = tmp_path / "home"
    engine = backends.open_test_engine(home / "studyaws.sqlite3")
    clock = FakeClock(START)
    import_paths(engine, [installed], clock.now())
    prompt = "How many nines of durability is Amazon S3 Standard designed for?"
    edited = card_id(engine, prompt)
    due_with_history(engine, clock, edited)
    with reading(engine) as session:
        deck_id, = session.execute(select(Deck.id)).scalars().all()
    before = history(home / "studyaws.sqlite3", edited)
    script = fake_editor(tmp_path, replacing(prompt, prompt.replace("designed", "built")))
    monkeypatch.setenv("EDITOR", str(script))
    monkeypatch.delenv("VISUAL", raising=False)
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await review_on(pilot, prompt)
        await pilot.press("E")
        await review_on(pilot, prompt.replace("designed", "built"))
        assert screen.view.id == edited
        assert screen.view.source.startswith("storage.md:")
    copy = home / "decks" / "storage.md"
    assert calls(script)[0].endswith(str(copy.resolve()))
    assert "built for?" in copy.read_text()
    assert installed.read_bytes() == package_text  # the package is never written
    assert history(home / "studyaws.sqlite3", edited) == before
    with reading(engine) as session:
        decks = session.execute(select(Deck.id, Deck.key, Deck.path)).all()
    assert decks == [(deck_id, "bundled:storage.md", str(copy.resolve()))]

    # An import of the bundled decks, or of the copy, is an import of the copy: the edit
    # stays, in the same deck.
    for path in (installed, copy):
        report = import_paths(engine, [path], clock.now(), force=True)
        assert [d.title for d in report.decks] == ["Storage - S3, EBS, EFS, FSx"]
        assert report.decks[0].updated == report.decks[0].added == 0
        with reading(engine) as session:
            assert session.execute(select(Card.prompt).where(Card.id == edited)
                                   ).scalar_one() == prompt.replace("designed", "built")
            assert session.execute(select(Deck.id)).scalars().all() == [deck_id]

    # The copy deleted, the installed file is the deck again (the same card, its history).
    copy.unlink()
    import_paths(engine, [installed], clock.now())
    with reading(engine) as session:
        assert session.execute(select(Card.prompt).where(Card.id == edited)).scalar_one() == \
            prompt
    assert history(home / "studyaws.sqlite3", edited) == before


# -- the real command in a pseudo-terminal ----------------------------------------------------

@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_edit_in_a_terminal_keeps_the_history(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYAWS")
           and k != "VISUAL"}
    script = fake_editor(tmp_path, replacing("Alphaword", "Alphaword edited"))
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="40", EDITOR=str(script),
               STUDYAWS_HOME=str(tmp_path / "home"))
    env = backends.cli_env(env, tmp_path / "home")
    deck = tmp_path / "words.md"
    deck.write_text("# Words\n\nQ: Which word is Alphaword?\nA: Alpha\n")
    subprocess.run([*studyaws_command(), "import", str(deck)], env=env, check=True,
                   capture_output=True)
    db = tmp_path / "home" / "studyaws.sqlite3"
    without_bundled_decks(db)  # the test's deck alone

    term = Terminal([*studyaws_command(), "review"], env)
    try:
        term.wait_for("Alphaword")
        term.send(" ", expect="Again")
        term.send("1")  # Again: the one card comes back, learning
        wait_until(lambda: len(history(db, 1)) == 1, 10, "the answer saved")
        before = history(db, 1)
        term.send("E", expect="Which word is Alphaword edited?")
        assert calls(script) == [f"+3 {deck.resolve()}"]
        assert history(db, 1) == before
        assert backends.query(db, "SELECT id, prompt FROM card") == \
            [(1, "Which word is Alphaword edited?")]
        term.send("\x1b", expect="Review all")  # keys act again: Escape goes home
    finally:
        term.kill()


# -- how the error looks ----------------------------------------------------------------------

@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
def test_error_snapshot(tmp_path, monkeypatch, snap_compare, size):
    monkeypatch.chdir(tmp_path)  # the file shows as deck.md, the same on every run
    engine, clock, _ = make_collection(tmp_path, DECK)
    monkeypatch.setenv("EDITOR", str(fake_editor(tmp_path, BROKEN)))
    monkeypatch.delenv("VISUAL", raising=False)

    async def broken(pilot):
        await review_on(pilot, "Which AWS service stores objets in buckets?")
        await pilot.press("E")
        await settle(pilot, lambda: isinstance(pilot.app.screen, EditErrorScreen),
                     what="the error shown")
        await pilot.pause()

    assert snap_compare(StudyApp(engine, clock, start="review"), run_before=broken,
                        terminal_size=size)
