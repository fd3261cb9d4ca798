"""The card search at 100,000 cards: the first page of rows (what the browser and
`studyaws cards` show first) and the count, for several searches and sorts.

    python bench/search_bench.py                  # build the collection, measure, print
    python bench/search_bench.py --write          # ... and put it in bench/RESULTS.md
    python bench/search_bench.py --home DIR       # measure an existing collection
    python bench/search_bench.py --cards 20000 --logs 200000 --runs 3   # a quick check

The collection is bench/collection.py's (ten generated decks of every card form, a simulated
year of history: four cards in five studied, about a quarter of them due). Each timing is
services.browse.search_cards as the interfaces call it (parse, settings, SQL, rows), in this
process, the median of --runs after one warm-up run, with min and max. The target is the
first page in under 100 ms; the count is asked apart (a screen shows it when it comes).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from collection import build_collection, collection_size  # noqa: E402
from run import machine, write_results  # noqa: E402

START, END = "<!-- search:start -->", "<!-- search:end -->"
TARGET_S = 0.100
PAGE = 100

SEARCHES = [
    ("", "due"),
    ("", "deck"),
    ("", "interval"),
    ("", "created"),
    ("is:due", "due"),
    ("is:new", "due"),
    ("deck:\"Deck 03\"", "due"),
    ("deck:Deck*", "difficulty"),
    ("kind:cloze or kind:multi", "due"),
    ("prop:r<0.8", "due"),
    ("prop:ivl>=30", "interval"),
    ("prop:lapses>0 or flag:1", "due"),
    ("rated:7", "due"),
    ("rated:30:again", "due"),
    ("replica", "due"),
    ("\"snapshot subnet\"", "due"),
    ("-is:new (gateway or bucket) -kind:cloze", "lapses"),
    ("nothing-matches-this", "due"),
]


def timed(work, runs: int) -> tuple[list[float], object, list[float]]:
    """Wall times, the last result, and CPU times (this process's, which other work on a
    shared machine does not lengthen)."""
    result = work()  # warm-up: the first query of a fresh process also reads the schema
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = work()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return times, result, cpu


def ms(values: list[float]) -> str:
    return (f"{statistics.median(values) * 1000:.1f} ms ({min(values) * 1000:.1f} – "
            f"{max(values) * 1000:.1f})")


def measure(db: Path, runs: int) -> list[tuple]:
    from studyaws.core.clock import Clock
    from studyaws.services.browse import count_cards, search_cards
    from studyaws.store.engine import open_engine

    engine = open_engine(db)
    clock = Clock()
    results = []
    try:
        for query, sort in SEARCHES:
            page_times, page, page_cpu = timed(
                lambda q=query, s=sort: search_cards(engine, clock, q, s, False, 0, PAGE), runs)
            count_times, count, _ = timed(lambda q=query: count_cards(engine, clock, q), runs)
            results.append((query, sort, page_times, page_cpu, count_times, count))
    finally:
        engine.dispose()
    return results


def report(db: Path, results, runs: int) -> str:
    import os
    import platform
    import sqlite3
    from datetime import UTC, datetime

    m = machine()
    cards, logs = collection_size(db)
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    lines = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {m['cpu']}, {m['cores']} cores, "
        f"{m['ram']} RAM, {m['os']}; load average {load}. Collection: {cards:,} cards, "
        f"{logs:,} review-log rows. Python {platform.python_version()}, SQLite "
        f"{sqlite3.sqlite_version}. Median of {runs} runs (min – max); target: the first "
        f"page under {TARGET_S * 1000:.0f} ms. CPU: the process's CPU time for the first "
        "page (median), which the machine's other work does not lengthen.",
        "",
        f"| Search | Sort | First page ({PAGE} rows) | CPU | Under target | Count | "
        "Cards found |",
        "|---|---|---|---|---|---|---|",
    ]
    for query, sort, page_times, page_cpu, count_times, count in results:
        met = "yes" if statistics.median(page_times) < TARGET_S else "**no**"
        shown_query = f"`{query}`" if query else "(everything)"
        lines.append(f"| {shown_query} | {sort} | {ms(page_times)} | "
                     f"{statistics.median(page_cpu) * 1000:.1f} ms | {met} | "
                     f"{ms(count_times)} | {count:,} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--logs", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--home", type=Path, help="measure the collection in this folder")
    parser.add_argument("--write", action="store_true", help="put the table in RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.home is not None:
            db = args.home / "studyaws.sqlite3"
        else:
            home = Path(tmp) / "home"
            print(f"building {args.cards:,} cards, {args.logs:,} review-log rows ...",
                  file=sys.stderr)
            build_collection(home, args.cards, args.logs)
            db = home / "studyaws.sqlite3"
        text = report(db, measure(db, args.runs), args.runs)
    print(text)
    if args.write:
        write_results(HERE / "RESULTS.md", text, START, END)


if __name__ == "__main__":
    main()
