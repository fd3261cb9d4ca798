"""Charts drawn with text: a calendar heatmap, a bar chart, and horizontal bars.

Everything is built as Content from plain strings and styles (never markup), sized to the
widget when it renders.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from textual.content import Content
from textual.widget import Widget

CELL = "■"
SHADES = ("#3b4252", "#0e4429", "#006d32", "#26a641", "#39d353")  # none, then 4 greens
EIGHTHS = " ▁▂▃▄▅▆▇█"
PARTS = " ▏▎▍▌▋▊▉█"
DAY_LABELS = ("Mon", "", "Wed", "", "Fri", "", "Sun")


def shade(count: int, busiest: int) -> int:
    """0 for no answers, else 1-4 by the share of the busiest day."""
    if count <= 0 or busiest <= 0:
        return 0
    return max(1, min(4, math.ceil(4 * count / busiest)))


def heatmap_content(counts: dict[date, int], end: date, weeks: int, cell: int = 1) -> Content:
    """Weeks as columns (the last one holds `end`), days as rows from Monday, a month name
    above the week each month starts in, and a legend. `cell` is 1 or 2 characters a week."""
    weeks = max(1, weeks)
    last_monday = end - timedelta(days=end.weekday())
    first_monday = last_monday - timedelta(weeks=weeks - 1)
    busiest = max((c for d, c in counts.items() if first_monday <= d <= end), default=0)
    months = [" "] * (weeks * cell + 3)
    last_label = -4
    for week in range(1, weeks):
        monday = first_monday + timedelta(weeks=week)
        new_month = monday.month != (monday - timedelta(weeks=1)).month
        if new_month and (week - last_label) * cell >= 4 and week * cell + 3 <= weeks * cell:
            months[week * cell:week * cell + 3] = list(f"{monday:%b}")
            last_label = week
    gap = " " * (cell - 1)
    parts: list = [("    " + "".join(months).rstrip(), "$foreground-muted"), "\n"]
    for weekday in range(7):
        parts.append((f"{DAY_LABELS[weekday]:<4}", "$foreground-muted"))
        for week in range(weeks):
            day = first_monday + timedelta(weeks=week, days=weekday)
            if day > end:
                break
            parts.append((CELL, SHADES[shade(counts.get(day, 0), busiest)]))
            parts.append(gap)
        parts.append("\n")
    parts.append(("    less ", "$foreground-muted"))
    for level in range(5):
        parts.extend([(CELL, SHADES[level]), gap])
    parts.append((" more" if cell == 1 else "more", "$foreground-muted"))
    return Content.assemble(*parts)


class CalendarHeatmap(Widget):
    """Answers a day as a calendar: weeks as columns, days as rows, shades by count."""

    DEFAULT_CSS = "CalendarHeatmap { height: 9; }"

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.counts: dict[date, int] = {}
        self.end = date.today()

    def set_data(self, counts: dict[date, int], end: date) -> None:
        self.counts, self.end = counts, end
        self.refresh()

    def render(self) -> Content:
        room = self.size.width - 4
        if room >= 2 * 52:
            return heatmap_content(self.counts, self.end, min(53, room // 2), cell=2)
        return heatmap_content(self.counts, self.end, min(53, max(1, room)))


def bar_chart_content(values: list[int], labels: dict[int, str], height: int, width: int,
                      highlight: int | None = 0) -> Content:
    """Vertical bars, one per value, scaled to the largest; eighth blocks for the tops."""
    count = max(1, len(values))
    bar = 2 if width >= 3 * count + 5 else 1
    step = bar + (1 if width >= (bar + 1) * count + 5 else 0)
    top = max(values, default=0)
    axis = max(4, len(str(top)) + 1)
    lines: list = []
    for row in range(height, 0, -1):
        label = str(top) if row == height else ("0" if row == 1 and top == 0 else "")
        lines.append((f"{label:>{axis - 1}} ", "$foreground-muted"))
        for index, value in enumerate(values):
            eighths = round(8 * height * value / top) if top else 0
            filled = min(8, max(0, eighths - 8 * (row - 1)))
            if value > 0 and row == 1 and filled == 0:
                filled = 1  # a day with any card shows at least a sliver
            style = "$warning" if index == highlight else "$success"
            lines.append((EIGHTHS[filled] * bar, style))
            lines.append(" " * (step - bar))
        lines.append("\n")
    axis_line = [" "] * (step * count)
    for index, text in labels.items():
        start = index * step
        if 0 <= start < len(axis_line):
            for offset, char in enumerate(text):
                if start + offset < len(axis_line):
                    axis_line[start + offset] = char
    lines.append((" " * axis + "".join(axis_line).rstrip(), "$foreground-muted"))
    return Content.assemble(*lines)


class BarChart(Widget):
    """A vertical bar chart of counts (the due forecast)."""

    DEFAULT_CSS = "BarChart { height: 7; }"

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.values: list[int] = []
        self.labels: dict[int, str] = {}

    def set_data(self, values: list[int], labels: dict[int, str]) -> None:
        self.values, self.labels = values, labels
        self.refresh()

    def render(self) -> Content:
        return bar_chart_content(self.values, self.labels, max(1, self.size.height - 1),
                                 self.size.width)


def hbar(fraction: float, width: int, style: str = "$success") -> Content:
    """A horizontal bar `width` cells long, filled to `fraction` (eighths of a cell)."""
    fraction = min(max(fraction, 0.0), 1.0)
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    filled = "█" * full + (PARTS[part] if part else "")
    return Content.assemble((filled, style), ("█" * (width - len(filled)), SHADES[0]))
