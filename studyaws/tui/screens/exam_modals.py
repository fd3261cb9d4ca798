"""The mock exam's overlays: the navigator of every question, the review before submitting,
leaving (save or discard), and the yes/no confirmation."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from studyaws.core.text import printable
from studyaws.services import exam as service
from studyaws.tui.screens.modals import boxed
from studyaws.tui.widgets.rows import OneLine
from studyaws.tui.widgets.touch_bar import TouchBar


class NavigatorScreen(ModalScreen[int]):
    """Every question as a cell: answered, unanswered, flagged; arrows move, Enter jumps."""

    COLUMNS = 10
    BINDINGS = [
        Binding("escape,g", "dismiss", "Close"),
        Binding("left", "step(-1)", "Left", show=False),
        Binding("right", "step(1)", "Right", show=False),
        Binding("up", "step(-10)", "Up", show=False),
        Binding("down", "step(10)", "Down", show=False),
        Binding("enter", "jump", "Go to question"),
    ]
    DEFAULT_CSS = """
    #grid { height: auto; margin: 1 0; }
    """

    def __init__(self, exam: service.ExamView, current: int):
        super().__init__()
        self.exam = exam
        self.cursor = current

    def compose(self) -> ComposeResult:
        with boxed(Vertical(classes="modal-box"), "Questions"):
            yield Static(Content.assemble(("■ answered", "$success"), "  ",
                                          ("□ unanswered", "$foreground-muted"), "  ",
                                          ("⚑ flagged", "$warning")))
            yield Static(id="grid")
            yield Static(Content.assemble(("Arrows", "bold"), " move  ",
                                          ("Enter", "bold"), " goes to the question"),
                         classes="muted")

    def on_mount(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        parts: list = []
        for n, item in enumerate(self.exam.items):
            mark = "⚑" if item.flagged else ("■" if item.answered else "□")
            style = "$warning" if item.flagged else ("$success" if item.answered else "$foreground-muted")
            if n == self.cursor:
                style += " reverse"
            parts.append((f" {n + 1:>2}{mark} ", style))
            if (n + 1) % self.COLUMNS == 0:
                parts.append("\n")
        self.query_one("#grid", Static).update(Content.assemble(*parts))

    def action_step(self, step: int) -> None:
        self.cursor = max(0, min(len(self.exam.items) - 1, self.cursor + step))
        self.redraw()

    def action_jump(self) -> None:
        self.dismiss(self.cursor)


class ReviewBeforeSubmitScreen(ModalScreen):
    """Every question with its state; Enter goes to one, s submits."""

    BINDINGS = [
        Binding("escape", "dismiss", "Back to the exam"),
        Binding("s", "submit", "Submit"),
    ]
    DEFAULT_CSS = """
    #review-list { height: auto; max-height: 45vh; border: none; padding: 0; margin: 1 0 0 0; }
    #review-list:focus { border: none; }
    """

    def __init__(self, exam: service.ExamView):
        super().__init__()
        self.exam = exam

    def compose(self) -> ComposeResult:
        items = self.exam.items
        unanswered = sum(1 for i in items if not i.answered)
        flagged = sum(1 for i in items if i.flagged)
        with boxed(Vertical(classes="modal-box"), "Review before submitting",
                   "back to the exam"):
            yield Static(Content(f"{len(items) - unanswered} answered · {unanswered} "
                                 f"unanswered · {flagged} flagged"))
            yield OptionList(*[self._row(i) for i in items], id="review-list")
            yield Static(Content.assemble(("Enter", "bold"), " goes to the question  ",
                                          ("s", "bold"), " submits the exam"),
                         classes="muted")
            if self.app.served is not None:
                yield TouchBar([("submit", "Submit", "submit"),
                                ("back", "Back", "dismiss")], id="touch-steps")

    @staticmethod
    def _row(item: service.ExamItem) -> Option:
        """One line a question, its stem cut to the width there is. Its state in words and
        marks, not in colours, which the cursor's background would make unreadable."""
        state = ("✓ answered  ", "") if item.answered else ("✗ unanswered", "bold")
        stem = printable(" ".join(item.question.stem.split()))
        return Option(OneLine([
            Content.styled(f"{item.position + 1:>3}. ", "bold"), Content.styled(*state),
            Content(" ⚑ " if item.flagged else "   "), Content(stem)], give=3))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)

    def action_submit(self) -> None:
        self.dismiss("submit")


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question: y says yes, n or Escape no."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, title: str = "Are you sure?"):
        super().__init__()
        self.question = question
        self.title_text = title

    def compose(self) -> ComposeResult:
        with boxed(Vertical(classes="modal-box"), self.title_text, "no"):
            yield Static(Content(self.question))
            yield Static(Content.assemble("\n", ("y", "bold"), " yes   ",
                                          ("n", "bold"), " no"))
            if self.app.served is not None:
                yield TouchBar([("yes", "Yes", "answer(True)"),
                                ("no", "No", "answer(False)")], id="touch-steps")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class LeaveExamScreen(ModalScreen[str]):
    """Leaving a running exam: keep it for later, or throw it away."""

    BINDINGS = [
        Binding("s", "choose('save')", "Save and leave"),
        Binding("d", "choose('discard')", "Discard"),
        Binding("escape,c", "choose('')", "Cancel"),
    ]

    def __init__(self, exam: service.ExamView, remaining_s: float):
        super().__init__()
        self.exam = exam
        self.remaining_s = remaining_s

    def compose(self) -> ComposeResult:
        answered = sum(1 for i in self.exam.items if i.answered)
        minutes = max(0, round(self.remaining_s / 60))
        with boxed(Vertical(classes="modal-box"), "Leave the exam?", "cancel"):
            yield Static(Content.assemble(
                f"{answered} of {len(self.exam.items)} answered, {minutes} min left\n\n",
                ("s", "bold"), "    save and leave: x on the home screen resumes it\n",
                ("d", "bold"), "    discard it: nothing of it is kept\n",
                ("Esc", "bold"), "  cancel: back to the exam"))
            if self.app.served is not None:
                yield TouchBar([("save", "Save", "choose('save')"),
                                ("discard", "Discard", "choose('discard')"),
                                ("cancel", "Cancel", "choose('')")], id="touch-steps")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
