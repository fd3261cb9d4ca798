"""A card's file, edited, no longer reads: what is wrong in it (`path:line: problem`), and the
choice to edit it again at that line or to leave the collection as it was."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from studyaws.core.decks.model import Problem
from studyaws.core.text import printable
from studyaws.tui.screens.modals import boxed

SHOWN = 20  # problems listed; the others are counted


def problem_line(problem: Problem) -> str:
    """`path:line: problem`, the path as short as it can be said."""
    from studyaws.services.review import display_path

    where = display_path(problem.path)
    where = f"{where}:{problem.line}" if problem.line > 0 else where
    return printable(f"{where}: {problem.message}")


class EditErrorScreen(ModalScreen[str]):
    """Dismissed with "edit" (open the editor again, at the first problem's line) or ""
    (keep the collection as it was: nothing of the edit was imported)."""

    BINDINGS = [
        Binding("e", "choose('edit')", "Edit again", id="edit-error.edit"),
        Binding("escape", "choose('')", "Keep the collection as it was",
                id="edit-error.keep"),
    ]
    DEFAULT_CSS = """
    #edit-error-problems { height: auto; max-height: 12; margin: 1 0; }
    """

    def __init__(self, problems: list[Problem]):
        super().__init__()
        self.problems = problems

    def compose(self) -> ComposeResult:
        lines = [problem_line(p) for p in self.problems[:SHOWN]]
        more = len(self.problems) - SHOWN
        if more > 0:
            lines.append(f"... and {more} more")
        with boxed(Vertical(classes="modal-box"), "The edited file does not read",
                   "keep the collection as it was"):
            yield Static(Content("Nothing of this edit was imported: the collection is as it "
                                 "was before it."))
            with VerticalScroll(id="edit-error-problems"):
                yield Static(Content("\n".join(lines)).stylize("$error"))
            yield Static(Content.assemble(
                ("e", "bold"), "    edit the file again, at this line\n",
                ("Esc", "bold"), "  keep the collection as it was (the file keeps the edit)"))

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
