"""Card text with its inline Markdown shown as styles: `code`, *emphasis*, **strong**,
~~struck~~, links (underlined, with the address when the text says something else) and
bullets. The spans come from studyaws.core.inline_markdown as plain text: nothing of the card
is ever read as Textual markup."""

from __future__ import annotations

from textual.content import Content

from studyaws.core.inline_markdown import lines, spans
from studyaws.core.text import printable
from studyaws.tui.widgets.rows import Row

STYLES = {
    "code": "$text-accent",
    "em": "italic",
    "strong": "bold",
    "strike": "strike",
    "link": "underline",
    "url": "$foreground-muted",
}


def inline_content(text: str, style: str = "") -> Content:
    """`text` (card text) with its inline Markdown as styles, under `style`."""
    content = _assembled(spans(printable(text, multiline=True)))
    return content.stylize_before(style) if style else content


def _assembled(found) -> Content:
    return Content.assemble(*[(span.text, " ".join(STYLES[mark] for mark in sorted(span.marks)))
                              for span in found])


def markdown_rows(text: str, style: str = "", *, reflow: bool = True) -> list[Row]:
    """`text` (card text, several lines) as rows for `Rows`: each line's indentation and
    list marker as its marks, so that a list item wraps under its own text; with `reflow`,
    a paragraph's lines are joined and wrap to the width shown."""
    rows: list[Row] = []
    for line in lines(printable(text, multiline=True), reflow=reflow):
        text_part = _assembled(line.spans)
        rows.append((Content.styled(line.lead, style) if style else Content(line.lead),
                     text_part.stylize_before(style) if style else text_part))
    return rows
