"""Home: every deck with its new / learning / due counts, and today's progress."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from studyaws.core.exam.blueprints import label
from studyaws.core.srs.exam_plan import ExamPlan
from studyaws.core.stats import Readiness
from studyaws.core.text import printable
from studyaws.services.overview import HomeCounts, read_home
from studyaws.tui.widgets.footer import KeysFooter
from studyaws.tui.widgets.header_text import joined


class HomeScreen(Screen):
    BINDINGS = [
        Binding("r", "review_all", "Review all", id="home.review"),
        Binding("enter", "review_deck", "Review deck", id="home.review-deck"),
        Binding("x", "exam", "Mock exam", id="home.exam"),
        Binding("m", "study_more", "Study more", id="home.study-more"),
        Binding("t", "stats", "Stats", id="home.stats"),
        Binding("i", "import", "Import", id="home.import"),
        Binding("s", "settings", "Settings", id="home.settings"),
        Binding("slash", "browse", "Browse", key_display="/", id="home.browse"),
        Binding("q", "app.quit", "Quit", id="home.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="home.help"),
    ]
    HELP_TITLE = "Home"
    DEFAULT_CSS = """
    #home-today, #home-keys { height: auto; padding: 0 1; }
    #home-exam { height: auto; padding: 0 1; display: none; }
    #home-ready { height: auto; padding: 0 1; display: none; }
    #home-decks { height: 1fr; margin: 1 1 0 1; }
    """
    shown: HomeCounts | None = None  # the numbers on screen
    shown_deck_width = 0  # the Deck column's width on screen

    def compose(self) -> ComposeResult:
        yield Static("studyaws", id="home-title", classes="title-bar")
        yield Static(id="home-today")
        yield Static(id="home-exam")
        yield Static(id="home-ready")
        yield DataTable(id="home-decks", cursor_type="row", zebra_stripes=True)
        yield Static(id="home-keys", classes="muted")
        yield KeysFooter()

    def on_screen_resume(self) -> None:
        # Resumed on its first showing too. Under a screen pushed at start-up (`studyaws
        # review`) it waits until it is shown: the counts cost a scan of every card.
        if self.app.screen is not self:
            return
        if self.shown is None:
            self.refresh_counts()
        else:
            self.load_counts()  # coming back: the last numbers stay up until these arrive

    def refresh_counts(self) -> None:
        """Read the counts and show them now."""
        self.show_counts(read_home(self.app.engine, self.app.clock))

    @work(thread=True, exclusive=True, group="home-counts")
    def load_counts(self) -> None:
        """Read the counts in a thread: at 100,000 cards they take about 70 ms, which would
        hold every key pressed meanwhile."""
        home = read_home(self.app.engine, self.app.clock)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_counts, home)

    def show_counts(self, home: HomeCounts) -> None:
        if home == self.shown:
            return  # nothing changed (back from the stats, say): no table to rebuild
        self.shown = home
        counts = home.counts
        self.fill_table()
        done, again = home.done, home.again
        today = Content.assemble(
            ("Today  ", "bold"),
            (f"{counts.new} new", "$primary"), "  ·  ",
            (f"{counts.learning} learning", "$warning"), "  ·  ",
            (f"{counts.review} due", "$success"), "     ",
            f"answered today: {done}",
            f" (Again {round(100 * again / done)}%)" if done else "",
            # On a line of its own: the line above is most of 80 columns already.
            (f"\n       {home.exam_done} of today's answers were in mock exams"
             if home.exam_done else "", "$foreground-muted"),
        )
        self.query_one("#home-today", Static).update(today)
        self.show_exam_plan(home.plan)
        self.load_readiness()
        hint = ("Nothing left for today. Come back tomorrow, or import more decks."
                if counts.total == 0 else
                "r: review everything due · Enter: review the selected deck")
        if not home.decks:
            hint = "No decks yet: press i to import decks or question banks."
        if home.exam_running:
            hint = "A mock exam is in progress: x resumes it. " + hint
        self.query_one("#home-keys", Static).update(Content(hint))

    # -- the decks: every count on screen whatever the width, a long title cut ------------
    NUMBERS = ("New", "Learning", "Due", "Cards")
    NUMBER_WIDTH = 8

    def deck_width(self) -> int:
        """The cells the Deck column may take: the table's width less the counts', their
        cells' padding and room for a scrollbar; a title longer than that is cut."""
        table = self.query_one(DataTable)
        width = table.size.width or max(0, self.app.size.width - 2)
        numbers = len(self.NUMBERS) * (self.NUMBER_WIDTH + 2 * table.cell_padding)
        room = width - numbers - 2 * table.cell_padding - 2  # 2: a vertical scrollbar
        titles = [len(printable(d.title)) for d in self.shown.decks] if self.shown else []
        return max(8, min(max(titles + [20]), room))

    def fill_table(self) -> None:
        decks = self.shown.decks
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        self.shown_deck_width = width = self.deck_width()
        table.add_column("Deck", width=width)
        for name in self.NUMBERS:
            table.add_column(name, width=self.NUMBER_WIDTH)
        for deck in decks:
            table.add_row(Content(printable(deck.title)).truncate(width, ellipsis=True),
                          str(deck.new), str(deck.learning), str(deck.due), str(deck.cards),
                          key=str(deck.id))
        if decks:
            table.move_cursor(row=min(row, len(decks) - 1))

    def on_resize(self) -> None:
        self.call_after_refresh(self.refit_table)  # once the table has its new size

    def refit_table(self) -> None:
        if self.shown is not None and self.deck_width() != self.shown_deck_width:
            self.fill_table()

    def action_review_all(self) -> None:
        self.app.start_review(None)

    def action_review_deck(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        self.app.start_review(int(key))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.start_review(int(event.row_key.value))

    def action_exam(self) -> None:
        self.app.choose_exam()

    def action_study_more(self) -> None:
        from studyaws.tui.screens.study_more import StudyMoreScreen

        self.app.push_screen(StudyMoreScreen())

    def action_import(self) -> None:
        from studyaws.tui.screens.importing import ImportScreen

        self.app.push_screen(ImportScreen())

    # -- the exam date: days left, the plan, and readiness (computed in a thread) ----------
    def show_exam_plan(self, plan: ExamPlan | None) -> None:
        line = self.query_one("#home-exam", Static)
        line.display = plan is not None
        if plan is None:
            return
        day = plan.exam_date
        self.exam_text = Content.assemble(("Exam  ", "bold"), joined(
            Content.assemble(f"{day.day} {day:%b %Y}, ", (
                f"{plan.days_left} day{'s' if plan.days_left != 1 else ''} left", "$accent")),
            plan.summary(),
            "reviews due on the exam day are brought forward" if plan.last_study_day else "",
            separator=" · "))
        line.update(self.exam_text)

    # -- readiness for the target exam (computed in a thread) --------------------------------
    @work(thread=True, exclusive=True, group="home-readiness")
    def load_readiness(self) -> None:
        from studyaws.services.readiness import readiness_for

        ready = readiness_for(self.app.engine, self.app.clock)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_readiness, ready)

    def show_readiness(self, ready: Readiness) -> None:
        line = self.query_one("#home-ready", Static)
        line.display = ready.pool > 0
        if not ready.pool:
            return
        today = ready.today
        style = "$success" if today.passes else "$error"
        line.update(Content.assemble(
            ("Ready  ", "bold"), f"{label(ready.preset)} mock exam: expected ",
            (str(today.scaled), f"bold {style}"), f" ({today.low}-{today.high})",
            f", pass mark {ready.pass_mark}", (" · estimate", "$foreground-muted")))

    def action_browse(self) -> None:
        from studyaws.tui.screens.browse import BrowseScreen

        self.app.push_screen(BrowseScreen())

    def action_stats(self) -> None:
        from studyaws.tui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen())

    def action_settings(self) -> None:
        from studyaws.tui.screens.settings import SettingsScreen

        self.app.push_screen(SettingsScreen())

    def action_help(self) -> None:
        from studyaws.tui.screens.modals import HelpScreen

        self.app.push_screen(HelpScreen(self))
