"""The end of a review session: what was done, and what tomorrow holds."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from studyaws.services.review import ReviewService
from studyaws.tui.widgets.footer import KeysFooter


class SummaryScreen(Screen):
    BINDINGS = [
        Binding("enter,escape,space", "home", "Home", id="summary.home"),
        Binding("q", "app.quit", "Quit", id="summary.quit"),
    ]
    DEFAULT_CSS = """
    #summary-body { height: auto; padding: 1 2; }
    """

    def __init__(self, service: ReviewService):
        super().__init__()
        self.service = service

    def compose(self) -> ComposeResult:
        yield Static("Session complete", id="summary-title", classes="title-bar")
        yield Static(self._body(), id="summary-body")
        yield KeysFooter()

    def _body(self) -> Content:
        stats = self.service.session
        again = f"{round(100 * stats.again / stats.reviewed)}%" if stats.reviewed else "–"
        minutes, seconds = divmod(round(stats.seconds), 60)
        tomorrow = self.service.due_tomorrow()
        if stats.reviewed == 0:
            headline = "Nothing is due right now: every card is done for today."
        else:
            headline = "Well done. Every answer is saved."
        return Content.assemble(
            (headline, "bold"), "\n\n",
            ("Cards reviewed   ", "$foreground-muted"), str(stats.reviewed), "\n",
            ("Again rate       ", "$foreground-muted"), again, "\n",
            ("Time spent       ", "$foreground-muted"), f"{minutes}m {seconds:02d}s", "\n",
            ("Due tomorrow     ", "$foreground-muted"), str(tomorrow), "\n\n",
            ("Enter: back to home · q: quit", "$foreground-muted"),
        )

    def action_home(self) -> None:
        self.app.go_home()
