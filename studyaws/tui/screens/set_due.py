"""Set due date (the browser's d): days from today, or a range of days the cards are spread
over at random (services.card_actions). Dismissed with (first, last), or None (Escape)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from studyaws.services.card_actions import ActionError, parse_due_days
from studyaws.tui.screens.modals import boxed


class SetDueScreen(ModalScreen[tuple[int, int] | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="set-due.close")]
    DEFAULT_CSS = """
    #set-due-days { width: 14; margin: 1 0 0 0; }
    #set-due-error { height: auto; color: $text-error; }
    """

    def __init__(self, cards: int):
        super().__init__()
        self.cards = cards

    def compose(self) -> ComposeResult:
        cards = f"{self.cards} card{'' if self.cards == 1 else 's'}"
        with boxed(Vertical(classes="modal-box"), "Set due date", "back"):
            yield Static(Content(f"Due in how many days from today ({cards})? 0 is today; "
                                 "a range such as 0-7 spreads the cards over those days at "
                                 "random. A card in review keeps its stability."))
            yield Input("0", max_length=11, restrict=r"[0-9 \-]*", id="set-due-days")
            yield Static(id="set-due-error")
            yield Static(Content.assemble(("Enter", "bold"), " set · ", ("Esc", "bold"),
                                          " cancel"), classes="muted")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            days = parse_due_days(event.value)
        except ActionError as problem:
            text = str(problem)
            self.query_one("#set-due-error", Static).update(
                Content(f"{text[:1].upper()}{text[1:]}."))
            return
        self.dismiss(days)
