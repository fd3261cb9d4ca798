"""How long the long writers hold SQLite's write lock at 100,000 cards: `studyaws optimize
--reschedule` and an import that updates most of the cards.

    python bench/lock_bench.py                      # build, measure, print the section
    python bench/lock_bench.py --write              # ... and put it in bench/RESULTS.md
    python bench/lock_bench.py --cards 20000 --logs 200000     # a quick check
    python bench/lock_bench.py --code /path/to/other/checkout  # the same on other code

The collection is bench/collection.py's (ten generated decks, a simulated year of history).
Each command runs for real in a subprocess (bench/timed_writes.py), which records how long
each of its write transactions held the lock, from BEGIN IMMEDIATE to the end of its COMMIT.
Meanwhile this process stands in for the app: every 20 ms it takes the write lock (BEGIN
IMMEDIATE, tried again every 2 ms while it is busy) and gives it back, and the longest it had
to wait is what an answer given at the worst moment would have waited. The time measured
inside the command runs to the end of COMMIT, which after a large write includes SQLite's
automatic checkpoint (copying the log into the database file), done after the lock is
given back: the probe's wait is the closer measure of the lock itself.

Before the reschedule, parameters off FSRS's defaults are put in use: fitted to the random
generated history, FSRS comes back to its defaults, which are then kept, and every studied
card whose history is whole (its last answer is its last review) is rescheduled.

The import edits every deck file in place first: every card's answer side but the clozes'
(basic answers, one-line and reverse backs, numeric answers, ordering items, choice
explanations), so that most cards are updated and all keep their keys.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from collection import build_collection, collection_size  # noqa: E402
from run import load, machine, versions, write_results  # noqa: E402

from studyaws.services.learner import perturbed_parameters  # noqa: E402
from studyaws.store.engine import open_engine  # noqa: E402
from studyaws.store.settings import save_parameters  # noqa: E402

START, END = "<!-- locks:start -->", "<!-- locks:end -->"

EDITS = (("A: It ", "A: Now it "), ("A: = ", "A: = 1"), ("> Because ", "> Now because "),
         ("1. first ", "1. the first "))
ONE_LINE_BACK = re.compile(r"(?m)^(.+ :::? .+)$")


def edit_answers(text: str) -> str:
    """The deck with the answer side of every card but the clozes' changed."""
    for old, new in EDITS:
        text = text.replace(old, new)
    return ONE_LINE_BACK.sub(r"\1 now", text)


class LockProbe:
    """A thread that takes the write lock every `every` seconds, as an answer would, and
    keeps the longest wait."""

    def __init__(self, db: Path, every: float = 0.02):
        self.db, self.every = db, every
        self.waits: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> LockProbe:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()

    def _run(self) -> None:
        # No busy timeout: SQLite's own waits grow to 100 ms between tries; this one tries
        # every 2 ms, so the wait it measures is the time the lock was still held.
        conn = sqlite3.connect(self.db, timeout=0, isolation_level=None)
        try:
            while not self.stop.is_set():
                start = time.perf_counter()
                while True:
                    try:
                        conn.execute("BEGIN IMMEDIATE")
                        break
                    except sqlite3.OperationalError:
                        time.sleep(0.002)
                self.waits.append(time.perf_counter() - start)
                conn.execute("ROLLBACK")
                self.stop.wait(self.every)
        finally:
            conn.close()


