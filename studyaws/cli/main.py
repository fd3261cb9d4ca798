"""The `studyaws` command. Textual is imported only by the commands that open the app."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from studyaws import __version__
from studyaws.core.formats import FORMATS
from studyaws.core.text import printable


class _Parser(argparse.ArgumentParser):
    """argparse, with the arguments it quotes back in its errors (file names a shell glob
    gave, say) made printable."""

    def _print_message(self, message: str, file=None) -> None:
        super()._print_message(printable(message, multiline=True), file)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="studyaws",
        description="Study for AWS certification exams with spaced repetition.",
    )
    parser.add_argument("--home", metavar="DIR",
                        help="data folder (default: $STUDYAWS_HOME or the user data folder)")
    parser.add_argument("--db", metavar="URL",
                        help="a collection in PostgreSQL: postgresql://user@host:port/dbname "
                             "(default: $STUDYAWS_DB, else `database` in config.toml in the "
                             "data folder, else the SQLite file in the data folder)")
    parser.add_argument("--version", action="version", version=f"studyaws {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    review = sub.add_parser("review", help="start the daily review now")
    review.add_argument("--deck", metavar="NAME", help="only this deck (title or its start)")

    imp = sub.add_parser("import", help="import decks and question banks (files or folders)")
    imp.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    imp.add_argument("--format", metavar="NAME",
                     help=f"read every file as this format: {', '.join(FORMATS)} "
                          "(default: detected per file)")
    imp.add_argument("--bundled", action="store_true", help="import the bundled AWS decks")
    imp.add_argument("--json", action="store_true", help="print the counts as JSON")
    imp.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
    imp.add_argument("--force", action="store_true", help="re-read files even when unchanged")
    imp.add_argument("--domain", metavar="NAME",
                     help="the exam domain of questions that name none, instead of one "
                          "inferred from their text (e.g. secure, or "
                          "'saa-c03: secure, clf-c02: security')")

    check = sub.add_parser("check", help="lint deck files or folders")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    check.add_argument("--format", metavar="NAME",
                       help="read every file as this format, as import --format does")
    check.add_argument("--scenarios", action="store_true",
                       help="list the scenario kinds and their parameters")
    check.add_argument("--json", action="store_true",
                       help="print the decks and the problems (path, line, message) as JSON")

    scn = sub.add_parser("scenario", help="show one generated scenario question, then its "
                         "key and explanation (for deck authors)")
    scn.add_argument("kind", metavar="KIND", help="a scenario kind (studyaws check --scenarios)")
    scn.add_argument("--param", action="append", metavar="NAME=VALUE",
                     help="a block parameter (repeat for several)")
    scn.add_argument("--seed", metavar="N", help="the seed (default: a random one, printed)")
    scn.add_argument("--json", action="store_true", help="print the question as JSON")

    decks = sub.add_parser("decks", help="list decks with their new, learning and due counts "
                           "(as a tree), rename or remove one")
    decks.add_argument("--json", action="store_true", help="print the counts as JSON")
    decks_sub = decks.add_subparsers(dest="action", metavar="ACTION")
    rename = decks_sub.add_parser("rename", help="give a deck a new title (A::B puts it "
                                  "under A)")
    rename.add_argument("old", metavar="OLD", help="the deck's title, or its start")
    rename.add_argument("new", metavar="NEW")
    remove = decks_sub.add_parser("remove", help="remove a deck, its cards and their "
                                  "history (importing its file again brings it back)")
    remove.add_argument("name", metavar="NAME", help="the deck's title, or its start")
    remove.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    _cards_parser(sub)

    config = sub.add_parser("config", help="show or change settings")
    config_sub = config.add_subparsers(dest="action", metavar="ACTION")
    get = config_sub.add_parser("get", help="show one setting, or all")
    get.add_argument("name", nargs="?")
    get.add_argument("--json", action="store_true", help="print the settings as JSON")
    put = config_sub.add_parser("set", help="change a setting")
    put.add_argument("name")
    put.add_argument("value")

    presets = sub.add_parser("presets", help="deck options: list the presets, change one, "
                             "or give a deck one")
    presets_sub = presets.add_subparsers(dest="action", metavar="ACTION")
    listed = presets_sub.add_parser("list", help="every preset, its values and its decks")
    listed.add_argument("--json", action="store_true", help="print the presets as JSON")
    change = presets_sub.add_parser("set", help="change a preset's value (a new name makes "
                                    "a preset from Default's values)")
    change.add_argument("name", metavar="NAME")
    change.add_argument("key", metavar="KEY",
                        help="new-per-day, reviews-per-day or desired-retention")
    change.add_argument("value", metavar="VALUE")
    give = presets_sub.add_parser("assign", help="make a deck use a preset")
    give.add_argument("deck", metavar="DECK", help="the deck's title, or its start")
    give.add_argument("preset", metavar="PRESET")
    renamed = presets_sub.add_parser("rename", help="give a preset a new name")
    renamed.add_argument("old", metavar="OLD")
    renamed.add_argument("new", metavar="NEW")
    dropped = presets_sub.add_parser("reset-parameters", help="drop a preset's own FSRS "
                                     "parameters: its decks use the collection's again")
    dropped.add_argument("name", metavar="NAME")

    exam = sub.add_parser("exam", help="sit a timed mock exam, resume one, or list past exams")
    exam.add_argument("--preset", default="saa-c03",
                      help="saa-c03 (default), clf-c02 or quick")
    exam.add_argument("--questions", type=int, metavar="N", help="number of questions")
    exam.add_argument("--minutes", type=float, metavar="M", help="time limit in minutes")
    exam.add_argument("--deck", metavar="NAME", help="only questions from this deck")
    exam.add_argument("--domain", metavar="X", help="only questions of this domain")
    exam.add_argument("--practice", action="store_true",
                      help="practice mode: feedback after each question, the clock may pause")
    exam.add_argument("--resume", action="store_true", help="continue the exam in progress")
    exam.add_argument("--history", action="store_true", help="list finished exams")
    exam.add_argument("--json", action="store_true", help="with --history: print it as JSON")
    exam.add_argument("--discard", action="store_true",
                      help="throw the exam in progress away: nothing of it is kept")
    exam.add_argument("--retake-wrong", nargs="?", type=int, const=0, metavar="EXAM",
                      help="a new exam of the questions wrong or unanswered in a finished "
                           "exam (by its number in --history; default: the last)")
    exam.add_argument("--include-flagged", action="store_true",
                      help="with --retake-wrong: also the questions flagged")

    export = sub.add_parser("export", help="export everything as JSON, or the cards for Anki")
    export.add_argument("--format", choices=("json", "apkg", "csv"), default="json",
                        help="json: a full backup (default); apkg: an Anki package; "
                             "csv: Anki-importable text")
    export.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="where to write (- for standard output, json and csv only)")
    export.add_argument("--force", action="store_true", help="replace an existing file")

    restore = sub.add_parser("restore", help="rebuild the collection from a backup copy "
                             "(studyaws backup) or a JSON export")
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.add_argument("--force", action="store_true",
                         help="replace a collection that already has decks")

    backup = sub.add_parser("backup", help="copy the collection (by default to a "
                            "timestamped file in the data folder's backups/; a collection "
                            "in PostgreSQL as its JSON export)")
    backup.add_argument("file", type=Path, nargs="?", metavar="FILE")
    backup.add_argument("--force", action="store_true", help="replace an existing FILE")

    db = sub.add_parser("db", help="move the whole collection between SQLite and PostgreSQL")
    db_sub = db.add_subparsers(dest="action", metavar="ACTION", required=True)
    copy = db_sub.add_parser("copy", help="copy every row of the collection to, or from, "
                             "another database (a postgresql:// URL or a SQLite file)")
    where = copy.add_mutually_exclusive_group(required=True)
    where.add_argument("--to", metavar="URL", help="copy this collection there")
    where.add_argument("--from", dest="source", metavar="URL",
                       help="replace this collection by the one there")
    copy.add_argument("--force", action="store_true",
                      help="replace what a non-empty target holds")

    stats = sub.add_parser("stats", help="review heatmap, due forecast, true retention, "
                           "domain mastery and exam readiness")
    stats.add_argument("--json", action="store_true", help="print the numbers as JSON")

    optimize = sub.add_parser("optimize", help="fit FSRS to your reviews (kept only when "
                              "they predict your latest reviews better)")
    optimize.add_argument("--reschedule", action="store_true",
                          help="also reschedule studied cards under the kept parameters")
    optimize.add_argument("--preset", metavar="NAME",
                          help="fit the preset's own parameters, on the reviews of its decks "
                          "only, and keep them on the preset")
    optimize.add_argument("--workload", action="store_true",
                          help="only simulate the next year from your collection at desired "
                          "retention 0.80-0.95 and yours")
    optimize.add_argument("--retention", action="store_true",
                          help="only find the desired retention with the least study time per "
                          "card remembered, with the workload there and at yours")
    optimize.add_argument("--time-series", action="store_true",
                          help="only evaluate fitting by time: fit on the first k fifths of "
                          "your reviews, test on the next (k = 1-4)")
    optimize.add_argument("--json", action="store_true", help="print the result as JSON")

    served = sub.add_parser("serve", help="study from a phone or any browser: serve the app "
                            "on this machine, behind a secret token")
    served.add_argument("--host", default="127.0.0.1",
                        help="the address to listen on (default 127.0.0.1: this machine only; "
                             "0.0.0.0 for the local network)")
    served.add_argument("--port", type=int, default=8000, help="default 8000")
    served.add_argument("--public-url", metavar="URL",
                        help="the address browsers reach it at, when not host:port (behind a "
                             "proxy: https://study.example.org)")
    served.add_argument("--token-file", metavar="FILE",
                        help="read the token from FILE (made with a new token if missing), "
                             "instead of a new token for each serve")
    served.add_argument("--import-root", metavar="DIR",
                        help="the one folder the browser may import from (default: none, "
                             "import is hidden)")

    shots = sub.add_parser("screenshots", help="write SVG screenshots of the main screens")
    shots.add_argument("directory", type=Path, nargs="?", default=Path("screenshots"))
    return parser


def _cards_parser(sub) -> None:
    cards = sub.add_parser("cards", help="search the cards (as the browser does), or show "
                           "one card's details and history with --id")
    cards.add_argument("search", nargs="*", metavar="SEARCH",
                       help="words, \"a phrase\", deck:NAME, tag:, domain:, kind:, is:, "
                            "rated:N, prop:ivl>=N, prop:r<0.8, flag:N, -term, or, ( ) "
                            "(a search that starts with '-' goes after --: "
                            "studyaws cards -- -is:new)")
    cards.add_argument("--id", type=int, metavar="N", help="one card's details and history")
    cards.add_argument("--limit", type=int, default=50, metavar="N",
                       help="at most N cards (default 50; 0 for all)")
    cards.add_argument("--sort", default="due", metavar="COLUMN",
                       help="due (default), interval, difficulty, lapses, reps, deck, created")
    cards.add_argument("--desc", action="store_true", help="sort in descending order")
    cards.add_argument("--json", action="store_true", help="print the cards as JSON")
    act = cards.add_mutually_exclusive_group()
    act.add_argument("--suspend", action="store_true", help="suspend every card the search "
                     "finds (the --limit does not apply to an action)")
    act.add_argument("--unsuspend", action="store_true", help="unsuspend the cards found")
    act.add_argument("--bury", action="store_true",
                     help="bury the cards found until the next study day")
    act.add_argument("--forget", action="store_true",
                     help="forget the cards found: back to new, their history kept")
    act.add_argument("--flag", type=int, metavar="N",
                     help="flag the cards found: 1-4 (red, orange, green, blue), 0 none")
    act.add_argument("--set-due", metavar="DAYS",
                     help="the cards found due in DAYS days from today (0 today), or on a "
                          "day drawn in a range such as 0-7")


def main(argv: list[str] | None = None) -> int:
    from studyaws.cli.console import prepare_streams

    prepare_streams()
    args = _parser().parse_args(argv)
    from studyaws.core.clock import ClockError
    from studyaws.core.decks.model import DeckError
    from studyaws.core.errors import StoreError

    try:
        return _run(args)
    except ClockError as exc:
        print(printable(f"studyaws: {exc}"), file=sys.stderr)
        return 2
    except DeckError as exc:
        for problem in exc.problems:
            print(printable(str(problem)), file=sys.stderr)
        count = len(exc.problems)
        print(f"{count} error{'s' if count != 1 else ''}; nothing was imported."
              if args.command == "import" else
              f"{count} error{'s' if count != 1 else ''}.", file=sys.stderr)
        return 1
    except StoreError as exc:
        print(printable(f"studyaws: {exc}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a full disk, a read-only or damaged database: one line
        from studyaws.store.postgres import connection_problem

        problem = connection_problem(exc, args.db)
        if problem is not None:  # a PostgreSQL server lost mid-command
            print(printable(f"studyaws: {problem}"), file=sys.stderr)
            return 2
        from studyaws.core.config import DB_NAME, data_home
        from studyaws.services.reliability import describe_error

        message = describe_error(exc, data_home(args.home) / DB_NAME)
        if message is None:
            raise
        print(printable(f"studyaws: {message}"), file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.command == "exam" and args.json and not args.history:
        print("studyaws exam: --json goes with --history", file=sys.stderr)
        return 2
    if args.command == "check":
        return _check(args)
    if args.command == "scenario":
        from studyaws.cli.scenario_command import scenario

        return scenario(args)
    if args.command == "screenshots":
        from studyaws.tui.screenshots import write_screenshots

        for path in write_screenshots(args.directory):
            print(printable(str(path)))
        return 0

    from studyaws.core.config import database_url

    args.db = database_url(args.db, args.home)  # --db, STUDYAWS_DB or config.toml
    if args.command == "serve":
        from studyaws.cli.serve import serve

        return serve(args)
    if args.command == "backup" and args.db is not None:
        from studyaws.services import reliability

        return reliability.backup_postgres_command(args.home, args.db, args.file, args.force)
    if args.command == "db":
        return _db_copy(args)
    if args.command == "backup" or (args.command == "restore" and args.db is None
                                    and _is_copy(args.file)):
        from studyaws.services import reliability

        if args.command == "backup":
            return reliability.backup_command(args.home, args.file, args.force)
        return reliability.restore_backup_command(args.home, args.file, args.force)

    if args.command in ("export", "restore"):
        from studyaws.cli import exchange_commands as commands

        return getattr(commands, args.command)(args, args.home)

    if args.command in (None, "review") and _has_terminal():
        return _app(args)
    from studyaws.services.collection import open_collection

    if args.command == "import":
        return _import(args, open_collection(args.home, import_bundled=False, db=args.db))
    if _opens_the_app(args) and not _has_terminal():
        # A damaged, newer or unreachable collection, or a clock out of range, is still said
        # first, as by any command.
        engine = open_collection(args.home, import_bundled=False, backup=False, db=args.db)
        from studyaws.core.clock import Clock

        Clock().now()
        deck = getattr(args, "deck", None)
        if deck:  # a deck name that names none, or several, is said first too
            from studyaws.services.collection import bundled_decks_due
            from studyaws.services.deck_names import DeckNameError, resolve_deck

            try:
                resolve_deck(engine, deck)
            except DeckNameError as exc:
                # None yet: the bundled decks, still to come, may hold it.
                if exc.candidates or not bundled_decks_due(engine):
                    print(printable(f"studyaws: {exc}"), file=sys.stderr)
                    return 1
        print("studyaws: the app needs a terminal: standard input and output must both be "
              "one (in scripts use the commands: studyaws decks, import, stats ...)",
              file=sys.stderr)
        return 2
    # Settings are not content: a `config` command (even one refused) writes no decks.
    engine = open_collection(args.home, import_bundled=args.command != "config" and not (
        args.command == "presets" and getattr(args, "action", None) != "assign"), db=args.db)
    if args.command == "presets":
        return _presets(args, engine)
    if args.command == "decks" and args.action:
        return _manage_deck(args, engine)
    if args.command == "decks":
        return _decks(engine, args.json)
    if args.command == "config":
        return _config(args, engine)
    if args.command == "cards":
        from studyaws.cli.cards_commands import cards

        return cards(args, engine)
    if args.command == "exam":
        return _exam(args, engine)
    if args.command in ("stats", "optimize"):
        from studyaws.cli import stats_commands as commands

        return getattr(commands, args.command)(args, engine)
    from studyaws.tui.app import run_app

    return run_app(engine, start="review" if args.command == "review" else "home",
                   deck=getattr(args, "deck", None))


def _app(args: argparse.Namespace) -> int:
    """The app (home, or the review): its first frame is painted at once and the collection
    opened behind it; what keeps it from opening is said as by any command, once the
    terminal is back."""
    import gc

    # Start-up makes many objects and few cycles: Python's collector is held off until the
    # first screen is painted (the app turns it back on then, StudyApp._collect_again); a
    # full pass of it fell in the middle of painting the first card (bench/RESULTS.md).
    gc.disable()
    try:
        return _open_app(args)
    finally:
        gc.enable()


def _open_app(args: argparse.Namespace) -> int:
    from studyaws.tui.app import run_app_opening

    deck = getattr(args, "deck", None)

    def opening():
        from studyaws.services.collection import open_collection

        engine = open_collection(args.home, import_bundled=True, db=args.db)
        deck_id = None
        if deck:
            from studyaws.services.deck_names import resolve_deck

            deck_id = resolve_deck(engine, deck)
        return engine, deck_id

    from studyaws.core.config import DB_NAME, data_home
    from studyaws.services.media_folder import MEDIA_FOLDER, folder_has_pictures

    # A SQLite collection keeps its pictures beside it, a PostgreSQL one in the data folder:
    # the same media/ either way.
    pictures = folder_has_pictures(data_home(args.home) / MEDIA_FOLDER)
    first_card = None
    if args.db is None:
        db_path = data_home(args.home) / DB_NAME

        def first_card(clock):  # the review's first card, read before the store is loaded
            from studyaws.services.first_card import first_card as read_first_card

            return read_first_card(db_path, clock, deck)
    try:
        return run_app_opening(opening, start="review" if args.command == "review" else "home",
                               pictures=pictures, first_card=first_card)
    except Exception as exc:
        from studyaws.services.deck_names import DeckNameError

        if not isinstance(exc, DeckNameError):
            raise
        print(printable(f"studyaws: {exc}"), file=sys.stderr)
        return 1


def _db_copy(args: argparse.Namespace) -> int:
    """`studyaws db copy --to URL | --from URL [--force]`: the collection (the SQLite file in
    the data folder, or --db's database) copied whole to, or from, the other one."""
    from studyaws.core.config import DB_NAME, data_home
    from studyaws.store.copy import copy_collection
    from studyaws.store.engine import close_engine, open_engine
    from studyaws.store.postgres import is_url, redact

    here = args.db or data_home(args.home) / DB_NAME
    there = args.to or args.source
    other = there if is_url(there) else Path(there).expanduser()
    source, target = (here, other) if args.to else (other, here)
    if isinstance(source, Path) and not source.exists():
        print(printable(f"studyaws db copy: {source}: no collection there"), file=sys.stderr)
        return 2
    if str(source) == str(target):
        print("studyaws db copy: the source and the target are the same", file=sys.stderr)
        return 2
    from_engine = open_engine(source)
    try:
        to_engine = open_engine(target)
        try:
            copied = copy_collection(from_engine, to_engine, force=args.force)
        finally:
            close_engine(to_engine)
    finally:
        close_engine(from_engine)
    name = redact(str(target)) if is_url(str(target)) else str(target)
    print(printable(f"copied {copied.get('card', 0)} cards, {copied.get('review_log', 0)} "
                    f"answers and {sum(copied.values())} rows in all to {name}"))
    return 0


def _opens_the_app(args: argparse.Namespace) -> bool:
    return args.command in (None, "review") or (
        args.command == "exam" and not args.history and not args.discard)


def _has_terminal() -> bool:
    """Without a terminal on both ends the app cannot read keys or draw (it would spin)."""
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def _is_copy(path: Path) -> bool:
    """A SQLite file (a copy made by `studyaws backup`), not a JSON export."""
    from studyaws.store.backup import is_sqlite_file

    return is_sqlite_file(path)


def _check(args: argparse.Namespace) -> int:
    if args.scenarios:
        from studyaws.core import scenarios

        for name, module in sorted(scenarios.KINDS.items()):
            print(f"{name}: {module.TITLE}")
            for param, meaning in module.PARAMS.items():
                print(f"  {param}: {meaning}")
        if not args.paths:
            return 0
    if not args.paths:
        print("studyaws check: give at least one deck file or folder", file=sys.stderr)
        return 2
    if args.format is not None and args.format not in FORMATS:
        print(f"studyaws check: unknown format {args.format!r}; known: "
              f"{', '.join(FORMATS)}", file=sys.stderr)
        return 2
    from studyaws.core.decks.model import DeckError
    from studyaws.services.importer import read_import_files

    try:
        decks, skipped = read_import_files(args.paths, format=args.format)
    except DeckError as exc:
        if not args.json:
            raise
        print(json.dumps({"decks": [], "cards": 0, "skipped": [], "problems": [
            {"path": p.path, "line": p.line, "message": p.message} for p in exc.problems]},
            indent=2))
        return 1
    cards = sum(len(parsed.items) for _, _, _, parsed, _ in decks if parsed is not None)
    if args.json:
        print(json.dumps({
            "decks": [{"path": str(path), "format": fmt, "cards": len(parsed.items)}
                      for _, path, _, parsed, fmt in decks if parsed is not None],
            "cards": cards, "skipped": [block.to_json() for block in skipped],
            "problems": []}, indent=2))
        return 0
    print(f"{len(decks)} deck{'s' if len(decks) != 1 else ''}, {cards} cards: no errors.")
    _print_skipped(skipped)
    return 0


def _import(args: argparse.Namespace, engine) -> int:
    from studyaws.core.clock import Clock
    from studyaws.core.config import bundled_decks_dir
    from studyaws.services.importer import import_paths

    paths = list(args.paths)
    if args.bundled:
        paths.append(bundled_decks_dir())
    if not paths:
        print("studyaws import: give deck files or folders, or --bundled", file=sys.stderr)
        return 2
    if args.format is not None and args.format not in FORMATS:
        print(f"studyaws import: unknown format {args.format!r}; known: "
              f"{', '.join(FORMATS)}", file=sys.stderr)
        return 2
    domains = None
    if args.domain is not None:
        from studyaws.core.domains import parse_domains

        try:
            domains = parse_domains(args.domain)
        except ValueError as exc:
            print(f"studyaws import: --domain: {exc}", file=sys.stderr)
            return 2
    from studyaws.cli.exchange_commands import ImportProgress

    progress = ImportProgress()
    try:
        report = import_paths(engine, paths, Clock().now(), dry_run=args.dry_run,
                              force=args.force, format=args.format, progress=progress,
                              domains=domains)
    finally:
        progress.close()
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
        return 0
    titles = [printable(d.title) for d in report.decks]
    width = max([len(t) for t in titles] + [len("total")])
    print(f"{'deck':<{width}}  added  updated  unchanged  retired")
    for title, deck in zip(titles, report.decks, strict=True):
        print(f"{title:<{width}}  {deck.added:>5}  {deck.updated:>7}  "
              f"{deck.unchanged:>9}  {deck.retired:>7}")
    total = report.total()
    print(f"{'total':<{width}}  {total['added']:>5}  {total['updated']:>7}  "
          f"{total['unchanged']:>9}  {total['retired']:>7}")
    inferred = sum(d.inferred for d in report.decks)
    unfiled = sum(d.unfiled for d in report.decks)
    if inferred or unfiled:
        print(f"exam domains: {inferred} question{'s' if inferred != 1 else ''} filed by "
              f"their text (marked inferred), {unfiled} with none"
              + ("; --domain NAME files them" if unfiled else ""))
    for path in report.empty:
        print(printable(f"{path}: no cards: skipped"))
    _print_skipped(report.skipped)
    if args.dry_run:
        print("dry run: nothing was written.")
    return 0


def _print_skipped(skipped: list) -> None:
    """The blocks a question-bank reader skipped, each with its line."""
    if skipped:
        print(f"skipped {len(skipped)} block{'s' if len(skipped) != 1 else ''}:")
        for block in skipped:
            print(f"  {printable(str(block))}")


def _decks(engine, json_output: bool = False) -> int:
    from studyaws.core.clock import Clock
    from studyaws.services.decks import flatten
    from studyaws.services.review import ReviewService

    service = ReviewService(engine, Clock())
    day = service.day_plan()  # the numbers home shows and a study session gives
    decks = day.decks
    rows = flatten(day.tree)
    counts = day.counts
    if json_output:
        print(json.dumps({
            "decks": [{"title": d.title, "path": d.path, "domain": d.domain, "cards": d.cards,
                       "new": node.new, "learning": node.learning, "due": node.due,
                       "available_new": node.available_new,
                       "available_due": node.available_due,
                       "parent": node.parent}
                      for node, _ in rows if (d := node.deck) is not None],
            "today": {"new": counts.new, "learning": counts.learning, "review": counts.review},
        }, indent=2))
        return 0
    if not decks:
        print("No decks yet: studyaws import PATH, or studyaws import --bundled.")
        return 0
    # The tree: each deck under its folder and the parts of its title before `::`, with
    # the totals of what is under it on a parent.
    titles = ["  " * depth + printable(node.name) for node, depth in rows]
    width = max(len(t) for t in titles)
    print(f"{'deck':<{width}}  cards  new  learning  due")
    for title, (d, _) in zip(titles, rows, strict=True):
        print(f"{title:<{width}}  {d.cards:>5}  {d.new:>3}  {d.learning:>8}  {d.due:>3}")
    print(f"today, within your limits: {counts.new} new, {counts.learning} learning, "
          f"{counts.review} due")
    return 0


def _presets(args: argparse.Namespace, engine) -> int:
    """`studyaws presets list|set NAME KEY VALUE|assign DECK PRESET|rename OLD NEW`."""
    from studyaws.core.clock import Clock
    from studyaws.services import presets as service
    from studyaws.services.deck_names import DeckNameError, resolve_deck

    action = args.action or "list"
    command = f"studyaws presets {action}"
    try:
        if action == "set":
            preset, warning = service.set_preset_value(engine, Clock(), args.name, args.key,
                                                       args.value)
            key = args.key.strip().lower().replace("_", "-")
            value = getattr(preset, key.replace("-", "_"))
            print(printable(f"{preset.name}: {key} = {value}"))
            if warning:
                print(f"{command}: warning: {warning}", file=sys.stderr)
            return 0
        if action == "assign":
            deck_id = resolve_deck(engine, args.deck)
            preset = service.assign_preset(engine, deck_id, args.preset)
            from studyaws.services.decks import deck_info

            print(printable(f"{deck_info(engine, deck_id).title!r} uses {preset.name}."))
            return 0
        if action == "rename":
            preset = service.rename_preset(engine, args.old, args.new)
            print(printable(f"Renamed {args.old!r} to {preset.name!r}."))
            return 0
        if action == "reset-parameters":
            preset = service.reset_parameters(engine, args.name)
            print(printable(f"{preset.name}: its own parameters dropped; its decks use the "
                            "collection's."))
            return 0
    except (service.PresetError, DeckNameError) as exc:
        print(printable(f"{command}: {exc}"), file=sys.stderr)
        return 1
    presets = service.all_presets(engine)
    if getattr(args, "json", False):
        print(json.dumps([{"name": p.name, "new-per-day": p.new_per_day,
                           "reviews-per-day": p.reviews_per_day,
                           "desired-retention": p.desired_retention, "decks": decks,
                           "parameters": None if p.parameters is None else list(p.parameters),
                           "parameters-fitted": None if p.fitted_at is None
                           else p.fitted_at.isoformat()}
                          for p, decks in presets], indent=2))
        return 0
    width = max(len(printable(p.name)) for p, _ in presets)
    print(f"{'preset':<{width}}  new/day  reviews/day  retention  decks  parameters")
    for p, decks in presets:
        print(f"{printable(p.name):<{width}}  {p.new_per_day:>7}  {p.reviews_per_day:>11}  "
              f"{p.desired_retention:>9.2f}  {decks:>5}  {service.parameters_text(p)}")
    return 0


def _manage_deck(args: argparse.Namespace, engine) -> int:
    """`studyaws decks rename OLD NEW` and `studyaws decks remove NAME [--yes]`."""
    from studyaws.services import decks as service
    from studyaws.services.deck_names import DeckNameError, resolve_deck

    command = f"studyaws decks {args.action}"
    try:
        deck_id = resolve_deck(engine, args.old if args.action == "rename" else args.name)
    except DeckNameError as exc:
        print(printable(f"{command}: {exc}"), file=sys.stderr)
        return 1
    if args.action == "rename":
        try:
            old = service.rename_deck(engine, deck_id, args.new)
        except service.DeckError as exc:
            print(printable(f"{command}: {exc}"), file=sys.stderr)
            return 1
        new = service.deck_info(engine, deck_id).title
        print(printable(f"Renamed {old!r} to {new!r}."))
        return 0
    info = service.deck_info(engine, deck_id)
    what = (f"{info.title!r}: {info.cards} card{'s' if info.cards != 1 else ''} and "
            f"{info.reviews} review{'s' if info.reviews != 1 else ''}")
    if not args.yes:
        if not _has_terminal():
            print(printable(f"{command}: removing {what} needs --yes when not asked on a "
                            "terminal"), file=sys.stderr)
            return 2
        try:
            answer = input(printable(f"Remove {what}? [y/N] "))
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing was removed.")
            return 1
    from studyaws.core.clock import Clock

    service.remove_deck(engine, Clock(), deck_id)
    print(printable(f"Removed {what}. Importing its file again brings it back with its "
                    "history."))
    return 0


def _exam(args: argparse.Namespace, engine) -> int:
    from studyaws.services import exam as service

    if args.history:
        past = service.exam_history(engine)
        if args.json:
            print(json.dumps({"exams": [
                {"id": p.id, "started_at": p.started_at.isoformat(), "preset": p.preset,
                 "mode": p.mode, "correct": p.correct, "total": p.total, "scaled": p.scaled,
                 "pass_mark": p.pass_mark, "passed": p.passed,
                 "seconds_used": round(p.seconds_used, 1)} for p in past]}, indent=2))
            return 0
        if not past:
            print("No finished exams yet: studyaws exam --preset quick")
            return 0
        print("exam  date              preset    mode      score    scaled  result  minutes")
        for p in past:
            print(f"{p.id:>4}  {p.started_at.astimezone():%Y-%m-%d %H:%M}  {p.preset:<8}  "
                  f"{p.mode:<8}  "
                  f"{p.correct:>3}/{p.total:<4} {p.scaled:>6}  {'pass' if p.passed else 'fail':<6}  "
                  f"{p.seconds_used / 60:>7.0f}")
        trend = [p.scaled for p in past]
        if len(trend) > 1:
            print(f"trend (scaled, 100-1000; pass mark {past[-1].pass_mark}): "
                  f"{' → '.join(str(s) for s in trend[-8:])}")
        return 0
    running = service.running_exam(engine)
    if args.discard:
        if running is None:
            print("studyaws exam: no exam in progress to discard", file=sys.stderr)
            return 1
        view = service.load_exam(engine, running)
        answered = sum(1 for item in view.items if item.answered)
        service.discard_exam(engine, running)
        print(f"Discarded the exam in progress ({answered} of {len(view.items)} questions "
              "answered): nothing of it was kept.")
        return 0
    from studyaws.tui.app import run_app

    if args.resume:
        if running is None:
            print("studyaws exam: no exam in progress; start one with studyaws exam",
                  file=sys.stderr)
            return 1
        return run_app(engine, start="exam", exam_id=running)
    if running is not None:
        print("studyaws exam: an exam is in progress; continue it with studyaws exam --resume",
              file=sys.stderr)
        return 1
    from studyaws.core.clock import Clock

    if args.retake_wrong is not None:
        if args.questions is not None or args.deck or args.domain:
            print("studyaws exam: --retake-wrong asks every question that was wrong; "
                  "--questions, --deck and --domain do not go with it", file=sys.stderr)
            return 2
        try:
            view = service.start_retake(
                engine, Clock(), args.retake_wrong or None, include_flagged=args.include_flagged,
                minutes=args.minutes, mode="practice" if args.practice else "exam")
        except service.ExamError as exc:
            print(printable(f"studyaws exam: {exc}"), file=sys.stderr)
            return 1
        return run_app(engine, start="exam", exam_id=view.id)
    if args.include_flagged:
        print("studyaws exam: --include-flagged goes with --retake-wrong", file=sys.stderr)
        return 2
    from studyaws.core.domains import DOMAINS, normalize_domain
    from studyaws.services.deck_names import DeckNameError, resolve_deck

    deck_id = None
    if args.deck:
        try:
            deck_id = resolve_deck(engine, args.deck)
        except DeckNameError as exc:
            print(printable(f"studyaws exam: {exc}"), file=sys.stderr)
            return 1
    domain = None
    if args.domain:
        domain = normalize_domain(args.domain)
        if domain not in DOMAINS:
            print(f"studyaws exam: unknown domain {args.domain!r} (known: {', '.join(DOMAINS)})",
                  file=sys.stderr)
            return 1
    try:
        view = service.start_exam(
            engine, Clock(), args.preset, questions=args.questions, minutes=args.minutes,
            deck_id=deck_id, domain=domain, mode="practice" if args.practice else "exam")
    except (service.ExamError, ValueError) as exc:
        print(printable(f"studyaws exam: {exc}"), file=sys.stderr)
        return 1
    if view.notice:
        print(printable(view.notice))
    return run_app(engine, start="exam", exam_id=view.id)


def _config(args: argparse.Namespace, engine) -> int:
    from studyaws.core.clock import Clock
    from studyaws.core.config import SettingError, format_value
    from studyaws.services.settings import change_setting, load_settings, settings_items

    if args.action == "set":
        try:
            value, warning = change_setting(engine, Clock(), args.name, args.value)
        except SettingError as exc:
            print(printable(f"studyaws config: {exc}"), file=sys.stderr)
            return 2
        print(f"{args.name} = {format_value(value)}")
        if warning:
            print(f"studyaws config: warning: {warning}", file=sys.stderr)
        return 0
    if getattr(args, "json", False):
        from dataclasses import fields

        from studyaws.core.config import json_value

        settings = load_settings(engine)
        values = {f.name.replace("_", "-"): json_value(getattr(settings, f.name))
                  for f in fields(settings)}
        if args.name:
            wanted = args.name.replace("_", "-")
            if wanted not in values:
                print(printable(f"studyaws config: unknown setting {args.name!r}"),
                      file=sys.stderr)
                return 2
            values = {wanted: values[wanted]}
        print(json.dumps(values, indent=2))
        return 0
    items = settings_items(load_settings(engine))
    if args.action == "get" and args.name:
        wanted = args.name.replace("_", "-")
        for name, value in items:
            if name == wanted:
                print(value)
                return 0
        print(f"studyaws config: unknown setting {args.name!r}", file=sys.stderr)
        return 2
    for name, value in items:
        print(f"{name} = {value}")
    return 0
