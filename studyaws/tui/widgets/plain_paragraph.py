"""Card text that is one plain paragraph, rendered as Rich's Markdown renders it, without
loading or running a Markdown parser (most cards' prompts and answers: `CardText`).

A text is plain when Markdown would read it as one paragraph of one run of text: one line,
no leading or trailing space, none of the characters that start inline Markdown (escapes,
code, emphasis, strike-through, links, HTML, entities, tables) and no start of a block
(a heading, a quote, a list item, a rule). Anything else goes to Rich's Markdown.
"""

from __future__ import annotations

import re

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

# What makes Markdown read a text as more than a paragraph of plain text.
_MARKUP = frozenset("\\`*_~[]<>&|\n\r\t\0")
_BLOCK_START = re.compile(r"[#>=+\-]|\d{1,9}[.)](?: |$)")


def is_plain(text: str) -> bool:
    """Whether Markdown reads `text` as one paragraph of one run of plain text."""
    return (bool(text) and text == text.strip() and _MARKUP.isdisjoint(text)
            and _BLOCK_START.match(text) is None)


class PlainParagraph:
    """A plain text (`is_plain`) as Rich's `Markdown` renders it: one paragraph, left
    justified, in the console's `markdown.paragraph` style."""

    def __init__(self, text: str):
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # As Markdown(style="none") does: the paragraph's style over the document's.
        style = console.get_style("none", default="none") + \
            console.get_style("markdown.paragraph", default="none")
        paragraph = Text(justify="left")
        paragraph.append(self.text, style)
        yield from console.render(paragraph, options.update(height=None))