def run_timed(home: Path, args: list[str], code: Path | None) -> dict:
    """`studyaws ARGS` on `home`, its write transactions timed, the lock probed meanwhile."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYAWS")}
    env["STUDYAWS_HOME"] = str(home)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        record = Path(out.name)
    try:
        with LockProbe(home / "studyaws.sqlite3") as probe:
            start = time.perf_counter()
            done = subprocess.run([sys.executable, str(HERE / "timed_writes.py"), str(record),
                                   *args], env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"studyaws {' '.join(args)} failed: {done.stderr[-800:]}")
        holds = json.loads(record.read_text("utf-8"))["holds"]
    finally:
        record.unlink(missing_ok=True)
    return {"seconds": seconds, "holds": holds, "probe": probe.waits,
            "output": json.loads(done.stdout)}


def measure(args: argparse.Namespace, say) -> dict:
    info: dict = {"started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                  "load_before": load()}
    with tempfile.TemporaryDirectory(prefix="studyaws-locks-") as tmp:
        home = Path(tmp) / "home"
        say(f"building {args.cards} cards and {args.logs} review-log rows")
        build_collection(home, args.cards, args.logs)
        cards, logs = collection_size(home / "studyaws.sqlite3")
        info["collection"] = f"{cards:,} cards, {logs:,} review-log rows"

        # The generated history is random: fitted to it, FSRS comes back to its default
        # parameters. Parameters off the defaults are put in use first, so that the fit is
        # kept and the studied cards are rescheduled.
        engine = open_engine(home / "studyaws.sqlite3")
        save_parameters(engine, perturbed_parameters(seed=3, spread=0.5))
        engine.dispose()
        say("studyaws optimize --reschedule")
        optimize = run_timed(home, ["optimize", "--reschedule", "--json"], args.code)
        result = optimize["output"]
        optimize["written"] = result["rescheduled"] + result.get("resumed", 0)
        optimize["note"] = ("fitted parameters kept" if result["kept"] else
                            "fitted parameters NOT kept: nothing to reschedule")

        say("editing the decks, then studyaws import")
        decks = home.parent / "decks"
        for path in sorted(decks.glob("*.md")):
            path.write_text(edit_answers(path.read_text("utf-8")), "utf-8")
        imported = run_timed(home, ["import", "--json", str(decks)], args.code)
        total = imported["output"]["total"]
        imported["written"] = total["updated"] + total["added"] + total["retired"]
        imported["note"] = (f"{total['updated']:,} updated, {total['unchanged']:,} "
                            f"unchanged, {total['added']:,} added, {total['retired']:,} retired")
    info["load_after"] = load()
    info["optimize"], info["import"] = optimize, imported
    return info


def section(info: dict, code: Path | None) -> str:
    m, v = machine(), versions()
    lines = [
        f"Run {info['started']} on {m['cpu']}, {m['cores']} cores (nproc {os.cpu_count()}), "
        f"{m['ram']} RAM, {m['os']}; load average {info['load_before']} before, "
        f"{info['load_after']} after. Collection: {info['collection']}."
        + (f" Code: {code}." if code else ""),
        "",
        f"Versions: Python {v['Python']}, SQLite {v['SQLite']}, SQLAlchemy {v['SQLAlchemy']}.",
        "",
        "| Command | Rows written | Whole command | Write transactions | Longest write "
        "transaction (BEGIN IMMEDIATE to the end of COMMIT) | Longest wait of another writer "
        "for the lock |",
        "|---|---|---|---|---|---|",
    ]
    for label, key in (("`studyaws optimize --reschedule`", "optimize"),
                       ("`studyaws import` of the edited decks", "import")):
        run = info[key]
        holds = run["holds"]
        lines.append(
            f"| {label} <br><sub>{run['note']}</sub> | {run['written']:,} | "
            f"{run['seconds']:.1f} s | {len(holds)} | "
            f"{max(holds, default=0) * 1000:.0f} ms | "
            f"{max(run['probe'], default=0) * 1000:.0f} ms "
            f"({len(run['probe'])} probes) |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--logs", type=int, default=1_000_000)
    parser.add_argument("--code", type=Path, metavar="DIR",
                        help="run the commands from this checkout of studyaws (PYTHONPATH)")
    parser.add_argument("--write", nargs="?", const=HERE / "RESULTS.md", type=Path,
                        metavar="FILE", help="write the section into FILE (bench/RESULTS.md)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also save the raw numbers")
    args = parser.parse_args()

    def say(text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    info = measure(args, say)
    if args.json:
        args.json.write_text(json.dumps(info, indent=1), "utf-8")
    text = section(info, args.code)
    print(text)
    if args.write:
        write_results(args.write, text, START, END)
        say(f"wrote {args.write}")


if __name__ == "__main__":
    main()
