"""How much load balancing smooths the daily review load, on the synthetic learner.

    python bench/balance_bench.py            # print the table
    python bench/balance_bench.py --write    # ... and put it in bench/RESULTS.md

For each collection size and seed: the learner studies `new` new cards a day for `warm`
days, then 60 days are measured, with load balancing off and on (same learner, same seeds).
Two kinds of learner: one still working through a deck (new cards come in through the 60
days measured; its load grows as the deck does) and one whose deck was finished long before
(its last new card `warm - cards / new` days before the 60 days; a level load, the state
tests/test_load_balance.py measures). Each row gives the plain standard deviation of the
review answers a day over the 60 days, the standard deviation about the straight line
through them (the trend taken out: what balancing within a fuzz range can reach), the
trend itself, and the share of reviews recalled. The plain SD is also given for the reviews
split by the interval they were scheduled with: under 3 days (not balanced, by Anki's rule
and ours: no fuzz range) and 3-90 days (balanced).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import machine_line, write_results  # noqa: E402

from studyaws.core.config import Settings  # noqa: E402
from studyaws.core.srs import policy  # noqa: E402
from studyaws.core.srs.day import StudyDays  # noqa: E402
from studyaws.core.srs.policy import REVIEW  # noqa: E402
from studyaws.services.learner import SyntheticLearner, simulate_study  # noqa: E402

START, END = "<!-- balance:start -->", "<!-- balance:end -->"
DAYS = 60
# (cards, warm-up days, new a day): still taking in new cards through the 60 days, then
# finished long before them.
CASES = ((4_000, 120, 20), (6_000, 150, 20), (6_000, 200, 20), (8_000, 150, 30),
         (2_000, 200, 20), (3_000, 240, 20))


def trend(series: list[int]) -> tuple[float, float]:
    """The slope of the least-squares line through the series (reviews a day, a day) and
    the standard deviation about it."""
    n = len(series)
    mid, mean = (n - 1) / 2, statistics.fmean(series)
    slope = (sum((x - mid) * (y - mean) for x, y in enumerate(series))
             / sum((x - mid) ** 2 for x in range(n)))
    return slope, statistics.pstdev([y - mean - slope * (x - mid)
                                     for x, y in enumerate(series)])


def about_trend(series: list[int]) -> float:
    return trend(series)[1]


def measure(cards: int, warm: int, new: int, balance: bool, seed: int):
    scheduler = policy.scheduler_for(Settings())
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    learner = SyntheticLearner(seed=seed)
    ids = list(range(1, cards + 1))
    _, memories = simulate_study(ids, learner, scheduler, start, warm, new_per_day=new,
                                 seed=seed + 1, load_balance=balance)
    later = start + timedelta(days=warm)
    reviews, _ = simulate_study(ids, learner, scheduler, later, DAYS, new_per_day=new,
                                memories=memories, seed=seed + 2, load_balance=balance)
    days = StudyDays()
    first = days.date_of(later)
    by_kind: dict[str, Counter] = {"all": Counter(), "<3": Counter(), "3-90": Counter()}
    recalled = answered = 0
    for r in reviews:
        if r.before.state != REVIEW:
            continue
        day = days.date_of(r.reviewed_at)
        scheduled = (days.date_of(r.before.due) - days.date_of(r.before.last_review)).days
        by_kind["all"][day] += 1
        if scheduled < 3:
            by_kind["<3"][day] += 1
        elif scheduled <= 90:
            by_kind["3-90"][day] += 1
        answered += 1
        recalled += r.rating > policy.AGAIN
    series = {kind: [c[first + timedelta(days=k)] for k in range(DAYS)]
              for kind, c in by_kind.items()}
    return series, recalled / answered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="put the table in RESULTS.md")
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args()
    lines = [f"Run {machine_line()}. {DAYS} days measured; SD off -> on (change).", "",
             "| cards, warm-up days, new/day, seed | reviews/day | plain SD | SD about the trend "
             "| trend, reviews/day a day, off / on "
             "| SD, intervals 3-90 d | SD, intervals < 3 d | recalled off / on |",
             "|---|---|---|---|---|---|---|---|"]
    ratios: dict[bool, list[float]] = {False: [], True: []}
    for cards, warm, new in CASES:
        for seed in range(1, args.seeds + 1):
            off, kept_off = measure(cards, warm, new, False, seed)
            on, kept_on = measure(cards, warm, new, True, seed)

            def change(kind: str, f=statistics.pstdev, off=off, on=on) -> str:
                a, b = f(off[kind]), f(on[kind])
                return f"{a:.1f} -> {b:.1f} ({100 * (b / a - 1):+.0f} %)"

            finished = cards <= warm * new
            ratios[finished].append(statistics.pstdev(on["all"]) / statistics.pstdev(off["all"]))
            lines.append(
                f"| {cards:,}, {warm}, {new}, {seed}{' (finished)' if finished else ''} "
                f"| {statistics.mean(off['all']):.0f} "
                f"| {change('all')} | {change('all', about_trend)} "
                f"| {trend(off['all'])[0]:+.2f} / {trend(on['all'])[0]:+.2f} | {change('3-90')} "
                f"| {change('<3')} | {kept_off:.3f} / {kept_on:.3f} |")
            print(lines[-1], flush=True)
    lines.append("")
    for finished, name in ((False, "still taking in new cards"), (True, "deck finished")):
        found = ratios[finished]
        if found:
            lines.append(f"Plain SD with balancing against without, {name}: median ratio "
                         f"{statistics.median(found):.2f}, from {min(found):.2f} to "
                         f"{max(found):.2f}.")
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_results(HERE / "RESULTS.md", text, START, END)


if __name__ == "__main__":
    main()
