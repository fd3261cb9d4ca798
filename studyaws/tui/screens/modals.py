"""Small overlays: help, and a card's context with its source line."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

from studyaws.core.text import printable
from studyaws.services.review import CardView

HELP: list[tuple[str, list[tuple[str, str]]]] = [
    ("Review", [
        ("Space", "show the answer; after it, rate Good"),
        ("1 2 3 4", "rate Again, Hard, Good, Easy (each shows its next interval)"),
        ("Enter", "submit an objective question, or rate Good"),
        ("1-9", "before submitting: pick an option of a choice question"),
        ("↑ ↓", "choose an item of an ordering question"),
        ("Shift+↑ ↓, K J", "move the chosen item up or down"),
        ("u", "undo the last answer, suspension or burial (several steps)"),
        ("s", "suspend the card"),
        ("b", "bury the card until tomorrow"),
        ("e", "the card's context (its section's notes) and source line"),
        ("r", "an answer not saved yet (the line above the keys says why): retry now"),
        ("Escape", "back to home"),
        ("Ctrl+P", "command palette: every action by name"),
    ]),
    ("Objective questions", [
        ("", "wrong is rated Again, right is Good, right within easy-seconds is Easy;"),
        ("", "press 1-4 after submitting to change the rating before moving on"),
    ]),
    ("Home", [
        ("r", "review everything due"),
        ("Enter", "review the selected deck"),
        ("x", "mock exam: start one, or resume the one in progress"),
        ("t", "stats: heatmap, forecast, retention, mastery, readiness; o fits FSRS to you"),
        ("i", "import decks and question banks: pick a file or folder, preview, import"),
        ("s", "settings"),
        ("q", "quit"),
    ]),
    ("Import", [
        ("p", "preview: what the import would add, update and retire, and what it skips"),
        ("i", "import the selected file or folder"),
        ("Escape", "back to home"),
    ]),
]


def help_content() -> Content:
    parts: list = []
    for title, rows in HELP:
        parts.append((f"{title}\n", "bold $primary"))
        for key, action in rows:
            parts.append((f"  {key:<16}", "bold"))
            parts.append(f"{action}\n")
        parts.append("\n")
    return Content.assemble(*parts)


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="modal-box"):
            yield Static(help_content())


class ContextScreen(ModalScreen):
    BINDINGS = [Binding("escape,e,q", "dismiss", "Close")]

    def __init__(self, view: CardView):
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        view = self.view
        with VerticalScroll(classes="modal-box"):
            yield Static(Content.assemble(("Source  ", "bold"), view.source, "\n",
                                          ("Topic   ", "bold"), printable(view.topic) or "–"))
            yield Markdown(printable(view.context, multiline=True)
                           or "_This card's section has no notes._", open_links=False)
