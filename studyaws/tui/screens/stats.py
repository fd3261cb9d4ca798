"""Stats: review heatmap, due forecast, cards by state, true retention, domain mastery, mock
exam scores, readiness, and fitting FSRS to the user. Numbers are computed in a thread."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import get_current_worker

from studyaws.core.exam.blueprints import label
from studyaws.core.text import printable
from studyaws.tui.widgets.charts import BarChart, CalendarHeatmap, hbar
from studyaws.tui.widgets.footer import KeysFooter
from studyaws.tui.widgets.rows import Row, Rows
from studyaws.tui.widgets.score_trend import Score, ScoreTrend

if TYPE_CHECKING:  # the statistics modules are imported by the worker, off the key press
    from studyaws.core.stats import PassRate
    from studyaws.services import optimizer
    from studyaws.services import stats_report as report

FORECAST_LABELS = {0: "today", 7: "+7", 14: "+14", 21: "+21", 28: "+28"}


def _percent(rate: PassRate) -> Content:
    if rate.rate is None:
        return Content.styled(f"{'–':<13}", "$foreground-muted")
    return Content.assemble(f"{100 * rate.rate:5.1f}%", (f" ({rate.total})".ljust(8), "$foreground-muted"))


def retention_content(stats: report.Stats) -> Content:
    from studyaws.core.stats import MATURE_DAYS

    parts: list = [(f"{'':<9}{'young':<14}{'mature':<14}all\n", "bold")]
    for row in stats.retention:
        parts.append(f"{row.period:<9}")
        for rate in (row.young, row.mature, row.all):
            parts.append(_percent(rate))
        parts.append("\n")
    parts.append((f"desired {stats.desired_retention:.2f} · mature: interval of "
                  f"{MATURE_DAYS}+ days", "$foreground-muted"))
    return Content.assemble(*parts)


def states_content(states: dict[str, int]) -> Content:
    styles = {"new": "$primary", "learning": "$warning", "review": "$success",
              "relearning": "$error"}
    parts: list = []
    for name, count in states.items():
        parts.extend([(f"{name:<11}", styles.get(name, "$foreground-muted")), f"{count:>6}\n"])
    return Content.assemble(*parts).rstrip()


def domains_content(stats: report.Stats, width: int = 18) -> Content:
    if not stats.domains:
        return Content.styled("No cards with an exam domain yet.", "$foreground-muted")
    parts: list = []
    for d in stats.domains:
        parts.extend([f"{printable(d.domain):<16}", hbar(d.recall, width), f" {100 * d.recall:3.0f}%",
                      (f"  {d.studied}/{d.cards}\n", "$foreground-muted")])
    parts.append(("mean predicted recall; new cards count 0", "$foreground-muted"))
    return Content.assemble(*parts)


def exams_content(stats: report.Stats) -> Content:
    """The line over the score trend (exam_scores): the last exam, or that there is none."""
    if not stats.exams:
        return Content.styled("No mock exam finished yet: x on the home screen starts one.",
                              "$foreground-muted")
    last = stats.exams[-1]
    scaled = last.scaled or 100
    return Content.assemble(
        ("last ", "$foreground-muted"), f"{scaled} ",
        ("pass" if last.passed else "fail", "$success" if last.passed else "$error"),
        (f" · best {max(e.scaled or 100 for e in stats.exams)} · {len(stats.exams)} finished",
         "$foreground-muted"))


def exam_scores(stats: report.Stats, zone) -> list[Score]:
    from studyaws.core.exam.blueprints import PRESETS

    default = stats.readiness.pass_mark
    return [Score(e.started_at.astimezone(zone), e.scaled or 100,
                  PRESETS[e.preset].pass_mark if e.preset in PRESETS else default)
            for e in stats.exams]


def workload_content(result: optimizer.RetentionResult) -> Content:
    """The optimal retention, then the workload table from the collection with the optimal
    and the user's rows marked."""
    f = result.forecast
    parts: list = [
        ("Optimal ", "bold"), f"{result.optimal:.2f} ",
        (f"(the least study time per card remembered); yours {result.current:.2f}\n",
         "$foreground-muted"),
        (f"Next {f.days} days from your collection ({f.studied} studied, {f.new} new):\n",
         "$foreground-muted"),
        (f"{'retention':<11}{'reviews/day':>12}{'min/day':>9}{'remembered':>11}\n", "bold"),
    ]
    for row in f.rows:
        marks = result.marks(row)
        parts.extend([f"{row.retention:<11.3f}{row.reviews_per_day:>12.1f}"
                      f"{row.minutes_per_day:>9.1f}{row.remembered:>11}",
                      (f"  ◀ {' & '.join(marks)}" if marks else "", "$accent"), "\n"])
    if result.note:
        parts.append((result.note, "$foreground-muted"))
    return Content.assemble(*parts)


