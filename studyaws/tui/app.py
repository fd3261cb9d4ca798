"""The studyaws Textual app."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import Engine
from textual.app import App
from textual.binding import Binding

from studyaws.clock import Clock
from studyaws.tui.commands import ScreenActions


class StudyApp(App):
    CSS_PATH = Path(__file__).parent / "app.tcss"
    TITLE = "studyaws"
    COMMANDS = App.COMMANDS | {ScreenActions}
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="quit", show=False)]

    def __init__(self, engine: Engine, clock: Clock | None = None, *, start: str = "home",
                 deck_id: int | None = None):
        super().__init__()
        self.engine = engine
        self.clock = clock or Clock()
        self.start = start
        self.start_deck = deck_id

    def on_mount(self) -> None:
        from studyaws.tui.screens.home import HomeScreen

        self.push_screen(HomeScreen())
        if self.start == "review":
            self.start_review(self.start_deck)

    def start_review(self, deck_id: int | None = None) -> None:
        from studyaws.tui.screens.review import ReviewScreen

        self.push_screen(ReviewScreen(deck_id))


def run_app(engine: Engine, start: str = "home", deck: str | None = None) -> int:
    deck_id = None
    if deck:
        from studyaws.store.queries import find_deck

        found = find_deck(engine, deck)
        if found is None:
            print(f"studyaws: no deck called {deck!r} (see: studyaws decks)", file=sys.stderr)
            return 1
        deck_id = found.id
    StudyApp(engine, start=start, deck_id=deck_id).run()
    return 0
