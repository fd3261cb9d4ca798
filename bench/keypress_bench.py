"""Keypress to the next card in the real app, for one or more checkouts in turn (main and a
branch, interleaved round by round, so that a shared machine's load falls on both alike).

Each run copies the collection's SQLite file to a fresh folder, starts `studyaws review` in a
pseudo-terminal with the checkout's code (its .venv when it has one, else PYTHONPATH),
answers `--presses` cards as `app_bench.keypresses` does (a flashcard: Space, then 3; a
question: an answer, then Space) and times each answer key until the next card is painted. It also reads the app's CPU time
(utime + stime in /proc) over the presses: the work a card costs, which the load changes much
less than the wall time. With STUDYAWS_DB set, the app opens that database instead (give
each run its own copy).

    python bench/keypress_bench.py --home /tmp/big/home --code /path/to/main --code .
    python bench/keypress_bench.py --home /tmp/big/home --code . --size 80x24 --rounds 1
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import app_bench  # noqa: E402
from run import percentile  # noqa: E402


def cpu_seconds(pid: int) -> float:
    """The process's user and system CPU time so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settled(pid: int, timeout: float = 30.0) -> float:
    """The process's CPU time once it has stopped working (no CPU used for 0.3 s)."""
    deadline = time.perf_counter() + timeout
    last = cpu_seconds(pid)
    while time.perf_counter() < deadline:
        time.sleep(0.3)
        now = cpu_seconds(pid)
        if now == last:
            return now
        last = now
    return last


def command(code: Path) -> list[str]:
    """`studyaws` from `code`: with the checkout's own environment (.venv) when it has one
    (an editable install of studyaws in this environment would win over PYTHONPATH)."""
    python = code / ".venv" / "bin" / "python"
    if python.exists():
        return [str(python), "-m", "studyaws"]
    os.environ["PYTHONPATH"] = str(code)
    return [sys.executable, "-m", "studyaws"]


def one_run(home: Path, code: Path, presses: int) -> dict:
    """Answer `presses` cards of a copy of `home`'s collection with `code`'s app."""
    with tempfile.TemporaryDirectory(prefix="studyaws-keys-") as folder:
        copy = Path(folder) / "home"
        copy.mkdir()
        shutil.copy(home / "studyaws.sqlite3", copy / "studyaws.sqlite3")
        here = os.getcwd()
        os.chdir(code)  # `python -m` puts the working folder first on sys.path
        try:
            term = app_bench.Terminal(copy, [*command(code), "review"])
        finally:
            os.chdir(here)
        nexts: list[float] = []
        try:
            state = term.wait(app_bench.NEXT_CARD, 0, timeout=60)
            started = settled(term.pid)  # the collection opened behind the first card
            for _ in range(presses):
                if state == b"show answer":
                    term.send_and_wait(" ", (b"Again",))
                    seconds, state = term.send_and_wait("3", app_bench.NEXT_CARD)
                else:
                    keys = "5\r" if state == b"Type the number" else "12\r"
                    term.send_and_wait(keys, (b"The answer",))
                    seconds, state = term.send_and_wait(" ", app_bench.NEXT_CARD)
                nexts.append(seconds)
            time.sleep(0.3)  # the frames after the last card
            cpu = cpu_seconds(term.pid) - started
        finally:
            term.close()
    return {"p50": statistics.median(nexts), "p95": percentile(nexts, 0.95),
            "max": max(nexts), "cpu_per_card": cpu / presses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True,
                        help="a folder holding the collection (studyaws.sqlite3)")
    parser.add_argument("--code", type=Path, action="append", required=True, metavar="DIR",
                        help="a checkout to run (repeat to compare; each round runs all)")
    parser.add_argument("--presses", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size", default="120x40", help="columns x rows (the benchmark's)")
    args = parser.parse_args()
    columns, rows = (int(n) for n in args.size.split("x"))
    app_bench.SIZE = (rows, columns)
    print(f"{args.presses} presses a run at {args.size}; times in ms")
    print("| Round | Code | Load | p50 | p95 | max | App CPU a card |")
    print("|---|---|---|---|---|---|---|")
    for round_ in range(1, args.rounds + 1):
        for code in args.code:
            result = one_run(args.home, code.resolve(), args.presses)
            print(f"| {round_} | {code} | {os.getloadavg()[0]:.1f} | "
                      f"{result['p50'] * 1000:.1f} | {result['p95'] * 1000:.1f} | "
                      f"{result['max'] * 1000:.1f} | {result['cpu_per_card'] * 1000:.1f} |",
                      flush=True)


if __name__ == "__main__":
    main()
