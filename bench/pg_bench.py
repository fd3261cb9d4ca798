"""The benchmark's rows for a collection in PostgreSQL, beside the same work on SQLite: the
collection of bench/run.py (100,000 cards, 1,000,000 review-log rows) copied into a
PostgreSQL database over loopback (`studyaws db copy`'s code), then start-up to the first
card and keypress to the next card (the real app in a pseudo-terminal), the due queue,
a cold import of 10,000 cards, the SQL statements each answer sends on both backends, and
its round trips to the PostgreSQL server (counted on the wire, through a loopback relay:
statements_per_answer).

    python bench/pg_bench.py                        # a throwaway durable cluster (tests/)
    python bench/pg_bench.py --url postgresql://me@localhost/postgres   # a server of yours
    python bench/pg_bench.py --cards 20000 --logs 200000 --runs 2 --presses 30  # quick
    python bench/pg_bench.py --write                # ... and put the table in RESULTS.md

With --url, databases named studyaws_bench_* are made on that server and dropped after.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent / "tests"))  # the throwaway cluster

import app_bench  # noqa: E402
from collection import build_collection  # noqa: E402
from generate import deck_text  # noqa: E402
from net_proxy import Relay  # noqa: E402
from run import machine, percentile  # noqa: E402
from sqlalchemy import event  # noqa: E402

from studyaws.core.clock import Clock  # noqa: E402
from studyaws.services.importer import import_paths  # noqa: E402
from studyaws.services.review import ReviewService  # noqa: E402
from studyaws.store.copy import copy_collection  # noqa: E402
from studyaws.store.engine import open_engine  # noqa: E402
from studyaws.store.settings import save_setting  # noqa: E402

START, END = "<!-- postgresql:start -->", "<!-- postgresql:end -->"


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def spread(values: list[float]) -> str:
    if len(values) == 1:
        return fmt(values[0])
    return f"{fmt(statistics.median(values))} ({fmt(min(values))} – {fmt(max(values))})"


def statements_per_answer(target, answers: int, relay=None) -> dict[str, float]:
    """Per answer (ReviewService.answer, over `answers` answers): the SQL statements it sends,
    BEGIN and COMMIT included (counted with SQLAlchemy's before_cursor_execute event, where
    store.answers runs its own on the driver's cursor, and SQLAlchemy's commit event on
    SQLite, whose driver sends COMMIT when told to commit), and with `relay` (a PostgreSQL
    server reached through tests/net_proxy.Relay) the round trips to the server: the times
    the server replied after the client had sent something, seen on the wire, so that
    statements sent together in psycopg's pipeline mode count once. The same for the next
    card with its intervals (next_card + preview)."""
    engine = open_engine(relay.url if relay is not None else target)
    postgres = relay is not None
    counting = [False]
    counts = {"answer": 0, "next": 0}
    trips = {"answer": 0, "next": 0}
    phase = ["next"]

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args) -> None:
        if counting[0]:
            counts[phase[0]] += 1

    # The answer's own statements, and the next card's, run on the driver's cursor
    # (store.answers, store.driver_reads), past SQLAlchemy's events: counted where they run.
    from studyaws.store import answers as answer_sql
    from studyaws.store import driver_reads

    run, read = answer_sql._run, driver_reads._run

    def _counted(original):
        def counted(*args):
            if counting[0]:
                counts[phase[0]] += 1
            return original(*args)
        return counted

    answer_sql._run, driver_reads._run = _counted(run), _counted(read)

    @event.listens_for(engine, "commit")
    def _commit(*_args) -> None:
        if counting[0] and not postgres:  # PostgreSQL's COMMIT goes through _run
            counts[phase[0]] += 1

    def measured(name, work):
        phase[0] = name
        before = relay.round_trips if relay is not None else 0
        result = work()
        if relay is not None:
            trips[name] += relay.round_trips - before
        return result

    try:
        save_setting(engine, "reviews-per-day", str(answers + 100))
        service = ReviewService(engine, Clock())
        service.next_card()  # the day's numbers read once, as when a review opens
        for _ in range(answers):
            counting[0] = True
            view = measured("next", service.next_card)
            measured("next", lambda view=view: service.preview(view))
            measured("answer", lambda view=view: service.answer(view, 3, 5000))
            counting[0] = False
    finally:
        answer_sql._run, driver_reads._run = run, read
        engine.dispose()
    return {"statements": counts["answer"] / answers, "trips": trips["answer"] / answers,
            "next": counts["next"] / answers, "next_trips": trips["next"] / answers}


def cold_imports_pg(server: str, deck: Path, runs: int) -> list[float]:
    times = []
    for run in range(runs):
        name = f"studyaws_bench_import_{os.getpid()}_{run}"
        admin(server, f"CREATE DATABASE {name}")
        try:
            engine = open_engine(with_database(server, name))
            start = time.perf_counter()
            import_paths(engine, [deck], datetime.now(UTC))
            times.append(time.perf_counter() - start)
            engine.dispose()
        finally:
            admin(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    return times


def measure(args, say) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    with ExitStack() as stack:
        server = args.url
        if server is None:
            from pg_cluster import Cluster

            server = stack.enter_context(Cluster(durable=True)).url
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="studyaws-pgb-")))
        deck = work / "big.md"
        deck.write_text(deck_text(10_000, seed=1, title="Import benchmark"), "utf-8")
        say("cold imports (SQLite, PostgreSQL)")
        sqlite_import = app_bench.import_times(deck, args.runs)["cold"]
        pg_import = cold_imports_pg(server, deck, args.runs)

        say(f"building {args.cards} cards / {args.logs} review rows (SQLite)")
        home = work / "home"
        build_collection(home, args.cards, args.logs)
        db = home / "studyaws.sqlite3"
        name = f"studyaws_bench_{os.getpid()}"
        url = with_database(server, name)
        admin(server, f"CREATE DATABASE {name}")
        stack.callback(admin, server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        say("copying it into PostgreSQL")
        source, target = open_engine(db), open_engine(url)
        started = time.perf_counter()
        copy_collection(source, target, force=True)
        copied_s = time.perf_counter() - started
        source.dispose()
        target.dispose()
        admin(url, "VACUUM ANALYZE")

        say("statements per answer")
        copy = work / "answers" / "studyaws.sqlite3"
        copy.parent.mkdir()
        shutil.copy(db, copy)
        sqlite_counts = statements_per_answer(copy, args.answers)
        answers_db = f"{name}_answers"
        admin(server, f"CREATE DATABASE {answers_db} TEMPLATE {name}")
        stack.callback(admin, server, f"DROP DATABASE IF EXISTS {answers_db} WITH (FORCE)")
        relay = Relay(with_database(server, answers_db))
        stack.callback(relay.close)
        pg_counts = statements_per_answer(None, args.answers, relay)

        say("due queue")
        sqlite_queue = app_bench.queue_build(db, args.runs * 4)
        pg_queue = app_bench.queue_build(url, args.runs * 4)

        say("start-up and keypresses (PostgreSQL, the real app)")
        os.environ["STUDYAWS_DB"] = url
        try:
            engine = open_engine(url)
            first = ReviewService(engine, Clock()).next_card()
            engine.dispose()
            needle = first.prompt.split("(")[-1].rstrip(")?.")[:20]
            ups = [app_bench.startup(home, needle)[0] for _ in range(args.runs)]
            nexts, _, _ = app_bench.keypresses(home, args.presses)
        finally:
            del os.environ["STUDYAWS_DB"]
        say("start-up and keypresses (SQLite, the real app)")
        needle = app_bench.first_card_needle(home)
        sqlite_ups = [app_bench.startup(home, needle)[0] for _ in range(args.runs)]
        sqlite_nexts, _, _ = app_bench.keypresses(home, args.presses)

    rows.append(("Keypress to next card, p95", fmt(percentile(nexts, 0.95)),
                 fmt(percentile(sqlite_nexts, 0.95)), "< 50 ms"))
    rows.append(("Keypress to next card, median", fmt(statistics.median(nexts)),
                 fmt(statistics.median(sqlite_nexts)), ""))
    rows.append(("Start-up to first card (`studyaws review`)", spread(ups), spread(sqlite_ups),
                 "< 1.5 s"))
    rows.append(("Due queue (counts + next card)", spread(pg_queue), spread(sqlite_queue),
                 "< 50 ms"))
    ratio = statistics.median(pg_import) / statistics.median(sqlite_import)
    rows.append(("Import 10,000 cards, cold", spread(pg_import), spread(sqlite_import),
                 f"within 2x of SQLite ({ratio:.2f}x)"))
    rows.append(("SQL statements per answer (BEGIN, the lock's and COMMIT included)",
                 f"{pg_counts['statements']:.1f}", f"{sqlite_counts['statements']:.1f}", ""))
    rows.append(("Round trips to the server per answer (counted on the wire)",
                 f"{pg_counts['trips']:.1f}", "— (in process)", "≤ 4"))
    rows.append(("SQL statements for the next card and its intervals",
                 f"{pg_counts['next']:.1f}", f"{sqlite_counts['next']:.1f}", ""))
    rows.append(("Round trips for the next card and its intervals",
                 f"{pg_counts['next_trips']:.1f}", "— (in process)", ""))
    rows.append(("Copy of the collection into PostgreSQL (db copy's code)", fmt(copied_s), "—",
                 ""))
    return rows


def table(rows, args) -> str:
    info = machine()
    lines = [f"{args.cards:,} cards, {args.logs:,} review-log rows; PostgreSQL "
             f"{server_version(args)} over loopback (fsync on); {args.runs} runs, "
             f"{args.presses} keypresses, {args.answers} answers counted.",
             f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, Python "
             f"{platform.python_version()}, load {os.getloadavg()[0]:.1f}; "
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC.", "",
             "| What | PostgreSQL | SQLite | Target |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


def server_version(args) -> str:
    if args.url:
        return "(given server)"
    from pg_cluster import server_bin

    found = server_bin()
    return found.parent.name if found else "?"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", help="a PostgreSQL server to make the databases on")
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--logs", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--presses", type=int, default=60)
    parser.add_argument("--answers", type=int, default=50)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    def say(text: str) -> None:
        print(f"... {text}", file=sys.stderr, flush=True)

    text = table(measure(args, say), args)
    print(text)
    if args.write:
        results = HERE / "RESULTS.md"
        current = results.read_text(encoding="utf-8")
        block = f"{START}\n{text}\n{END}"
        if START in current:
            head, rest = current.split(START, 1)
            current = head + block + rest.split(END, 1)[1]
        else:
            current = current.rstrip("\n") + "\n\n## PostgreSQL (bench/pg_bench.py)\n\n" + \
                block + "\n"
        results.write_text(current, encoding="utf-8")


if __name__ == "__main__":
    main()
