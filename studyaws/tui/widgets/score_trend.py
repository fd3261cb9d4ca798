"""The mock exam score trend: a bar per finished exam (oldest on the left) on the 100-1000
scale, with the scale on the left axis and each exam's pass line across. Drawn with text as
Content (never markup), sized to the widget."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.content import Content
from textual.widget import Widget

EIGHTHS = " ▁▂▃▄▅▆▇█"
LOW, HIGH = 100, 1000
PASS_LINE = "╌"


@dataclass(frozen=True)
class Score:
    started_at: datetime
    scaled: int
    pass_mark: int

    @property
    def passed(self) -> bool:
        return self.scaled >= self.pass_mark


def _row_of(value: int, height: int) -> int:
    """The row (0 at the bottom) whose span holds `value`; each row covers 900/height points."""
    share = (min(max(value, LOW), HIGH) - LOW) / (HIGH - LOW)
    return min(height - 1, int(share * height))


def trend_content(scores: list[Score], width: int, height: int = 9) -> Content:
    """Bars for the last exams that fit in `width`, `height` rows tall, a y axis labelled
    from 100 to 1000, the pass line of each exam, and the first and last dates below."""
    if not scores:
        return Content.styled("No finished exam yet.", "$foreground-muted")
    height = max(2, height)
    axis = 5  # "1000┤"
    room = max(1, width - axis - 12)
    step = 3 if room >= 3 * len(scores) else (2 if room >= 2 * len(scores) else 1)
    bar = max(1, step - 1)
    shown = scores[-max(1, room // step):]
    last_mark = shown[-1].pass_mark
    pass_row = _row_of(last_mark, height)
    # The top of every other row's span, from 1000 down (none next to the pass line, whose
    # row says the pass mark); 100 on the axis line.
    labels = {row: (LOW + (HIGH - LOW) * (row + 1) // height, "$foreground-muted")
              for row in range(height - 1, 0, -2) if abs(row - pass_row) > 1}
    labels[pass_row] = (last_mark, "$warning")
    parts: list = []
    for row in range(height - 1, -1, -1):
        label, label_style = labels.get(row, (None, ""))
        parts.append((f"{label:>4}" if label is not None else "    ", label_style))
        parts.append(("┤" if label is not None else "│", "$foreground-muted"))
        for n, score in enumerate(shown):
            eighths = round(8 * height * (score.scaled - LOW) / (HIGH - LOW))
            filled = min(8, max(0, eighths - 8 * row))
            if row == 0 and filled == 0:
                filled = 1  # the lowest score still shows a sliver
            line_here = _row_of(score.pass_mark, height) == row
            style = "$success" if score.passed else "$error"
            if filled:
                parts.append((EIGHTHS[filled] * bar, style))
            else:
                parts.append((PASS_LINE * bar if line_here else " " * bar, "$warning"))
            after = shown[n + 1] if n + 1 < len(shown) else None
            gap_line = line_here and (after is None or after.pass_mark == score.pass_mark)
            parts.append((PASS_LINE if gap_line else " ") * (step - bar)
                         if step > bar else "")
        if row == pass_row:
            parts.append((" pass", "$warning"))
        parts.append("\n")
    span = len(shown) * step
    parts.append((f"{LOW:>4}└" + "─" * span + "\n", "$foreground-muted"))
    first, last = (f"{d.day} {d:%b}" for d in (shown[0].started_at, shown[-1].started_at))
    dates = first if first == last else first + " " * max(1, span - len(first) - len(last)) + last
    parts.append(("     " + dates, "$foreground-muted"))
    hidden = len(scores) - len(shown)
    parts.append((f"\n     scaled scores (estimates), oldest left; {len(shown)} "
                  f"exam{'s' if len(shown) != 1 else ''}"
                  + (f", {hidden} older not shown" if hidden else ""), "$foreground-muted"))
    return Content.assemble(*parts)


class ScoreTrend(Widget):
    """trend_content, sized to the widget's width."""

    DEFAULT_CSS = "ScoreTrend { height: 12; }"

    def __init__(self, scores: list[Score], *, id: str | None = None):
        super().__init__(id=id)
        self.scores = scores

    def set_scores(self, scores: list[Score]) -> None:
        self.scores = scores
        self.display = bool(scores)
        self.refresh()

    def render(self) -> Content:
        return trend_content(self.scores, self.size.width, max(2, self.size.height - 3))
