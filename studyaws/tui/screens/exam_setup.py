"""Setting up a mock exam (x on home when none is running): the preset, the number of
questions and minutes, a deck, a domain, exam or practice mode, or a retake of the questions
wrong (or wrong and flagged) in a past exam. One field at a time: ↑/↓ choose a field, ←/→
change it, digits type a number, Enter starts, Escape cancels. Whatever is wrong is said on
the screen."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from studyaws.core.domains import DOMAINS
from studyaws.core.exam.blueprints import PRESETS, Blueprint
from studyaws.core.text import printable
from studyaws.services import exam as service
from studyaws.tui.widgets.footer import KeysFooter
from studyaws.tui.widgets.touch_bar import TouchBar

MAX_QUESTIONS = 500
MAX_MINUTES = 600


@dataclass
class Options:
    """A field's choices: (value, label) pairs and the one chosen."""

    options: list[tuple[object, str]]
    index: int = 0

    @property
    def value(self):
        return self.options[self.index][0] if self.options else None

    @property
    def label(self) -> str:
        return self.options[self.index][1] if self.options else ""

    def step(self, by: int) -> None:
        if self.options:
            self.index = (self.index + by) % len(self.options)


FIELDS = ("preset", "questions", "minutes", "deck", "domain", "mode", "source", "flagged")
LABELS = {"preset": "Exam", "questions": "Questions", "minutes": "Minutes", "deck": "Deck",
          "domain": "Domain", "mode": "Mode", "source": "Questions from",
          "flagged": "Also flagged"}
HELP = {
    "preset": "←/→ the exam: its length, time, pass mark and domain weights",
    "questions": "type how many questions (1-500); Backspace deletes",
    "minutes": "type the time limit in minutes (1-600); until then, the exam's pace",
    "deck": "←/→ only questions from one deck, or all",
    "domain": "←/→ only questions of one domain, or the exam's weights over all",
    "mode": "←/→ exam: no feedback until the end · practice: feedback each question, z pauses",
    "source": "←/→ a new draw, or only the questions wrong in a past exam (newest first)",
    "flagged": "←/→ with a retake: also the questions you flagged",
}
RETAKE_ONLY = {"flagged"}
NEW_ONLY = {"preset", "questions", "deck", "domain"}


