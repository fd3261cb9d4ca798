"""The benchmark: studyaws at 100,000 cards and 1,000,000 review-log rows, side by side
with Anki on the same work.

    python bench/run.py                     # print the table
    python bench/run.py --write             # ... and put it in bench/RESULTS.md
    python bench/run.py --cards 20000 --logs 200000 --runs 2 --presses 40   # a quick check

Everything happens in a temporary home: a 10,000-card deck imported cold and again
unchanged; a collection built from ten generated decks with a simulated year of history;
then start-up to the first card, keypress to next card and to the answer (real process in
a pseudo-terminal), the due queue, the stats screen, a 65-question exam, `studyaws optimize`
and peak memory. Anki (the `anki` package, bench/requirements.txt) runs in its own process
on the same cards. Each row is the median of several runs, with min and max.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import app_bench  # noqa: E402
from collection import build_collection, collection_size  # noqa: E402
from generate import deck_text  # noqa: E402

START, END = "<!-- latest:start -->", "<!-- latest:end -->"
INTERACTIVE_S = 0.050
STARTUP_S = 1.0
MEMORY_MB = 200
FRAME_RATIO = 1.3  # studyaws's first frame against Textual's floor (a one-widget app)
CARD_RATIO = 2.0  # the first card against the same floor
IMPORT_RATIO = 1.5  # a cold import against Anki's (issue 24; the re-import: at least as fast)
ANSWER_RATIO = 3.0  # answering through the service against Anki, per card (issue 24)
OPTIMIZE_S = 5.0  # `studyaws optimize` on 1,000,000 answers (issue 24)


@dataclass
class Row:
    name: str
    ours: list[float]  # seconds (or MB for memory)
    theirs: list[float] | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    unit: str = "s"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def fmt(seconds: float, unit: str = "s") -> str:
    if unit == "MB":
        return f"{seconds:.0f} MB"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def spread(values: list[float], unit: str = "s") -> str:
    if not values:
        return "—"
    if len(values) == 1:
        return fmt(values[0], unit)
    return (f"{fmt(statistics.median(values), unit)} ({fmt(min(values), unit)} – "
            f"{fmt(max(values), unit)})")


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal")))
        ram = f"{kib / 1024 / 1024:.0f} GiB"
    except OSError:
        ram = "unknown"
    return {"cpu": cpu, "cores": str(os.cpu_count()), "ram": ram,
            "os": f"{platform.system()} {platform.release()}"}


def machine_line() -> str:
    """The machine and the moment in one line, for the smaller benchmarks' printouts."""
    return (f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()['cpu']}, "
            f"nproc {os.cpu_count()}, Python {platform.python_version()}, "
            f"load {os.getloadavg()[0]:.2f}")


