"""`studyaws exam --discard`, `--retake-wrong` and `--history`: the real command in a
subprocess (or a pseudo-terminal, where it opens the app) on a real collection file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import backends
import pytest
from support import START, is_stored_table, without_bundled_decks
from terminal import Terminal, studyaws_command
from test_exam_core import QUESTIONS

from studyaws.core.clock import FakeClock
from studyaws.services import exam as service
from studyaws.store.settings import mark_bundled_decks

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX terminal")]


@pytest.fixture
def env(tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("STUDYAWS")}
    environment.update(TERM="xterm-256color", COLUMNS="120", LINES="40",
                       STUDYAWS_HOME=str(tmp_path / "home"))
    if backends.on_postgres():  # the commands open this test's database
        environment["STUDYAWS_DB"] = str(
            backends.collection_target(tmp_path / "home" / "studyaws.sqlite3"))
    return environment


@pytest.fixture
def db(tmp_path, env) -> Path:
    deck = tmp_path / "exam.md"
    deck.write_text(QUESTIONS, encoding="utf-8")
    subprocess.run([*studyaws_command(), "import", str(deck)], env=env, check=True,
                   capture_output=True)
    db = tmp_path / "home" / "studyaws.sqlite3"
    if backends.on_postgres():  # the collection the commands opened: this test's database
        engine = backends.open_test_engine(db)
        mark_bundled_decks(engine, START.isoformat())
        engine.dispose()
    else:
        without_bundled_decks(db)
    return db


def run(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*studyaws_command(), *args], env=env, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)


def dump(db: Path) -> dict:
    return {name: rows for name, rows in backends.dump(db).items() if is_stored_table(name)}


def in_process(db: Path):
    """The collection opened here, with a clock of its own (the command runs apart)."""
    from datetime import UTC, datetime

    return backends.open_test_engine(db), FakeClock(datetime.now(UTC))


def test_discard_without_an_exam_says_so_in_one_line(db, env):
    result = run(env, "exam", "--discard")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "studyaws exam: no exam in progress to discard\n"


def test_discard_leaves_the_collection_as_it_was_before_the_exam(db, env):
    before = dump(db)
    engine, clock = in_process(db)
    view = service.start_exam(engine, clock, "quick", seed=3)
    for item in view.items[:4]:
        service.save_answer(engine, view.id, item, {"chosen": [0]}, 9, clock.now())
    service.set_flag(engine, view.id, view.items[5], True)
    engine.dispose()
    result = run(env, "exam", "--discard")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("Discarded the exam in progress (4 of 10 questions answered): "
                             "nothing of it was kept.\n")
    assert dump(db) == before
    assert run(env, "exam", "--discard").returncode == 1


def test_history_numbers_the_exams_and_retake_wrong_asks_them_again(db, env):
    engine, clock = in_process(db)
    view = service.start_exam(engine, clock, "quick", seed=4)
    for item in view.items[:8]:
        service.save_answer(engine, view.id, item, {"chosen": sorted(item.question.correct)},
                            9, clock.now())
    service.set_flag(engine, view.id, view.items[0], True)
    service.finish_exam(engine, clock, view)  # 8 right, 2 unanswered, 1 right flagged
    engine.dispose()
    history = run(env, "exam", "--history")
    assert history.stdout.splitlines()[0].split()[:3] == ["exam", "date", "preset"]
    assert history.stdout.splitlines()[1].split()[0] == str(view.id)
    assert "trend" not in history.stdout  # one exam: no trend yet

    term = Terminal([*studyaws_command(), "exam", "--retake-wrong", "--include-flagged"], env)
    try:
        term.wait_for("Question 1 of 3")
        term.send("\x1b")  # leave: save or discard
        term.wait_for("Leave the exam?")
        term.send("d")
        term.wait_for("Discard this exam?")
        term.send("y")
        term.wait_for("discarded")
        term.send("q")
        assert term.wait_exit() == 0
    finally:
        if not term.exited:
            term.kill()
    assert run(env, "exam", "--discard").returncode == 1  # the retake was discarded
    engine, clock = in_process(db)
    service.finish_exam(engine, clock, service.start_exam(engine, clock, "quick", seed=5))
    engine.dispose()
    lines = run(env, "exam", "--history").stdout.splitlines()
    assert lines[-1] == "trend (scaled, 100-1000; pass mark 720): 820 → 100"


@pytest.mark.parametrize("args,message", [
    (["--retake-wrong"], "studyaws exam: no finished exam to retake yet: finish one first"),
    (["--retake-wrong", "7"], "studyaws exam: no finished exam 7 (see: studyaws exam --history)"),
    (["--include-flagged"], "studyaws exam: --include-flagged goes with --retake-wrong"),
    (["--retake-wrong", "--questions", "5"], "--questions, --deck and --domain do not go"),
])
def test_retake_wrong_without_a_finished_exam_says_so(db, env, args, message):
    term = Terminal([*studyaws_command(), "exam", *args], env)
    code = term.wait_exit(20)
    assert code != 0
    assert message in term.text() and "Traceback" not in term.text()
