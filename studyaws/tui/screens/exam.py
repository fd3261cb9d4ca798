"""The timed mock exam (setting one up: exam_setup.py; its navigator, the review before
submitting, leaving and the confirmation: exam_modals.py; results, answer review and history:
exam_results.py). Every answer, flag and the
remaining time are saved as they happen, so a killed app resumes the same exam with the time
it had."""

from __future__ import annotations

import random

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from studyaws.core.domains import DOMAINS
from studyaws.core.exam.scoring import Result
from studyaws.core.exam.timer import ExamTimer
from studyaws.core.questions import (
    Choice,
    Numeric,
    Response,
    response_fits,
    response_from_dict,
    response_to_dict,
)
from studyaws.core.text import printable
from studyaws.services import exam as service
from studyaws.tui.saving import PendingSaves, SaveLine, card_name
from studyaws.tui.screens.exam_modals import (
    ConfirmScreen,
    LeaveExamScreen,
    NavigatorScreen,
    ReviewBeforeSubmitScreen,
)
from studyaws.tui.widgets.card_picture import CardPicture, question_texts
from studyaws.tui.widgets.card_text import CardText
from studyaws.tui.widgets.footer import KeysFooter
from studyaws.tui.widgets.header_text import joined
from studyaws.tui.widgets.question import after_typed_keys, feedback_content
from studyaws.tui.widgets.question_input import QuestionInput
from studyaws.tui.widgets.touch_bar import TouchBar


def format_clock(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.999))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


NARROW = 60  # columns: below, the title wraps


