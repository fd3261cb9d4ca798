"""Home: every deck with its new / learning / due counts, and today's progress.

The decks are a tree (services.decks): each row shows what studying it gives today
(services.limits), Enter on a parent studies everything under it, ←/→ or Space fold and
unfold it. `o` opens the selected deck's options (its preset), `n` renames it,
Delete or D removes it (or every deck under a parent) after a confirmation, and `u` brings
back what was removed last."""

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
from studyaws.services import decks as deck_service
from studyaws.services.decks import DeckNode, deck_tree, flatten
from studyaws.services.overview import HomeCounts, read_home
from studyaws.tui.widgets.footer import KeysFooter
from studyaws.tui.widgets.header_text import joined
from studyaws.tui.widgets.question import after_typed_keys
from studyaws.tui.widgets.touch_bar import TouchBar


class HomeScreen(Screen):
    BINDINGS = [
        Binding("r", "review_all", "Review all", id="home.review"),
        Binding("enter", "review_deck", "Review deck", id="home.review-deck"),
        Binding("x", "exam", "Mock exam", id="home.exam"),
        Binding("m", "study_more", "Study more", id="home.study-more"),
        Binding("t", "stats", "Stats", id="home.stats"),
        Binding("i", "import", "Import", id="home.import"),
        Binding("left", "fold(True)", "Fold", show=False, priority=True, id="home.fold"),
        Binding("right", "fold(False)", "Unfold", show=False, priority=True,
                id="home.unfold"),
        Binding("space", "fold(None)", "Fold or unfold", show=False, priority=True,
                id="home.toggle-fold"),
        Binding("s", "settings", "Settings", id="home.settings"),
        Binding("slash", "browse", "Browse", key_display="/", id="home.browse"),
        Binding("q", "app.quit", "Quit", id="home.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="home.help"),
        # Last: at 80 columns the footer leaves these out first (help lists them).
        Binding("o", "options", "Options", id="home.options"),
        Binding("n", "rename", "Rename", id="home.rename"),
        Binding("delete,D", "remove", "Remove", key_display="D", id="home.remove"),
        Binding("u", "undo_remove", "Undo remove", id="home.undo-remove"),
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
    tree: list[DeckNode] = []  # the decks as a tree, and the rows shown of it
    rows: list[tuple[DeckNode, int]] = []

    def __init__(self) -> None:
        super().__init__()
        self.collapsed: set[str] = set()  # the keys of the parents folded
        self.removed: list[tuple[str, tuple[int, ...]]] = []  # (what, deck ids), for u

    def compose(self) -> ComposeResult:
        yield Static("studyaws", id="home-title", classes="title-bar")
        yield Static(id="home-today")
        yield Static(id="home-exam")
        yield Static(id="home-ready")
        yield DataTable(id="home-decks", cursor_type="row", zebra_stripes=True)
        yield Static(id="home-keys", classes="muted")
        if self.app.served is not None:  # a phone: the main keys as buttons
            yield TouchBar([("review", "Review", "review_all"), ("deck", "Deck", "review_deck"),
                            ("exam", "Exam", "exam"), ("more", "More…", "app.command_palette")],
                           id="touch-steps")
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
                ("r: review all due · Enter: the selected deck or all under a parent · ←/→ fold"
                 if self.has_parents() else
                 "r: review everything due · Enter: review the selected deck"))
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
        titles = [self.label(node, depth).cell_length for node, depth in self.rows]
        return max(8, min(max(titles + [20]), room))

    def has_parents(self) -> bool:
        return any(node.children for node in self.tree)

    def label(self, node: DeckNode, depth: int) -> Content:
        """A row's name: indented under its parent, with ▾ (unfolded) or ▸ (folded) before
        a parent; plain titles when no deck has a parent."""
        name = printable(node.name)
        if not self.has_parents():
            return Content(name)
        mark = ("▸ " if node.key in self.collapsed else "▾ ") if node.children else "  "
        return Content.assemble("  " * depth, (mark, "$foreground-muted"),
                                (name, "bold") if node.children else name)

    def fill_table(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        current = self.current_node()  # on the rows shown until now
        self.tree = list(self.shown.tree) or deck_tree(self.shown.decks)
        self.collapsed &= {node.key for node, _ in flatten(self.tree) if node.children}
        self.rows = flatten(self.tree, self.collapsed)
        table.clear(columns=True)
        self.shown_deck_width = width = self.deck_width()
        table.add_column("Deck", width=width)
        for name in self.NUMBERS:
            table.add_column(name, width=self.NUMBER_WIDTH)
        for node, depth in self.rows:
            table.add_row(self.label(node, depth).truncate(width, ellipsis=True),
                          str(node.new), str(node.learning), str(node.due), str(node.cards),
                          key=node.key)
        keys = [node.key for node, _ in self.rows]
        if current is not None and current.key in keys:
            table.move_cursor(row=keys.index(current.key))
        elif self.rows:
            table.move_cursor(row=min(row, len(self.rows) - 1))
        self.refresh_bindings()

    def current_node(self) -> DeckNode | None:
        """The deck or parent the cursor is on."""
        table = self.query_one(DataTable)
        if table.row_count == 0 or not self.rows:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)][0]

    def on_resize(self) -> None:
        self.call_after_refresh(self.refit_table)  # once the table has its new size

    def refit_table(self) -> None:
        if self.shown is not None and self.deck_width() != self.shown_deck_width:
            self.fill_table()

    def action_review_all(self) -> None:
        self.app.start_review(None)

    def action_review_deck(self) -> None:
        self.review_node(self.current_node())

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        nodes = {node.key: node for node, _ in self.rows}
        self.review_node(nodes.get(event.row_key.value))

    def review_node(self, node: DeckNode | None) -> None:
        """Study the deck, or every deck under a parent."""
        if node is None:
            return
        ids = node.deck_ids
        self.app.start_review(ids[0] if len(ids) == 1 else ids)

    # -- the tree: folding, renaming, removing ------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "fold":
            return self.has_parents()
        if action in ("rename", "remove", "options"):
            return bool(self.rows)
        if action == "undo_remove":
            return bool(self.removed)
        if action == "import":  # served to a browser: only with a folder to import from
            served = self.app.served
            return served is None or served.import_root is not None
        return True

    @after_typed_keys
    def action_fold(self, fold: bool | None) -> None:
        """Fold (True), unfold (False) or switch (None) the parent under the cursor; ← on a
        deck under a parent goes to that parent."""
        node = self.current_node()
        if node is None:
            return
        if not node.children:
            if fold and node.parent is not None:
                self.move_to_parent(node)
            return
        folded = node.key in self.collapsed
        if fold is None:
            fold = not folded
        if fold == folded:
            if fold:
                self.move_to_parent(node)
            return
        (self.collapsed.add if fold else self.collapsed.discard)(node.key)
        self.fill_table()

    def move_to_parent(self, node: DeckNode) -> None:
        for row, (other, _) in enumerate(self.rows):
            if other.children and other.path == node.path[:-1]:
                self.query_one(DataTable).move_cursor(row=row)
                return

    def action_rename(self) -> None:
        node = self.current_node()
        if node is None:
            return
        if node.deck is None:
            self.notify("Only a deck can be renamed: rename the decks under it "
                        "(Parent::Child titles make the tree).", severity="warning",
                        markup=False)
            return
        from studyaws.tui.screens.deck_modals import RenameDeckScreen

        deck_id = node.deck.id

        def renamed(title: str | None) -> None:
            if title is None:
                return
            try:
                old = deck_service.rename_deck(self.app.engine, deck_id, title)
            except deck_service.DeckError as exc:
                self.notify(str(exc), title="Not renamed", severity="error", markup=False)
                return
            self.notify(f"Renamed {old} to {' '.join(title.split())}", markup=False)
            self.refresh_counts()

        self.app.push_screen(RenameDeckScreen(node.deck.title), renamed)

    def action_options(self) -> None:
        """The deck's options: its preset, and the presets' values (deck_options)."""
        node = self.current_node()
        if node is None:
            return
        if node.deck is None:
            self.notify("Options are a deck's: choose one of the decks under it.",
                        severity="warning", markup=False)
            return
        from studyaws.tui.screens.deck_options import DeckOptionsScreen

        def done(what: str | None) -> None:
            if what:
                self.notify(what, markup=False)
            self.refresh_counts()

        self.app.push_screen(DeckOptionsScreen(node.deck.id, node.deck.title), done)

    def action_remove(self) -> None:
        node = self.current_node()
        if node is None:
            return
        from studyaws.tui.screens.exam_modals import ConfirmScreen

        ids = node.deck_ids
        what = node.deck.title if node.deck is not None and len(ids) == 1 else \
            deck_service.SEPARATOR.join(node.path)
        decks, cards, reviews = deck_service.removal(self.app.engine, ids)
        held = (f"{cards} card{'s' if cards != 1 else ''} and "
                f"{reviews} review{'s' if reviews != 1 else ''}")
        question = (f"Remove {printable(what)} ({held})?" if decks == 1 else
                    f"Remove {printable(what)}: {decks} decks, {held}?")
        question += ("\n\nu on home brings it back with its history, and so does "
                     "importing its file again.")

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                removed = deck_service.remove_decks(self.app.engine, self.app.clock, ids)
            except deck_service.DeckError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.removed.append((printable(what), removed))
            self.notify(f"Removed {printable(what)} (u to undo)", markup=False)
            self.refresh_counts()
            self.refresh_bindings()

        self.app.push_screen(ConfirmScreen(question, "Remove deck?"), answered)

    def action_undo_remove(self) -> None:
        if not self.removed:
            return
        what, ids = self.removed[-1]
        deck_service.restore_decks(self.app.engine, ids)
        self.removed.pop()
        self.notify(f"Brought back {what}", markup=False)
        self.refresh_counts()
        self.refresh_bindings()

    def action_exam(self) -> None:
        self.app.choose_exam()

    def action_study_more(self) -> None:
        from studyaws.tui.screens.study_more import StudyMoreScreen

        self.app.push_screen(StudyMoreScreen())

    def action_import(self) -> None:
        from studyaws.tui.screens.importing import ImportScreen

        served = self.app.served
        if served is not None and served.import_root is None:
            return
        self.app.push_screen(ImportScreen(served.import_root if served else None))

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
