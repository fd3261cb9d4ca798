"""One exam question's answer, for the review after an exam: every option (in the order the
exam showed them) with the pick and the right ones marked, the order given against the right
one, or the number typed against the answer; then the explanation and the source. Built as
rows of Content from plain strings (card text is never markup; its inline Markdown shows as
styles), drawn by AnswerLines with each row's text wrapped under itself, not under its
marks."""

from __future__ import annotations

import random

from textual.content import Content
from textual.widgets import Static

from studyaws.core.questions import Choice, Numeric, Ordering, answer_text, parse_number
from studyaws.core.text import printable
from studyaws.tui.widgets.inline_text import inline_content, markdown_rows
from studyaws.tui.widgets.rows import Row, Rows

PICKED, NOT_PICKED = "●", "○"
MUTED = "$foreground-muted"


def shown_order(count: int, seed: int) -> list[int]:
    """The options' order on the exam's screen (OptionsView.setup shuffles by the seed)."""
    order = list(range(count))
    random.Random(seed).shuffle(order)
    return order


def _text(value: str, style: str = "") -> Content:
    """An option's or an item's text on one line, its inline Markdown as styles."""
    return inline_content(" ".join(value.split()), style)


def _row(marks, *text) -> Row:
    marks = marks if isinstance(marks, Content) else Content.assemble(*marks)
    return marks, Content.assemble(*text)


def choice_rows(question: Choice, response: dict | None, seed: int) -> list[Row]:
    """A row per option: ● picked / ○ not, ✓ right; a note where the pick was wrong or a
    right option was missed. Picks of options the question no longer has are listed too."""
    chosen = set((response or {}).get("chosen", []))
    rows = [_row([], ("Options ", "bold"),
                 (f"({PICKED} your pick, ✓ right"
                  + (f", choose {question.choose})" if question.multi else ")"), MUTED))]
    for position, index in enumerate(shown_order(len(question.options), seed), 1):
        picked, right = index in chosen, index in question.correct
        style = "$success" if right else ("$error" if picked else "")
        note: tuple = ("", "")
        if picked and not right:
            note = ("  ← your pick, not right", "$error")
        elif right and not picked and response is not None:
            note = ("  ← right, not picked", "$warning")
        rows.append(_row([f"  {PICKED if picked else NOT_PICKED} ",
                          ("✓ " if right else "  ", "bold $success"), f"{position}. "],
                         _text(question.options[index], style), note))
    for index in sorted(i for i in chosen if not 0 <= i < len(question.options)):
        rows.append(_row([f"  {PICKED}   "],
                         (f"option {index + 1} (no longer in the question)", "$error")))
    if response is None:
        rows.append(_row(["  "], ("Not answered: it counts as wrong.", "$error")))
    return rows


def ordering_rows(question: Ordering, response: dict | None) -> list[Row]:
    """Your order, each item marked in its place (✓) or not (✗, with where it belongs),
    then the right order."""
    items = question.items
    rows: list[Row] = []
    order = (response or {}).get("order")
    if order:
        rows.append(_row([], ("Your order", "bold")))
        for position, index in enumerate(order, 1):
            known = 0 <= index < len(items)
            right = known and index == position - 1
            name = (_text(items[index], "" if right else "$error") if known else
                    Content.styled(f"item {index + 1} (no longer in the question)", "$error"))
            if right:
                rows.append(_row(["  ", ("✓ ", "bold $success"), f"{position}. "], name))
            else:
                rows.append(_row(["  ", ("✗ ", "bold $error"), (f"{position}. ", "$error")],
                                 name,
                                 (f"  ← belongs at {index + 1}" if known else "", MUTED)))
    else:
        rows.append(_row([], ("Not answered: it counts as wrong.", "$error")))
    rows.append(_row([], ("Right order", "bold")))
    for position, item in enumerate(items, 1):
        rows.append(_row([(f"  {position}. ", "$success")], _text(item, "$success")))
    return rows


def numeric_rows(question: Numeric, response: dict | None) -> list[Row]:
    typed = str((response or {}).get("text", "")).strip()
    value = parse_number(typed) if typed else None
    if response is None or not typed:
        given: tuple = (("not answered (counts as wrong)", "$error"),)
    else:
        right = value is not None and abs(value - question.answer) <= question.tolerance + 1e-9
        given = ((printable(typed), "$success" if right else "$error"),
                 f" {printable(question.unit)}" if question.unit else "",
                 ("  ✓" if right else "  ✗", "bold $success" if right else "bold $error"),
                 ("  (not a number)" if value is None else "", MUTED))
    return [_row([("Your answer   ", "bold")], *given),
            _row([("Right answer  ", "bold")], (printable(answer_text(question)), "$success"))]


def answer_rows(question, response: dict | None, seed: int) -> list[Row]:
    """The rows showing the answer against the right one."""
    if isinstance(question, Choice):
        return choice_rows(question, response, seed)
    if isinstance(question, Ordering):
        return ordering_rows(question, response)
    return numeric_rows(question, response)


def review_rows(question, response: dict | None, seed: int, explanation: str, source: str,
                edited: bool) -> list[Row]:
    rows = answer_rows(question, response, seed)
    if edited:
        rows.append(_row([], ("This question was edited after this exam: your answer is shown "
                              "as given, against the question as it is now.", "$warning")))
    if explanation:
        rows.append(_row([], ""))
        rows += markdown_rows(explanation)
    rows.append(_row([], (f"Source: {printable(source)}", MUTED)))
    return rows


class AnswerLines(Static):
    """Rows of (marks, text), each text wrapped to the room left of its marks."""

    DEFAULT_CSS = "AnswerLines { height: auto; }"

    def __init__(self, rows: list[Row], **kwargs):
        super().__init__(Rows(rows), **kwargs)
        self.rows = rows

    @property
    def plain(self) -> str:
        """The text as shown at 80 columns (for tests and copying)."""
        return Rows(self.rows).plain