class ExamScreen(Screen):
    # Every key is a priority binding, so that keys act in the order they are typed (each
    # action runs before the next key is routed: see after_typed_keys); the number field
    # keeps what a number is typed with, and ←/→ are the exam's, not its cursor's. The keys
    # that answer (digits, ↑/↓, moving an item) are the question input's.
    BINDINGS = [
        Binding("left", "move(-1)", "Previous", id="exam.previous", priority=True),
        Binding("right", "move(1)", "Next", id="exam.next", priority=True),
        Binding("n", "move(1)", "Next", show=False, priority=True),
        Binding("p", "move(-1)", "Previous", show=False, priority=True),
        Binding("f", "flag", "Flag", id="exam.flag", priority=True),
        Binding("g", "navigator", "Navigator", id="exam.navigator", priority=True),
        Binding("r", "review", "Review", id="exam.review", priority=True),
        Binding("s", "submit", "Submit", id="exam.submit", priority=True),
        Binding("z", "pause", "Pause", id="exam.pause", priority=True),
        Binding("o", "open_picture", "Open picture", id="exam.open-picture", priority=True),
        Binding("enter", "enter", "Save / check", show=False, id="exam.enter", priority=True),
        Binding("escape", "leave", "Leave", id="exam.leave", priority=True),
        Binding("question_mark", "help", "Help", key_display="?", show=False, id="exam.help",
                priority=True),
    ]
    # While an answer waits to be saved, only these keys act; r retries it (saving.py).
    WHILE_SAVING = {"review", "leave"}
    HELP_TITLE = "Mock exam"
    HELP_NOTES = (
        ("1-9", "pick an option (a choice question)"),
        ("0-9 . -", "a numeric question: type the number; Enter saves it"),
        ("", "every answer, flag and the time left are saved as they happen: Escape"),
        ("", "leaves (save it for later, x on home resumes; or discard it)"),
    )
    DEFAULT_CSS = """
    #exam-header { height: 1; padding: 0 1; background: $boost; }
    #exam-title { width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    #exam-clock { width: auto; }
    /* A phone's width: the title wraps rather than losing its question number. */
    #exam-header.-narrow { height: auto; }
    #exam-header.-narrow #exam-title { text-wrap: wrap; height: auto; }
    #exam-status { height: auto; padding: 0 1; }
    #card { height: 1fr; padding: 0 2; max-width: 100; }
    #prompt { margin: 1 0 0 0; }
    #feedback { height: auto; margin: 1 0 0 0; padding: 0 1; }
    #feedback.right { border-left: thick $success; }
    #feedback.wrong { border-left: thick $error; }
    #keys { height: auto; padding: 0 1; background: $boost; }
    """

    # The buttons of the app served to a phone (studyaws.tui.served); the command palette
    # (More…) has the rest (navigator, review, pause).
    TOUCH_STEPS = [
        ("previous", "Prev", "move(-1)"),
        ("next", "Next", "move(1)"),
        ("flag", "Flag", "flag"),
        ("submit", "Submit", "submit"),
    ]
    TOUCH_MORE = [
        ("item-up", "↑ Move", "touch_move(-1)"),
        ("item-down", "↓ Move", "touch_move(1)"),
        ("check", "Check", "enter"),
        ("leave", "Leave", "leave"),
        ("more", "More…", "app.command_palette"),
    ]

    def __init__(self, exam: service.ExamView):
        super().__init__()
        self.exam = exam
        self.index = min(exam.current, len(exam.items) - 1)
        self.checked: set[int] = {i.position for i in exam.items if i.answered} \
            if exam.practice else set()
        self._shown_at = 0.0
        self._finishing = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="exam-header"):
            yield Static(id="exam-title")
            yield Static(id="exam-clock")
        yield Static(id="exam-status")
        with VerticalScroll(id="card"):
            yield CardText(id="prompt")
            yield CardPicture(id="picture")
            yield QuestionInput(enter="save", on_change=self._answer_changed)
            yield Static(id="feedback")
        yield SaveLine(id="save-status")
        yield Static(id="keys")
        if self.app.served is not None:  # a phone: every step a button
            yield TouchBar(self.TOUCH_STEPS, id="touch-steps")
            yield TouchBar(self.TOUCH_MORE, id="touch-more", line=True)
        yield KeysFooter()

    def on_resize(self) -> None:
        self.query_one("#exam-header").set_class(self.app.size.width < NARROW, "-narrow")

    def on_mount(self) -> None:
        self.on_resize()
        self.saves = PendingSaves(self, self.query_one("#save-status", SaveLine))
        self.countdown = ExamTimer(self.exam.time_limit_s, self.exam.remaining_s,
                                   self.app.clock.monotonic())
        self.show_question()
        self.timer = self.set_interval(1.0, self.tick)
        if self.exam.notice:
            self.notify(self.exam.notice, markup=False, timeout=8)

    def on_unmount(self) -> None:
        self.saves.stop()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        saves = getattr(self, "saves", None)
        if saves is not None and saves.waiting and action not in self.WHILE_SAVING:
            return False
        if action == "pause":
            return self.exam.practice  # a timed exam's clock does not pause: no such key
        if action == "open_picture":
            if self.app.served is not None:
                return False  # a viewer on the server's machine
            return bool(self.query_one(CardPicture).shown)
        return True

    def _answer_to(self, item: service.ExamItem) -> str:
        return (f"your answer to question {item.position + 1}, "
                f"{card_name(item.question.stem, item.source)}")

    # -- the clock (its rules: studyaws.core.exam.timer) -------------------------------------
    @property
    def remaining(self) -> float:
        return self.countdown.remaining()

    async def tick(self) -> None:
        if self._finishing:
            return
        self.countdown.advance(self.app.clock.monotonic())
        if self.saves.waiting:  # the clock runs; it is saved, or the exam ends, after that
            self._show_clock()
            return
        due = self.countdown.due()
        for warning in due.warnings:
            self.notify(f"{warning // 60} minutes left.", title="Time", severity="warning",
                        markup=False, timeout=6)
        if due.expired:
            await self.finish(auto=True)
            return
        if due.save:
            await self.save_clock()
        self._show_clock()

    async def save_clock(self, then=None) -> None:
        self.countdown.saved()
        await self.saves.save(
            "the exam's clock",
            lambda: service.save_clock(self.app.engine, self.exam.id, self.remaining,
                                       self.index),
            then or (lambda _: None))

    def _show_clock(self) -> None:
        style = "bold $error" if self.countdown.running_out else "bold"
        label = format_clock(self.remaining) + (" (paused)" if self.countdown.paused else "")
        self.query_one("#exam-clock", Static).update(Content.assemble(("⏱ ", ""), (label, style)))

    # -- showing -----------------------------------------------------------------------------
    @property
    def item(self) -> service.ExamItem:
        return self.exam.items[self.index]

    def show_question(self) -> None:
        item = self.item
        exam = self.exam
        self._shown_at = self.app.clock.monotonic()
        domain = DOMAINS.get(item.domain or "", item.domain or "")
        title = joined(
            Content.styled(f"{exam.blueprint.label} {'practice' if exam.practice else 'exam'}",
                           "bold"),
            f"Question {self.index + 1} of {len(exam.items)}",
            ("⚑ flagged", "bold $warning") if item.flagged else "",
            (printable(domain), "$foreground-muted"))
        self.query_one("#exam-title", Static).update(title)
        self._show_clock()
        self._show_status()
        self.query_one("#prompt", CardText).show(item.question.stem)
        self.query_one(CardPicture).show(question_texts(item.question))
        self.refresh_bindings()
        # Put back what was answered before (the exam may be resumed or revisited); not an
        # answer to options the deck no longer has (edited since).
        given = (response_from_dict(item.question, item.response)
                 if response_fits(item.question, item.response) else None)
        self.query_one(QuestionInput).show(item.question, random.Random(item.seed), given,
                                           locked=item.position in self.checked)
        self._show_feedback()
        self.query_one("#card", VerticalScroll).scroll_home(animate=False)
        self._show_keys()

    def _show_status(self) -> None:
        items = self.exam.items
        answered = sum(1 for i in items if i.answered)
        flagged = sum(1 for i in items if i.flagged)
        self.query_one("#exam-status", Static).update(Content.assemble(
            (f"Answered {answered}", "$success"), "  ·  ",
            (f"Flagged {flagged}", "$warning"), "  ·  ",
            (f"Unanswered {len(items) - answered}", "$foreground-muted"),
        ))

    def _show_feedback(self) -> None:
        feedback = self.query_one("#feedback", Static)
        item = self.item
        feedback.remove_class("right", "wrong")
        if item.position not in self.checked:
            feedback.display = False
            return
        right = bool(item.correct)
        feedback.update(feedback_content(right, item.question, item.explanation,
                                         item.source))
        feedback.add_class("right" if right else "wrong")
        feedback.display = True

    def _show_keys(self) -> None:
        """How to answer the question shown (the footer below lists the exam's keys)."""
        hint = self.query_one(QuestionInput).hint()
        if self.exam.practice:
            hint += " · Check checks the answer" if self.app.served is not None \
                else " · Enter checks the answer"
        self.query_one("#keys", Static).update(Content(hint))
        if self.query("#touch-steps"):
            self.query_one("#touch-steps", TouchBar).show("previous", "next", "flag", "submit",
                                                          chosen="flag" if self.item.flagged
                                                          else None)
            moves = ("item-up", "item-down") \
                if self.query_one(QuestionInput).takes_arrows else ()
            check = ("check",) if self.exam.practice and not self._locked() else ()
            self.query_one("#touch-more", TouchBar).show(*moves, *check, "leave", "more")

    async def action_touch_move(self, step: int) -> None:
        """The ↑ Move / ↓ Move buttons: the chosen item of an ordering (tap one to choose
        it) moves, as Shift+↑/↓ move it."""
        await self.query_one(QuestionInput).touch_move(step)

    # -- answering ----------------------------------------------------------------------------
    async def _save(self, response: dict | None, then=None) -> None:
        """Save the answer to the question shown; `then()` once it is saved."""
        item, index = self.item, self.index
        seconds = item.seconds + max(0.0, self.app.clock.monotonic() - self._shown_at)
        self._shown_at = self.app.clock.monotonic()
        now = self.app.clock.now()

        def work() -> None:
            service.save_answer(self.app.engine, self.exam.id, item, response, seconds, now)
            service.save_clock(self.app.engine, self.exam.id, self.remaining, index)

        async def saved(_result) -> None:
            self.countdown.saved()
            self._show_status()
            if then is not None:
                await then()

        await self.saves.save(self._answer_to(item), work, saved)

    def _locked(self) -> bool:
        return self.item.position in self.checked

    def _stored(self, response: Response | None) -> dict | None:
        return None if response is None else response_to_dict(self.item.question, response)

    async def _answer_changed(self, response: Response | None) -> None:
        """An option picked or an item moved: saved before the next key acts."""
        await self._save(self._stored(response))

    @after_typed_keys
    async def action_enter(self) -> None:
        question = self.item.question
        if self._locked():
            await self.go(self.index + 1)
            return

        async def saved() -> None:
            if not self.exam.practice:
                await self.go(self.index + 1)
                return
            if not self.item.answered:
                self.notify("Answer first, then Enter checks it.", markup=False)
                return
            problem = self.query_one(QuestionInput).problem()  # "choose N"
            if problem is not None:
                self.notify(problem, markup=False)
                return
            self.checked.add(self.item.position)
            self.show_question()

        if isinstance(question, Choice):
            await saved()  # its picks were saved as they were made
        else:
            await self._save(self._stored(self.query_one(QuestionInput).response()), saved)

    # -- navigation ---------------------------------------------------------------------------
    @after_typed_keys
    async def action_move(self, step: int) -> None:
        await self.go(self.index + step)

    async def go(self, index: int) -> None:
        if not 0 <= index < len(self.exam.items):
            if index >= len(self.exam.items):
                await self.action_review()
            return

        async def show() -> None:  # the next question shows once the answer is saved
            self.index = index
            await self.save_clock(lambda _: self.show_question())

        await self._keep_typed(show)

    async def _keep_typed(self, then) -> None:
        """Save a number typed but not saved yet (Enter or moving on saves it), then
        `then()`: the keys that act on the exam act on the answer as typed."""
        if isinstance(self.item.question, Numeric) and not self._locked():
            typed = self._stored(self.query_one(QuestionInput).response())
            if (typed or {}).get("text", "") != str((self.item.response or {}).get("text", "")):
                await self._save(typed, then)
                return
        await then()

    @after_typed_keys
    async def action_flag(self) -> None:
        item = self.item

        async def flag() -> None:
            await self.saves.save(
                f"the flag on question {item.position + 1}",
                lambda: service.set_flag(self.app.engine, self.exam.id, item, not item.flagged),
                lambda _: self.show_question())

        await self._keep_typed(flag)

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

    def action_pause(self) -> None:
        if not self.exam.practice:  # its key is not live then (check_action)
            return
        self.countdown.toggle_pause(self.app.clock.monotonic())
        self._show_clock()

    @after_typed_keys
    async def action_navigator(self) -> None:
        def jump(index: int | None) -> None:
            if index is not None:
                self.call_later(self.go, index)

        async def navigator() -> None:
            self.app.push_screen(NavigatorScreen(self.exam, self.index), jump)

        await self._keep_typed(navigator)

    @after_typed_keys
    async def action_review(self) -> None:
        if self.saves.waiting:  # r: try to save it again now
            self.saves.retry_now()
            return

        def done(choice: int | str | None) -> None:
            if choice == "submit":
                self.call_later(self.action_submit)
            elif isinstance(choice, int):
                self.call_later(self.go, choice)

        async def review() -> None:
            self.app.push_screen(ReviewBeforeSubmitScreen(self.exam), done)

        await self._keep_typed(review)

    @after_typed_keys
    async def action_submit(self) -> None:
        def confirmed(yes: bool | None) -> None:
            if yes:
                self.call_later(self.finish)

        async def ask() -> None:
            unanswered = sum(1 for i in self.exam.items if not i.answered)
            flagged = sum(1 for i in self.exam.items if i.flagged)
            self.app.push_screen(ConfirmScreen(
                f"Submit the exam? {unanswered} unanswered (they count as wrong and leave "
                f"their cards as they were), {flagged} flagged."), confirmed)

        await self._keep_typed(ask)

    @after_typed_keys
    async def action_leave(self) -> None:
        if self.saves.waiting:
            self.notify("An answer is not saved yet (the line above the keys says why): "
                        "wait for it, or press r to retry now.", severity="warning",
                        markup=False)
            return

        def chosen(choice: str | None) -> None:
            if choice == "save":
                self.call_later(self.save_and_leave)
            elif choice == "discard":
                self.call_later(self.ask_discard)

        async def ask() -> None:
            self.app.push_screen(LeaveExamScreen(self.exam, self.remaining), chosen)

        await self._keep_typed(ask)

    async def save_and_leave(self) -> None:
        def left(_result) -> None:
            self.notify("The exam is saved: press x on the home screen to resume it.",
                        markup=False, timeout=5)
            self.app.pop_screen()

        await self.save_clock(left)

    def ask_discard(self) -> None:
        answered = sum(1 for i in self.exam.items if i.answered)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.call_later(self.discard)

        self.app.push_screen(ConfirmScreen(
            f"Discard this exam? {'Its answer is' if answered == 1 else f'Its {answered} answers are'}"
            " thrown away: nothing of it stays in your schedule, stats or history."), confirmed)

    async def discard(self) -> None:
        if self._finishing:
            return
        self._finishing = True  # the clock stops: nothing more is saved for this exam
        self.timer.stop()

        def gone(_result) -> None:
            self.notify("The exam was discarded: nothing of it was kept.", markup=False,
                        timeout=5)
            self.app.pop_screen()

        def work() -> None:
            if service.running_exam(self.app.engine) == self.exam.id:
                service.discard_exam(self.app.engine, self.exam.id)
            # else: gone already (discarded from the command line): nothing left to do

        await self.saves.save("discarding the exam", work, gone)

    def _close_overlays(self) -> None:
        """Close what is open over the exam, so that what replaces it (the results) has
        under it what the exam had: its Enter goes home, not back to a finished exam."""
        app = self.app
        while self in app.screen_stack and app.screen is not self:
            app.pop_screen()

    async def finish(self, auto: bool = False) -> None:
        if self._finishing:
            return
        self._finishing = True
        self.timer.stop()
        self.exam.remaining_s = self.remaining

        def work() -> Result | None:
            service.save_clock(self.app.engine, self.exam.id, self.remaining, self.index)
            try:
                return service.finish_exam(self.app.engine, self.app.clock, self.exam)
            except service.ExamError:
                return None  # discarded meanwhile, from the command line

        def finished(result: Result | None) -> None:
            self._close_overlays()  # the time ran out under the navigator, the help...
            if result is None:
                self.notify("This exam was discarded (studyaws exam --discard) while it was "
                            "open: there is nothing to submit.", severity="warning",
                            markup=False, timeout=8)
                self.app.pop_screen()
                return
            if auto:
                self.notify("Time is up: the exam was submitted.", title="Time", markup=False,
                            timeout=8)
            from studyaws.tui.screens.exam_results import ExamResultScreen

            self.app.switch_screen(ExamResultScreen(self.exam, result))

        await self.saves.save("the exam's results", work, finished)
