"""End to end: the real `studyaws` command in a pseudo-terminal, killed with SIGKILL."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from support import without_bundled_decks
from terminal import Terminal, studyaws_command
from waiting import wait_until

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


def reviews(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("select count(*) from review_log").fetchone()[0]


def wait_reviews(db: Path, count: int, timeout: float = 10.0) -> None:
    wait_until(lambda: reviews(db) == count, timeout,
               lambda: f"{count} reviews in the database (found {reviews(db)})")


@pytest.fixture
def env(tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("STUDYAWS")}
    environment.update(TERM="xterm-256color", COLUMNS="120", LINES="40",
                       STUDYAWS_HOME=str(tmp_path / "home"))
    return environment


def test_answers_survive_sigkill_and_the_queue_resumes(tmp_path, env):
    deck = tmp_path / "words.md"
    deck.write_text("# Words\n\n" + "\n\n".join(
        f"Q: Which word is {word}?\nA: {word}" for word in
        ("Alphaword", "Bravoword", "Charlieword", "Deltaword", "Echoword")) + "\n")
    subprocess.run([*studyaws_command(), "import", str(deck)], env=env, check=True,
                   capture_output=True)
    db = tmp_path / "home" / "studyaws.sqlite3"
    without_bundled_decks(db)  # the test's deck alone

    term = Terminal([*studyaws_command(), "review"], env)
    try:
        term.wait_for("Alphaword")
        for n in range(1, 4):
            term.send(" ", expect="Again")  # the answer is shown, with the ratings
            term.send("3")
            wait_reviews(db, n)
    finally:
        term.kill()  # SIGKILL: no chance to flush or clean up
    assert reviews(db) == 3
    with sqlite3.connect(db) as conn:
        answered = [row[0] for row in conn.execute(
            "select card.prompt from review_log join card on card.id = review_log.card_id "
            "order by review_log.id")]
    assert answered == ["Which word is Alphaword?", "Which word is Bravoword?",
                        "Which word is Charlieword?"]

    again = Terminal([*studyaws_command(), "review"], env)
    try:
        again.wait_for("Deltaword")
    finally:
        again.kill()
    assert reviews(db) == 3


def test_first_run_opens_home_on_the_bundled_decks_and_quits(tmp_path, env):
    term = Terminal(studyaws_command(), env)
    term.wait_for("Networking")
    term.send("q")
    assert term.wait_exit() == 0
    with sqlite3.connect(tmp_path / "home" / "studyaws.sqlite3") as conn:
        decks = conn.execute("select count(*) from deck").fetchone()[0]
        cards = conn.execute("select count(*) from card").fetchone()[0]
    assert decks >= 3 and cards >= 300


def _exam_state(db: Path) -> tuple[float, list[tuple[int, str, int]]]:
    with sqlite3.connect(db) as conn:
        remaining = conn.execute("select remaining_s from exam where status='running'").fetchone()
        answers = conn.execute("select position, response, flagged from exam_question "
                               "where response != '' or flagged order by position").fetchall()
    return (remaining[0] if remaining else -1.0), answers


def test_exam_survives_sigkill_and_resumes_with_its_answers_and_time(tmp_path, env):
    deck = tmp_path / "exam.md"
    deck.write_text("\n\n".join(
        f"Which option is number {n}? {{#e{n}}}\n\n- [x] Option {n}\n- [ ] Not {n}\n\n"
        f"> domain: secure" for n in range(1, 13)) + "\n")
    subprocess.run([*studyaws_command(), "import", str(deck)], env=env, check=True,
                   capture_output=True)
    db = tmp_path / "home" / "studyaws.sqlite3"
    without_bundled_decks(db)  # the test's deck alone

    term = Terminal([*studyaws_command(), "exam", "--preset", "quick"], env)
    try:
        term.wait_for("Question 1 of 10")
        # Each key, once its effect is saved (every answer and flag is saved as it happens)
        # or drawn; \x1b[C is the right arrow.
        for key, saved, drawn in (("1", [(0, 0)], None), ("\x1b[C", None, "Question 2 of 10"),
                                  ("2", [(0, 0), (1, 0)], None), ("f", [(0, 0), (1, 1)], None),
                                  ("\x1b[C", None, "Question 3 of 10"),
                                  ("1", [(0, 0), (1, 1), (2, 0)], None)):
            term.send(key, expect=drawn)
            if saved is not None:
                wait_until(lambda saved=saved: [(p, f) for p, _, f in _exam_state(db)[1]]
                           == saved, 10, f"{saved} saved after {key!r}")
        # The clock runs and its time left is saved (every few seconds).
        wait_until(lambda: 0 < _exam_state(db)[0] < 15 * 60 - 2, 30,
                   lambda: f"the time left to be saved (found {_exam_state(db)[0]})")
    finally:
        term.kill()
    remaining, answers = _exam_state(db)
    assert [(pos, flagged) for pos, _, flagged in answers] == [(0, 0), (1, 1), (2, 0)]
    assert 15 * 60 - 30 < remaining < 15 * 60 - 2

    # Time passes while the app is closed (that is what is tested: the exam clock must not
    # run meanwhile), so this one waits a fixed time.
    time.sleep(2)
    again = Terminal([*studyaws_command(), "exam", "--resume"], env)
    try:
        again.wait_for("Question 3 of 10")
        from studyaws.tui.screens.exam import format_clock

        shown = {format_clock(remaining), format_clock(remaining - 1)}
        wait_until(lambda: any(s in again.text() for s in shown), 5,
                   lambda: f"{shown} on screen; last output:\n{again.text()[-1500:]}")
    finally:
        again.kill()
    assert _exam_state(db)[1] == answers


# -- no terminal: the app refuses at once instead of spinning ----------------------------------


@pytest.mark.parametrize("args", [[], ["review"], ["exam", "--preset", "quick"]],
                         ids=["home", "review", "exam"])
@pytest.mark.parametrize("streams", ["stdin-devnull", "stdout-piped"])
def test_the_app_without_a_terminal_refuses_in_one_line(tmp_path, env, args, streams):
    home = tmp_path / "home"
    deck = tmp_path / "exam.md"
    deck.write_text("\n\n".join(
        f"Which option is number {n}? {{#e{n}}}\n\n- [x] Option {n}\n- [ ] Not {n}"
        for n in range(1, 4)) + "\n")
    subprocess.run([*studyaws_command(), "import", str(deck)], env=env, check=True,
                   capture_output=True)
    before = sorted(p.name for p in home.iterdir() if not p.name.endswith("-shm"))
    if streams == "stdin-devnull":
        stdin = subprocess.DEVNULL
    else:  # a real terminal on stdin, the screen sent down a pipe (studyaws | less)
        primary, stdin = os.openpty()
    try:
        started = time.monotonic()
        result = subprocess.run([*studyaws_command(), *args], env=env, stdin=stdin,
                                capture_output=True, text=True, timeout=30)
        took = time.monotonic() - started
    finally:
        if streams != "stdin-devnull":
            os.close(primary)
            os.close(stdin)
    assert result.returncode == 2, (result.stdout[-500:], result.stderr[-500:])
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("studyaws: ") and "terminal" in lines[0], \
        result.stderr[-1000:]
    assert took < 10
    assert sorted(p.name for p in home.iterdir() if not p.name.endswith("-shm")) == before
    with closing(sqlite3.connect(home / "studyaws.sqlite3")) as conn:
        assert conn.execute("select count(*) from exam").fetchone()[0] == 0


def test_the_app_without_a_terminal_imports_nothing_on_a_first_run(tmp_path, env):
    result = subprocess.run([*studyaws_command()], env=env, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1, result.stderr[-500:]
    home = tmp_path / "home"
    if (home / "studyaws.sqlite3").exists():  # at most an empty collection, as checked
        with closing(sqlite3.connect(home / "studyaws.sqlite3")) as conn:
            assert conn.execute("select count(*) from deck").fetchone()[0] == 0


def test_digits_typed_right_after_the_arrow_land_on_the_next_question(tmp_path, env):
    deck = tmp_path / "numbers.md"
    deck.write_text("\n\n".join(
        f"Q: How many things in box {n}? {{#n{n}}}\nA: = {n}\n\n> domain: secure"
        for n in range(1, 5)) + "\n")
    subprocess.run([*studyaws_command(), "import", str(deck)], env=env, check=True,
                   capture_output=True)
    db = tmp_path / "home" / "studyaws.sqlite3"
    without_bundled_decks(db)  # the test's deck alone

    def responses() -> dict[int, str]:
        with closing(sqlite3.connect(db)) as conn:
            return dict(conn.execute("select position, response from exam_question "
                                     "where response != ''"))

    term = Terminal([*studyaws_command(), "exam", "--preset", "quick"], env)
    try:
        term.wait_for("Question 1 of 4")
        term.send("1")
        for typed in ("42", "7", "365"):
            term.send("\x1b[C" + typed)  # the right arrow and the digits in one write
        term.send("\r")
        wait_until(lambda: len(responses()) >= 4, 15, lambda: f"4 responses, {responses()}")
    finally:
        term.kill()
    assert responses() == {0: '{"text": "1"}', 1: '{"text": "42"}', 2: '{"text": "7"}',
                           3: '{"text": "365"}'}


# -- quitting folds the write-ahead log into the database file ---------------------------------


def _main_file_alone(db: Path, tmp_path: Path, sql: str) -> int:
    """`sql` on a copy of the database file without its -wal and -shm files, as a user's own
    copy or `sqlite3 studyaws.sqlite3` after a crash of the -wal would see it."""
    import shutil

    alone = tmp_path / "alone" / "copy.sqlite3"
    alone.parent.mkdir(exist_ok=True)
    shutil.copyfile(db, alone)
    with closing(sqlite3.connect(alone)) as conn:
        return conn.execute(sql).fetchone()[0]


def test_after_quitting_the_database_file_alone_holds_everything(tmp_path, env):
    term = Terminal(studyaws_command(), env)  # a first run: the bundled decks are imported
    db = tmp_path / "home" / "studyaws.sqlite3"
    try:
        term.wait_for("Networking")
        term.send("r")
        term.wait_for("Show answer")
        term.send(" ", expect="Again")
        term.send("3")
        wait_reviews(db, 1)
        term.send("\x1b", expect="Mock exam")  # back home
        term.send("q")
        assert term.wait_exit() == 0
    finally:
        if not term.exited:
            term.kill()
    wal = Path(f"{db}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    with closing(sqlite3.connect(db)) as conn:
        cards = conn.execute("select count(*) from card").fetchone()[0]
    assert cards >= 300
    assert _main_file_alone(db, tmp_path, "select count(*) from card") == cards
    assert _main_file_alone(db, tmp_path, "select count(*) from review_log") == 1


def test_quitting_while_another_program_holds_the_write_lock(tmp_path, env):
    deck = tmp_path / "words.md"
    deck.write_text("# Words\n\nQ: Which word is Alphaword?\nA: Alphaword\n")
    subprocess.run([*studyaws_command(), "import", str(deck)], env=env, check=True,
                   capture_output=True)
    db = tmp_path / "home" / "studyaws.sqlite3"
    without_bundled_decks(db)  # the test's deck alone
    term = Terminal([*studyaws_command(), "review"], env)
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        term.wait_for("Alphaword")
        term.send(" ", expect="Again")
        term.send("3")
        wait_reviews(db, 1)
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("INSERT INTO setting (key, value) VALUES ('holder', 'x')")
        term.send("\x1b", expect="Mock exam")
        term.send("q")
        started = time.monotonic()
        assert term.wait_exit(20) == 0
        assert time.monotonic() - started < 5, "quitting waited for the lock"
        holder.execute("COMMIT")
    finally:
        holder.close()
        if not term.exited:
            term.kill()
    assert "Traceback" not in term.text()
    assert reviews(db) == 1