def titled(title: str, table: Content) -> Content:
    """A section's heading, drawn as `.stats-heading` draws one, over its table: one widget
    a section instead of three (fewer to mount when the numbers come, and to remove)."""
    return Content.assemble((title, "bold $primary"), "\n", table)


def readiness_content(stats: report.Stats, plan_line: str | None) -> Rows:
    """The readiness, exam and plan lines, each wrapped under its text, not its label."""
    ready = stats.readiness

    def row(name: str, *parts) -> Row:
        return Content.styled(f"{name:<11}", "bold"), Content.assemble(*parts)

    if ready.pool == 0:
        return Rows([row("Readiness", (
            f"no {label(ready.preset)} questions yet: import or study a deck with questions "
            "(the exam is set by target-exam in the settings)", "$foreground-muted"))])
    today = ready.today
    style = "$success" if today.passes else "$error"
    rows = [
        row("Readiness", f"{label(ready.preset)} mock exam today: expected ",
            (f"{today.scaled}", f"bold {style}"), f" ({today.low}-{today.high})",
            f", pass mark {ready.pass_mark}"),
        row("", (f"estimate: 95 in 100 such exams score in that range; "
                 f"{100 * today.pass_chance:.0f}% pass", "$foreground-muted")),
    ]
    if ready.exam_date is not None and ready.on_exam_date is not None:
        days = ready.days_left
        on_exam = ready.on_exam_date
        rows.append(row(
            "Exam", f"{ready.exam_date.day} {ready.exam_date:%b %Y}, "
            f"{days} day{'s' if days != 1 else ''} left  ·  expected ",
            (f"{on_exam.scaled}", "$success" if on_exam.passes else "$error"),
            f" ({on_exam.low}-{on_exam.high}) on the day if you stopped studying now"))
        if plan_line:
            rows.append(row("Plan", plan_line))
    return Rows(rows)