def versions() -> dict[str, str]:
    found = {"Python": platform.python_version(), "SQLite": sqlite3.sqlite_version}
    for name in ("studyaws", "textual", "SQLAlchemy", "sqlmodel", "fsrs", "anki"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def run_anki(deck: Path, db: Path, work: Path, runs: int, given: list[int]) -> dict:
    """Anki's measurements from bench/anki_bench.py in its own process, or {'error': ...}."""
    try:
        import anki  # noqa: F401
    except ImportError as exc:
        return {"error": f"the anki package is not installed ({exc}); "
                         "pip install -r bench/requirements.txt"}
    work.mkdir()
    done = subprocess.run(
        [sys.executable, str(HERE / "anki_bench.py"), "--deck", str(deck), "--mirror", str(db),
         "--work", str(work), "--runs", str(runs), "--queue-runs", str(runs * 4),
         "--ratings", ",".join(map(str, given))],
        capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout)


def measure(args: argparse.Namespace, say) -> tuple[list[Row], dict]:
    info: dict = {"started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                  "load_before": load()}
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="studyaws-bench-") as tmp:
        root = Path(tmp)
        deck = root / "import" / "deck.md"
        deck.parent.mkdir()
        deck.write_text(deck_text(10_000, seed=1, title="Import benchmark"), "utf-8")
        say("import: studyaws")
        ours_import = app_bench.import_times(deck, args.runs)
        info["import_cards"] = ours_import["cards"][0]

        home = root / "home"
        say(f"building {args.cards} cards and {args.logs} review-log rows")
        start = time.perf_counter()
        build_collection(home, args.cards, args.logs)
        cards, logs = collection_size(home / "studyaws.sqlite3")
        info["logs"] = logs
        info["collection"] = f"{cards:,} cards, {logs:,} review-log rows"
        info["build_s"] = round(time.perf_counter() - start, 1)
        given = app_bench.ratings(args.answers)

        anki: dict = {"error": "not run (--no-anki)"}
        if not args.no_anki:
            say("Anki: import, mirror of the collection, queue, answers")
            anki = run_anki(deck, home / "studyaws.sqlite3", root / "anki", args.runs, given)
        info["anki"] = {k: v for k, v in anki.items() if k in ("version", "mirror", "error")}

        say("start-up, and Textual's floor")
        app_bench.compile_project()  # as installed: with its bytecode, as Textual is
        needle = app_bench.first_card_needle(home)
        app_bench.startup(home, needle)  # the study day's first opening makes its backup
        ups, peaks, frames, floor = [], [], [], []
        for _ in range(args.runs):  # interleaved: the load hits both alike
            floor += app_bench.textual_floor(root, 1)
            seconds, peak, frame = app_bench.startup(home, needle)
            ups.append(seconds)
            peaks.append(peak)
            frames.append(frame)
        say("due queue")
        queue = app_bench.queue_build(home, args.runs * 4)
        say(f"answering {args.answers} cards")
        answers = [app_bench.answer_cards(home, given)]
        say("stats, exam, optimize")
        stats = app_bench.stats_open(home, args.runs * 4)
        stats_cli = app_bench.stats_command(home, max(1, args.runs // 2))
        exam = app_bench.exam_assembly(home, args.runs)
        ready = app_bench.readiness(home, args.runs)
        first_fit, optimize, optimize_peak = app_bench.optimize(home, max(3, args.runs // 2))
        say(f"keypresses ({args.presses} cards)")
        nexts, reveals, review_peak = app_bench.keypresses(home, args.presses)
        peaks.append(review_peak)
    info["load_after"] = load()
    logs = info["logs"]

    def theirs(key: str, sub: str | None = None) -> list[float] | None:
        if "error" in anki:
            return None
        value = anki[key]
        return value[sub] if sub else value

    rows.append(Row("Import 10,000 cards, cold", ours_import["cold"], theirs("import", "cold"),
                    f"ratio <= {IMPORT_RATIO}"))
    rows.append(Row("Import 10,000 cards, unchanged", ours_import["unchanged"],
                    theirs("import", "unchanged"), "ratio <= 1.0"))
    base = statistics.median(floor)
    rows.append(Row("Textual's floor: a one-widget app's first paint", floor,
                    note="the reference of the two rows below"))
    rows.append(Row("Start-up: first frame (`studyaws review`)", frames,
                    target=f"<= {FRAME_RATIO} x floor",
                    met=statistics.median(frames) <= FRAME_RATIO * base,
                    note=f"{statistics.median(frames) / base:.2f} x the floor"))
    rows.append(Row("Start-up to first card (`studyaws review`)", ups,
                    target=f"< 1 s; <= {CARD_RATIO} x floor",
                    met=(max(ups) < STARTUP_S if args.strict else statistics.median(ups) < STARTUP_S)
                    and statistics.median(ups) <= CARD_RATIO * base,
                    note=f"{statistics.median(ups) / base:.2f} x the floor"))
    rows.append(Row("Keypress to next card, p50", [percentile(nexts, 0.5)], target="",
                    note=f"{len(nexts)} cards"))
    rows.append(Row("Keypress to next card, p95", [percentile(nexts, 0.95)], target="< 50 ms",
                    met=percentile(nexts, 0.95) < INTERACTIVE_S, note=f"max {fmt(max(nexts))}"))
    rows.append(Row("Show answer, p50 / p95", [percentile(reveals, 0.5), percentile(reveals, 0.95)],
                    target="< 50 ms", met=percentile(reveals, 0.95) < INTERACTIVE_S,
                    note=f"{len(reveals)} cards"))
    rows.append(Row("Due queue (counts + next card)", queue, theirs("queue"), "< 50 ms",
                    met=percentile(queue, 0.95) < INTERACTIVE_S))
    anki_answers = None if "error" in anki else [anki["answers"]["seconds"]]
    rows.append(Row(f"Answer {args.answers} cards (service, FSRS)", answers, anki_answers,
                    f"ratio <= {ANSWER_RATIO}", note=f"{fmt(answers[0] / args.answers)} a card"))
    for label, result in (("Open the stats screen", stats),
                          ("Assemble a 65-question exam", exam)):
        rows.append(Row(label, result.times, target="< 50 ms",
                        met=percentile(result.times, 0.95) < INTERACTIVE_S if result.times else None,
                        note=result.how))
    rows.append(Row("Readiness estimate", ready.times, note=ready.how))
    if stats.later:
        rows.append(Row("Stats screen: its numbers shown", stats.later,
                        note="computed in a worker thread while the screen is up"))
    rows.append(Row("`studyaws stats --json`", stats_cli.times, note=stats_cli.how))
    rows.append(Row("`studyaws optimize`, the collection's first fit", first_fit.times,
                    note=first_fit.how))
    rows.append(Row("`studyaws optimize` on the review log", optimize.times, target="< 5 s",
                    met=statistics.median(optimize.times) < OPTIMIZE_S if optimize.times else None,
                    note=optimize.how))
    rows.append(Row("Peak memory (RSS), `studyaws review`", [max(peaks) / 1024],
                    target="< 200 MB", met=max(peaks) / 1024 < MEMORY_MB, unit="MB",
                    note=f"at start-up and after {args.presses} cards"))
    if optimize_peak:
        rows.append(Row("Peak memory (RSS), `studyaws optimize`", [optimize_peak / 1024],
                        target="< 200 MB", met=optimize_peak / 1024 < MEMORY_MB, unit="MB",
                        note=f"fitting on {logs:,} review-log rows"))
    for row in rows:
        if row.target.startswith("ratio") and row.theirs:
            bound = float(row.target.split("<=")[1])
            row.met = statistics.median(row.ours) / statistics.median(row.theirs) <= bound
    return rows, info


def table(rows: list[Row], info: dict) -> str:
    lines = ["| Measurement | studyaws: median (min – max) | Anki | studyaws / Anki | Target | Met |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        if row.name.startswith("Show answer"):
            ours = f"p50 {fmt(row.ours[0])}, p95 {fmt(row.ours[1])}"
        else:
            ours = spread(row.ours, row.unit) if row.ours else row.note or "—"
        theirs = spread(row.theirs) if row.theirs else "—"
        ratio = (f"{statistics.median(row.ours) / statistics.median(row.theirs):.2f}"
                 if row.theirs and row.ours else "—")
        met = {True: "yes", False: "**no**", None: "—"}[row.met]
        name = row.name
        if row.note and (row.ours or row.unit == "MB"):
            name += f" <br><sub>{row.note}</sub>"
        lines.append(f"| {name} | {ours} | {theirs} | {ratio} | {row.target or '—'} | {met} |")
    return "\n".join(lines)


def report(rows: list[Row], info: dict) -> str:
    m, v = machine(), versions()
    anki = info.get("anki", {})
    parts = [
        f"Run {info['started']} on {m['cpu']}, {m['cores']} cores, {m['ram']} RAM, {m['os']}; "
        f"load average {info['load_before']} before, {info['load_after']} after.",
        "",
        "Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".",
        "",
        f"Collection: {info['collection']} (built in {info['build_s']} s); import deck: "
        f"{info['import_cards']:,} cards.",
    ]
    if "error" in anki:
        parts += ["", f"Anki: {anki['error']}"]
    elif "mirror" in anki:
        mirror = anki["mirror"]
        parts += ["", f"Anki mirror: {mirror['cards']:,} cards ({mirror['reviewing']:,} in "
                      f"review), {mirror['logs']:,} revlog rows."]
    parts += ["", table(rows, info)]
    return "\n".join(parts)


def write_results(path: Path, text: str, start: str = START, end: str = END) -> None:
    """Put `text` between the markers `start` and `end` of the results file (made when
    missing); the rest of the file is left as it is."""
    if path.exists():
        old = path.read_text("utf-8")
        if start not in old:
            raise SystemExit(f"{path}: no {start} ... {end} markers to write between")
    else:
        old = f"# Benchmark results\n\n{start}\n{end}\n"
    head, _, rest = old.partition(start)
    _, _, tail = rest.partition(end)
    path.write_text(f"{head}{start}\n{text}\n{end}{tail}", "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--logs", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument("--no-anki", action="store_true")
    parser.add_argument("--strict", action="store_true",
                        help="judge start-up by its slowest run rather than the median")
    parser.add_argument("--write", nargs="?", const=HERE / "RESULTS.md", type=Path,
                        metavar="FILE", help="write the table into FILE (bench/RESULTS.md)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also save the raw numbers")
    args = parser.parse_args()

    def say(text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    rows, info = measure(args, say)
    text = report(rows, info)
    print(text)
    if args.json:
        args.json.write_text(json.dumps({"info": info, "rows": [row.__dict__ for row in rows]},
                                        indent=1), "utf-8")
    if args.write:
        write_results(args.write, text)
        say(f"wrote {args.write}")


if __name__ == "__main__":
    main()
