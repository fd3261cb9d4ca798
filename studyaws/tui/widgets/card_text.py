"""Card text rendered as Markdown in one widget (tables, code, lists, emphasis).

Rich's Markdown renderable is used rather than Textual's Markdown widget: it parses
Markdown, never console markup, so `[red]` shows as typed, and it repaints in well under a
millisecond where the widget, which mounts a child per block, takes over ten. A text that is
one plain paragraph is rendered as Rich's Markdown renders it without its parser
(`plain_paragraph`), which is loaded when a card first needs it.
"""

from __future__ import annotations

from textual.widgets import Static

from studyaws.core.pictures import placeholders
from studyaws.core.text import printable
from studyaws.tui.widgets.plain_paragraph import PlainParagraph, is_plain


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
        self.update(rendered(printable(text, multiline=True)) if text else "")


def rendered(text: str):
    """`text` (card text, made printable) as a Rich renderable: Markdown, or the same
    output without the parser for a plain paragraph."""
    if is_plain(text):
        return PlainParagraph(text)
    from rich.markdown import Markdown

    return Markdown(text, code_theme="monokai", hyperlinks=False)