class StatsScreen(Screen):
    BINDINGS = [
        Binding("escape", "leave", "Home", id="stats.home"),
        Binding("o", "optimize", "Fit FSRS to me", id="stats.optimize"),
        Binding("question_mark", "help", "Help", key_display="?", id="stats.help"),
    ]
    HELP_TITLE = "Stats"

    DEFAULT_CSS = """
    /* Lines of 100 columns at most, centred in a wider terminal (the scrollbar at its edge). */
    #stats-body { height: 1fr; padding: 0 1; align-horizontal: center; }
    #stats-body > * { max-width: 100; }
    #stats-readiness { height: auto; margin: 1 0 0 0; }
    .stats-heading { height: auto; margin: 1 0 0 0; text-style: bold; color: $primary; }
    .stats-row { height: auto; }
    .stats-box { width: 1fr; height: auto; }
    .stats-table { width: 1fr; height: auto; margin: 1 0 0 0; }
    .stats-side { width: 30; height: auto; margin: 1 0 0 2; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.stats: report.Stats | None = None
        self.load_seconds = 0.0
        self.fitting = False

    def compose(self) -> ComposeResult:
        # The first frame holds only what can be said before the numbers: the sections (a
        # heatmap, a chart, the tables: 13 widgets) are mounted with their numbers by
        # `show_stats`. Composed here, styled and laid out empty, they made the key press
        # paint about twice as slowly.
        yield Static("Stats", id="stats-title", classes="title-bar")
        with VerticalScroll(id="stats-body"):
            yield Static(Content.styled("Working out your stats…", "$foreground-muted"),
                         id="stats-readiness")
            yield Static("Your FSRS parameters", classes="stats-heading")
            yield Static(Content.styled(
                "o fits FSRS to your own reviews; the new parameters are kept only when they "
                "predict your latest reviews at least 1% better (log loss) than the current "
                "ones, and then fitted again on all of them.", "$foreground-muted"),
                id="stats-fit")
            yield Static("Desired retention and workload", classes="stats-heading")
            yield Static(Content.styled("Working out the optimal desired retention and simulating "
                                        "the next year from your collection…",
                                        "$foreground-muted"), id="stats-optimal")
        yield KeysFooter()

    def on_mount(self) -> None:
        # Paint the screen first: the worker holds the interpreter for a while on a big
        # collection, and the user should see the screen (and its "computing" lines) at once.
        # The retention search and the workload simulations follow the numbers (show_stats):
        # run at once, the two workers shared the interpreter and both came later.
        self.call_after_refresh(self.load)

    @work(thread=True, exclusive=True, group="stats")
    def load(self) -> None:
        """Read and compute everything off the UI thread (100,000 cards take a while)."""
        from studyaws.services import stats_report as report

        started = time.perf_counter()
        engine, clock = self.app.engine, self.app.clock
        stats = report.collect(engine, clock)
        plan_line = None
        if stats.readiness.exam_date is not None:
            from studyaws.services.review import ReviewService

            plan = ReviewService(engine, clock).exam_plan()
            plan_line = plan.summary() if plan is not None else None
        seconds = time.perf_counter() - started
        self.app.call_from_thread(self.show_stats, stats, plan_line, seconds)

    async def show_stats(self, stats: report.Stats, plan_line: str | None,
                         seconds: float) -> None:
        from studyaws.core.stats import HEATMAP_DAYS

        self.stats = stats
        self.load_seconds = seconds
        heat = stats.heatmap
        streak = f"streak {heat.streak} day{'s' if heat.streak != 1 else ''}"
        week = sum(stats.forecast[:7])
        texts = {
            "stats-heatmap-title": Content.assemble(
                f"Reviews, last {HEATMAP_DAYS} days  ",
                (f"{heat.total} answers on {heat.days_studied} days · {streak}",
                 "$foreground-muted")),
            "stats-forecast-title": Content.assemble(
                "Due in the next 30 days  ",
                (f"{stats.forecast[0]} today · {week} this week · {sum(stats.forecast)} in all",
                 "$foreground-muted")),
            "stats-states": titled("Cards", states_content(stats.states)),
            "stats-retention": titled("True retention", retention_content(stats)),
            "stats-domains": titled("Domain mastery", domains_content(stats)),
            "stats-exams": titled("Mock exams", exams_content(stats)),
        }
        async with self.batch():  # one repaint: the readiness lines and the sections together
            self.query_one("#stats-readiness", Static).update(
                readiness_content(stats, plan_line))
            if self.query(CalendarHeatmap):  # numbers again (after a fit): update in place
                for key, text in texts.items():
                    self.query_one(f"#{key}", Static).update(text)
                self.query_one(CalendarHeatmap).set_data(heat.counts, heat.end)
                self.query_one(BarChart).set_data(stats.forecast, FORECAST_LABELS)
                self.query_one(ScoreTrend).set_scores(exam_scores(stats, self.app.clock.local_zone()))
            else:  # the first numbers: the sections are mounted with them
                await self.query_one("#stats-body").mount_all(
                    self.sections(texts, stats), after="#stats-readiness")
                self.find_retention()

    def sections(self, texts: dict[str, Content], stats: report.Stats) -> list[Widget]:
        """The heatmap, the forecast and the tables below the readiness lines, filled in."""

        def text(key: str, classes: str = "stats-table") -> Static:
            return Static(texts[key], id=key, classes=classes)

        heatmap = CalendarHeatmap(id="stats-heatmap")
        heatmap.set_data(stats.heatmap.counts, stats.heatmap.end)
        forecast = BarChart(id="stats-forecast")
        forecast.set_data(stats.forecast, FORECAST_LABELS)
        trend = ScoreTrend(exam_scores(stats, self.app.clock.local_zone()), id="stats-trend")
        trend.display = bool(stats.exams)
        return [
            text("stats-heatmap-title", "stats-heading"),
            heatmap,
            Horizontal(
                Vertical(text("stats-forecast-title", "stats-heading"), forecast,
                         classes="stats-box"),
                text("stats-states", "stats-side"),
                classes="stats-row"),
            Horizontal(text("stats-retention"), text("stats-domains"), classes="stats-row"),
            Vertical(text("stats-exams"), trend, classes="stats-box"),
        ]

    # -- the optimal desired retention --------------------------------------------------
    @work(thread=True, exclusive=True, group="retention")
    def find_retention(self) -> None:
        """The optimal retention and the workload table (fsrs-rs's search, then a year
        simulated from the collection at each retention of the table: about 6 s at 100,000
        cards)."""
        from studyaws.services import optimizer

        worker = get_current_worker()  # cancelled when the screen closes: stop computing
        try:
            result = optimizer.optimal_retention(self.app.engine, now=self.app.clock.now(),
                                                 zone=self.app.clock.local_zone(),
                                                 abandoned=lambda: worker.is_cancelled)
        except optimizer.Abandoned:
            return
        self.app.call_from_thread(self.show_retention, result)

    def show_retention(self, result: optimizer.RetentionResult) -> None:
        self.query_one("#stats-optimal", Static).update(workload_content(result))

    # -- fitting ----------------------------------------------------------------------
    def action_optimize(self) -> None:
        if self.fitting:
            return
        self.fitting = True
        self.query_one("#stats-fit", Static).update(
            Content.styled("Fitting FSRS to your reviews…", "$foreground-muted"))
        self.fit()

    @work(thread=True, exclusive=True, group="fit")
    def fit(self) -> None:
        from studyaws.services import optimizer

        result = optimizer.optimize(self.app.engine, now=self.app.clock.now())
        self.app.call_from_thread(self.show_fit, result)

    def show_fit(self, result: optimizer.FitResult) -> None:
        self.fitting = False
        parts: list = [f"{result.reviews} answers, {result.items} long-term reviews"]
        if result.before is not None:
            current = "current (defaults)" if result.current_is_default else "current"
            parts.extend([
                (f" ({result.test} latest held out)\n", "$foreground-muted"),
                (f"{'':<20}{'log loss':>10}{'RMSE(bins)':>12}\n", "bold"),
                f"{current:<20}{result.before.log_loss:>10.4f}{result.before.rmse_bins:>12.4f}\n",
                f"{'fitted':<20}{result.after.log_loss:>10.4f}{result.after.rmse_bins:>12.4f}\n",
            ])
        else:
            parts.append("\n")
        parts.append((result.message, "$success" if result.kept else "$foreground-muted"))
        self.query_one("#stats-fit", Static).update(Content.assemble(*parts))
        self.notify(result.message, markup=False, timeout=6)
        if result.kept:
            self.load()  # recall and readiness follow the new parameters
            self.find_retention()

    def action_leave(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        from studyaws.tui.screens.modals import HelpScreen

        self.app.push_screen(HelpScreen(self))
