"""Import speed alone: a generated 10,000-card deck, cold import and unchanged re-import.
(`bench/run.py` measures this too, beside everything else and Anki.)

    python bench/import_bench.py [--cards 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_bench import import_times  # noqa: E402
from generate import deck_text  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        deck = Path(tmp) / "big.md"
        deck.write_text(deck_text(args.cards, seed=1, title="Import benchmark"), "utf-8")
        results = import_times(deck, args.runs)
    print(f"{results['cards'][0]} cards, {args.runs} runs (seconds: median, min, max)")
    for name in ("cold", "unchanged"):
        values = results[name]
        print(f"  {name:<10} {statistics.median(values):.3f}  {min(values):.3f}  {max(values):.3f}"
              f"  (target: {'2' if name == 'cold' else '0.5'} s)")


if __name__ == "__main__":
    main()
