"""The command-line side of import progress, `studyaws export` and `studyaws restore`.

Loaded only by those commands, so that the `studyaws` command starts light.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from studyaws.cli.console import write_data
from studyaws.core.text import printable
from studyaws.services.exchange import RestoreError, inspect_collection, kept_message, open_to_read

LONG_IMPORT_FILES = 10  # from this many files on, an import shows its progress


class ImportProgress:
    """Progress of a long import on stderr, as a Rich bar that is erased when it ends. Short
    imports show nothing, and neither does an import without a terminal: a log or a script
    gets the summary table once, not a line per file."""

    def __init__(self, stream=None, threshold: int = LONG_IMPORT_FILES):
        self.stream = stream or sys.stderr
        self.threshold = threshold
        self.bar = None
        self.tasks: dict[str, int] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total < self.threshold:
            return
        if self.stream.isatty():
            self._rich(stage, "reading files" if stage == "read" else "writing decks", done,
                       total)

    def _rich(self, stage: str, label: str, done: int, total: int) -> None:
        if self.bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                MofNCompleteColumn(), console=Console(file=self.stream),
                                transient=True)
            self.bar.start()
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(label, total=total)
        self.bar.update(self.tasks[stage], completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def export(args: argparse.Namespace, home: str | None) -> int:
    """`studyaws export --format json|apkg|csv -o FILE` (`-o -`: JSON or text to stdout)."""
    from studyaws.core.config import DB_NAME, data_home
    from studyaws.services.exchange.output import OutputError, check_output, write_output

    db_path = data_home(home) / DB_NAME
    if args.db is None and not db_path.exists():
        print(printable(f"studyaws export: no collection at {db_path}"), file=sys.stderr)
        return 1
    out = args.output
    if out == "-" and args.format == "apkg":
        print("studyaws export: an Anki package needs a file name (-o FILE.apkg)",
              file=sys.stderr)
        return 2
    try:
        destination = None if out == "-" else check_output(Path(out), db_path, args.force)
        engine = open_to_read(home, db_path, args.db)
        if args.format == "json":
            from studyaws.services.exchange.json_dump import export_json

            text = export_json(engine)
            if destination is None:
                write_data(text)
                return 0
            write_output(destination, lambda p: p.write_text(text, encoding="utf-8"))
            print(printable(f"wrote {out}: the whole collection as JSON"),
                  file=_said_to(destination))
            return 0
        from studyaws.services.exchange import anki_export

        if args.format == "csv":
            notes, report = anki_export.collect_notes(engine)
            text = anki_export.csv_text(notes)
            if destination is None:
                write_data(text)
            else:
                write_output(destination, lambda p: p.write_text(text, encoding="utf-8"))
        else:
            result = []
            write_output(destination,
                         lambda p: result.append(anki_export.write_apkg(engine, p)))
            report = result[0]
    except OutputError as exc:
        print(printable(f"studyaws export: {exc}"), file=sys.stderr)
        return 1
    where = _said_to(destination)
    print(printable(f"wrote {out}: {report.notes} notes ({report.cards} cards) from "
                    f"{report.decks} deck{'s' if report.decks != 1 else ''}"), file=where)
    if report.scenarios_left_out:
        print(f"{report.scenarios_left_out} generated scenario"
              f"{'s' if report.scenarios_left_out != 1 else ''} left out: they are drawn at "
              "review time and have no fixed text", file=where)
    return 0


def _said_to(destination):
    """Where to say what was written: not into the data (`-o -`, `-o /dev/stdout`)."""
    return sys.stderr if destination is None or destination.special else sys.stdout


def restore(args: argparse.Namespace, home: str | None) -> int:
    """`studyaws restore FILE [--force]`: rebuild the collection from a backup."""
    from studyaws.core.config import DB_NAME, data_home

    db_path = data_home(home) / DB_NAME
    source = Path(args.file)
    try:
        if source.is_dir():
            raise RestoreError(f"{source}: is a folder; give one backup file: a copy made by "
                               "studyaws backup (in the data folder's backups/) or a JSON "
                               "export (studyaws export)")
        if not source.is_file():
            raise RestoreError(f"{source}: no such file")
        if args.db is not None:
            return _restore_into_postgres(args, home, source)
        from studyaws.services.exchange.json_dump import read_backup, restore_json

        document = read_backup(source)
        decks, damage = inspect_collection(db_path)
        if decks and not args.force:
            print(printable(f"studyaws restore: the collection at {db_path} already has "
                            f"{decks} deck{'s' if decks != 1 else ''}; restoring replaces it. "
                            "Add --force to replace it (a copy of it is kept)."),
                  file=sys.stderr)
            return 1
        restored = restore_json(source, db_path, damaged=damage is not None,
                                document=document)
    except RestoreError as exc:
        print(printable(f"studyaws restore: {exc}"), file=sys.stderr)
        return 1
    summary = ", ".join(f"{name} {n}" for name, n in restored.counts.items() if n)
    print(printable(f"restored {db_path} from {source}; rows: {summary or 'none'}"))
    kept = kept_message(restored.kept, damage)
    if kept:
        print(printable(kept))
    return 0


def _restore_into_postgres(args: argparse.Namespace, home: str | None, source: Path) -> int:
    """`studyaws restore FILE [--force]` with the collection in PostgreSQL (--db): FILE is a
    JSON export or a copy made by `studyaws backup` of a SQLite collection."""
    from studyaws.services.exchange.json_dump import read_backup
    from studyaws.services.exchange.postgres_restore import decks_in, restore_into_postgres
    from studyaws.store.backup import is_sqlite_file
    from studyaws.store.postgres import redact

    document = None if is_sqlite_file(source) else read_backup(source)
    where = redact(args.db)
    decks = decks_in(args.db, home)
    if decks and not args.force:
        print(printable(f"studyaws restore: the collection in {where} already has {decks} "
                        f"deck{'s' if decks != 1 else ''}; restoring replaces it. Add --force "
                        "to replace it (a JSON export of it is kept in backups/)."),
              file=sys.stderr)
        return 1
    restored = restore_into_postgres(source, home, args.db, document)
    summary = ", ".join(f"{name} {n}" for name, n in restored.counts.items() if n)
    print(printable(f"restored {where} from {source}; rows: {summary or 'none'}"))
    if restored.kept is not None:
        print(printable(f"the replaced collection was kept as {restored.kept}"))
    return 0