class ExamSetupScreen(Screen[int]):
    """Dismissed with the id of the exam it started, or None when cancelled."""

    # Priority bindings: the scrolling container would take the arrows otherwise.
    BINDINGS = [
        Binding("enter", "start", "Start", id="setup.start", priority=True),
        Binding("escape", "cancel", "Cancel", id="setup.cancel", priority=True),
        Binding("up,shift+tab", "field(-1)", "Field", key_display="↑↓", id="setup.up",
                priority=True),
        Binding("down,tab", "field(1)", "Field", show=False, priority=True),
        Binding("left", "change(-1)", "Change", key_display="←→", id="setup.change",
                priority=True),
        Binding("right,space", "change(1)", "Change", show=False, priority=True),
        Binding("backspace", "erase", "Erase", show=False, priority=True),
        *(Binding(str(n), f"type({n})", show=False, priority=True) for n in range(10)),
        Binding("question_mark", "help", "Help", key_display="?", id="setup.help",
                priority=True),
    ]
    HELP_TITLE = "Set up a mock exam"
    HELP_NOTES = (("0-9", "type the number of questions or minutes"),)
    DEFAULT_CSS = """
    #setup-body { height: 1fr; padding: 0 1; }
    #setup-form { height: auto; margin: 1 0 0 0; }
    .setup-row { height: auto; }
    .setup-label { width: 18; height: auto; }
    .setup-value { width: 1fr; height: auto; padding: 0 0 0 1; }
    #setup-help { height: auto; margin: 1 0 0 0; color: $foreground-muted; }
    #setup-error { height: auto; margin: 1 0 0 0; color: $error; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.cursor = 0
        self.preset = Options([(name, p.title) for name, p in PRESETS.items()])
        self.questions = ""
        self.minutes = ""
        self.minutes_typed = False
        self.deck = Options([(None, "all decks")])
        self.domain = Options([(None, "any")])
        self.mode = Options([("exam", "exam: no feedback until the end"),
                            ("practice", "practice: feedback after each question")])
        self.source = Options([(None, "a new draw from your questions")])
        self.flagged = Options([(False, "no"), (True, "yes")])
        self.error = ""
        self.past_presets: dict[int, str] = {}
        self.retake_count = 0
        self.questions_typed = False

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("Set up a mock exam", "bold")), id="setup-title",
                     classes="title-bar")
        with VerticalScroll(id="setup-body"):
            with Vertical(id="setup-form"):
                for field in FIELDS:
                    with Horizontal(classes="setup-row"):
                        yield Static(id=f"label-{field}", classes="setup-label")
                        yield Static(id=f"value-{field}", classes="setup-value")
            yield Static(id="setup-help")
            yield Static(id="setup-error")
        if self.app.served is not None:  # a phone: the keys as buttons
            yield TouchBar([("field-up", "▲", "field(-1)"), ("field-down", "▼", "field(1)"),
                            ("less", "◀", "change(-1)"), ("more-value", "▶", "change(1)"),
                            ("start", "Start", "start"), ("cancel", "Back", "cancel")],
                           id="touch-steps")
        yield KeysFooter()

    def on_mount(self) -> None:
        from studyaws.services.settings import load_settings

        engine = self.app.engine
        target = load_settings(engine).target_exam  # the exam you study for comes first
        self.preset.index = next((n for n, (name, _) in enumerate(self.preset.options)
                                  if name == target), 0)
        self.deck.options += [(deck_id, title) for deck_id, title in service.exam_decks(engine)]
        zone = self.app.clock.local_zone()
        for past in reversed(service.exam_history(engine)):
            self.past_presets[past.id] = past.preset
            self.source.options.append((past.id, (
                f"retake exam {past.id}: {past.started_at.astimezone(zone):%Y-%m-%d %H:%M}, "
                f"{past.preset}, {past.correct}/{past.total}, scaled {past.scaled}")))
        self._preset_changed()

    # -- what the fields hold ------------------------------------------------------------
    @property
    def blueprint(self) -> Blueprint:
        """The chosen preset; with a retake, the retaken exam's (it times the questions)."""
        if self.retake is not None:
            return PRESETS.get(self.past_presets.get(self.retake, ""), PRESETS["quick"])
        return PRESETS[self.preset.value]

    @property
    def retake(self) -> int | None:
        return self.source.value

    def _active(self, field: str) -> bool:
        if field in RETAKE_ONLY:
            return self.retake is not None
        if field in NEW_ONLY:
            return self.retake is None
        return True

    def _preset_changed(self) -> None:
        blueprint = self.blueprint
        self.questions = str(blueprint.questions)
        self.minutes = str(blueprint.minutes)
        self.questions_typed = self.minutes_typed = False
        slugs = list(blueprint.weights) or list(DOMAINS)
        self.domain = Options([(None, "any (the exam's domain weights)" if blueprint.weights
                               else "any")]
                             + [(slug, DOMAINS.get(slug, slug)) for slug in slugs])
        self._source_changed()

    def _source_changed(self) -> None:
        """A retake asks every question that was wrong (and flagged, if chosen)."""
        self.retake_count = 0
        if not self.minutes_typed:
            self.minutes = str(self.blueprint.minutes)
        if self.retake is not None:
            self.retake_count = len(service.retake_picks(self.app.engine, self.retake,
                                                         bool(self.flagged.value)))
        self._follow_minutes()
        self.redraw()

    def _count(self) -> int | None:
        if self.retake is not None:
            return self.retake_count
        return int(self.questions) if self.questions.isdigit() else None

    def _follow_minutes(self) -> None:
        """Until minutes are typed, they follow the questions at the exam's pace."""
        count = self._count()
        if self.minutes_typed or not count:
            return
        blueprint = self.blueprint
        minutes = blueprint.minutes * count / blueprint.questions
        self.minutes = f"{minutes:.1f}".removesuffix(".0")

    # -- drawing -------------------------------------------------------------------------
    def _value(self, field: str) -> str:
        if field == "preset":
            blueprint = self.blueprint
            return (f"{blueprint.title}: {blueprint.questions} questions in "
                    f"{blueprint.minutes} min"
                    + (f", pass mark {blueprint.pass_mark}" if blueprint.weights else "")
                    + (" (the retaken exam's)" if self.retake is not None else ""))
        if field == "questions":
            if self.retake is not None:
                return f"{self.retake_count} (every one that was wrong)"
            return self.questions
        if field == "minutes":
            return self.minutes + ("" if self.minutes_typed else " (at the exam's pace)")
        if field == "deck":
            return self.deck.label if self.retake is None else "as in that exam"
        if field == "domain":
            return self.domain.label if self.retake is None else "as in that exam"
        if field == "mode":
            return self.mode.label
        if field == "source":
            return self.source.label
        return self.flagged.label if self.retake is not None else "(with a retake)"

    def redraw(self) -> None:
        for n, field in enumerate(FIELDS):
            here = n == self.cursor
            active = self._active(field)
            label_style = "bold" if here else ("" if active else "$foreground-muted")
            self.query_one(f"#label-{field}", Static).update(Content.styled(
                f"{'›' if here else ' '} {LABELS[field]}", label_style))
            value = printable(self._value(field))
            if here and field in ("questions", "minutes") and active:
                shown = Content.assemble((value, "reverse"), ("▏", "reverse"))
            elif here:
                shown = Content.styled(value, "reverse")
            else:
                shown = Content.styled(value, "" if active else "$foreground-muted")
            self.query_one(f"#value-{field}", Static).update(shown)
        self.query_one("#setup-help", Static).update(Content(
            HELP[FIELDS[self.cursor]] + "\nEnter starts the exam · Escape cancels"))
        self.query_one("#setup-error", Static).update(Content(self.error))

    # -- keys ----------------------------------------------------------------------------
    def action_field(self, step: int) -> None:
        position = self.cursor
        for _ in FIELDS:
            position = (position + step) % len(FIELDS)
            if self._active(FIELDS[position]):
                break
        self.cursor = position
        self.redraw()

    def action_change(self, step: int) -> None:
        field = FIELDS[self.cursor]
        self.error = ""
        if field == "preset":
            self.preset.step(step)
            self._preset_changed()
            return
        if field == "source":
            self.source.step(step)
            self._source_changed()
            return
        if field == "flagged":
            self.flagged.step(step)
            self._source_changed()
            return
        choice = {"deck": self.deck, "domain": self.domain, "mode": self.mode}.get(field)
        if choice is not None:
            choice.step(step)
        self.redraw()

    def action_type(self, digit: int) -> None:
        field = FIELDS[self.cursor]
        if field not in ("questions", "minutes") or not self._active(field):
            return
        self.error = ""
        typed = self.minutes_typed if field == "minutes" else self.questions_typed
        before = getattr(self, field) if typed else ""  # a first digit replaces the default
        setattr(self, field, (before + str(digit)).lstrip("0")[:3])
        if field == "minutes":
            self.minutes_typed = True
        else:
            self.questions_typed = True
            self._follow_minutes()
        self.redraw()

    def action_erase(self) -> None:
        field = FIELDS[self.cursor]
        if field not in ("questions", "minutes") or not self._active(field):
            return
        typed = self.minutes_typed if field == "minutes" else self.questions_typed
        setattr(self, field, getattr(self, field)[:-1] if typed else "")  # a default goes whole
        if field == "minutes":
            self.minutes_typed = True
        else:
            self.questions_typed = True
            self._follow_minutes()
        self.redraw()

    def _problem(self) -> str:
        if self.retake is None:
            count = self._count()
            if count is None or not 1 <= count <= MAX_QUESTIONS:
                return f"Questions: type a number from 1 to {MAX_QUESTIONS}."
        if self.minutes_typed and not 1 <= self._minutes() <= MAX_MINUTES:
            return f"Minutes: type a number from 1 to {MAX_MINUTES}."
        return ""

    def _minutes(self) -> float | None:
        """The minutes typed; None (the exam's pace, exactly) until they are."""
        if not self.minutes_typed:
            return None
        return float(self.minutes) if self.minutes.isdigit() else 0.0

    def action_start(self) -> None:
        self.error = self._problem()
        if not self.error:
            engine, clock = self.app.engine, self.app.clock
            try:
                if self.retake is not None:
                    view = service.start_retake(
                        engine, clock, self.retake, include_flagged=bool(self.flagged.value),
                        minutes=self._minutes(), mode=self.mode.value)
                else:
                    view = service.start_exam(
                        engine, clock, self.preset.value, questions=int(self.questions),
                        minutes=self._minutes(), deck_id=self.deck.value,
                        domain=self.domain.value, mode=self.mode.value)
            except service.ExamError as exc:
                self.error = str(exc)
            else:
                self.dismiss(view.id)
                return
        self.redraw()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_help(self) -> None:
        from studyaws.tui.screens.modals import HelpScreen

        self.app.push_screen(HelpScreen(self))
