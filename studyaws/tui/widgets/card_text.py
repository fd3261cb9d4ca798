"""Card text rendered as Markdown in one widget (tables, code, lists, emphasis).

Rich's Markdown renderable is used rather than Textual's Markdown widget: it parses
Markdown, never console markup, so `[red]` shows as typed, and it repaints in well under a
millisecond where the widget, which mounts a child per block, takes over ten.
"""

from __future__ import annotations

from rich.markdown import Markdown
from textual.widgets import Static

from studyaws.core.pictures import placeholders
from studyaws.core.text import printable


class CardText(Static):
    DEFAULT_CSS = """
    CardText {
        height: auto;
    }
    """

    def show(self, text: str) -> None:
        self.text = text
        if "](media:" in text:  # a picture is named here; CardPicture shows it
            text = placeholders(text)
        self.update(Markdown(printable(text, multiline=True), code_theme="monokai",
                             hyperlinks=False) if text else "")
