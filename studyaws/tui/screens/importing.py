"""Import: pick a file or a folder, preview what would change, import it.

The import runs in a worker thread (a large bank takes a while) and posts its result back
as a message. Every path, title, reason and error is shown as text, never as markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, DirectoryTree, ProgressBar, Select, Static

from studyaws.core.formats import EXTENSIONS, FORMATS
from studyaws.core.text import printable
from studyaws.services.importer import COUNTS, ImportReport
from studyaws.services.review import display_path
from studyaws.tui.widgets.footer import KeysFooter

FORMAT_CHOICES = [("detect the format of each file", "auto"),
                  *((fmt.label, name) for name, fmt in FORMATS.items())]


class BankTree(DirectoryTree):
    """Folders and the files an import reads; hidden entries left out."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [p for p in paths if not p.name.startswith(".")
                and (self._safe_is_dir(p) or p.suffix.lower() in EXTENSIONS)]

    def process_label(self, label):
        return super().process_label(printable(label) if isinstance(label, str) else label)


class ImportFinished(Message):
    """The result of one import (or preview), posted from the worker thread."""

    def __init__(self, path: Path, dry_run: bool, report: ImportReport | None = None,
                 problems: list[str] | None = None):
        super().__init__()
        self.path = path
        self.dry_run = dry_run
        self.report = report
        self.problems = problems or []


class ImportProgressed(Message):
    def __init__(self, stage: str, done: int, total: int):
        super().__init__()
        self.stage = stage
        self.done = done
        self.total = total


class ImportScreen(Screen):
    DEFAULT_CSS = """
    ImportScreen #import-body {
        height: 1fr;
    }
    ImportScreen #import-tree {
        width: 1fr;
        max-width: 34;
        margin: 1 0 0 1;
    }
    ImportScreen #import-side {
        width: 3fr;
        padding: 1 1 0 2;
    }
    ImportScreen #import-selected {
        height: auto;
    }
    ImportScreen #import-format {
        margin: 1 0 0 0;
        width: 100%;
    }
    ImportScreen #import-buttons {
        height: auto;
        margin: 1 0 0 0;
    }
    ImportScreen #import-buttons Button {
        margin: 0 2 0 0;
    }
    ImportScreen #import-progress {
        margin: 1 0 0 0;
    }
    ImportScreen #import-summary-box {
        height: 1fr;
        margin: 1 0 0 0;
    }
    ImportScreen #import-summary {
        width: auto;
        text-wrap: nowrap;
    }
    ImportScreen #import-notes {
        width: 100%;
        height: auto;
    }
    """

    BINDINGS = [
        Binding("p", "preview", "Preview", id="import.preview"),
        Binding("i", "run_import", "Import", id="import.run"),
        Binding("escape", "leave", "Back", id="import.back"),
    ]

    def __init__(self, root: Path | None = None):
        super().__init__()
        self.root = (root or Path.cwd()).resolve()
        self.selected: Path = self.root
        self.running = False
        self.last: ImportFinished | None = None

    def compose(self) -> ComposeResult:
        yield Static("Import decks and question banks", id="import-title",
                     classes="title-bar")
        with Horizontal(id="import-body"):
            yield BankTree(self.root, id="import-tree")
            with Vertical(id="import-side"):
                yield Static(id="import-selected")
                yield Select([(Content(label), value) for label, value in FORMAT_CHOICES],
                             value="auto", allow_blank=False, id="import-format")
                with Horizontal(id="import-buttons"):
                    yield Button("Preview", id="import-preview")
                    yield Button("Import", id="import-run", variant="primary")
                progress = ProgressBar(id="import-progress", show_eta=False)
                progress.display = False
                yield progress
                with ScrollableContainer(id="import-summary-box"):
                    yield Static(id="import-summary")
                    yield Static(id="import-notes")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.show_selected()
        self.show("", Content(
            "Pick a file or a folder on the left (a folder takes every deck and bank in "
            "it), then p to preview what would change, or i to import.\n\nRead: .md decks "
            "and Markdown question banks, Anki text (.txt .csv .tsv), Moodle GIFT (.gift) "
            "and Aiken (.txt)."))
        self.query_one(BankTree).focus()

    # -- choosing -------------------------------------------------------------------------
    def show_selected(self) -> None:
        kind = "folder" if self.selected.is_dir() else "file"
        self.query_one("#import-selected", Static).update(
            Content.assemble(("Selected ", "bold"), f"{kind}: ",
                             display_path(str(self.selected))))

    def select_path(self, path: Path) -> None:
        self.selected = path
        self.show_selected()

    def on_tree_node_highlighted(self, event: DirectoryTree.NodeHighlighted) -> None:
        entry = event.node.data
        if entry is not None:
            self.select_path(Path(entry.path))

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.select_path(Path(event.path))
        self.action_preview()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "import-preview":
            self.action_preview()
        elif event.button.id == "import-run":
            self.action_run_import()

    # -- running --------------------------------------------------------------------------
    def action_preview(self) -> None:
        self.start(dry_run=True)

    def action_run_import(self) -> None:
        self.start(dry_run=False)

    def action_leave(self) -> None:
        if not self.running:
            self.dismiss()

    def start(self, dry_run: bool) -> None:
        if self.running:
            return
        self.running = True
        for button in self.query(Button):
            button.disabled = True
        value = self.query_one("#import-format", Select).value
        fmt = None if value in ("auto", Select.BLANK) else str(value)
        self.show("", Content(f"{'Previewing' if dry_run else 'Importing'} "
                              f"{display_path(str(self.selected))} ..."))
        self.run_import(self.selected, dry_run, fmt)

    @work(thread=True, exclusive=True, group="import")
    def run_import(self, path: Path, dry_run: bool, fmt: str | None) -> None:
        from studyaws.core.decks.model import DeckError
        from studyaws.core.errors import StoreError
        from studyaws.services.importer import import_paths

        def progress(stage: str, done: int, total: int) -> None:
            self.post_message(ImportProgressed(stage, done, total))

        try:
            report = import_paths(self.app.engine, [path], self.app.clock.now(),
                                  dry_run=dry_run, format=fmt, progress=progress)
        except DeckError as exc:
            self.post_message(ImportFinished(path, dry_run, problems=[
                _located(p.path, p.line, p.message) for p in exc.problems]))
        except (StoreError, OSError) as exc:
            self.post_message(ImportFinished(path, dry_run, problems=[printable(str(exc))]))
        except Exception as exc:  # shown, not raised: a bad file must not close the app
            self.post_message(ImportFinished(path, dry_run, problems=[
                f"{display_path(str(path))}: the import failed: {type(exc).__name__}: "
                f"{printable(str(exc))}"]))
        else:
            self.post_message(ImportFinished(path, dry_run, report=report))

    def show(self, table: Content | str, notes: Content | str) -> None:
        self.query_one("#import-summary", Static).update(table)
        self.query_one("#import-notes", Static).update(notes)

    def on_import_progressed(self, message: ImportProgressed) -> None:
        bar = self.query_one("#import-progress", ProgressBar)
        bar.display = message.total > 1 and message.done < message.total
        bar.update(total=message.total, progress=message.done)

    def on_import_finished(self, message: ImportFinished) -> None:
        self.running = False
        self.last = message
        for button in self.query(Button):
            button.disabled = False
        self.query_one("#import-progress", ProgressBar).display = False
        self.show(*summary(message))
        if message.report is not None and not message.dry_run:
            total = message.report.total()
            self.app.notify(f"Imported {printable(message.path.name)}: {total['added']} added, "
                            f"{total['updated']} updated, {total['retired']} retired",
                            markup=False)


