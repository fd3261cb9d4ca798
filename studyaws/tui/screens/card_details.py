"""A card's details over the browser: its memory now, where it comes from, its exam domains,
its text, and every answer it was given (reviews and mock exams)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from studyaws.core.text import printable
from studyaws.tui.screens.modals import boxed
from studyaws.tui.widgets.inline_text import inline_content

if TYPE_CHECKING:
    from studyaws.services.browse import CardDetails

FLAG_NAMES = {1: "red", 2: "orange", 3: "green", 4: "blue"}


def details_content(d: CardDetails, zone, *, hide_answer: bool = False) -> Content:
    """`hide_answer`: opened over a review card whose answer is not shown yet, which the
    details must not give away."""
    def _when(moment) -> str:
        return "–" if moment is None else f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"

    marks = [name for name, on in (("suspended", d.suspended), ("buried", d.buried),
                                   ("leech", d.leech), ("retired", d.retired)) if on]
    if d.flag:
        marks.append(f"flag {FLAG_NAMES.get(d.flag, d.flag)}")
    facts = [
        ("Deck", printable(d.deck)), ("Kind", d.kind), ("Source", printable(d.source)),
        ("Domains", printable(d.domains_text)), ("State", d.state),
        ("Due", "new" if d.due is None else _when(d.due)),
        ("Interval", "–" if d.interval is None else f"{d.interval} days"),
        ("Stability", "–" if d.stability is None else f"{d.stability:.1f} days"),
        ("Difficulty", "–" if d.difficulty is None else f"{d.difficulty:.2f}"),
        ("Recall now", "–" if d.retrievability is None else f"{d.retrievability:.0%}"),
        ("Reps", f"{d.reps} ({d.lapses} lapse{'' if d.lapses == 1 else 's'})"),
        ("Marks", ", ".join(marks) or "none"),
    ]
    parts: list = []
    for name, value in facts:
        parts.extend([(f"{name:<11}", "bold"), value, "\n"])
    # The card's text with its inline Markdown as styles, as the review shows it.
    answer = (Content.styled("(the answer shows once you have seen it in the review)",
                             "$foreground-muted italic")
              if hide_answer else inline_content(d.answer, "$foreground-muted"))
    parts.extend(["\n", inline_content(d.prompt, "bold"), "\n", answer, "\n\n"])
    if d.answers:
        parts.append(("date              source  rating  interval  stability\n", "bold"))
        for a in d.answers:
            interval = "–" if a.interval is None else f"{a.interval}d"
            stability = "–" if a.stability is None else f"{a.stability:.1f}"
            parts.append(f"{_when(a.at):<16}  {printable(a.source):<6}  {a.rating_name:<6}  "
                         f"{interval:>8}  {stability:>9}\n")
    else:
        parts.append(("No answers yet.\n", "$foreground-muted"))
    for e in d.exam_answers:
        result = "–" if e.correct is None else ("right" if e.correct else "wrong")
        parts.append(f"exam {e.exam_id} ({e.preset}) {_when(e.at)}: {result}"
                     + (", flagged\n" if e.flagged else "\n"))
    return Content.assemble(*parts).rstrip()


class CardDetailsScreen(ModalScreen):
    BINDINGS = [Binding("escape,i,q", "dismiss", "Close", id="card-details.close")]

    def __init__(self, details: CardDetails, zone, *, hide_answer: bool = False):
        super().__init__()
        self.details = details
        self.zone = zone
        self.hide_answer = hide_answer

    def compose(self) -> ComposeResult:
        with boxed(VerticalScroll(classes="modal-box"), f"Card {self.details.id}"):
            yield Static(details_content(self.details, self.zone, hide_answer=self.hide_answer),
                         id="card-details-text")
