"""Review speed on a big collection: 100,000 cards and 1,000,000 review-log rows.

Measures, on a collection built in a temporary home:
  - start-up of the real `studyaws review` process in a pseudo-terminal until the first
    card's text is on screen, and its peak memory (RSS);
  - keypress to next card (rate, commit, fetch, paint) in the real app under Pilot, p50/p95;
  - building the due queue (counts and the next card) in the service.

    python bench/review_bench.py [--cards 100000] [--logs 1000000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import pty
import random
import resource
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import deck_text  # noqa: E402

from studyaws.clock import Clock  # noqa: E402
from studyaws.importer import import_paths  # noqa: E402
from studyaws.srs.review import ReviewService  # noqa: E402
from studyaws.store.engine import open_engine  # noqa: E402
from studyaws.store.tables import to_db  # noqa: E402


def build_collection(home: Path, cards: int, logs: int) -> None:
    """Decks of 10,000 cards imported for real, then a simulated history written in bulk."""
    engine = open_engine(home / "studyaws.sqlite3")
    now = datetime.now(UTC)
    decks = home.parent / "decks"
    decks.mkdir()
    per_deck = 10_000
    for n in range(max(1, cards // per_deck)):
        path = decks / f"deck{n:02d}.md"
        path.write_text(deck_text(per_deck, seed=100 + n, title=f"Deck {n:02d}"), "utf-8")
    import_paths(engine, [decks], now - timedelta(days=400))
    engine.dispose()

    rng = random.Random(7)
    conn = sqlite3.connect(home / "studyaws.sqlite3")
    ids = [row[0] for row in conn.execute("select id from card order by id")]
    reviewed = ids[: int(len(ids) * 0.8)]  # a fifth of the cards are still new
    per_card = max(1, logs // len(reviewed))
    rows = []
    states = []
    for card_id in reviewed:
        when = now - timedelta(days=360)
        stability = 1.0
        for _ in range(per_card):
            when += timedelta(days=rng.uniform(1, 360 / per_card))
            rating = rng.choices((1, 2, 3, 4), weights=(10, 10, 70, 10))[0]
            stability = stability * 2.2 if rating > 1 else max(0.5, stability / 3)
            rows.append((card_id, rating, to_db(when), rng.randint(2000, 15000), "review", 2,
                         "{}", 2, stability, 5.0, to_db(when + timedelta(days=stability))))
        due = now + timedelta(days=rng.uniform(-20, 60))
        states.append((2, None, stability, 5.0, to_db(due), to_db(when), per_card, 0, card_id))
    extra = logs - len(rows)
    for _ in range(max(0, extra)):
        card_id = rng.choice(reviewed)
        when = now - timedelta(days=rng.uniform(1, 360))
        rows.append((card_id, 3, to_db(when), 5000, "review", 2, "{}", 2, 10.0, 5.0, to_db(when)))
    with conn:
        conn.executemany(
            "insert into review_log (card_id, rating, reviewed_at, duration_ms, source, "
            "state_before, prior_state, state, stability, difficulty, due, response) "
            "values (?,?,?,?,?,?,?,?,?,?,?,'')", rows)
        conn.executemany(
            "update card_state set state=?, step=?, stability=?, difficulty=?, due=?, "
            "last_review=?, reps=?, lapses=? where card_id=?", states)
    conn.execute("analyze")
    conn.close()


def studyaws_command() -> list[str]:
    script = Path(sys.executable).with_name("studyaws")
    return [str(script)] if script.exists() else [sys.executable, "-m", "studyaws"]


def startup(home: Path, needle: str) -> tuple[float, int]:
    """Seconds from exec until `needle` is on screen, and the process's peak RSS in KiB."""
    env = dict(os.environ, TERM="xterm-256color", STUDYAWS_HOME=str(home))
    args = [*studyaws_command(), "review"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(args[0], args, env)
    import fcntl
    import struct
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    output = b""
    elapsed = None
    deadline = start + 30
    while time.perf_counter() < deadline:
        try:
            output += os.read(fd, 65536)
        except OSError:
            break
        if needle.encode() in output:
            elapsed = time.perf_counter() - start
            break
    time.sleep(0.5)  # let it settle, so the RSS is that of a running review
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(fd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if elapsed is None:
        raise SystemExit(f"the first card ({needle!r}) never appeared")
    return elapsed, max(after, before)


NEXT_CARD = (b"show answer", b"Enter to submit", b"Type the number")


class Terminal:
    """The real app in a pseudo-terminal; `send_and_wait` times a key until a text is painted."""

    def __init__(self, home: Path, args: list[str]):
        import fcntl
        import struct
        import termios

        env = dict(os.environ, TERM="xterm-256color", STUDYAWS_HOME=str(home))
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvpe(args[0], args, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.buffer = b""

    def wait(self, needles: tuple[bytes, ...], since: int, timeout: float = 10.0) -> bytes:
        import select

        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            for needle in needles:
                if needle in self.buffer[since:]:
                    return needle
            ready, _, _ = select.select([self.fd], [], [], 0.5)
            if ready:
                self.buffer += os.read(self.fd, 65536)
        raise SystemExit(f"none of {needles} appeared; screen tail: {self.buffer[-400:]!r}")

    def send_and_wait(self, keys: str, needles: tuple[bytes, ...]) -> tuple[float, bytes]:
        mark = len(self.buffer)
        start = time.perf_counter()
        os.write(self.fd, keys.encode())
        found = self.wait(needles, mark)
        return time.perf_counter() - start, found

    def close(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def keypresses(home: Path, count: int) -> tuple[list[float], list[float]]:
    """(answer key -> next card painted, show-answer key -> answer painted), in seconds,
    measured on the real process: from writing the key to the terminal until the screen
    text that only the next state shows has arrived."""
    term = Terminal(home, [*studyaws_command(), "review"])
    nexts, reveals = [], []
    try:
        state = term.wait(NEXT_CARD, 0, timeout=30)
        for _ in range(count):
            if state == b"show answer":
                seconds, _ = term.send_and_wait(" ", (b"Again",))
                reveals.append(seconds)
                seconds, state = term.send_and_wait("3", NEXT_CARD)
            else:
                keys = "5\r" if state == b"Type the number" else "12\r"
                term.send_and_wait(keys, (b"The answer",))
                seconds, state = term.send_and_wait(" ", NEXT_CARD)
            nexts.append(seconds)
    finally:
        term.close()
    return nexts, reveals


def queue_build(home: Path, runs: int) -> list[float]:
    engine = open_engine(home / "studyaws.sqlite3")
    service = ReviewService(engine, Clock())
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        service.counts()
        service.next_card()
        times.append(time.perf_counter() - start)
    engine.dispose()
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--logs", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--presses", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        start = time.perf_counter()
        build_collection(home, args.cards, args.logs)
        conn = sqlite3.connect(home / "studyaws.sqlite3")
        n_cards = conn.execute("select count(*) from card").fetchone()[0]
        n_logs = conn.execute("select count(*) from review_log").fetchone()[0]
        conn.close()
        print(f"collection: {n_cards} cards, {n_logs} review-log rows "
              f"(built in {time.perf_counter() - start:.1f} s)")
        engine = open_engine(home / "studyaws.sqlite3")
        first = ReviewService(engine, Clock()).next_card()
        engine.dispose()
        needle = first.prompt.split("(")[-1].rstrip(")?.")[:20] if first else ""
        ups, rss = [], []
        for _ in range(args.runs):
            seconds, peak = startup(home, needle)
            ups.append(seconds)
            rss.append(peak)
        print(f"start-up to first card: median {statistics.median(ups):.3f} s "
              f"(min {min(ups):.3f}, max {max(ups):.3f}); peak RSS {max(rss) / 1024:.0f} MiB")
        queue = queue_build(home, 50)
        print(f"due queue (counts + next card): median {statistics.median(queue) * 1000:.1f} ms "
              f"(min {min(queue) * 1000:.1f}, max {max(queue) * 1000:.1f})")
        presses, reveals = keypresses(home, args.presses)
        for name, values in (("keypress to next card", presses), ("show answer", reveals)):
            print(f"{name} ({len(values)} presses): "
                  f"p50 {percentile(values, 0.5) * 1000:.1f} ms, "
                  f"p95 {percentile(values, 0.95) * 1000:.1f} ms, "
                  f"max {max(values) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
