"""Study more (`m` on home): extra new cards today, review ahead, the cards forgotten lately,
the misses of a mock exam, the cards a search finds. The menu, then a number (days, cards),
an exam or a search, then a review of those cards that can be left at any time (Escape):
only the answers given are written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from studyaws.core.exam.blueprints import label
from studyaws.services import study_more
from studyaws.services.review import CardSelection
from studyaws.tui.screens.modals import boxed

CHOICES = (
    ("new", "Extra new cards today", "raise today's new-card limit, for today only"),
    ("ahead", "Review ahead", "the cards in review due within the next N days"),
    ("forgotten", "Forgotten", "the cards answered Again in the last N days"),
    ("exam", "A mock exam's misses", "the questions missed or flagged in a mock exam"),
    ("search", "Cards matching a search", "the cards a search finds, as the browser's"),
)


class StudyMoreScreen(ModalScreen):
    """The menu: Enter (or 1-4) picks what to study."""

    BINDINGS = [
        Binding("escape,m", "dismiss", "Close"),
        *(Binding(str(n), f"pick({n - 1})", show=False) for n in range(1, len(CHOICES) + 1)),
    ]
    DEFAULT_CSS = """
    #more-choices { height: auto; max-height: 14; margin: 1 0 0 0; }
    """

    def compose(self) -> ComposeResult:
        with boxed(Vertical(classes="modal-box"), "Study more"):
            yield Static(Content("Beyond today's queue, scheduled as any review."))
            yield OptionList(*[
                Option(Content.assemble((f"{n}  ", "bold"), (title, "bold"), "\n   ",
                                        (what, "$foreground-muted")), id=key)
                for n, (key, title, what) in enumerate(CHOICES, 1)], id="more-choices")
            yield Static(Content.assemble(("↑/↓ Enter", "bold"), " or ",
                                          (f"1-{len(CHOICES)}", "bold"),
                                          " choose"), classes="muted")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.choose(event.option.id)

    def action_pick(self, index: int) -> None:
        self.choose(CHOICES[index][0])

    def choose(self, key: str | None) -> None:
        engine, clock = self.app.engine, self.app.clock
        if key == "new":
            self.app.push_screen(NumberScreen(
                "Extra new cards today", "How many more new cards today?", "cards", study_more.MAX_NEW, 10,
                lambda n: study_more.add_new_today(engine, clock, n)), self.new_cards_added)
        elif key == "ahead":
            self.app.push_screen(NumberScreen(
                "Review ahead", "The cards due within how many days?", "days",
                study_more.MAX_DAYS, 1,
                lambda n: study_more.review_ahead(engine, clock, n)), self.start)
        elif key == "forgotten":
            self.app.push_screen(NumberScreen(
                "Forgotten", "Answered Again in the last how many days? (1: today)", "days",
                study_more.MAX_DAYS, 1, lambda n: study_more.forgotten(engine, clock, n)), self.start)
        elif key == "exam":
            choices = study_more.exam_choices(engine)
            if not choices:
                self.notify("No mock exam is finished yet: take one first (x on home).",
                            markup=False)
                return
            self.app.push_screen(ExamChoiceScreen(choices), self.start)
        elif key == "search":
            self.app.push_screen(SearchChoiceScreen(), self.start)

    def new_cards_added(self, extra: int | None) -> None:
        if extra is None:
            return
        self.notify(f"Today's new-card limit is raised by {extra}, until the study day ends.",
                    markup=False, timeout=4)
        self.study(None)

    def start(self, selection: CardSelection | None) -> None:
        if selection is not None:  # None: left with Escape
            self.study(selection)

    def study(self, selection: CardSelection | None) -> None:
        """Close the menu and study: the selection, or (None) the daily review."""
        from studyaws.tui.screens.review import ReviewScreen

        app = self.app
        self.dismiss()
        app.push_screen(ReviewScreen(None, selection))


class NumberScreen(ModalScreen):
    """A number typed (1 to the service's most), handed to `make`; dismissed with what `make`
    gives, or None (Escape). What `make` refuses (StudyMoreError) is said in the box, which
    stays open."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close")]
    DEFAULT_CSS = """
    #more-number { width: 12; margin: 1 0 0 0; }
    #more-error { height: auto; color: $text-error; }
    """

    def __init__(self, title: str, question: str, unit: str, most: int, default: int,
                 make: Callable[[int], Any]):
        super().__init__()
        self.most = most
        self.title_text = title
        self.question = question
        self.unit = unit
        self.default = default
        self.make = make

    def compose(self) -> ComposeResult:
        with boxed(Vertical(classes="modal-box"), self.title_text, "back"):
            yield Static(Content(self.question))
            yield Input(str(self.default), type="integer", max_length=4, id="more-number")
            yield Static(id="more-error")
            yield Static(Content.assemble(("Enter", "bold"), f" start · 1 to {self.most} "
                                          f"{self.unit}"), classes="muted")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.query_one("#more-error", Static)
        text = event.value.strip()
        try:
            number = int(text)
        except ValueError:
            error.update(Content(f"Type a number of {self.unit}."))
            return
        try:
            made = self.make(number)
        except study_more.StudyMoreError as problem:
            error.update(Content(f"{str(problem)[:1].upper()}{str(problem)[1:]}."))
            return
        self.dismiss(made)


