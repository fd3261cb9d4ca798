"""Rows of (marks, text) drawn with a hanging indent: each text wraps to the room right of its
marks (an option's number, a pick, a tick), and its next lines start under its first
character, not under the marks. A Visual, so any Static shows it (`update(Rows(...))`) and
wraps it again whenever its width changes."""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

Row = tuple[Content, Content]  # (marks, text)


def hanging(marks: Content, text: Content, width: int) -> list[Content]:
    """One row's lines at `width`: the marks, then the text wrapped to the room left."""
    room = max(1, width - marks.cell_length)
    wrapped = text.wrap(room) if text.cell_length else [text]
    indent = Content(" " * marks.cell_length)
    return [Content.assemble(marks if n == 0 else indent, part)
            for n, part in enumerate(wrapped)]


class Rows(Visual):
    def __init__(self, rows: list[Row]):
        self.rows = rows
        self._wrapped: tuple[int, list[Content]] | None = None

    def lines(self, width: int) -> list[Content]:
        if self._wrapped is None or self._wrapped[0] != width:
            self._wrapped = (width, [line for marks, text in self.rows
                                     for line in hanging(marks, text, width)])
        return self._wrapped[1]

    def render_strips(self, width: int, height: int | None, style: Style,
                      options: RenderOptions) -> list[Strip]:
        # One Content, so that a selection's lines are counted as shown; each line fits the
        # width already, so nothing wraps again.
        return Content("\n").join(self.lines(width)).render_strips(width, height, style,
                                                                   options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max((marks.cell_length + max(cell_len(part) for part in text.plain.split("\n"))
                    for marks, text in self.rows), default=0)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self.lines(width))

    def __str__(self) -> str:
        """The rows' text, each row on a line of its own (not wrapped)."""
        return "\n".join(marks.plain + text.plain for marks, text in self.rows)

    @property
    def plain(self) -> str:
        """The text as shown at 80 columns (for tests and copying)."""
        return "\n".join(line.plain for line in self.lines(80))


class OneLine(Visual):
    """Parts of one line (a breadcrumb, a row of a list). When they do not fit, the part at
    `give` is cut first, with an ellipsis, down to `keep` cells; then the line's end, short
    of its last `tail` parts, which always show whole (a flag, a session's name)."""

    def __init__(self, parts: list[Content], give: int = 0, keep: int = 12, tail: int = 0):
        self.parts = parts
        self.give = give
        self.keep = keep
        self.tail = tail

    def line(self, width: int) -> Content:
        parts = list(self.parts)
        total = sum(part.cell_length for part in parts)
        if total > width and parts:
            flexible = parts[self.give]
            room = max(min(self.keep, flexible.cell_length),
                       width - (total - flexible.cell_length))
            parts[self.give] = flexible.truncate(room, ellipsis=True)
        split = len(parts) - self.tail
        head, tail = Content.assemble(*parts[:split]), parts[split:]
        room = max(0, width - sum(part.cell_length for part in tail))
        if head.cell_length > room:
            head = head.truncate(room, ellipsis=True)
        line = Content.assemble(head, *tail)
        return line.truncate(width, ellipsis=True) if line.cell_length > width else line

    def render_strips(self, width: int, height: int | None, style: Style,
                      options: RenderOptions) -> list[Strip]:
        if not width or height == 0:
            return []
        return self.line(width).render_strips(width, 1, style, options)[:1]

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return sum(part.cell_length for part in self.parts)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return 1

    def __str__(self) -> str:
        return "".join(part.plain for part in self.parts)
