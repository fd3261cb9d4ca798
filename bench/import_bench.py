"""Import speed alone: a generated 10,000-card deck, cold import and unchanged re-import.
(`bench/run.py` measures this too, beside everything else and Anki.)

    python bench/import_bench.py [--cards 10000] [--runs 5]

With --rounds, cold imports only, interleaved: in each round Anki's import of the same cards
(bench/anki_bench.py, `pip install -r bench/requirements.txt`), the code of another checkout
(--before, a folder holding its `studyaws` package) and this one, each side in its own
process doing --runs cold imports into fresh collections; wall and CPU time of each import
(the CPU time of the whole process: Anki's backend threads count too).

    python bench/import_bench.py --rounds 5 --runs 3 --anki --before /tmp/main-checkout
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import deck_text  # noqa: E402


def cold_side(side: str, deck: Path, work: Path, runs: int) -> dict[str, list[float]]:
    """`runs` cold imports of `deck` by studyaws ("ours") or Anki: wall and CPU seconds."""
    times: dict[str, list[float]] = {"wall": [], "cpu": []}
    if side == "anki":
        from anki.collection import Collection
        from anki_bench import import_csv, write_csv

        from studyaws.core.decks.parser import parse_deck

        items = parse_deck(deck.read_text("utf-8"), str(deck)).items
        text = work / "deck.txt"
        write_csv(text, [item.sides() for item in items])
    else:
        from studyaws.services.importer import import_paths
        from studyaws.store.engine import open_engine
    for run in range(runs):
        folder = work / f"{side}-{run}"
        if side == "anki":
            folder.mkdir()
            col = Collection(str(folder / "collection.anki2"))
            wall, cpu = time.perf_counter(), time.process_time()
            added = import_csv(col, text, "Imported")
            times["wall"].append(time.perf_counter() - wall)
            times["cpu"].append(time.process_time() - cpu)
            assert added == len(items), (added, len(items))
            col.close()
        else:
            engine = open_engine(folder / "studyaws.sqlite3")
            now = datetime.now(UTC)
            wall, cpu = time.perf_counter(), time.process_time()
            report = import_paths(engine, [deck], now)
            times["wall"].append(time.perf_counter() - wall)
            times["cpu"].append(time.process_time() - cpu)
            assert report.total()["updated"] == 0 and report.total()["added"] > 0
            engine.dispose()
        shutil.rmtree(folder)
    return times


def rounds(args, deck: Path, work: Path) -> None:
    sides = []
    if args.anki:
        sides.append(("Anki", "anki", None))
    if args.before:
        sides.append(("before", "ours", str(Path(args.before).resolve())))
    sides.append(("this", "ours", str(HERE.parent)))
    results = {name: {"wall": [], "cpu": []} for name, _, _ in sides}
    for number in range(1, args.rounds + 1):
        line = [f"round {number}, load {os.getloadavg()[0]:.2f}:"]
        for name, side, source in sides:
            env = dict(os.environ)
            if source is not None:  # that checkout's package first on the path
                env["PYTHONPATH"] = os.pathsep.join(filter(None, [source,
                                                                  env.get("PYTHONPATH")]))
            done = subprocess.run(
                [sys.executable, __file__, "--side", side, "--deck", str(deck),
                 "--work", str(work), "--runs", str(args.runs)],
                env=env, capture_output=True, text=True, cwd=work, timeout=600)
            if done.returncode != 0:
                raise SystemExit(f"{name}: {done.stderr.strip()}")
            got = json.loads(done.stdout.strip().splitlines()[-1])
            if source is not None and Path(got["code"]) != Path(source):
                raise SystemExit(f"{name}: ran the code in {got['code']}, not {source}")
            for key in results[name]:
                results[name][key] += got[key]
            line.append(f"{name} {statistics.median(got['wall']) * 1000:.0f} ms "
                        f"(CPU {statistics.median(got['cpu']) * 1000:.0f})")
        print("  ".join(line), flush=True)
    print(f"median of all runs ({args.rounds} rounds of {args.runs}):")
    anki = statistics.median(results["Anki"]["wall"]) if args.anki else None
    for name, got in results.items():
        wall = statistics.median(got["wall"])
        ratio = f", {wall / anki:.2f} x Anki" if anki else ""
        print(f"  {name:<7} {wall * 1000:.0f} ms ({min(got['wall']) * 1000:.0f} - "
              f"{max(got['wall']) * 1000:.0f}), CPU {statistics.median(got['cpu']) * 1000:.0f} "
              f"ms{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rounds", type=int, help="interleaved rounds of cold imports")
    parser.add_argument("--anki", action="store_true", help="Anki's import in each round")
    parser.add_argument("--before", help="another checkout's folder, measured in each round")
    parser.add_argument("--side", choices=("ours", "anki"), help=argparse.SUPPRESS)
    parser.add_argument("--deck", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:  # one side of a round, in its own process
        with tempfile.TemporaryDirectory(dir=args.work) as tmp:
            times = cold_side(args.side, Path(args.deck), Path(tmp), args.runs)
        import studyaws

        print(json.dumps({**times, "code": str(Path(studyaws.__file__).parent.parent)}))
        return
    with tempfile.TemporaryDirectory() as tmp:
        deck = Path(tmp) / "big.md"
        deck.write_text(deck_text(args.cards, seed=1, title="Import benchmark"), "utf-8")
        if args.rounds:
            rounds(args, deck, Path(tmp))
            return
        from app_bench import import_times

        results = import_times(deck, args.runs)
    print(f"{results['cards'][0]} cards, {args.runs} runs (seconds: median, min, max)")
    for name in ("cold", "unchanged"):
        values = results[name]
        print(f"  {name:<10} {statistics.median(values):.3f}  {min(values):.3f}  {max(values):.3f}"
              f"  (target: {'2' if name == 'cold' else '0.5'} s)")


if __name__ == "__main__":
    main()