class ExamChoiceScreen(ModalScreen):
    """The finished mock exams, the latest first: Enter studies one's misses."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close")]
    DEFAULT_CSS = """
    #more-exams { height: auto; max-height: 16; margin: 1 0 0 0; }
    #more-error { height: auto; color: $text-error; }
    """

    def __init__(self, choices: list[study_more.ExamChoice]):
        super().__init__()
        self.choices = choices

    def compose(self) -> ComposeResult:
        zone = self.app.clock.local_zone()
        options = []
        for choice in self.choices:
            exam = choice.exam
            day = exam.started_at.astimezone(zone)
            misses = choice.misses
            options.append(Option(Content.assemble(
                (f"Exam {exam.id}", "bold"), f"  {day.day} {day:%b %Y}  ",
                f"{label(exam.preset)} {exam.mode}  {exam.correct}/{exam.total}  ",
                (f"{misses} to study" if misses else "nothing missed or flagged",
                 "$accent" if misses else "$foreground-muted")),
                id=str(exam.id), disabled=not misses))
        with boxed(Vertical(classes="modal-box"), "A mock exam's misses", "back"):
            yield Static(Content("The questions wrong, unanswered or flagged in the exam:"))
            yield OptionList(*options, id="more-exams")
            yield Static(id="more-error")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        try:
            selection = study_more.exam_misses(self.app.engine, self.app.clock,
                                               int(event.option.id))
        except study_more.StudyMoreError as problem:
            self.query_one("#more-error", Static).update(Content(str(problem)))
            return
        self.dismiss(selection)


class SearchChoiceScreen(ModalScreen):
    """A search typed (the browser's syntax): dismissed with the session of the cards it
    finds that can be studied now, or None (Escape). A search that cannot be read, or finds
    nothing to study, is said in the box, which stays open."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close")]
    DEFAULT_CSS = """
    #more-search { margin: 1 0 0 0; }
    #more-error { height: auto; color: $text-error; }
    """

    def compose(self) -> ComposeResult:
        with boxed(Vertical(classes="modal-box"), "Cards matching a search", "back"):
            yield Static(Content("Study the cards this search finds (as in the browser, /):"))
            yield Input(id="more-search", placeholder="deck:Networking is:review prop:r<0.8")
            yield Static(id="more-error")
            yield Static(Content.assemble(("Enter", "bold"), " start · words, \"a phrase\", "
                                          "deck:NAME, tag:, is:due, flag:1, -term, or"),
                         classes="muted")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            selection = study_more.matching(self.app.engine, self.app.clock, event.value)
        except study_more.StudyMoreError as problem:
            text = str(problem)
            self.query_one("#more-error", Static).update(
                Content(f"{text[:1].upper()}{text[1:]}."))
            return
        self.dismiss(selection)
