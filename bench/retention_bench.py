"""The optimal retention and the workload simulation at 100,000 cards.

    python bench/retention_bench.py                  # build the collection, measure, print
    python bench/retention_bench.py --write          # ... and put it in bench/RESULTS.md
    python bench/retention_bench.py --home DIR       # measure an existing collection
    python bench/retention_bench.py --cards 20000 --logs 200000 --runs 2   # a quick check

The collection is bench/collection.py's (ten generated decks, a simulated year of history:
four cards in five studied, about a quarter of them due). Each timing is the service as the
interfaces call it, in this process, the median of --runs (min - max):

- `optimize --retention` whole, as the stats screen's retention section computes it
  (services.optimizer.optimal_retention: fsrs-rs-python's search, then a year simulated
  from the collection at each retention of the workload table, the optimal one and the
  current one, with reading the cards and the answer times once);
- fsrs-rs-python's search alone (its simulator on RETENTION_CARDS cards at most);
- one year's workload simulated from the collection at 0.90 (services.optimizer.forecast),
  with the default daily limits (20 new, 200 reviews) and with a review limit of 9,999 (the
  most reviews, so the slowest simulation).

The target is under 10 s each on two cores.
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

START, END = "<!-- retention:start -->", "<!-- retention:end -->"
TARGET_S = 10.0


def timed(work, runs: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return times, result


def seconds(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f} – {max(values):.2f})"


def measure(db: Path, runs: int) -> list[tuple[str, list[float], str]]:
    from fsrs_rs_python import optimal_retention as search

    from studyaws.core.clock import Clock
    from studyaws.services import optimizer
    from studyaws.store import stats_queries
    from studyaws.store.engine import open_engine
    from studyaws.store.settings import load_settings, save_setting

    engine = open_engine(db)
    clock = Clock()
    now = clock.now()
    results = []
    try:
        times, result = timed(lambda: optimizer.optimal_retention(engine, now=now), runs)
        results.append(("`optimize --retention` (search + the workload table: a simulated year a row)", times,
                        f"optimal {result.optimal:.2f}; at 0.90 "
                        f"{result.at_current.reviews_per_day:.0f} reviews/day, "
                        f"{result.at_current.minutes_per_day:.0f} min/day"))
        settings = load_settings(engine)
        answer, shares = optimizer.answer_profile(stats_queries.recent_answers(engine))
        config = optimizer.search_config(settings, stats_queries.active_card_count(engine),
                                         answer, shares)
        parameters = list(optimizer.default_parameters())
        times, found = timed(lambda: search(config, parameters), runs)
        results.append((f"fsrs-rs-python's search alone ({config.deck_size:,} cards, "
                        f"{config.learn_limit} new/day, {config.review_limit} reviews/day)",
                        times, f"{found:.3f}"))
        for limit in ("200", "9999"):
            save_setting(engine, "reviews-per-day", limit)
            times, forecast = timed(
                lambda: optimizer.forecast(engine, (0.9,), now=now), runs)
            row = forecast.rows[0]
            results.append((f"a year simulated from the collection at 0.90, {limit} "
                            "reviews/day at most", times,
                            f"{forecast.studied:,} studied, {forecast.new:,} new; "
                            f"{row.reviews_per_day:.0f} reviews/day, "
                            f"{row.minutes_per_day:.0f} min/day"))
        save_setting(engine, "reviews-per-day", "200")
    finally:
        engine.dispose()
    return results


def report(db: Path, results, runs: int) -> str:
    import os
    import platform
    from datetime import UTC, datetime
    from importlib import metadata

    m = machine()
    cards, logs = collection_size(db)
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    lines = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {m['cpu']}, {m['cores']} cores, "
        f"{m['ram']} RAM, {m['os']}; load average {load}. Collection: {cards:,} cards, "
        f"{logs:,} review-log rows. Python {platform.python_version()}, fsrs-rs-python "
        f"{metadata.version('fsrs-rs-python')}. Median of {runs} runs (min – max); target: "
        f"under {TARGET_S:.0f} s.",
        "",
        "| Measurement | Time | Under target | Result |",
        "|---|---|---|---|",
    ]
    for name, times, outcome in results:
        met = "yes" if statistics.median(times) < TARGET_S else "**no**"
        lines.append(f"| {name} | {seconds(times)} | {met} | {outcome} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--logs", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
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
