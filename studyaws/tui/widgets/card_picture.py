"""The pictures a card shows, inline where the terminal can (textual-image: Kitty's graphics,
Sixel, or coloured half blocks), with a line naming them; `o` opens them in the system viewer.

textual-image asks the terminal what it can draw when it is first imported, which it can do
only before Textual takes the terminal: `preload_pictures` imports it before the app runs
when the collection holds pictures, and nothing else on the way to the first screen does. A
picture that arrives later in a session (an import from the app) shows as its line only; in
tests and headless runs it is drawn in half blocks.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from studyaws.core.pictures import Picture, pictures
from studyaws.core.text import printable


def preload_pictures() -> None:
    """Import textual-image while the terminal can still answer its questions."""
    # No terminal to ask, or the package missing: pictures show as their lines.
    with contextlib.suppress(Exception):
        import textual_image.widget  # noqa: F401


def _image_class(headless: bool):
    """textual-image's widget class, or None when it cannot be used now."""
    if headless or "textual_image.widget" in sys.modules:
        try:
            from textual_image import widget
        except Exception:
            return None
        return widget.HalfcellImage if headless else widget.Image
    return None


def _decoded(path: Path):
    """The picture read whole (PIL), or None when it cannot be drawn (an SVG, a damaged
    file): then its line names it and `o` opens it."""
    try:
        from PIL import Image

        with Image.open(path) as image:
            image.load()
            return image.copy()
    except Exception:
        return None


def question_texts(question) -> list[str]:
    """The texts of a question that may name pictures: its stem, options, items."""
    if question is None:
        return []
    return [getattr(question, "stem", ""), *getattr(question, "options", ()),
            *getattr(question, "items", ())]


class CardPicture(Vertical):
    DEFAULT_CSS = """
    CardPicture { height: auto; margin: 1 0 0 0; display: none; }
    CardPicture.-shown { display: block; }
    CardPicture .picture-image { height: 8; width: auto; }
    CardPicture .picture-caption { height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown: list[tuple[Picture, Path | None]] = []
        self._image = None

    def compose(self) -> ComposeResult:
        yield Static(classes="picture-caption")

    def show(self, texts: Iterable[str]) -> None:
        """Show the pictures the texts name (none: the widget hides)."""
        found: dict[str, Picture] = {}
        for text in texts:
            if text and "](media:" in text:
                for picture in pictures(text):
                    found.setdefault(picture.name, picture)
        engine = self.app.engine
        if not found:
            self.shown = []
        elif engine is not None:
            from studyaws.services.media import picture_path

            self.shown = [(p, picture_path(engine, p.name)) for p in found.values()]
        else:  # the first card, shown before the collection is open (services.first_card)
            from studyaws.services.media_folder import picture_in

            folder = getattr(self.app, "media_folder", None)
            self.shown = [(p, picture_in(folder, p.name)) for p in found.values()]
        self.set_class(bool(self.shown), "-shown")
        if not self.shown:
            if self._image is not None:
                self._image.display = False
            return
        first = next((path for _, path in self.shown if path is not None), None)
        drawn = False
        image_class = _image_class(self.app.is_headless) if first is not None else None
        if image_class is not None:
            if self._image is None:
                self._image = image_class(classes="picture-image")
                self.mount(self._image, before=0)
            decoded = _decoded(first)
            self._image.image = decoded
            self._image.display = drawn = decoded is not None
        elif self._image is not None:
            self._image.display = False
        self.query_one(".picture-caption", Static).update(self._caption(drawn))

    def _caption(self, drawn: bool) -> Content:
        """What `o` does; the pictures named when there are several, or one is missing or
        not drawn (the card's text names each where it stands)."""
        if len(self.shown) == 1 and self.shown[0][1] is not None and drawn:
            return Content.styled("o opens the picture in your viewer", "$foreground-muted")
        parts: list = []
        for n, (picture, path) in enumerate(self.shown):
            if n:
                parts.append("  ")
            name = printable(picture.alt) or "picture"
            parts.append((f"Picture: {name}" if path else
                          f"Picture: {name} (missing from the collection)", "italic"))
        if not drawn and any(path for _, path in self.shown):
            parts.append(("  not drawn here", "$foreground-muted"))
        parts.append(("  o opens " + ("it" if len(self.shown) == 1 else "them"),
                      "$foreground-muted"))
        return Content.assemble(*parts)

    def open(self) -> str | None:
        """Open the pictures shown in the system viewer; the line to tell the user."""
        from studyaws.services.media import open_picture

        said = [open_picture(path) for _, path in self.shown if path is not None]
        if not self.shown:
            return None
        if not said:
            return "This card's picture is missing from the collection's media folder."
        return said[-1] if len(said) == 1 else f"{said[-1]} (and {len(said) - 1} more)"
