"""After a mock exam: the results by domain, the answer review with every question's answer,
the right one and the explanation, and the history of past exams."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from studyaws.core.domains import DOMAINS
from studyaws.core.exam.scoring import Result
from studyaws.core.text import printable
from studyaws.services import exam as service
from studyaws.tui.widgets.answer_review import AnswerLines, review_rows
from studyaws.tui.widgets.card_text import CardText
from studyaws.tui.widgets.footer import KeysFooter
from studyaws.tui.widgets.header_text import joined
from studyaws.tui.widgets.score_trend import Score, ScoreTrend


class ExamResultScreen(Screen):
    # Enter is a priority binding: the domain table would take it otherwise (and do nothing).
    BINDINGS = [
        Binding("a", "answers", "Answer review", id="exam.answers"),
        Binding("h", "history", "History", id="exam.history"),
        Binding("enter", "home", "Home", id="exam.home", priority=True),
        Binding("escape", "home", "Home", show=False),
    ]
    DEFAULT_CSS = """
    #results-body { height: auto; padding: 1 2; }
    #domain-table { height: auto; margin: 0 2; }
    #results-keys { height: auto; padding: 0 1; }
    """

    back = "home"  # where Enter and Escape go, as the hint says

    def __init__(self, exam: service.ExamView, result: Result):
        super().__init__()
        self.exam = exam
        self.result = result

    def compose(self) -> ComposeResult:
        result = self.result
        verdict = ("PASS", "bold $success") if result.passed else ("FAIL", "bold $error")
        minutes, seconds = divmod(round(result.seconds_used), 60)
        kind = "practice" if self.exam.practice else "exam"  # as the exam's own header says
        yield Static(Content.assemble((f"{self.exam.blueprint.label} {kind}: results", "bold")),
                     id="results-title", classes="title-bar")
        yield Static(Content.assemble(
            ("Score            ", "$foreground-muted"),
            f"{result.correct} of {result.total} right ({result.percent:.0f}%)",
            f", {result.unanswered} unanswered\n" if result.unanswered else "\n",
            ("Scaled estimate  ", "$foreground-muted"), (f"{result.scaled}", "bold"),
            " on 100-1000 (an estimate: AWS does not publish its scaling)\n",
            ("Result           ", "$foreground-muted"), verdict,
            f" against the pass mark of {result.pass_mark}, on the estimated scale\n",
            ("Time used        ", "$foreground-muted"),
            f"{minutes}m {seconds:02d}s, {result.seconds_per_question:.0f} s per question\n",
        ), id="results-body")
        # Narrow enough for 80 columns: a name longer than 40 cells is cut with an ellipsis.
        table = DataTable(id="domain-table", cursor_type="none")
        names = {domain: printable("no domain" if domain == "none" else
                                   DOMAINS.get(domain, domain))
                 for domain in result.per_domain}
        width = min(40, max([len(name) for name in names.values()] + [12]))
        table.add_column("Domain", width=width)
        for name in ("Right", "Questions", "Score"):
            table.add_column(name, width=9)
        for domain, part in sorted(result.per_domain.items()):
            table.add_row(Content(names[domain]).truncate(width, ellipsis=True),
                          str(part.correct), str(part.total), f"{part.percent:.0f}%")
        yield table
        inferred = sum(1 for item in self.exam.items if item.domain and item.domain_inferred)
        if inferred:
            yield Static(Content(f"{inferred} of these questions have a domain inferred from "
                                 "their text (imported without one)."),
                         classes="muted", id="inferred-note")
        yield Static(Content(f"a: review every answer · h: exam history · Enter: {self.back}"),
                     classes="muted", id="results-keys")
        yield KeysFooter()

    def action_answers(self) -> None:
        self.app.push_screen(AnswerReviewScreen(self.exam))

    def action_history(self) -> None:
        if isinstance(self.app.screen_stack[-2], ExamHistoryScreen):
            self.app.pop_screen()  # came from the history: back to it
        else:
            self.app.push_screen(ExamHistoryScreen())

    def action_home(self) -> None:
        self.app.pop_screen()


class PastExamResultScreen(ExamResultScreen):
    """A past exam's results, opened from the history: Enter and Escape go back to it."""

    BINDINGS = [Binding("enter", "home", "Back", id="exam.back", priority=True)]
    back = "back"