def _located(path: str, line: int, text: str) -> str:
    where = display_path(path)
    text = printable(text)
    return f"{where}:{line}: {text}" if line > 0 else f"{where}: {text}"


def summary(message: ImportFinished) -> tuple[Content, Content]:
    """The same summary as `studyaws import`: counts per deck (a table that keeps its
    columns), then the skipped blocks or the errors (text that wraps)."""
    if message.problems:
        count = len(message.problems)
        heading = Content.assemble((
            f"{count} error{'s' if count != 1 else ''}: nothing was "
            f"{'previewed' if message.dry_run else 'imported'}.", "bold $error"))
        return heading, Content("\n" + "\n".join(message.problems))
    report = message.report
    assert report is not None
    heading = "Preview (nothing was written)" if message.dry_run else "Imported"
    parts: list = [(f"{heading}: {display_path(str(message.path))}\n\n", "bold")]
    titles = [printable(d.title) for d in report.decks]
    width = max([len(t) for t in titles] + [len("total")])
    parts.append((f"{'deck':<{width}}  added  updated  unchanged  retired\n", "bold"))
    for title, deck in zip(titles, report.decks, strict=True):
        parts.append(f"{title:<{width}}  {deck.added:>5}  {deck.updated:>7}  "
                     f"{deck.unchanged:>9}  {deck.retired:>7}\n")
    total = report.total()
    parts.append((f"{'total':<{width}}  " + "  ".join(
        f"{total[name]:>{len(name)}}" for name in COUNTS), "bold"))
    notes: list = []
    if report.skipped:
        count = len(report.skipped)
        notes.append((f"\nskipped {count} block{'s' if count != 1 else ''}:\n",
                      "bold $warning"))
        notes.extend(_located(s.path, s.line, s.reason) + "\n" for s in report.skipped)
    return Content.assemble(*parts), Content.assemble(*notes)
