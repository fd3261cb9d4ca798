"""Import speed: a generated 10,000-card deck, cold import and unchanged re-import.

    python bench/import_bench.py [--cards 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import deck_text  # noqa: E402

from studyaws.importer import import_paths  # noqa: E402
from studyaws.store.engine import open_engine  # noqa: E402


def measure(cards: int, runs: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {"cold": [], "unchanged": [], "edited": []}
    for run in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            deck = Path(tmp) / "big.md"
            text = deck_text(cards, seed=run)
            deck.write_text(text, encoding="utf-8")
            engine = open_engine(Path(tmp) / "home" / "studyaws.sqlite3")
            now = datetime.now(UTC)
            start = time.perf_counter()
            report = import_paths(engine, [deck], now)
            results["cold"].append(time.perf_counter() - start)
            assert report.total()["added"] >= cards
            start = time.perf_counter()
            report = import_paths(engine, [deck], now)
            results["unchanged"].append(time.perf_counter() - start)
            assert report.total()["added"] == 0 and report.total()["updated"] == 0
            deck.write_text(text.replace("It ", "Now it ", 50), encoding="utf-8")
            start = time.perf_counter()
            report = import_paths(engine, [deck], now)
            results["edited"].append(time.perf_counter() - start)
            engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results = measure(args.cards, args.runs)
    print(f"{args.cards} cards, {args.runs} runs (seconds: median, min, max)")
    for name, values in results.items():
        print(f"  {name:<10} {statistics.median(values):.3f}  {min(values):.3f}  {max(values):.3f}")


if __name__ == "__main__":
    main()
