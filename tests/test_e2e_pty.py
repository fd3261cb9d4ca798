"""End to end: the real `studyaws` command in a pseudo-terminal, killed with SIGKILL."""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


def studyaws_command() -> list[str]:
    script = Path(sys.executable).with_name("studyaws")
    return [str(script)] if script.exists() else [sys.executable, "-m", "studyaws"]


class Terminal:
    """A program running in a pseudo-terminal, its output collected as it comes."""

    def __init__(self, args: list[str], env: dict[str, str], size=(40, 120)):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child
            os.execvpe(args[0], args, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
        self.output = bytearray()
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self.lock:
                self.output.extend(chunk)

    def text(self) -> str:
        with self.lock:
            return self.output.decode("utf-8", "replace")

    def wait_for(self, needle: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.text():
                return
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} never appeared on screen; last output:\n"
                             f"{self.text()[-2000:]}")

    def send(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)

    def wait_exit(self, timeout: float = 10.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.05)
        self.kill()
        raise AssertionError("the app did not exit")


def reviews(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("select count(*) from review_log").fetchone()[0]


def wait_reviews(db: Path, count: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if reviews(db) == count:
            return
        time.sleep(0.05)
    raise AssertionError(f"expected {count} reviews in the database, found {reviews(db)}")


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

    term = Terminal([*studyaws_command(), "review"], env)
    try:
        term.wait_for("Alphaword")
        for n in range(1, 4):
            term.send(" ")
            time.sleep(0.2)
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
