"""The daily review: one card at a time, each answer committed before the next card shows."""

from __future__ import annotations

import functools
import inspect
import random
from typing import TYPE_CHECKING

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import ProgressBar, Rule, Static

from studyaws.core.questions import is_correct, response_to_dict
from studyaws.core.srs import policy
from studyaws.services.card_view import CardSelection, CardView
from studyaws.tui.saving import PendingSaves, SaveLine, card_name
from studyaws.tui.widgets.card_picture import CardPicture, question_texts
from studyaws.tui.widgets.card_text import CardText
from studyaws.tui.widgets.footer import KeysFooter
from studyaws.tui.widgets.header_text import breadcrumb
from studyaws.tui.widgets.question import after_typed_keys, feedback_content
from studyaws.tui.widgets.question_input import QuestionInput
from studyaws.tui.widgets.rows import OneLine, Rows
from studyaws.tui.widgets.touch_bar import TouchBar

if TYPE_CHECKING:
    from studyaws.services.first_card import FirstCard
    from studyaws.services.review import ReviewService

NARROW = 60  # columns: below, the bar at the top gives its room to the counts


def with_service(action):
    """For an action that needs the review service (to answer, to read the collection):
    while the screen shows its first card without one (`studyaws review` shows it before
    the collection is open: tui.app), the key is kept, and acts once the service is given,
    after those typed before it (the app goes on meanwhile: Ctrl+Q, a resize)."""

    @functools.wraps(action)
    async def run(screen, *args):
        if screen._service is None or screen._kept:
            screen._kept.append((action, args))
            return
        result = action(screen, *args)
        if inspect.isawaitable(result):
            await result

    return run


