"""The score trend drawn as text: a 100-1000 axis, the pass line, a bar per exam."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from studyaws.tui.widgets.score_trend import Score, trend_content

DAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def lines(scores, width=60, height=9) -> list[str]:
    return trend_content(scores, width, height).plain.splitlines()


def test_axis_labels_pass_line_and_bars():
    scores = [Score(DAY + timedelta(days=n), value, 720)
              for n, value in enumerate((100, 460, 720, 1000))]
    shown = lines(scores)
    assert shown[0].startswith("1000┤") and shown[9].startswith(" 100└")
    pass_row = next(line for line in shown if line.startswith(" 720┤"))
    assert pass_row.endswith(" pass") and "╌" in pass_row
    # Bars: the 1000 reaches the top row, the 100 only a sliver at the bottom.
    assert shown[0][5:].rstrip().endswith("██")
    assert shown[8][5:7] == "▁▁"
    assert "2 Mar" in shown[10] and "5 Mar" in shown[10]
    assert "4 exams" in shown[11]


def test_only_the_last_exams_that_fit_are_drawn_and_the_rest_counted():
    scores = [Score(DAY + timedelta(days=n), 500, 700) for n in range(40)]
    shown = lines(scores, width=40)
    assert "older not shown" in shown[-1]
    assert shown[2].startswith(" 700┤")  # the pass mark of the exams shown


def test_no_exam():
    assert trend_content([], 40).plain == "No finished exam yet."
