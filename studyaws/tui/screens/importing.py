"""Import: pick a file or a folder, preview what would change, import it.

The screen opens on the folder it showed when last used (kept in the collection), or on the
home folder; never on the folder the program was started from. The path box above the tree
shows that folder: type a path there (from it, from /, or from ~) and Enter goes to a folder,
or picks a file and previews it; Tab takes the completion shown in grey. Backspace in the
tree goes up a folder. A folder that cannot be read is said in one line, with its path.

The import runs in a worker thread (a large bank takes a while) and posts its result back
as a message. Every path, title, reason and error is shown as text, never as markup.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.suggester import Suggester
from textual.widgets import Button, DirectoryTree, Input, Label, ProgressBar, Select, Static
from textual.widgets.tree import TreeNode

from studyaws.core.formats import EXTENSIONS, FORMATS
from studyaws.core.text import printable
from studyaws.services.importer import COUNTS, ImportReport
from studyaws.services.review import display_path
from studyaws.services.settings import last_import_folder, remember_import_folder
from studyaws.tui.widgets.footer import KeysFooter

FORMAT_CHOICES = [("detect the format of each file", "auto"),
                  *((fmt.label, name) for name, fmt in FORMATS.items())]


# -- paths ----------------------------------------------------------------------------------
def shown_path(path: Path) -> str:
    """`path` as the screen shows it: from ~ under the home folder, else in full."""
    try:
        inside = path.relative_to(Path.home())
    except ValueError:
        return printable(str(path))
    return printable("~" if inside == Path() else f"~/{inside.as_posix()}")


def typed_path(text: str, folder: Path) -> Path:
    """The path typed in the path box: absolute, from ~, or from `folder`; `..` goes up."""
    path = Path(text.strip()).expanduser()
    return Path(os.path.normpath(path if path.is_absolute() else folder / path))


def unreadable(folder: Path) -> str | None:
    """Why `folder` cannot be listed ("Permission denied"), or None when it can."""
    try:
        with os.scandir(folder):
            return None
    except OSError as exc:
        return exc.strerror or type(exc).__name__


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def start_folder(saved: str | None) -> Path:
    """The folder the screen opens on: the one last used, or the nearest folder above it
    that can still be read (it was moved or unmounted since), else the home folder."""
    if saved:
        path = Path(saved)
        for folder in (path, *path.parents):
            if path.is_absolute() and _is_dir(folder) and unreadable(folder) is None:
                return folder
    return Path.home()


def complete(value: str, folder: Path) -> str | None:
    """`value` with the name it ends in completed: the one entry of its folder that the tree
    would list (a folder, or a file an import reads) and that starts with it, or what all
    such entries have in common, or the first of them; folders end in "/". None when
    nothing starts with it."""
    head, slash, name = value.rpartition("/")
    if not name or name in (".", ".."):
        return None
    where = typed_path(head + slash, folder) if slash else folder
    matches = []
    try:
        with os.scandir(where) as entries:
            for entry in entries:
                if not entry.name.startswith(name) or (
                        entry.name.startswith(".") and not name.startswith(".")):
                    continue
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if is_dir:
                    matches.append(entry.name + "/")
                elif Path(entry.name).suffix.lower() in EXTENSIONS:
                    matches.append(entry.name)
    except OSError:
        return None
    if not matches:
        return None
    matches.sort(key=lambda m: (not m.endswith("/"), m.removesuffix("/").lower()))
    common = os.path.commonprefix(matches)
    return value[:len(value) - len(name)] + (common if len(common) > len(name) else matches[0])


class PathSuggester(Suggester):
    """Completes the name at the end of the path box from the folder it names."""

    def __init__(self, folder: Callable[[], Path]):
        super().__init__(use_cache=False, case_sensitive=True)
        self.folder = folder

    async def get_suggestion(self, value: str) -> str | None:
        return await asyncio.to_thread(complete, value, self.folder())


class PathInput(Input):
    """The path box: Enter opens what it names, Tab takes the completion shown (when there
    is none, Tab moves on as everywhere)."""

    BINDINGS = [
        Binding("tab", "complete", "Complete", id="import.complete"),
        Binding("enter", "submit", "Open", id="import.open"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "complete":
            return len(self._suggestion) > len(self.value)
        return super().check_action(action, parameters)

    def watch__suggestion(self) -> None:
        self.refresh_bindings()

    def action_complete(self) -> None:
        self.value = self._suggestion
        self.cursor_position = len(self.value)


class BankTree(DirectoryTree):
    """Folders and the files an import reads; hidden entries left out. A name too long for
    the tree ends in "…" rather than being cut. Says when it has listed a folder, and when a
    folder cannot be read (Textual's tree shows it empty)."""

    class Listed(Message):
        """The entries of a folder are in the tree."""

        def __init__(self, node: TreeNode):
            super().__init__()
            self.node = node

    class Unreadable(Message):
        def __init__(self, path: Path, reason: str):
            super().__init__()
            self.path = path
            self.reason = reason

    # Textual 8.2.8's hooks for reading a folder (in a thread) and filling its node.
    def _directory_content(self, location: Path, worker) -> Iterable[Path]:
        try:
            for entry in location.iterdir():
                if worker.is_cancelled:
                    break
                yield entry
        except OSError as exc:
            self.post_message(self.Unreadable(location, exc.strerror or type(exc).__name__))

    def _populate_node(self, node: TreeNode, content: Iterable[Path]) -> None:
        super()._populate_node(node, content)
        self.post_message(self.Listed(node))

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [p for p in paths if not p.name.startswith(".")
                and (self._safe_is_dir(p) or p.suffix.lower() in EXTENSIONS)]

    def process_label(self, label):
        return super().process_label(printable(label) if isinstance(label, str) else label)

    def render_label(self, node: TreeNode, base_style, style) -> Text:
        text = super().render_label(node, base_style, style)
        depth, parent = 0, node.parent
        while parent is not None:
            depth, parent = depth + 1, parent.parent
        room = self.scrollable_content_region.width - depth * self.guide_depth
        if room > 1 and text.cell_len > room:
            text.truncate(room, overflow="ellipsis")
        return text


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
    ImportScreen #import-path-row {
        height: 3;
        margin: 1 1 0 1;
    }
    ImportScreen #import-path-label {
        width: auto;
        padding: 1 1 0 0;
    }
    ImportScreen #import-path {
        width: 1fr;
    }
    ImportScreen #import-error {
        height: auto;
        padding: 0 1;
        color: $error;
        display: none;
    }
    ImportScreen #import-body {
        height: 1fr;
    }
    ImportScreen #import-tree {
        width: 2fr;
        min-width: 12;
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
        Binding("backspace", "parent", "Parent folder", id="import.parent"),
        Binding("slash", "type_path", "Type a path", key_display="/", id="import.type-path"),
        Binding("escape", "leave", "Back", id="import.back"),
    ]
    # Keys that are typed into the path box while it has focus (and not shown then).
    TYPED = frozenset({"preview", "run_import", "parent", "type_path"})

    def __init__(self, root: Path | None = None):
        """Open on `root`, or on the folder last used, or on the home folder."""
        super().__init__()
        self.root = root
        self.folder: Path = Path.home()  # the folder the tree shows (set in compose)
        self.selected: Path = self.folder
        self.pending: Path | None = None  # to put the cursor on once the folder is listed
        self.running = False
        self.last: ImportFinished | None = None

    def compose(self) -> ComposeResult:
        if self.root is not None:
            self.folder = Path(os.path.normpath(self.root.expanduser().absolute()))
        else:
            self.folder = start_folder(last_import_folder(self.app.engine))
        self.selected = self.folder
        yield Static("Import decks and question banks", id="import-title",
                     classes="title-bar")
        with Horizontal(id="import-path-row"):
            yield Label("Path", id="import-path-label")
            yield PathInput(self.folder_text(), id="import-path", select_on_focus=False,
                            placeholder="a folder or a file: /…, ~/… or from this folder",
                            suggester=PathSuggester(lambda: self.folder))
        yield Static(id="import-error")
        with Horizontal(id="import-body"):
            yield BankTree(self.folder, id="import-tree")
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
            "it), then p to preview what would change, or i to import. Backspace goes up a "
            "folder; / types a path (Tab completes it).\n\nRead: .md decks and Markdown "
            "question banks, Anki text (.txt .csv .tsv), Moodle GIFT (.gift) and Aiken "
            "(.txt)."))
        problem = unreadable(self.folder)
        if problem:
            self.show_error(f"Cannot open {shown_path(self.folder)}: {problem}")
        self.query_one(BankTree).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.TYPED and isinstance(self.focused, Input):
            return False  # typed into the path box
        if action in ("preview", "run_import", "leave") and self.running:
            return None  # shown, but waits for the import under way
        return True

    # -- choosing -------------------------------------------------------------------------
    def folder_text(self) -> str:
        shown = shown_path(self.folder)
        return shown if shown.endswith("/") else shown + "/"

    def show_error(self, text: str) -> None:
        error = self.query_one("#import-error", Static)
        error.update(Content(printable(text)))
        error.display = bool(text)

    def show_selected(self) -> None:
        kind = "folder" if _is_dir(self.selected) else "file"
        self.query_one("#import-selected", Static).update(
            Content.assemble(("Selected ", "bold"), f"{kind}: ", shown_path(self.selected)))

    def select_path(self, path: Path) -> None:
        self.selected = path
        self.show_selected()

    def outside(self, path: Path) -> bool:
        """Served to a browser, `path` is not under the one folder it may import from (and
        it was said)."""
        served = self.app.served
        if served is None or served.may_read(path):
            return False
        self.show_error(f"{shown_path(path)}: outside the folder this server imports from "
                        f"({shown_path(served.import_root) if served.import_root else 'none'})")
        return True

    def open_folder(self, folder: Path, cursor_on: Path | None = None) -> bool:
        """Show `folder` in the tree, selected (or `cursor_on` in it, once listed); False,
        and one line that says why, when it cannot be read."""
        if self.outside(folder):
            return False
        problem = unreadable(folder)
        if problem:
            self.show_error(f"Cannot open {shown_path(folder)}: {problem}")
            return False
        self.show_error("")
        self.folder = folder
        self.pending = cursor_on
        self.query_one(BankTree).path = folder
        field = self.query_one("#import-path", PathInput)
        field.value = self.folder_text()
        field.cursor_position = len(field.value)
        self.select_path(folder)
        return True

    def action_parent(self) -> None:
        served = self.app.served
        if served is not None and served.import_root is not None \
                and self.folder.resolve() == served.import_root.resolve():
            return  # the top of what a served app may import from
        if self.folder.parent != self.folder:
            self.open_folder(self.folder.parent, cursor_on=self.folder)

    def action_type_path(self) -> None:
        field = self.query_one("#import-path", PathInput)
        field.focus()
        field.cursor_position = len(field.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "import-path":
            return
        text = event.value.strip()
        if not text:
            return
        path = self.folder if text == self.folder_text() else typed_path(text, self.folder)
        tree = self.query_one(BankTree)
        if _is_dir(path):
            if self.open_folder(path):
                tree.focus()
        elif _is_file(path):
            if self.open_folder(path.parent, cursor_on=path):
                self.select_path(path)
                tree.focus()
                self.action_preview()
        else:
            self.show_error(f"{shown_path(path)}: no such file or folder")

    def on_tree_node_highlighted(self, event: DirectoryTree.NodeHighlighted) -> None:
        if event.node is event.control.root:
            if self.pending is not None:
                return  # the folder just opened: the cursor goes to `pending` once listed
        else:
            self.pending = None
        entry = event.node.data
        if entry is not None:
            self.select_path(Path(entry.path))

    def on_bank_tree_listed(self, message: BankTree.Listed) -> None:
        tree = self.query_one(BankTree)
        if message.node is not tree.root or self.pending is None:
            return
        pending, self.pending = self.pending, None
        for node in message.node.children:
            if node.data is not None and node.data.path == pending:
                tree.move_cursor(node, animate=False)

    def on_bank_tree_unreadable(self, message: BankTree.Unreadable) -> None:
        self.show_error(f"Cannot open {shown_path(message.path)}: {message.reason}")

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        path = Path(event.path)
        if not path.exists():  # gone since the tree listed it (Textual calls it a file then)
            self.show_error(f"{shown_path(path)}: no such file or folder")
            return
        self.select_path(path)
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
        if self.running:
            return
        # Kept for the next opening, in a thread: a collection busy elsewhere is not waited
        # for on the way out.
        self.app.run_worker(partial(remember_import_folder, self.app.engine, str(self.folder)),
                            thread=True, group="remember-import-folder", exit_on_error=False)
        self.dismiss()

    def start(self, dry_run: bool) -> None:
        if self.running or self.outside(self.selected):
            return
        self.running = True
        self.refresh_bindings()
        for button in self.query(Button):
            button.disabled = True
        value = self.query_one("#import-format", Select).value
        fmt = None if value in ("auto", Select.BLANK) else str(value)
        self.show("", Content(f"{'Previewing' if dry_run else 'Importing'} "
                              f"{shown_path(self.selected)} ..."))
        self.run_import(self.selected, dry_run, fmt, self.folder)

    @work(thread=True, exclusive=True, group="import")
    def run_import(self, path: Path, dry_run: bool, fmt: str | None, folder: Path) -> None:
        from studyaws.core.decks.model import DeckError
        from studyaws.core.errors import StoreError
        from studyaws.services.importer import import_paths

        if not dry_run:  # a preview writes nothing; leaving the screen keeps the folder
            remember_import_folder(self.app.engine, str(folder))

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
        self.refresh_bindings()
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
    if report.empty:
        notes.append(("\nno cards: skipped (no deck made)\n", "bold $warning"))
        notes.extend(f"{display_path(path)}\n" for path in report.empty)
    if report.skipped:
        count = len(report.skipped)
        notes.append((f"\nskipped {count} block{'s' if count != 1 else ''}:\n",
                      "bold $warning"))
        notes.extend(_located(s.path, s.line, s.reason) + "\n" for s in report.skipped)
    return Content.assemble(*parts), Content.assemble(*notes)
