"""The first frame of the app, painted before the collection is opened: the database
libraries, the collection and the first card are loaded behind it (StudyApp.opening)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static


class OpeningScreen(Screen):
    DEFAULT_CSS = """
    OpeningScreen { align: center middle; }
    OpeningScreen #opening { width: auto; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield Static("studyaws: opening your collection…", id="opening", markup=False)
