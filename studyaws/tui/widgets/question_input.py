"""The answer to an objective question, as the review and the exam take it: options picked
with their numbers, items put in order with the arrows, or a number typed. The widget owns
those keys, says how to use them, checks "choose N" and gives back a `Response`; what the
answer means (right or wrong, a rating, a saved exam answer) is its screen's business."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Literal

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget

from studyaws.core.questions import Choice, Numeric, Ordering, Question, Response
from studyaws.tui.widgets.question import (
    NumberField,
    OptionsView,
    OrderingView,
    after_typed_keys,
)

# What Enter does with the answer: "submit" it once (the review), or "save" it as it is
# (the exam, where picks and moves are saved as they happen). The key hint and the number
# field's placeholder say so.
EnterDoes = Literal["submit", "save"]

HINTS: dict[tuple[str, EnterDoes], str] = {
    ("one", "submit"): "Press an option's number, Enter to submit",
    ("many", "submit"): "Choose {choose}: press their numbers, Enter to submit",
    ("ordering", "submit"): "↑/↓ choose an item · Shift+↑/↓ (or K/J) move it · Enter to submit",
    ("numeric", "submit"): "Type the number and press Enter",
    ("one", "save"): "Press an option's number",
    ("many", "save"): "Choose {choose}: press their numbers",
    ("ordering", "save"): "↑/↓ choose an item · Shift+↑/↓ move it · Enter saves the order",
    ("numeric", "save"): "Type the number, Enter saves it",
}
# Served to a phone (studyaws.tui.served), the same with taps and the screen's buttons.
TOUCH_HINTS: dict[tuple[str, EnterDoes], str] = {
    ("one", "submit"): "Tap an option, then Submit",
    ("many", "submit"): "Choose {choose}: tap them, then Submit",
    ("ordering", "submit"): "Tap an item, move it with Move up/down, then Submit",
    ("numeric", "submit"): "Type the number, then Submit",
    ("one", "save"): "Tap an option",
    ("many", "save"): "Choose {choose}: tap them",
    ("ordering", "save"): "Tap an item, move it with ↑ Move / ↓ Move",
    ("numeric", "save"): "Type the number, Enter saves it",
}
PLACEHOLDERS: dict[EnterDoes, str] = {
    "submit": "type a number, Enter to submit",
    "save": "type a number, Enter to save",
}


class QuestionInput(Widget, can_focus=True):
    """Shows the input of a Choice, Ordering or Numeric question and takes the answer.

    Its keys are priority bindings (keys act in the order they are typed, like the screens'
    keys); they act while it, or its number field, has focus, and the screen's own binding
    of the same key comes first: a screen that also uses a key (↑/↓ to scroll, 1-4 to rate)
    leaves it to this input while `answering` (digits) or `takes_arrows` (↑/↓) say so."""

    DEFAULT_CSS = """
    QuestionInput {
        height: auto;
    }
    #options, #ordering { height: auto; margin: 1 0 0 2; }
    #numeric { width: 40; margin: 1 0 0 2; }
    """

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False, id="question.up", priority=True),
        Binding("down", "cursor(1)", "Down", show=False, id="question.down", priority=True),
        Binding("shift+up,K", "move_item(-1)", "Move item up", show=False, id="question.move-up",
                priority=True),
        Binding("shift+down,J", "move_item(1)", "Move item down", show=False,
                id="question.move-down", priority=True),
        *(Binding(str(n), f"pick({n})", show=False, priority=True) for n in range(1, 10)),
    ]

    def __init__(self, *, enter: EnterDoes = "submit",
                 on_change: Callable[[Response | None], Awaitable[None]] | None = None,
                 **kwargs):
        """`on_change(response)` is awaited after each pick and move (not after each
        typed character), before the next key acts."""
        super().__init__(**kwargs)
        self.enter = enter
        self.on_change = on_change
        self.question: Question | None = None
        self.locked = False

    def compose(self) -> ComposeResult:
        yield OptionsView(id="options")
        yield OrderingView(id="ordering")
        yield NumberField(placeholder=PLACEHOLDERS[self.enter], id="numeric")

    # -- showing ---------------------------------------------------------------------------
    def show(self, question: Question | None, rng: random.Random,
             given: Response | None = None, *, locked: bool = False) -> None:
        """Show `question` for a new showing (options shuffled by `rng`), with the answer
        `given` before put back, and take the answer from now on: focus comes here (or to
        the number field), so keys typed next are its own. `locked`: the answer is shown
        and cannot change. No question (a flashcard): nothing shows."""
        self.question = question
        self.locked = locked
        if question is None or locked:
            # First: a focused field that is disabled would hand its focus on.
            self._let_go_of_focus()
        self.display = question is not None
        options = self.query_one(OptionsView)
        ordering = self.query_one(OrderingView)
        field = self.query_one(NumberField)
        options.display = isinstance(question, Choice)
        ordering.display = isinstance(question, Ordering)
        field.display = isinstance(question, Numeric)
        if isinstance(question, Choice):
            options.setup(question.options, question.choose, rng)
            if given is not None:
                options.picked = sorted(given.chosen)
                options.redraw()
        elif isinstance(question, Ordering):
            ordering.setup(question.items, rng)
            if given is not None and given.order:
                ordering.order = list(given.order)
                ordering.redraw()
        if isinstance(question, Numeric):
            field.disabled = locked
            field.value = given.text if given is not None else ""
            field.cursor_position = len(field.value)  # typing goes on after it
        if locked:
            self.show_answer()
        elif isinstance(question, Numeric):
            # Now, not after a refresh (Widget.focus): digits typed right after the key that
            # brought this question are already on their way to the focused widget.
            self.screen.set_focus(field)
        elif question is not None:
            self.screen.set_focus(self, scroll_visible=False)

    def show_answer(self) -> None:
        """Mark the right options or items and take no more input."""
        question = self.question
        self.locked = True
        self._let_go_of_focus()  # first: a focused field that is disabled hands focus on
        if isinstance(question, Choice):
            self.query_one(OptionsView).show_answer(question.correct)
        elif isinstance(question, Ordering):
            self.query_one(OrderingView).show_answer()
        elif isinstance(question, Numeric):
            self.query_one(NumberField).disabled = True

    def _let_go_of_focus(self) -> None:
        focused = self.screen.focused
        if focused is not None and (focused is self or self in focused.ancestors):
            self.screen.set_focus(None)

    # -- what the screen asks --------------------------------------------------------------
    @property
    def answering(self) -> bool:
        """A question shows and its answer can still change."""
        return self.question is not None and not self.locked

    def allow_focus(self) -> bool:
        # Only while it takes picks or moves (a number goes to its field).
        return self.answering and not isinstance(self.question, Numeric)

    @property
    def takes_arrows(self) -> bool:
        """↑/↓ are this input's now (they choose an item to move)."""
        return self.answering and isinstance(self.question, Ordering)

    def hint(self) -> str:
        """How to answer the question shown, in a line."""
        question = self.question
        if isinstance(question, Choice):
            kind = "many" if question.multi else "one"
        elif isinstance(question, Ordering):
            kind = "ordering"
        elif isinstance(question, Numeric):
            kind = "numeric"
        else:
            return ""
        hints = TOUCH_HINTS if getattr(self.app, "served", None) is not None else HINTS
        return hints[kind, self.enter].format(choose=getattr(question, "choose", 1))

    def response(self) -> Response | None:
        """The answer as it stands; None while nothing is given (no option picked, no
        number typed). An order is always an answer."""
        question = self.question
        if isinstance(question, Choice):
            picked = self.query_one(OptionsView).picked
            return Response(chosen=frozenset(picked)) if picked else None
        if isinstance(question, Ordering):
            return Response(order=tuple(self.query_one(OrderingView).order))
        if isinstance(question, Numeric):
            text = self.query_one(NumberField).value.strip()
            return Response(text=text) if text else None
        return None

    def problem(self) -> str | None:
        """Why the answer cannot be submitted as it stands (the wrong number of options
        picked, no number typed); None when it can."""
        question = self.question
        if isinstance(question, Choice):
            picked = len(self.query_one(OptionsView).picked)
            if picked != question.choose:
                plural = "s" if question.choose > 1 else ""
                return f"Choose {question.choose} option{plural} (you picked {picked})."
        elif isinstance(question, Numeric) and self.response() is None:
            return "Type a number first."
        return None

    def answer(self) -> Response | None:
        """The answer to submit, or None after saying (a warning) why it cannot be."""
        problem = self.problem()
        if problem is not None:
            self.notify(problem, severity="warning", markup=False)
            return None
        return self.response()

    # -- keys ------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Its keys are live only while they do something (so the help and the palette offer
        # only those: no "Move item" on a numeric question); otherwise the key goes on to the
        # screen's binding of it. They wait when its screen's wait (an answer the screen
        # cannot go on without is not saved yet: studyaws.tui.saving).
        if action in ("cursor", "move_item") and not self.takes_arrows:
            return False
        if action == "pick" and not (self.answering and isinstance(self.question, Choice)):
            return False
        return self.screen.check_action(action, parameters)

    @after_typed_keys
    async def action_pick(self, number: int) -> None:
        """Pick (or unpick) the option shown with this number. A pick past "choose N" is
        refused, and said: the picks made stay as they are."""
        question = self.question
        if not self.answering or not isinstance(question, Choice):
            raise SkipAction()
        options = self.query_one(OptionsView)
        if options.toggle(number - 1):
            await self._changed()
        elif number <= len(options.order) and len(options.picked) >= question.choose > 1:
            self.notify(f"Choose {question.choose}: unpick one first (press its number "
                        "again).", severity="warning", markup=False)

    @after_typed_keys
    def action_cursor(self, step: int) -> None:
        if not self.takes_arrows:
            raise SkipAction()
        self.query_one(OrderingView).move_cursor(step)

    @after_typed_keys
    async def action_move_item(self, step: int) -> None:
        if not self.takes_arrows:
            raise SkipAction()
        self.query_one(OrderingView).move_item(step)
        await self._changed()

    # -- taps (the app served to a phone) ---------------------------------------------------
    async def on_options_view_tapped(self, event: OptionsView.Tapped) -> None:
        """A tapped option is picked (or unpicked) as its number key would."""
        event.stop()
        if self.answering and isinstance(self.question, Choice):
            await self.action_pick(event.position + 1)

    async def touch_move(self, step: int) -> None:
        """The Move up / Move down buttons: the chosen item moves, as Shift+↑/↓ move it."""
        if self.takes_arrows:
            await self.action_move_item(step)

    async def _changed(self) -> None:
        if self.on_change is not None:
            await self.on_change(self.response())
