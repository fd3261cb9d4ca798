"""One exam question's answer, for the review after an exam: every option (in the order the
exam showed them) with the pick and the right ones marked, the order given against the right
one, or the number typed against the answer; then the explanation and the source. Built as
rows of Content from plain strings (card text is never markup), drawn by AnswerLines with
each row's text wrapped under itself, not under its marks."""

from __future__ import annotations

import random
import re

from textual.content import Content
from textual.widget import Widget

from studyaws.core.questions import Choice, Numeric, Ordering, answer_text, parse_number
from studyaws.core.text import printable

PICKED, NOT_PICKED = "●", "○"
MUTED = "$foreground-muted"

Row = tuple[Content, Content]  # (marks, text): the text wraps under itself


def shown_order(count: int, seed: int) -> list[int]:
    """The options' order on the exam's screen (OptionsView.setup shuffles by the seed)."""
    order = list(range(count))
    random.Random(seed).shuffle(order)
    return order


def _text(value: str) -> str:
    return printable(" ".join(value.split()))


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
                         (_text(question.options[index]), style), note))
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
            name = _text(items[index]) if known else f"item {index + 1} (no longer in the question)"
            if known and index == position - 1:
                rows.append(_row(["  ", ("✓ ", "bold $success"), f"{position}. "], name))
            else:
                rows.append(_row(["  ", ("✗ ", "bold $error"), (f"{position}. ", "$error")],
                                 (name, "$error"),
                                 (f"  ← belongs at {index + 1}" if known else "", MUTED)))
    else:
        rows.append(_row([], ("Not answered: it counts as wrong.", "$error")))
    rows.append(_row([], ("Right order", "bold")))
    for position, item in enumerate(items, 1):
        rows.append(_row([(f"  {position}. ", "$success")], (_text(item), "$success")))
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


_LIST_ITEM = re.compile(r"\s*([-*•]|\d+[.)])\s")


def reflow(text: str) -> list[str]:
    """The paragraphs of an explanation, each line break inside a paragraph made a space
    (decks wrap their text at some width); list items keep their own lines."""
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", printable(text, multiline=True).strip()):
        lines: list[str] = []
        for line in block.splitlines():
            if lines and not _LIST_ITEM.match(line):
                lines[-1] += " " + line.strip()
            else:
                lines.append(line.strip())
        paragraphs.extend(lines)
        paragraphs.append("")
    return paragraphs[:-1]


def review_rows(question, response: dict | None, seed: int, explanation: str, source: str,
                edited: bool) -> list[Row]:
    rows = answer_rows(question, response, seed)
    if edited:
        rows.append(_row([], ("This question was edited after this exam: your answer is shown "
                              "as given, against the question as it is now.", "$warning")))
    if explanation:
        rows.append(_row([], ""))
        rows += [_row([], paragraph) for paragraph in reflow(explanation)]
    rows.append(_row([], (f"Source: {printable(source)}", MUTED)))
    return rows


class AnswerLines(Widget):
    """Rows of (marks, text), each text wrapped to the room left of its marks."""

    DEFAULT_CSS = "AnswerLines { height: auto; }"

    def __init__(self, rows: list[Row], **kwargs):
        super().__init__(**kwargs)
        self.rows = rows
        self._wrapped: tuple[int, list[Content]] | None = None  # the layout and the paint ask

    def _lines(self, width: int) -> list[Content]:
        if self._wrapped is not None and self._wrapped[0] == width:
            return self._wrapped[1]
        lines: list[Content] = []
        for marks, text in self.rows:
            room = max(1, width - marks.cell_length)
            wrapped = text.wrap(room) if text.cell_length else [text]
            for n, part in enumerate(wrapped):
                lead = marks if n == 0 else Content(" " * marks.cell_length)
                lines.append(Content.assemble(lead, part))
        self._wrapped = (width, lines)
        return lines

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self._lines(width))

    def render(self) -> Content:
        return Content("\n").join(self._lines(self.size.width))

    @property
    def plain(self) -> str:
        """The text as shown at 80 columns (for tests and copying)."""
        return "\n".join(line.plain for line in self._lines(80))
