"""The command-line side of import progress, `studyaws export` and `studyaws restore`.

Loaded only by those commands, so that the `studyaws` command starts light.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from studyaws.services.exchange import RestoreError, deck_count, write_atomically

LONG_IMPORT_FILES = 10  # from this many files on, an import shows its progress


class ImportProgress:
    """Progress of a long import on stderr: a Rich bar on a terminal, else a few plain lines
    (at most one each tenth of the way). Short imports show nothing."""

    def __init__(self, stream=None, threshold: int = LONG_IMPORT_FILES):
        self.stream = stream or sys.stderr
        self.threshold = threshold
        self.bar = None
        self.tasks: dict[str, int] = {}
        self.shown: dict[str, int] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total < self.threshold:
            return
        label = "reading files" if stage == "read" else "writing decks"
        if self.stream.isatty():
            self._rich(stage, label, done, total)
            return
        step = max(1, total // 10)
        if done == total or done - self.shown.get(stage, -step) >= step:
            self.shown[stage] = done
            print(f"import: {label} {done}/{total}", file=self.stream, flush=True)

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
    from studyaws.services.collection import open_collection

    db_path = data_home(home) / DB_NAME
    if not db_path.exists():
        print(f"studyaws export: no collection at {db_path}", file=sys.stderr)
        return 1
    engine = open_collection(home, import_bundled=False)
    out = args.output
    if args.format == "json":
        from studyaws.services.exchange.json_dump import export_json

        text = export_json(engine)
        if out == "-":
            sys.stdout.write(text)
            return 0
        write_atomically(Path(out), lambda p: p.write_text(text, encoding="utf-8"))
        print(f"wrote {out}: the whole collection as JSON")
        return 0
    from studyaws.services.exchange import anki_export

    if args.format == "csv":
        notes, report = anki_export.collect_notes(engine)
        text = anki_export.csv_text(notes)
        if out == "-":
            sys.stdout.write(text)
        else:
            write_atomically(Path(out), lambda p: p.write_text(text, encoding="utf-8"))
    else:
        if out == "-":
            print("studyaws export: an Anki package needs a file name (-o FILE.apkg)",
                  file=sys.stderr)
            return 2
        report = _run_apkg(engine, Path(out))
    where = sys.stderr if out == "-" else sys.stdout
    print(f"wrote {out}: {report.notes} notes ({report.cards} cards) from {report.decks} "
          f"deck{'s' if report.decks != 1 else ''}", file=where)
    if report.scenarios_left_out:
        print(f"{report.scenarios_left_out} generated scenario"
              f"{'s' if report.scenarios_left_out != 1 else ''} left out: they are drawn at "
              "review time and have no fixed text", file=where)
    return 0


def _run_apkg(engine, path: Path):
    from studyaws.services.exchange.anki_export import write_apkg

    result = []
    write_atomically(path, lambda p: result.append(write_apkg(engine, p)))
    return result[0]


def restore(args: argparse.Namespace, home: str | None) -> int:
    """`studyaws restore FILE [--force]`: rebuild the collection from a backup."""
    from studyaws.core.config import DB_NAME, data_home

    db_path = data_home(home) / DB_NAME
    source = Path(args.file)
    try:
        if not source.is_file():
            raise RestoreError(f"{source}: no such file")
        decks = deck_count(db_path)
        if decks and not args.force:
            print(f"studyaws restore: the collection at {db_path} already has {decks} "
                  f"deck{'s' if decks != 1 else ''}; restoring replaces it. Add --force to "
                  "replace it (a copy of it is kept).", file=sys.stderr)
            return 1
        from studyaws.services.exchange.json_dump import restore_json

        counts = restore_json(source, db_path)
    except RestoreError as exc:
        print(f"studyaws restore: {exc}", file=sys.stderr)
        return 1
    summary = ", ".join(f"{name} {n}" for name, n in counts.items() if n)
    print(f"restored {db_path} from {source}; rows: {summary or 'none'}")
    if decks:
        print(f"the replaced collection was kept as {db_path.name}.before-restore")
    return 0
