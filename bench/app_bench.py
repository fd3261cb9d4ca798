"""studyaws's side of the benchmark: each function measures one thing and returns seconds.

Interactive steps are measured on the real `studyaws` process in a pseudo-terminal, from
writing the key (or exec) until the text that only the next state shows has arrived.
Service-level steps run in this process on the same collection.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import random
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from studyaws.core.clock import Clock
from studyaws.services.importer import import_paths
from studyaws.services.review import ReviewService
from studyaws.store.engine import open_engine
from studyaws.store.settings import save_setting

NEXT_CARD = (b"show answer", b"Enter to submit", b"Type the number")
SIZE = (40, 120)  # rows, columns


def studyaws_command() -> list[str]:
    script = Path(sys.executable).with_name("studyaws")
    return [str(script)] if script.exists() else [sys.executable, "-m", "studyaws"]


def peak_rss_kib(pid: int) -> int:
    """The process's high-water mark of resident memory (VmHWM), in KiB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


class Terminal:
    """The real app in a pseudo-terminal; `send_and_wait` times a key until a text is painted."""

    def __init__(self, home: Path, args: list[str]):
        env = dict(os.environ, TERM="xterm-256color", STUDYAWS_HOME=str(home))
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvpe(args[0], args, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", *SIZE, 0, 0))
        self.buffer = b""

    def wait(self, needles: tuple[bytes, ...], since: int, timeout: float = 10.0) -> bytes:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            for needle in needles:
                if needle in self.buffer[since:]:
                    return needle
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    self.buffer += os.read(self.fd, 65536)
                except OSError:
                    break
        raise RuntimeError(f"none of {needles} appeared; screen tail: {self.buffer[-400:]!r}")

    def send_and_wait(self, keys: str, needles: tuple[bytes, ...]) -> tuple[float, bytes]:
        mark = len(self.buffer)
        start = time.perf_counter()
        os.write(self.fd, keys.encode())
        found = self.wait(needles, mark)
        return time.perf_counter() - start, found

    def peak_rss_kib(self) -> int:
        return peak_rss_kib(self.pid)

    def close(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def first_card_needle(home: Path) -> str:
    """A piece of the first card's prompt that nothing else on screen shows."""
    engine = open_engine(home / "studyaws.sqlite3")
    try:
        first = ReviewService(engine, Clock()).next_card()
    finally:
        engine.dispose()
    if first is None:
        raise RuntimeError("the benchmark collection has nothing to review")
    return first.prompt.split("(")[-1].rstrip(")?.")[:20]


# A painted cell: Textual moves the cursor to a row and column before it writes a frame's
# text (what it writes before that, at start-up, only sets the terminal's modes).
PAINT = re.compile(rb"\x1b\[\d+;\d+H")

# Textual's own floor: a one-widget app, its first paint timed like studyaws's.
FLOOR_APP = """\
from textual.app import App
from textual.widgets import Static


class Floor(App):
    def compose(self):
        yield Static("Hello from the floor")


Floor().run()
"""


def _first_paint(term: Terminal, needle: bytes, timeout: float = 30) -> tuple[float, float]:
    """(seconds until the first frame was painted, until `needle` was on screen), from exec."""
    painted = None
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if painted is None and PAINT.search(term.buffer):
            painted = time.perf_counter() - term.started
        if needle in term.buffer:
            shown = time.perf_counter() - term.started
            return painted if painted is not None else shown, shown
        ready, _, _ = select.select([term.fd], [], [], 0.002)
        if ready:
            try:
                term.buffer += os.read(term.fd, 65536)
            except OSError:
                break
    raise RuntimeError(f"{needle!r} did not appear; screen tail: {term.buffer[-400:]!r}")


def compile_project() -> None:
    """The project's modules compiled to bytecode, as installing it does (pip writes the
    bytecode of what it installs; an editable install writes it at the first run). Without
    this, where PYTHONDONTWRITEBYTECODE is set, every start of `studyaws` compiles each of
    its modules from source (tens of milliseconds before the first card), which the floor
    (Textual, installed with its bytecode) does not."""
    import compileall

    import studyaws

    compileall.compile_dir(Path(studyaws.__file__).parent, quiet=1)


def textual_floor(folder: Path, runs: int) -> list[float]:
    """Seconds from exec of a one-widget Textual app (FLOOR_APP, the same Python) until its
    first frame is painted: what any Textual app costs before its own work."""
    script = folder / "floor_app.py"
    script.write_text(FLOOR_APP, "utf-8")
    times = []
    for _ in range(runs):
        term = Terminal(folder, [sys.executable, str(script)])
        try:
            times.append(_first_paint(term, b"Hello from the floor")[1])
        finally:
            term.close()
    return times


def startup(home: Path, needle: str) -> tuple[float, int, float]:
    """Seconds from exec of `studyaws review` until the first card's text is on screen, the
    process's peak RSS (KiB) once that card is showing, and seconds until its first frame
    was painted."""
    term = Terminal(home, [*studyaws_command(), "review"])
    try:
        frame, seconds = _first_paint(term, needle.encode())
        time.sleep(0.3)  # let it settle, so the RSS is that of a running review
        return seconds, term.peak_rss_kib(), frame
    finally:
        term.close()


def keypresses(home: Path, count: int) -> tuple[list[float], list[float], int]:
    """(answer key -> next card painted, show-answer key -> answer painted) in seconds, and
    the peak RSS (KiB) after `count` cards."""
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
        return nexts, reveals, term.peak_rss_kib()
    finally:
        term.close()


def import_times(deck: Path, runs: int) -> dict[str, list[float]]:
    """Cold import of `deck` into a fresh collection, then the same file again unchanged."""
    results: dict[str, list[float]] = {"cold": [], "unchanged": []}
    for run in range(runs):
        folder = deck.parent / f"import-{run}"
        engine = open_engine(folder / "studyaws.sqlite3")
        now = datetime.now(UTC)
        start = time.perf_counter()
        report = import_paths(engine, [deck], now)
        results["cold"].append(time.perf_counter() - start)
        added = report.total()["added"]
        start = time.perf_counter()
        report = import_paths(engine, [deck], now)
        results["unchanged"].append(time.perf_counter() - start)
        assert report.total()["added"] == 0 and report.total()["updated"] == 0
        engine.dispose()
        shutil.rmtree(folder)
    results["cards"] = [added]
    return results


def queue_build(target: Path | str, runs: int) -> list[float]:
    """The due queue as the review screen builds it: today's counts and the next card, by a
    fresh service each time (the collection is open and its pages cached, as in Anki's).
    `target`: a home folder (its SQLite file), or a database file or URL."""
    if isinstance(target, Path) and target.is_dir():
        target = target / "studyaws.sqlite3"
    engine = open_engine(target)
    times = []
    try:
        for _ in range(runs):
            start = time.perf_counter()
            service = ReviewService(engine, Clock())
            service.counts()
            service.next_card()
            times.append(time.perf_counter() - start)
    finally:
        engine.dispose()
    return times


def ratings(count: int, seed: int = 11) -> list[int]:
    """The answers given in the answering benchmark, the same for both apps."""
    rng = random.Random(seed)
    return rng.choices((1, 2, 3, 4), weights=(10, 10, 70, 10), k=count)


def answer_cards(home: Path, given: list[int]) -> float:
    """Seconds to answer len(given) cards through the review service: next card, the
    intervals of each rating, the answer (one transaction each). The daily review limit is
    raised to len(given), in Anki too. Works on a copy."""
    copy = home.parent / "answer-copy"
    copy.mkdir()
    shutil.copy(home / "studyaws.sqlite3", copy / "studyaws.sqlite3")
    engine = open_engine(copy / "studyaws.sqlite3")
    try:
        save_setting(engine, "reviews-per-day", str(len(given)))
        service = ReviewService(engine, Clock())
        start = time.perf_counter()
        for rating in given:
            view = service.next_card()
            if view is None:
                raise RuntimeError("ran out of cards to answer")
            service.preview(view)
            service.answer(view, rating, 5000)
        return time.perf_counter() - start
    finally:
        engine.dispose()
        shutil.rmtree(copy)


@dataclass
class Measured:
    """A measurement of a feature that may not be built yet."""

    times: list[float]
    how: str  # what was measured, or why nothing was
    later: list[float] | None = None  # for a screen that computes in a worker: until it is done


def _cli_has(command: str) -> bool:
    out = subprocess.run([*studyaws_command(), "--help"], capture_output=True, text=True)
    return f"\n    {command} " in out.stdout or f"\n    {command}\n" in out.stdout


def stats_open(home: Path, runs: int) -> Measured:
    """Opening the statistics: the stats screen if there is one (pushed in the app under
    Pilot, until it is painted), else what such a screen waits for, the stats service
    (`studyaws.services.stats_report.collect`), else nothing."""
    try:
        from studyaws.tui.screens import stats as screen_module  # noqa: F401
    except ImportError:
        screen_module = None
    if screen_module is not None:
        return _stats_screen(home, runs)
    try:
        from studyaws.services import stats_report as report
    except ImportError:
        return Measured([], "not built yet")
    engine = open_engine(home / "studyaws.sqlite3")
    times = []
    try:
        for _ in range(runs):
            start = time.perf_counter()
            report.collect(engine, Clock())
            times.append(time.perf_counter() - start)
    finally:
        engine.dispose()
    return Measured(times, "no stats screen yet: its service, `stats.report.collect`")


def stats_command(home: Path, runs: int) -> Measured:
    """`studyaws stats --json`, the whole command (start-up included)."""
    if not _cli_has("stats"):
        return Measured([], "not built yet")
    return Measured(_command(home, ["stats", "--json"], runs), "whole command, start-up included")


def _stats_screen(home: Path, runs: int) -> Measured:
    """The stats screen in the real app in a pseudo-terminal: from pressing t on the home
    screen until the screen is painted, and until its numbers are shown."""
    term = Terminal(home, studyaws_command())
    times: list[float] = []
    done: list[float] = []
    try:
        term.wait((b"Review all",), 0, timeout=60)
        for _ in range(runs):
            mark = len(term.buffer)
            start = time.perf_counter()
            os.write(term.fd, b"t")
            term.wait((b"Working out your stats",), mark, timeout=60)
            times.append(time.perf_counter() - start)
            term.wait((b"answers on",), mark, timeout=120)
            done.append(time.perf_counter() - start)
            term.send_and_wait("\x1b", (b"Review all",))
    finally:
        term.close()
    return Measured(times, "t on home until the stats screen is painted (real process, pty)",
                    done)


def exam_assembly(home: Path, runs: int) -> Measured:
    """Assembling a 65-question SAA-C03 exam: the whole start (candidates read from the
    collection, assembled, saved) when the exam service exists, on a copy."""
    try:
        from studyaws.core.exam import assembly  # noqa: F401
    except ImportError:
        return Measured([], "not built yet")
    try:
        from studyaws.services import exam as service
    except ImportError:
        service = None
    copy = home.parent / "exam-copy"
    copy.mkdir()
    shutil.copy(home / "studyaws.sqlite3", copy / "studyaws.sqlite3")
    engine = open_engine(copy / "studyaws.sqlite3")
    times = []
    try:
        if service is not None and hasattr(service, "start_exam"):
            for run in range(runs):
                start = time.perf_counter()
                view = service.start_exam(engine, Clock(), "saa-c03", seed=run)
                times.append(time.perf_counter() - start)
                assert len(view.items) >= 1
            return Measured(times, "`exam.service.start_exam`: reads the cards that can make the exam, assembles 65, saves")
        return Measured([], "not built yet (no exam service)")
    finally:
        engine.dispose()
        shutil.rmtree(copy)


def readiness(home: Path, runs: int) -> Measured:
    """The readiness estimate (home and stats compute it in a worker thread): 6 exams drawn
    as a mock exam draws them, and the score distribution of each."""
    from studyaws.services.readiness import readiness_for

    engine = open_engine(home / "studyaws.sqlite3")
    times = []
    try:
        for _ in range(runs):
            start = time.perf_counter()
            readiness_for(engine, Clock(), "saa-c03")
            times.append(time.perf_counter() - start)
    finally:
        engine.dispose()
    return Measured(times, "`readiness.readiness_for`: 6 exams drawn and scored (a worker "
                    "thread on home and stats)")


def optimize(home: Path, runs: int) -> tuple[Measured, Measured, int]:
    """`studyaws optimize` on the collection's review log, as a command: its first run (from
    FSRS's default parameters, which the fit beats, so that it is fitted again on every
    answer; the day's backup made first), then `runs` runs on the fitted collection (the
    parameters of the first run in use: a new fit is compared with them and, not winning by
    the margin, left there, as when a user fits again later); and the peak RSS of a fitted
    run."""
    if not _cli_has("optimize"):
        return Measured([], "not built yet"), Measured([], "not built yet"), 0
    copy = home.parent / "optimize-copy"
    copy.mkdir()
    shutil.copy(home / "studyaws.sqlite3", copy / "studyaws.sqlite3")
    try:
        first = _command(copy, ["optimize"], 1)
        fitted = _command(copy, ["optimize"], runs)
        peak = _peak_of(copy, ["optimize"])
    finally:
        shutil.rmtree(copy)
    return (Measured(first, "the first fit of the collection: a refit beside it, and the "
                            "day's backup"),
            Measured(fitted, "`studyaws optimize` (whole command) on the fitted collection"),
            peak)


def _command(home: Path, args: list[str], runs: int) -> list[float]:
    env = dict(os.environ, STUDYAWS_HOME=str(home))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([*studyaws_command(), *args], env=env, capture_output=True,
                              text=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise RuntimeError(f"studyaws {' '.join(args)} failed: {done.stderr[-600:]}")
    return times


def _peak_of(home: Path, args: list[str]) -> int:
    """Peak RSS (KiB) of one run of a command with every process it starts (`optimize` may
    fit in a second process beside its own): the largest of its own VmHWM and of the
    resident memory of it and its children added up, read until it exits. (Not the rusage
    that wait4 gives: Linux counts in it the memory the child had before its exec, a copy of
    this benchmark's process, which is about 500 MB once it has built the collection.)"""
    env = dict(os.environ, STUDYAWS_HOME=str(home))
    proc = subprocess.Popen([*studyaws_command(), *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        with contextlib.suppress(OSError, ValueError):  # exiting: VmHWM is gone
            peak = max(peak, peak_rss_kib(proc.pid),
                       sum(_rss_kib(pid) for pid in _process_tree(proc.pid)))
        time.sleep(0.005)
    return peak


def _rss_kib(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError), \
            open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _process_tree(pid: int) -> list[int]:
    """`pid` and its descendants, from /proc's children lists (one a thread)."""
    found, at = [pid], 0
    while at < len(found):
        with contextlib.suppress(OSError, ValueError):
            for task in os.listdir(f"/proc/{found[at]}/task"):
                with open(f"/proc/{found[at]}/task/{task}/children", encoding="ascii") as kids:
                    found += [int(kid) for kid in kids.read().split()]
        at += 1
    return found