class AnswerReviewScreen(Screen):
    """Every question with your answer, the right one, the explanation and the source."""

    BINDINGS = [
        Binding("w", "filter('wrong')", "Wrong only", id="answers.wrong"),
        Binding("f", "filter('flagged')", "Flagged only", id="answers.flagged"),
        Binding("a", "filter('all')", "All", id="answers.all"),
        Binding("escape", "back", "Back", id="answers.back"),
    ]
    DEFAULT_CSS = """
    #answers-title { height: auto; padding: 0 1; }
    #answers { padding: 0 1; max-width: 100; }
    .answer-head { margin: 1 0 0 0; }
    .answer-stem, .answer-body { padding: 0 0 0 2; }
    """

    def __init__(self, exam: service.ExamView):
        super().__init__()
        self.exam = exam
        self.filter = "all"

    def compose(self) -> ComposeResult:
        yield Static(id="answers-title")
        yield VerticalScroll(id="answers")
        yield KeysFooter()

    async def on_mount(self) -> None:
        await self.redraw()

    async def action_filter(self, name: str) -> None:
        self.filter = name
        await self.redraw()

    def action_back(self) -> None:
        self.app.pop_screen()

    async def redraw(self) -> None:
        items = self.exam.items
        if self.filter == "wrong":
            items = [i for i in items if not i.correct]
        elif self.filter == "flagged":
            items = [i for i in items if i.flagged]
        self.query_one("#answers-title", Static).update(Content.assemble(
            ("Answer review", "bold"),
            f"  ·  showing {self.filter}: {len(items)} of {len(self.exam.items)} questions"))
        box = self.query_one("#answers", VerticalScroll)
        await box.remove_children()
        widgets = []
        for item in items:
            right = bool(item.correct)
            domain = DOMAINS.get(item.domain or "", item.domain or "")
            head = joined(
                Content.assemble(
                    (f"Question {item.position + 1}  ", "bold"),
                    ("✓ right" if right else ("✗ wrong" if item.answered else "✗ unanswered"),
                     "bold $success" if right else "bold $error"),
                    ("  ⚑ flagged" if item.flagged else "", "$warning")),
                (printable(domain) + (" (inferred)" if domain and item.domain_inferred else ""),
                 "$foreground-muted"))
            widgets.append(Static(head, classes="answer-head"))
            widgets.append(CardText(classes="answer-stem"))
            widgets[-1].show(item.question.stem)
            widgets.append(AnswerLines(review_rows(
                item.question, item.response, item.seed, item.explanation,
                item.source, item.edited), classes="answer-body"))
        if not widgets:
            widgets.append(Static(Content("Nothing to show with this filter.")))
        await box.mount_all(widgets)


class ExamHistoryScreen(Screen):
    """Every finished exam: the score trend with its scale and pass line, and a table;
    Enter opens the exam under the cursor (its results and answers)."""

    BINDINGS = [
        Binding("enter", "open", "Open exam", id="history.open", priority=True),
        Binding("escape", "back", "Back", id="history.back"),
    ]
    DEFAULT_CSS = """
    #history-trend { margin: 1 2 1 1; }
    #history-table { height: 1fr; margin: 0 1; }
    """

    def compose(self) -> ComposeResult:
        past = service.exam_history(self.app.engine)
        zone = self.app.clock.local_zone()
        yield Static(Content.assemble(
            ("Exam history", "bold"),
            f"  ·  {len(past)} finished exam{'s' if len(past) != 1 else ''}",
            ("   Enter opens an exam's results and answers", "$foreground-muted") if past else ""),
            id="history-title", classes="title-bar")
        yield ScoreTrend([Score(p.started_at.astimezone(zone), p.scaled, p.pass_mark)
                          for p in past], id="history-trend")
        table = DataTable(id="history-table", cursor_type="row")
        for name, width in (("Exam", 4), ("Date", 16), ("Preset", 7), ("Mode", 8),
                            ("Score", 6), ("Scaled", 6), ("Result", 6), ("Time", 7)):
            table.add_column(name, width=width)
        for p in reversed(past):
            minutes = round(p.seconds_used / 60)
            table.add_row(str(p.id), p.started_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                          p.preset, p.mode, f"{p.correct}/{p.total}", str(p.scaled),
                          "pass" if p.passed else "fail", f"{minutes} min", key=str(p.id))
        yield table
        yield KeysFooter()

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return
        exam_id = int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        view = service.load_exam(self.app.engine, exam_id)
        self.app.push_screen(PastExamResultScreen(view, service.result_of(view)))

    def action_back(self) -> None:
        self.app.pop_screen()
