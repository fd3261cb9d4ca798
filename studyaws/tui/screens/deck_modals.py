"""Renaming a deck from home: its title in a field to edit (`A::B` puts it under A)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from studyaws.core.text import printable
from studyaws.tui.screens.modals import boxed


class RenameDeckScreen(ModalScreen[str | None]):
    """The deck's title to edit: Enter gives the new title, Escape None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="rename.cancel")]
    DEFAULT_CSS = """
    #rename-title { margin: 1 0; }
    """

    def __init__(self, title: str):
        super().__init__()
        self.old_title = title

    def compose(self) -> ComposeResult:
        with boxed(Vertical(classes="modal-box"), "Rename deck", "cancel"):
            yield Static(Content.assemble("Rename ", (printable(self.old_title), "bold"), ":"))
            yield Input(printable(self.old_title), id="rename-title", select_on_focus=False)
            yield Static(Content.assemble(
                ("Enter", "bold"), " renames  ·  ", ("A::B", "bold"),
                " puts it under A  ·  imports of its file keep the new title"),
                classes="muted")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
