"""The inline Markdown of card text (options, items to order, explanations) as spans of plain
text, each with the names of its marks: `code`, `em`, `strong`, `strike`, `link`, `url` (the
address of a link whose text says something else). The screens give each mark a style; the
text itself is never read as markup of any kind, so `[red]x[/]` stays as typed.

Read line by line (`lines`), so that the lines and their indentation stay as written, or
with the lines of each paragraph joined (`reflow`): a line's list marker (`- `, `* `, `+ `)
becomes a bullet `• ` and, with a numbered item's number, the line's `lead`, under which its
text does not wrap; a fenced code block (```) is kept line for line, in `code`; the rest of
each line is read by markdown-it-py's inline parser (CommonMark, with ~~strikethrough~~; no
HTML, so `<b>` stays as typed)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

BULLET = "• "
_LIST_ITEM = re.compile(r"^([ \t]*)(?:([-*+•])|(\d{1,9}[.)]))[ \t]+(?=\S)")
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")
_OWN_LINE = re.compile(r"^[ \t]*(#{1,6}[ \t]|\|)")  # a heading, a table's row
_MARKS = {"strong_open": "strong", "em_open": "em", "s_open": "strike", "link_open": "link"}
_CLOSING = {"strong_close": "strong", "em_close": "em", "s_close": "strike",
            "link_close": "link"}
CODE = frozenset({"code"})


@dataclass(frozen=True)
class Span:
    text: str
    marks: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Line:
    """One line as shown: `lead` (its indentation and list marker, `  • ` or `2. `) before
    its text, which wraps under itself (a hanging indent)."""

    lead: str
    spans: tuple[Span, ...]

    @property
    def text(self) -> str:
        return "".join(span.text for span in self.spans)


@cache
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("strikethrough")


def lines(text: str, *, reflow: bool = False) -> list[Line]:
    """`text` line by line. With `reflow`, the lines of a paragraph (a deck wraps its text
    at some width) are made one, and so are a list item's; blank lines, list items and
    fenced code keep their own lines."""
    found: list[Line] = []
    fenced = False
    joinable = False  # the last line may take the next one (reflow)
    raw: list[tuple[str, str, bool]] = []  # (lead, text, code)
    for line in text.split("\n"):
        if _FENCE.match(line):  # the fence's own line is not shown
            fenced = not fenced
            joinable = False
            continue
        if fenced:
            raw.append(("", line, True))
            continue
        item = _LIST_ITEM.match(line)
        if item:
            indent, bullet, number = item.groups()
            raw.append((indent + (BULLET if bullet else number + " "), line[item.end():],
                        False))
            joinable = reflow
        elif not line.strip():
            raw.append(("", "", False))
            joinable = False
        elif _OWN_LINE.match(line):
            raw.append(("", line.strip(), False))
            joinable = False
        elif joinable and raw:
            lead, previous, _ = raw[-1]
            raw[-1] = (lead, previous.rstrip() + " " + line.strip(), False)
        else:
            stripped = line.lstrip(" \t")
            raw.append(("" if reflow else line[:len(line) - len(stripped)], stripped, False))
            joinable = reflow
    for lead, line, code in raw:
        found.append(Line(lead, (Span(line, CODE),) if code and line else _inline(line)))
    return found


def spans(text: str) -> list[Span]:
    """`text` as spans of plain text with their marks; the spans' texts joined are the
    text as shown (Markdown syntax taken out, line breaks kept)."""
    found: list[Span] = []
    for n, line in enumerate(lines(text)):
        if n:
            found.append(Span("\n"))
        found.append(Span(line.lead))
        found.extend(line.spans)
    return _merged(found)


def _inline(line: str) -> tuple[Span, ...]:
    """One line's inline Markdown as spans."""
    if not line:
        return ()
    found: list[Span] = []
    tokens = _parser().parseInline(line)
    children = tokens[0].children if tokens and tokens[0].children is not None else []
    open_marks: list[str] = []
    links: list[tuple[str, bool, int]] = []  # (address, autolink, spans before its text)
    for token in children:
        kind = token.type
        marks = frozenset(open_marks)
        if kind in ("text", "text_special"):
            found.append(Span(token.content, marks))
        elif kind == "code_inline":
            found.append(Span(token.content, marks | {"code"}))
        elif kind in ("softbreak", "hardbreak"):
            found.append(Span(" ", marks))
        elif kind in _MARKS:
            open_marks.append(_MARKS[kind])
            if kind == "link_open":
                links.append((str(token.attrs.get("href", "")), token.markup == "autolink",
                              len(found)))
        elif kind in _CLOSING:
            name = _CLOSING[kind]
            if name in open_marks:  # the innermost one
                del open_marks[len(open_marks) - 1 - open_marks[::-1].index(name)]
            if kind == "link_close" and links:
                address, autolink, start = links.pop()
                shown = "".join(s.text for s in found[start:])
                if address and not autolink and address not in (shown, "mailto:" + shown):
                    found.append(Span(f" ({address})", marks - {"link"} | {"url"}))
        elif kind == "image":
            alt = "".join(child.content for child in token.children or []) or token.content
            address = str(token.attrs.get("src", ""))
            if address.startswith("media:"):  # a picture of the collection, shown beside
                found.append(Span(f"(picture{': ' + alt if alt else ''})", marks | {"em"}))
                continue
            found.append(Span(alt or "image", marks | {"link"}))
            if address:
                found.append(Span(f" ({address})", marks | {"url"}))
        else:  # anything else markdown-it may give: its text as written
            found.append(Span(token.content, marks))
    return tuple(_merged(found))


def _merged(found: list[Span]) -> list[Span]:
    """Neighbouring spans with the same marks made one; none empty."""
    merged: list[Span] = []
    for span in found:
        if not span.text:
            continue
        if merged and merged[-1].marks == span.marks:
            merged[-1] = Span(merged[-1].text + span.text, span.marks)
        else:
            merged.append(span)
    return merged


def plain(text: str) -> str:
    """The text as shown, without its marks."""
    return "".join(span.text for span in spans(text))
