"""The title lines of the screens: parts joined by a separator, the empty ones left out (no
dangling `›` or `·`), on one line that cuts its longest part with an ellipsis."""

from __future__ import annotations

from textual.content import Content

from studyaws.core.text import printable
from studyaws.tui.widgets.rows import OneLine

MUTED = "$foreground-muted"
TOPIC_SEPARATOR = " > "  # how a card's topic path joins its headings (core.decks.model)


def joined(*parts: Content | tuple[str, str] | str, separator: str = "  ·  ") -> Content:
    """The parts that say something, with `separator` (muted) between them."""
    shown = [part if isinstance(part, Content) else
             Content.styled(*part) if isinstance(part, tuple) else Content(part)
             for part in parts]
    shown = [part for part in shown if part.plain.strip()]
    return Content.styled(separator, MUTED).join(shown)


def breadcrumb(deck_title: str, topic: str) -> OneLine:
    """`deck › heading › heading` on one line: the deck's title (bold) is cut first when it
    does not fit; a heading that only repeats the title, and empty ones, are left out."""
    deck = printable(deck_title).strip()
    headings = [printable(h).strip() for h in topic.split(TOPIC_SEPARATOR)]
    while headings and headings[0] in ("", deck):
        headings.pop(0)
    named = ([Content.styled(deck, "bold")] if deck else []) + [
        Content.styled(heading, MUTED) for heading in headings if heading]
    parts: list[Content] = []
    for part in named:
        parts += [Content.styled("  ›  ", MUTED), part] if parts else [part]
    return OneLine(parts or [Content("")], give=0, keep=16)