class ReviewScreen(Screen):
    # Every key is a priority binding, so that keys act in the order they are typed (each
    # action runs before the next key is routed: see after_typed_keys); the number field
    # keeps what a number is typed with. The keys that answer a question (digits, ↑/↓,
    # moving an item) are the question input's while it takes an answer.
    BINDINGS = [
        # Space and Enter do one thing in each state, and the footer says which: one binding
        # a state, those of the other states hidden (check_action).
        Binding("space", "reveal", "Show answer", key_display="Space", id="review.show-answer",
                priority=True),
        Binding("space", "good", "Good", key_display="Space", id="review.good", priority=True),
        Binding("space", "submit", "Submit", key_display="Space", id="review.submit",
                priority=True),
        Binding("space", "next", "Next", key_display="Space", id="review.next", priority=True),
        Binding("enter", "reveal", "Show answer", show=False, id="review.enter-show-answer",
                priority=True),
        Binding("enter", "good", "Good", show=False, id="review.enter-good", priority=True),
        Binding("enter", "submit", "Submit", show=False, id="review.enter-submit",
                priority=True),
        Binding("enter", "next", "Next", show=False, id="review.enter-next", priority=True),
        Binding("a", "give_up", "Reveal (Again)", id="review.give-up", priority=True),
        Binding("u", "undo", "Undo", id="review.undo", priority=True),
        Binding("s", "suspend", "Suspend", id="review.suspend", priority=True),
        Binding("b", "bury", "Bury", id="review.bury", priority=True),
        Binding("e", "context", "Context", id="review.context", priority=True),
        Binding("E", "edit", "Edit", id="review.edit", priority=True),
        Binding("f", "flag", "Flag", id="review.flag", priority=True),
        Binding("o", "open_picture", "Open picture", id="review.open-picture", priority=True),
        # Last before help: at 80 columns the footer leaves these out first (? shows them).
        Binding("i", "details", "Details", id="review.details", priority=True),
        Binding("slash", "browse", "Browse", key_display="/", id="review.browse",
                priority=True),
        Binding("question_mark", "help", "Help", key_display="?", id="review.help",
                priority=True),
        Binding("escape", "leave", "Home", id="review.home", priority=True),
        Binding("up", "scroll(-1)", "Scroll up", show=False, priority=True),
        Binding("down", "scroll(1)", "Scroll down", show=False, priority=True),
        *(Binding(str(n), f"digit({n})", show=False, priority=True) for n in range(1, 10)),
        Binding("r", "retry_save", "Retry saving", show=False, priority=True),
    ]
    HELP_TITLE = "Review"
    HELP_NOTES = (
        ("Space Enter", "a flashcard: show the answer, then Good; a question: submit, then"),
        ("", "the next card (the footer says which)"),
        ("1-9", "before submitting: pick an option of a choice question (again: unpick it)"),
        ("0-9 . -", "a numeric question: type the number, Enter submits"),
        ("a", "a question: see its answer without answering, counted as Again"),
        ("1 2 3 4", "after the answer: rate Again, Hard, Good, Easy (each shows its interval)"),
        ("", "objective questions: wrong is rated Again, right is Good, right within"),
        ("", "easy-seconds is Easy; press 1-4 after submitting to change the rating"),
        ("f 1-4, f 0", "flag the card red, orange, green or blue; take its flag off"),
    )
    # While an answer waits to be saved, only these keys act (studyaws.tui.saving).
    WHILE_SAVING = {"retry_save", "leave", "help", "context", "open_picture", "details"}
    DEFAULT_CSS = """
    #review-header { height: 1; padding: 0 1; background: $boost; }
    #review-bar { height: 1; padding: 0 1; }
    #review-bar ProgressBar { width: 30; }
    #review-counts { width: 1fr; content-align: right middle; }
    /* A phone's width: the counts first, whole; the bar gets what is left. */
    #review-bar.-narrow ProgressBar { width: 1fr; }
    #review-bar.-narrow Bar { width: 1fr; }
    #review-bar.-narrow PercentageStatus { display: none; }
    #review-bar.-narrow #review-counts { width: auto; padding: 0 0 0 1; }
    #card { height: 1fr; padding: 0 2; max-width: 100; }
    #prompt, #answer { margin: 1 0 0 0; }
    #answer-rule { margin: 0; color: $primary; }
    #feedback { height: auto; margin: 1 0 0 0; padding: 0 1; }
    #feedback.right { border-left: thick $success; }
    #feedback.wrong { border-left: thick $error; }
    #keys { height: auto; padding: 0 1; background: $boost; }
    """

    # The buttons of the app served to a phone (studyaws.tui.served): what Space, 1-4, f, u
    # and Escape do, and the command palette for the rest (suspend, bury, details ...).
    TOUCH_STEPS = [
        ("show", "Show answer", "reveal"),
        ("submit", "Submit", "submit"),
        ("item-up", "Move up", "touch_move(-1)"),
        ("item-down", "Move down", "touch_move(1)"),
        *((name.lower(), name, f"digit({rating})")
          for rating, name in policy.RATING_NAMES.items()),
        ("next", "Next", "next"),
    ]
    TOUCH_MORE = [
        ("flag", "Flag", "flag"),
        ("undo", "Undo", "undo"),
        ("home", "Home", "leave"),
        ("more", "More…", "app.command_palette"),
    ]

    def __init__(self, deck_id: int | tuple[int, ...] | None = None,
                 selection: CardSelection | None = None, first: FirstCard | None = None):
        """`first`: the first card, read on the light path (services.first_card) before
        the collection is open; the service that answers it is given later (attach)."""
        super().__init__()
        self.deck_id = deck_id
        self.selection = selection  # a temporary session (study more)
        self.first = first
        self._service: ReviewService | None = None
        self._kept: list = []  # keys typed before the service was given (with_service)
        self._parts: tuple | None = None  # its picture, question input and card (check_action)
        self.view: CardView | None = None
        self.revealed = False
        self.submitted = False
        self.shown_at = 0.0
        self.intervals: dict[int, str] = {}
        self.rated: int | None = None
        self.answer_seconds = 0.0
        self.last_response: dict | None = None
        self.last_correct: bool | None = None
        self.browsed = False  # the browser was opened over the review: read the card again

    def compose(self) -> ComposeResult:
        yield Static(id="review-header")
        with Horizontal(id="review-bar"):
            yield ProgressBar(id="progress", show_eta=False)
            yield Static(id="review-counts")
        with VerticalScroll(id="card"):
            yield CardText(id="prompt")
            yield CardPicture(id="picture")
            yield QuestionInput(enter="submit")
            yield Rule(id="answer-rule")
            yield CardText(id="answer")
            yield Static(id="feedback")
        yield SaveLine(id="save-status")
        yield Static(id="keys")
        if self.app.served is not None:  # a phone: every step a button
            yield TouchBar(self.TOUCH_STEPS, id="touch-steps")
            yield TouchBar(self.TOUCH_MORE, id="touch-more", small=("more",), line=True)
        yield KeysFooter()

    def on_resize(self) -> None:
        self.query_one("#review-bar").set_class(self.app.size.width < NARROW, "-narrow")

    @property
    def service(self) -> ReviewService:
        return self._service

    async def on_mount(self) -> None:
        self.saves = PendingSaves(self, self.query_one("#save-status", SaveLine))
        self.on_resize()
        if self.first is not None:  # its service comes once the collection is open
            await self.show(self.first.view)
            return
        from studyaws.services.review import ReviewService

        self.attach(ReviewService(self.app.engine, self.app.clock, self.deck_id,
                                  self.selection))
        await self.show_next()

    def attach(self, service: ReviewService) -> None:
        """The review service: made here, or, after a first card shown without it, given
        once the collection is open (its counts read, as its first card would have)."""
        self._service = service
        if self._kept:
            self.call_later(self._act_kept)

    async def _act_kept(self) -> None:
        """The keys kept until the service came, in order (and those typed meanwhile)."""
        while self._kept:
            action, args = self._kept[0]
            try:
                result = action(self, *args)
                if inspect.isawaitable(result):
                    await result
            except SkipAction:  # a digit that picks an option: the question input's key
                inputs = self.query(QuestionInput)
                if args and inputs and inputs.first().check_action("pick", args):
                    await inputs.first().action_pick(*args)
            self._kept.pop(0)

    def on_unmount(self) -> None:
        self.saves.stop()

    async def on_screen_resume(self) -> None:
        """Back from the browser (/): the same card, as it was shown, with what the browser
        may have changed (its flag, the counts). A card the browser suspended or buried is
        still the one shown: answer it, or go on with Space."""
        if not self.browsed:
            return
        self.browsed = False
        self.service.changed()  # the counts are read again
        if self.view is not None:
            self.view.flag = self.service.card(self.view.id, self.view.seed).flag
            self._show_header()
        self._update_counts()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        saves = getattr(self, "saves", None)
        if saves is not None and saves.waiting and action not in self.WHILE_SAVING:
            return False
        if action in ("reveal", "good", "submit", "next"):
            return action == self.step  # the others are hidden: the footer says this one
        if action in ("open_picture", "edit") and self.app.served is not None:
            return False  # a viewer or an editor on the server's machine
        parts = self._parts
        if parts is None and self.is_mounted:  # asked for every key at each refresh: kept
            try:
                parts = self._parts = (self.query_one(CardPicture),
                                       self.query_one(QuestionInput), self.query_one("#card"))
            except NoMatches:  # not composed yet
                parts = None
        if action == "open_picture":
            return bool(parts is not None and parts[0].shown)
        if action == "give_up":
            return self.view is not None and self.view.question is not None \
                and not self.submitted
        if action == "scroll":  # ↑/↓ choose an item of an ordering, or there is no scrolling
            return parts is not None and not parts[1].takes_arrows \
                and parts[2].max_scroll_y > 0
        return True

    @property
    def step(self) -> str | None:
        """What Space (and Enter) do now: show the answer of a flashcard then rate it Good;
        submit the answer to a question, then go on to the next card."""
        view = self.view
        if view is None:
            return None
        if view.question is None:
            return "good" if self.revealed else "reveal"
        return "next" if self.submitted else "submit"

    def action_retry_save(self) -> None:
        self.saves.retry_now()

    def _answer_to(self, view: CardView) -> str:
        return f"your answer to {card_name(view.prompt, view.source)}"

    # -- showing ----------------------------------------------------------------------------
    async def show_next(self) -> None:
        view = self.service.next_card()
        if view is None:
            self.finish()
            return
        await self.show(view)

    async def show(self, view: CardView) -> None:
        self.view = view
        self.revealed = False
        self.submitted = False
        self.rated = None
        self.shown_at = self.app.clock.monotonic()
        self._show_header()
        self.query_one("#prompt", CardText).show(view.prompt)
        self.query_one(CardPicture).show([view.prompt, *question_texts(view.question)])
        self.query_one(QuestionInput).show(
            view.question, random.Random(f"{view.id}:{view.memory.reps}:{view.seed}"))
        self.query_one("#answer-rule").display = False
        self.query_one("#answer", CardText).display = False
        feedback = self.query_one("#feedback", Static)
        feedback.display = False
        feedback.remove_class("right", "wrong")
        self.query_one("#card", VerticalScroll).scroll_home(animate=False)
        self._update_counts()
        self._update_keys()

    def _show_header(self) -> None:
        """The card's deck and topic, its flag (right), and a temporary session's name."""
        from studyaws.tui.screens.flag import flag_mark

        view = self.view
        crumbs = breadcrumb(view.deck_title, view.topic)
        ends = [Content("  "), flag_mark(view.flag)] if view.flag else []
        if self.selection is not None:
            ends = [Content.styled(f"  ·  {self.selection.title}", "$accent"), *ends]
        header = OneLine([*crumbs.parts, *ends], give=crumbs.give, keep=crumbs.keep,
                         tail=len(ends))
        self.query_one("#review-header", Static).update(header)

    def _update_counts(self) -> None:
        service = self._service
        if service is None:  # the first card, read before the collection was open
            counts, done = self.first.counts, 0
        else:
            counts = service.last_counts or service.counts()
            done = service.session.reviewed
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=max(1, done + counts.total), progress=done)
        self.query_one("#review-counts", Static).update(Content.assemble(
            (f"New {counts.new}", "$primary"), "  ",
            (f"Learning {counts.learning}", "$warning"), "  ",
            (f"Due {counts.review}", "$success"),
        ))

    def _update_touch(self) -> None:
        """The buttons of this step (served to a phone)."""
        bars = self.query("#touch-steps")
        if not bars:
            return
        view = self.view
        ratings = [policy.RATING_NAMES[r].lower() for r in policy.RATING_NAMES]
        if view is None:
            steps: tuple[str, ...] = ()
        elif view.question is not None and not self.submitted:
            moves = ("item-up", "item-down") \
                if self.query_one(QuestionInput).takes_arrows else ()
            steps = (*moves, "submit")
        elif view.question is not None:
            steps = (*ratings, "next")
        else:
            steps = tuple(ratings) if self.revealed else ("show",)
        chosen = policy.RATING_NAMES[self.rated].lower() if self.rated else None
        bar = bars.first(TouchBar)
        for rating, name in policy.RATING_NAMES.items():  # each with its interval under it
            interval = self.intervals.get(rating, "")
            bar.relabel(name.lower(), f"{name}\n{interval}" if interval else name)
        bar.show(*steps, chosen=chosen)
        # The buttons say what the keys line would (the ratings with their intervals), but
        # for a question's hint (choose N).
        self.query_one("#keys").display = "submit" in steps
        self.query_one("#touch-more", TouchBar).show("flag", "undo", "home", "more")

    async def action_touch_move(self, step: int) -> None:
        """The Move up / Move down buttons: the chosen item of an ordering (tap one to
        choose it) moves, as Shift+↑/↓ move it."""
        await self.query_one(QuestionInput).touch_move(step)

    def _update_keys(self) -> None:
        self.refresh_bindings()  # the footer names what Space does now
        self._update_touch()
        keys = self.query_one("#keys", Static)
        view = self.view
        if view is None:
            return
        if view.question is not None and not self.submitted:
            keys.update(Content(self.query_one(QuestionInput).hint()))
            return
        if not self.revealed and not self.submitted:
            keys.update(Content.assemble(("Space", "bold"), " show answer"))
            return
        parts: list = []
        for rating in (policy.AGAIN, policy.HARD, policy.GOOD, policy.EASY):
            style = "bold reverse" if rating == self.rated else "bold"
            parts.extend([(f" {rating} ", style),
                          f" {policy.RATING_NAMES[rating]} {self.intervals.get(rating, '')}   "])
        if self.submitted:
            parts.append(("Space", "bold"))
            parts.append(" next")
        keys.update(Content.assemble(*parts))

    # -- actions ------------------------------------------------------------------------------
    # Space and Enter: one action a state, each live only in its state (check_action).
    @after_typed_keys
    @with_service
    async def action_reveal(self) -> None:
        if self.step == "reveal":
            await self.reveal()

    @after_typed_keys
    @with_service
    async def action_good(self) -> None:
        if self.step == "good":
            await self.rate(policy.GOOD)

    @after_typed_keys
    @with_service
    async def action_submit(self) -> None:
        if self.step == "submit":
            await self.submit()

    @after_typed_keys
    @with_service
    async def action_next(self) -> None:
        if self.step == "next":
            await self.show_next()

    async def reveal(self) -> None:
        view = self.view
        self.revealed = True
        self.intervals = self.service.preview(view)
        self.query_one("#answer-rule").display = True
        answer = self.query_one("#answer", CardText)
        text = view.answer
        if view.explanation:
            text = f"{text}\n\n> {view.explanation.replace(chr(10), chr(10) + '> ')}"
        answer.show(text)
        answer.display = True
        self.query_one(CardPicture).show([view.prompt, text])
        self._update_keys()

    def _seconds(self) -> float:
        return max(0.0, self.app.clock.monotonic() - self.shown_at)

    async def rate(self, rating: int) -> None:
        view = self.view
        duration_ms = int(self._seconds() * 1000)

        async def rated(result) -> None:
            self._after_answer(result)
            await self.show_next()

        await self.saves.save(self._answer_to(view),
                              lambda: self.service.answer(view, rating, duration_ms), rated)

    def _after_answer(self, result) -> None:
        if result.became_leech:
            self.notify(
                f"This card has lapsed {result.memory.lapses} times: it is "
                "tagged as a leech and suspended. Rewrite it, then unsuspend it.",
                title="Leech", severity="warning", markup=False, timeout=8,
            )

    async def submit(self) -> None:
        view = self.view
        question = view.question
        response = self.query_one(QuestionInput).answer()  # None: it said what is missing
        if response is None:
            return
        seconds = self._seconds()
        correct = is_correct(question, response)
        rating = policy.suggested_rating(correct, seconds, self.service.settings.easy_seconds)
        await self._commit(rating, correct, response_to_dict(question, response), seconds)

    @after_typed_keys
    @with_service
    async def action_give_up(self) -> None:
        """`a`: the answer of a question, shown without an answer given: rated Again, as a
        wrong answer is (u undoes it, 1-4 change the rating, as after any answer)."""
        view = self.view
        if view is None or view.question is None or self.submitted:
            return
        await self._commit(policy.AGAIN, False, None, self._seconds(), gave_up=True)

    async def _commit(self, rating: int, correct: bool, stored: dict | None, seconds: float,
                      gave_up: bool = False) -> None:
        """Save the answer to the question shown, then show whether it was right and the
        right answer."""
        view = self.view
        self.intervals = self.service.preview(view)
        self.answer_seconds = seconds
        self.last_response = stored
        self.last_correct = correct

        def submitted(result) -> None:
            self.submitted = True
            self.rated = rating
            self._after_answer(result)
            self._show_feedback(correct, gave_up)
            self._update_keys()

        await self.saves.save(
            self._answer_to(view),
            lambda: self.service.answer(view, rating, int(seconds * 1000), correct=correct,
                                        response=stored),
            submitted)

    def _show_feedback(self, correct: bool, gave_up: bool = False) -> None:
        from studyaws.core.domains import domains_text  # not needed before an answer

        view = self.view
        question = view.question
        self.query_one(QuestionInput).show_answer()
        feedback = self.query_one("#feedback", Static)
        content = feedback_content(correct, question, view.explanation, view.source,
                                   view.seed, domains_text(view.domains, view.domain_inferred))
        if gave_up:
            content = Rows([(Content(), Content("The answer, shown without an answer given: "
                                                "rated Again.").stylize("bold $warning")),
                            *content.rows])
        feedback.update(content)
        feedback.add_class("right" if correct else "wrong")
        feedback.display = True
        self.query_one(CardPicture).show([view.prompt, *question_texts(question),
                                          view.explanation])
        # Scrolled into view from its verdict down, as much of it as fits (taller than the
        # card's room, its top stays on screen, not its end), once it is laid out: after two
        # refreshes (after one, it has no size yet).
        card = self.query_one("#card", VerticalScroll)

        def into_view() -> None:
            card.scroll_to_widget(feedback, animate=False)

        self.call_after_refresh(self.call_after_refresh, into_view)

    @after_typed_keys
    @with_service
    async def action_digit(self, number: int) -> None:
        """After the answer, rate it (1-4); before, the question input picks options."""
        view = self.view
        if view is None:
            return
        if view.question is not None and not self.submitted:
            raise SkipAction()
        if not 1 <= number <= 4:
            return
        if view.question is not None:
            await self.override(number)
        elif self.revealed:
            await self.rate(number)

    async def override(self, rating: int) -> None:
        """Replace the suggested rating of the objective answer just given."""
        if rating == self.rated:
            return
        view = self.view

        def rated(_result) -> None:
            self.rated = rating
            self._update_keys()

        async def undone(_card_id) -> None:
            await self.saves.save(
                self._answer_to(view),
                lambda: self.service.answer(view, rating, int(self.answer_seconds * 1000),
                                            correct=self.last_correct,
                                            response=self.last_response),
                rated)

        await self.saves.save(f"the change of rating of {self._answer_to(view)}", self.service.undo,
                              undone)

    @after_typed_keys
    @with_service
    async def action_undo(self) -> None:
        async def undone(card_id: int | None) -> None:
            self.service.last_counts = None
            if card_id is None:
                self.notify("Nothing to undo in this session.", markup=False)
                return
            await self.show(self.service.card(card_id))
            self.notify("Undone.", markup=False, timeout=2)

        await self.saves.save("the undo", self.service.undo, undone)

    @after_typed_keys
    @with_service
    async def action_suspend(self) -> None:
        if self.view is None:
            return
        if self.submitted:
            self.notify("Answered: press Space first, or u to undo.", markup=False)
            return
        view = self.view

        name = card_name(view.prompt, view.source)

        async def done(_result) -> None:
            self.notify(f"Suspended {name} (u to undo).", markup=False, timeout=3)
            await self.show_next()

        await self.saves.save(f"the suspension of {name}",
                              lambda: self.service.suspend(view.id), done)

    @after_typed_keys
    @with_service
    async def action_bury(self) -> None:
        if self.view is None:
            return
        if self.submitted:
            self.notify("Answered: press Space first, or u to undo.", markup=False)
            return
        view = self.view

        name = card_name(view.prompt, view.source)

        async def done(_result) -> None:
            self.notify(f"Buried {name} until tomorrow (u to undo).", markup=False, timeout=3)
            await self.show_next()

        await self.saves.save(f"the burial of {name}",
                              lambda: self.service.bury(view.id), done)

    @after_typed_keys
    @with_service
    async def action_flag(self) -> None:
        """`f`, then 1-4 (a colour) or 0 (none): the card's flag. Not an answer: u does not
        undo it; flagging again changes it."""
        if self.view is None:
            return
        from studyaws.services.flags import flag_name, set_flag
        from studyaws.tui.screens.flag import FlagScreen

        view = self.view
        name = card_name(view.prompt, view.source)

        async def chosen(flag: int | None) -> None:
            if flag is None or flag == view.flag:
                return

            def done(_result) -> None:
                view.flag = flag
                if self.view is view:
                    self._show_header()
                said = f"Flagged {flag_name(flag)}" if flag else "Flag taken off"
                self.notify(f"{said}: {name}.", markup=False, timeout=3)

            await self.saves.save(f"the flag of {name}",
                                  lambda: set_flag(self.app.engine, [view.id], flag), done)

        await self.app.push_screen(FlagScreen(view.flag), chosen)

    @after_typed_keys
    def action_scroll(self, step: int) -> None:
        self.query_one("#card", VerticalScroll).scroll_relative(y=step, animate=False)

    @after_typed_keys
    def action_context(self) -> None:
        if self.view is None:
            return
        from studyaws.tui.screens.modals import ContextScreen

        self.app.push_screen(ContextScreen(self.view))

    @after_typed_keys
    @with_service
    def action_edit(self) -> None:
        """E: edit the card in its file, which is imported again when the editor returns."""
        if self.view is not None and self.app.served is None:
            from studyaws.tui.editing import edit_at_source

            edit_at_source(self, self.view.id, self._edited)

    async def _edited(self, card_id: int | None) -> None:
        """The card edited, with its new text, as it was shown (its answer shown, or the
        answer given and its verdict); gone from its file, the next card."""
        self.service.changed()  # the import may have changed any card: counts read again
        shown = self.view
        if card_id is None or shown is None or shown.id != card_id:
            await self.show_next()
            return
        revealed, submitted, rated = self.revealed, self.submitted, self.rated
        view = self.service.card(card_id, shown.seed)
        await self.show(view)
        if submitted and view.question is not None:
            from studyaws.core.questions import response_from_dict

            self.submitted, self.rated = True, rated
            given = response_from_dict(view.question, self.last_response)
            self.query_one(QuestionInput).show(
                view.question, random.Random(f"{view.id}:{shown.memory.reps}:{view.seed}"),
                given, locked=True)
            self._show_feedback(bool(self.last_correct), gave_up=given is None)
            self._update_keys()
        elif revealed:
            await self.reveal()

    @after_typed_keys
    @with_service
    def action_details(self) -> None:
        """i: the card's details (its memory, source, every answer it was given)."""
        if self.view is None:
            return
        from studyaws.services.browse import card_details
        from studyaws.tui.screens.card_details import CardDetailsScreen

        details = card_details(self.app.engine, self.app.clock, self.view.id)
        self.app.push_screen(CardDetailsScreen(
            details, self.app.clock.local_zone(),
            hide_answer=not (self.revealed or self.submitted)))

    @after_typed_keys
    @with_service
    def action_browse(self) -> None:
        """/: the browser over the review, which Escape comes back to (the same card)."""
        from studyaws.tui.screens.browse import BrowseScreen

        self.browsed = True
        self.app.push_screen(BrowseScreen(over_review=True))

    @after_typed_keys
    def action_open_picture(self) -> None:
        if self.app.served is not None:
            return
        said = self.query_one(CardPicture).open()
        if said:
            self.notify(said, markup=False, timeout=4)

    @after_typed_keys
    def action_help(self) -> None:
        from studyaws.tui.screens.modals import HelpScreen

        self.app.push_screen(HelpScreen(self))

    @after_typed_keys
    @with_service
    def action_leave(self) -> None:
        if self.saves.waiting:
            self.notify("An answer is not saved yet (the line above the keys says why): "
                        "wait for it, or press r to retry now.", severity="warning",
                        markup=False)
            return
        self.app.go_home()

    def finish(self) -> None:
        from studyaws.tui.screens.summary import SummaryScreen

        self.app.switch_screen(SummaryScreen(self.service))
