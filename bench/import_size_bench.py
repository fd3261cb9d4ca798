"""Database size and peak memory of importing small files that make many cards or much
text (the inputs of tests/pathological.py), each by the real `studyaws import` in a fresh
process and a fresh data folder.

    python bench/import_size_bench.py [--limit-mb 3000] [--only NAME]

Each import runs with its address space limited to --limit-mb (a run that needs more ends
with a MemoryError instead of taking the machine's memory) and at most --timeout seconds.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pathological  # noqa: E402
from run import machine_line  # noqa: E402

CASES = {
    "a cloze line with 3,000 deletions (.md)": ("a.md", lambda: pathological.cloze_line(3000)),
    "an Anki cloze note with 3,000 deletions (.txt)": (
        "a.txt", lambda: pathological.anki_cloze_csv(3000, 41_000)),
    "a cloze line with 21,000 deletions (.md)": ("a.md", lambda: pathological.cloze_line(21_000)),
    "40 cloze paragraphs of 100 deletions (.md)": (
        "a.md", lambda: pathological.cloze_notes(40, 100, 2_000)),
    "50 KB of notes over 2,000 cards (.md)": (
        "a.md", lambda: pathological.long_section_notes(2_000, 50_000)),
    "a GIFT question with 100,000 options (.gift)": (
        "a.gift", lambda: pathological.gift_many_options(100_000)),
    "200,000 one-line cards (.md)": ("a.md", lambda: pathological.one_line_cards(200_000)),
    "500,000 rows of front,back (.csv)": (
        "a.csv", lambda: "".join(f"f{n},b\n" for n in range(500_000))),
    "a 100 KB heading over 2,000 cards (.md)": (
        "a.md", lambda: pathological.long_heading(2_000, 100_000)),
}


def run_case(name: str, limit_mb: int, timeout: float) -> dict:
    file_name, make = CASES[name]
    with tempfile.TemporaryDirectory() as tmp:
        deck = Path(tmp) / file_name
        deck.write_text(make(), encoding="utf-8")
        start = time.perf_counter()
        try:
            run = pathological.measured_import(Path(tmp) / "home", deck, limit_mb=limit_mb,
                                               timeout=timeout)
            result = {"rc": run.rc, "peak_mb": run.peak_mb, "db_bytes": run.db_bytes,
                      "message": (run.err or run.out).strip().splitlines()}
        except subprocess.TimeoutExpired:
            result = {"rc": None, "peak_mb": None, "db_bytes": 0, "message": ["timed out"]}
        result["seconds"] = time.perf_counter() - start
        result["input_bytes"] = deck.stat().st_size
        return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit-mb", type=int, default=3000)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--only", action="append", help="run only cases whose name has this")
    args = parser.parse_args()
    print(machine_line())
    print("| Input | input | exit | database | peak RSS | time |")
    print("|---|---|---|---|---|---|")
    for name in CASES:
        if args.only and not any(part in name for part in args.only):
            continue
        r = run_case(name, args.limit_mb, args.timeout)
        peak = f"{r['peak_mb']:.0f} MB" if r["peak_mb"] else "—"
        message = next((line for line in r["message"] if "Error" in line or ": " in line),
                       r["message"][-1] if r["message"] else "")
        print(f"| {name} | {r['input_bytes'] / 1024:.0f} KB | {r['rc']} | "
              f"{r['db_bytes'] / 2**20:.2f} MB | {peak} | {r['seconds']:.1f} s |", flush=True)
        if message:
            print(f"  -> {message[:200]}", flush=True)


if __name__ == "__main__":
    main()
