"""Re-importing a deck after editing every card's prompt: each edited card must be found
again among the stored ones (docs/deck-format.md, "Stable ids") so that it keeps its
history.

    python bench/reimport_bench.py [--cards 1000 3000 20000] [--topics 1]

For each size: a deck of that many basic cards (under `--topics` headings, one by default:
every card is a candidate for every other), imported cold; then the same deck with every
prompt edited, imported again and timed (wall clock, and the CPU time of this process,
which a busy machine changes less). Prints the times, the comparisons of two texts
(difflib's real_quick_ratio calls) and checks that every card kept its id.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from studyaws.services.importer import import_paths
from studyaws.store.engine import open_engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pathological  # noqa: E402
from run import machine_line  # noqa: E402


def count_comparisons():
    """Count difflib.SequenceMatcher.real_quick_ratio calls: the first step of every
    comparison of two texts (studyaws.core.decks.identity.similarity)."""
    real = difflib.SequenceMatcher.real_quick_ratio
    calls = [0]

    def counted(self):
        calls[0] += 1
        return real(self)

    difflib.SequenceMatcher.real_quick_ratio = counted
    return calls


def run(cards: int, topics: int, folder: Path, calls: list[int]) -> dict:
    deck = folder / f"deck-{cards}.md"
    deck.write_text(pathological.edited_deck(cards, topics, edited=False), "utf-8")
    engine = open_engine(folder / f"home-{cards}" / "studyaws.sqlite3")
    try:
        now = datetime.now(UTC)
        start = time.perf_counter()
        import_paths(engine, [deck], now)
        cold = time.perf_counter() - start
        with engine.connect() as conn:
            before = conn.exec_driver_sql("SELECT id FROM card ORDER BY position").fetchall()
        deck.write_text(pathological.edited_deck(cards, topics, edited=True), "utf-8")
        calls[0] = 0
        start, cpu = time.perf_counter(), time.process_time()
        report = import_paths(engine, [deck], now)
        edited = time.perf_counter() - start
        edited_cpu = time.process_time() - cpu
        with engine.connect() as conn:
            after = conn.exec_driver_sql("SELECT id FROM card ORDER BY position").fetchall()
        total = report.total()
        kept = before == after and total["updated"] == cards and total["added"] == 0
    finally:
        engine.dispose()
    return {"cards": cards, "cold": cold, "edited": edited, "edited_cpu": edited_cpu,
            "comparisons": calls[0],
            "kept": kept, "total": total}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, nargs="+", default=[1000, 3000, 20000])
    parser.add_argument("--topics", type=int, default=1)
    args = parser.parse_args()
    calls = count_comparisons()
    print(machine_line())
    print(f"| Cards ({args.topics} topic{'s' if args.topics > 1 else ''}) | cold import | "
          "edited re-import (CPU) | comparisons | every card kept its id |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for cards in args.cards:
            r = run(cards, args.topics, Path(tmp), calls)
            print(f"| {cards:,} | {r['cold']:.2f} s | {r['edited']:.2f} s "
                  f"({r['edited_cpu']:.2f} s) | "
                  f"{r['comparisons']:,} | {'yes' if r['kept'] else 'no: ' + str(r['total'])} |",
                  flush=True)


if __name__ == "__main__":
    main()
