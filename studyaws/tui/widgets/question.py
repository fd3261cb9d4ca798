"""Objective question widgets: options to pick and items to order. Text is never markup."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import random

from textual import events
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from studyaws.core.text import printable
from studyaws.tui.widgets.inline_text import inline_content, markdown_rows
from studyaws.tui.widgets.rows import Row, Rows, hanging


def tapped_row(widget: Static, event: events.Click) -> int | None:
    """The row of the Rows a Static shows that a click fell on (rows wrap: each is as many
    lines as its text takes at the width)."""
    offset = event.get_content_offset(widget)
    rows = widget.visual
    if offset is None or not isinstance(rows, Rows):
        return None
    width = widget.content_size.width
    line = 0
    for position, (marks, text) in enumerate(rows.rows):
        line += len(hanging(marks, text, width))
        if offset.y < line:
            return position
    return None


class OptionsView(Static):
    """Options with number keys. `order[i]` is the question's option shown at position i."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.options: tuple[str, ...] = ()
        self.choose = 1
        self.order: list[int] = []
        self.picked: list[int] = []  # question option indexes, in the order picked
        self.correct: frozenset[int] | None = None

    def setup(self, options: tuple[str, ...], choose: int, rng: random.Random) -> None:
        """Show a new question's options, shuffled by `rng`."""
        self.options = options
        self.choose = choose
        self.order = list(range(len(options)))
        rng.shuffle(self.order)
        self.picked = []
        self.correct = None
        self.redraw()

    def toggle(self, position: int) -> bool:
        """Pick or unpick the option at `position`; False when nothing changed: no such
        option, the answer is shown, or "choose N" has its N already (a pick the user did
        not touch is never dropped for a new one)."""
        if self.correct is not None or not 0 <= position < len(self.order):
            return False
        option = self.order[position]
        if option in self.picked:
            self.picked.remove(option)
        elif self.choose == 1:
            self.picked = [option]
        elif len(self.picked) >= self.choose:
            return False
        else:
            self.picked.append(option)
        self.redraw()
        return True

    def show_answer(self, correct: frozenset[int]) -> None:
        self.correct = correct
        self.redraw()

    class Tapped(Message):
        """An option or an item was tapped (clicked): its position as shown."""

        def __init__(self, position: int):
            super().__init__()
            self.position = position

    def on_click(self, event: events.Click) -> None:
        position = tapped_row(self, event)
        if position is not None:
            self.post_message(self.Tapped(position))

    def redraw(self) -> None:
        rows = []
        number = len(str(len(self.order))) + 2
        for position, option in enumerate(self.order):
            picked = option in self.picked
            mark = ("(•)" if picked else "( )") if self.choose == 1 else ("[x]" if picked else "[ ]")
            style = "bold" if picked else ""
            suffix: tuple[str, str] | str = ""
            if self.correct is not None:
                if option in self.correct:
                    style = "bold $success"
                    suffix = ("  ✓ correct", "$success")
                elif picked:
                    style = "bold $error"
                    suffix = ("  ✗ your pick", "$error")
            rows.append((Content.styled(f"{position + 1:<{number}}{mark} ", style),
                         Content.assemble(inline_content(self.options[option], style), suffix)))
        self.update(Rows(rows))


class OrderingView(Static):
    """Items to put in order: up/down choose, shift+up/down (or K/J) move the chosen item."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.items: tuple[str, ...] = ()
        self.order: list[int] = []
        self.cursor = 0
        self.finished = False

    def setup(self, items: tuple[str, ...], rng: random.Random) -> None:
        """Show a new question's items, shuffled by `rng` out of their right order."""
        self.items = items
        self.order = list(range(len(items)))
        while len(items) > 1 and self.order == sorted(self.order):
            rng.shuffle(self.order)
        self.cursor = 0
        self.finished = False
        self.redraw()

    def move_cursor(self, step: int) -> None:
        if not self.finished:
            self.cursor = max(0, min(len(self.order) - 1, self.cursor + step))
            self.redraw()

    def move_item(self, step: int) -> None:
        target = self.cursor + step
        if self.finished or not 0 <= target < len(self.order):
            return
        self.order[self.cursor], self.order[target] = self.order[target], self.order[self.cursor]
        self.cursor = target
        self.redraw()

    def show_answer(self) -> None:
        self.finished = True
        self.redraw()

    def on_click(self, event: events.Click) -> None:
        """A tap chooses the item (the one Move up / Move down move)."""
        position = tapped_row(self, event)
        if position is not None and not self.finished:
            self.cursor = position
            self.redraw()

    def redraw(self) -> None:
        rows = []
        number = len(str(len(self.order))) + 2
        for position, item in enumerate(self.order):
            here = position == self.cursor and not self.finished
            style = "reverse" if here else ""
            suffix: tuple[str, str] | str = ""
            if self.finished:
                right = item == position
                style = "$success" if right else "$error"
                suffix = ("  ✓", "$success") if right else (f"  ✗ belongs at {item + 1}", "$error")
            rows.append((Content.styled(f"{position + 1}.".ljust(number), style),
                         Content.assemble(inline_content(self.items[item], style), suffix)))
        self.update(Rows(rows))


class NumberField(Input):
    """The field of a numeric question. It takes only what a number is typed with, so the
    screen's letter keys (flag, undo, context...) still work while it has focus."""

    def __init__(self, **kwargs):
        super().__init__(type="number", **kwargs)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return takes(character)

    def allow_focus(self) -> bool:
        return self.display and super().allow_focus()  # hidden: not a numeric question


def takes(character: str | None) -> bool:
    """Whether a number field takes this character (the others are the screen's keys)."""
    return character is not None and (character.isdigit() or character in ".-+")


def after_typed_keys(action):
    """For the action of a priority key (of a screen or a widget). Priority keys run at
    once, while digits typed before them may still wait in the number field's queue: let the
    field type them first, so that keys act in the order they were typed, whatever question
    shows by then."""

    @functools.wraps(action)
    async def run(node, *args):
        field = node.screen.focused
        if isinstance(field, NumberField) and asyncio.current_task() is not field._task:
            typed = asyncio.Event()
            field.call_later(typed.set)
            with contextlib.suppress(TimeoutError):  # a field that stopped handling messages
                await asyncio.wait_for(typed.wait(), 1.0)
        result = action(node, *args)
        if inspect.isawaitable(result):
            await result

    return run


def feedback_content(correct: bool, question, explanation: str, source: str,
                     seed: int | None = None, domains: str = "") -> Rows:
    """Right or wrong, the right answer, the explanation (its Markdown shown as styles, its
    paragraphs wrapped to the width, list items under their own text), where the card comes
    from and its exam domains."""
    from studyaws.core.questions import answer_text

    def row(*parts) -> Row:
        return Content(), Content.assemble(*parts)

    verdict = ("✓ Correct", "bold $success") if correct else ("✗ Not quite", "bold $error")
    rows = [row(verdict), row(), row("The answer:"),
            *markdown_rows(answer_text(question, lines=True), reflow=False)]
    if explanation:
        rows += [row(), *markdown_rows(explanation)]
    rows += [row(), row((f"Source: {printable(source)}", "$foreground-muted"),
                        (f" · variant {seed}", "$foreground-muted") if seed is not None else "")]
    if domains:
        rows.append(row((f"Domain: {printable(domains)}", "$foreground-muted")))
    return Rows(rows)
