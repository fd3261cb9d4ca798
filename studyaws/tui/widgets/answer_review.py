"""One exam question's answer, for the review after an exam: every option (in the order the
exam showed them) with the pick and the right ones marked, the order given against the right
one, or the number typed against the answer. Built as Content from plain strings (card
text is never markup)."""

from __future__ import annotations

import random

from textual.content import Content

from studyaws.core.questions import Choice, Numeric, Ordering, answer_text, parse_number
from studyaws.core.text import printable

PICKED, NOT_PICKED = "●", "○"


def shown_order(count: int, seed: int) -> list[int]:
    """The options' order on the exam's screen (OptionsView.setup shuffles by the seed)."""
    order = list(range(count))
    random.Random(seed).shuffle(order)
    return order


def _text(value: str) -> str:
    return printable(" ".join(value.split()))


def choice_lines(question: Choice, response: dict | None, seed: int) -> list:
    """A line per option: ● picked / ○ not, ✓ right; a note where the pick was wrong or a
    right option was missed. Picks of options the question no longer has are listed too."""
    chosen = set((response or {}).get("chosen", []))
    parts: list = [("Options ", "bold"),
                   (f"({PICKED} your pick, ✓ right", "$foreground-muted"),
                   (f", choose {question.choose})\n" if question.multi else ")\n",
                    "$foreground-muted")]
    for position, index in enumerate(shown_order(len(question.options), seed), 1):
        picked, right = index in chosen, index in question.correct
        style = "$success" if right else ("$error" if picked else "")
        parts += [f"  {PICKED if picked else NOT_PICKED} ",
                  ("✓ " if right else "  ", "bold $success"),
                  (f"{position}. {_text(question.options[index])}", style)]
        if picked and not right:
            parts.append(("  ← your pick, not right", "$error"))
        elif right and not picked and response is not None:
            parts.append(("  ← right, not picked", "$warning"))
        parts.append("\n")
    for index in sorted(i for i in chosen if not 0 <= i < len(question.options)):
        parts += [f"  {PICKED}   ", (f"option {index + 1} (no longer in the question)", "$error"),
                  "\n"]
    if response is None:
        parts.append(("  Not answered: it counts as wrong.\n", "$error"))
    return parts


def ordering_lines(question: Ordering, response: dict | None) -> list:
    """Your order, each item marked in its place (✓) or not (✗, with where it belongs),
    then the right order."""
    items = question.items
    parts: list = []
    order = (response or {}).get("order")
    if order:
        parts.append(("Your order\n", "bold"))
        for position, index in enumerate(order, 1):
            known = 0 <= index < len(items)
            name = _text(items[index]) if known else f"item {index + 1} (no longer in the question)"
            if known and index == position - 1:
                parts += ["  ", ("✓ ", "bold $success"), f"{position}. {name}\n"]
            else:
                parts += ["  ", ("✗ ", "bold $error"), (f"{position}. {name}", "$error"),
                          (f"  ← belongs at {index + 1}" if known else "", "$foreground-muted"), "\n"]
    else:
        parts.append(("Not answered: it counts as wrong.\n", "$error"))
    parts.append(("Right order\n", "bold"))
    for position, item in enumerate(items, 1):
        parts.append((f"  {position}. {_text(item)}\n", "$success"))
    return parts


def numeric_lines(question: Numeric, response: dict | None) -> list:
    typed = str((response or {}).get("text", "")).strip()
    value = parse_number(typed) if typed else None
    parts: list = [("Your answer   ", "bold")]
    if response is None or not typed:
        parts.append(("not answered (counts as wrong)", "$error"))
    else:
        right = value is not None and abs(value - question.answer) <= question.tolerance + 1e-9
        parts += [(printable(typed), "$success" if right else "$error"),
                  (f" {printable(question.unit)}" if question.unit else "", ""),
                  ("  ✓" if right else "  ✗", "bold $success" if right else "bold $error")]
        if value is None:
            parts.append(("  (not a number)", "$foreground-muted"))
    parts += ["\n", ("Right answer  ", "bold"),
              (printable(answer_text(question)), "$success"), "\n"]
    return parts


def answer_content(question, response: dict | None, seed: int) -> list:
    """The parts (for Content.assemble) showing the answer against the right one."""
    if isinstance(question, Choice):
        return choice_lines(question, response, seed)
    if isinstance(question, Ordering):
        return ordering_lines(question, response)
    return numeric_lines(question, response)


def review_body(question, response: dict | None, seed: int, explanation: str, source: str,
                edited: bool) -> Content:
    parts = answer_content(question, response, seed)
    if edited:
        parts += [("This question was edited after this exam: your answer is shown as given, "
                   "against the question as it is now.\n", "$warning")]
    if explanation:
        parts += ["\n", printable(explanation, multiline=True), "\n"]
    parts += [(f"Source: {printable(source)}", "$foreground-muted"), "\n"]
    return Content.assemble(*parts)
