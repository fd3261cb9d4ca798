"""The browser: every card a search finds (core.search), a page of rows at a time as the
cursor goes down, sorted by a column; Enter or i shows a card's details.

Actions on the cards marked (Space marks the row under the cursor, a marks every card the
search finds), or on the card under the cursor when none is: suspend or unsuspend, bury,
flag, forget, set due date, each committed before the rows are read again, and undone with
u (services.card_actions); E edits the card under the cursor at its source; S studies the
search's cards (or the marked ones) in a temporary session."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from studyaws.core.search import SORTS
from studyaws.core.text import printable
from studyaws.services import browse, study_more
from studyaws.services.card_actions import CardActions, Done, due_text
from studyaws.services.flags import flag_name
from studyaws.tui.widgets.footer import KeysFooter

PAGE = 100
LOAD_AHEAD = 20  # rows from the end of what is loaded at which the next page is read
# (column key, label, the sort it stands for or None, width; the prompt takes what is left)
COLUMNS = (("mark", "", None, 1), ("id", "id", "created", 6), ("deck", "deck", "deck", 0), ("kind", "kind", None, 8),
           ("prompt", "prompt", None, 0), ("due", "due", "due", 10),
           ("ivl", "ivl", "interval", 6), ("lapses", "lapses", "lapses", 8))
_PADDING = 2 * len(COLUMNS) + 4  # each cell's padding, the margins and the scrollbar
_FLAGS = {1: ("●", "red"), 2: ("●", "#ff8c00"), 3: ("●", "green"), 4: ("●", "dodgerblue")}


def one_line(text: str, width: int) -> str:
    text = printable(" ".join(text.split()))
    return text if len(text) <= width else text[:width - 1] + "…"


def widths(screen_width: int) -> tuple[int, int]:
    """The deck and prompt columns' widths on a screen this wide."""
    deck = 12 if screen_width < 120 else 24
    fixed = sum(width for *_, width in COLUMNS) + deck + _PADDING
    return deck, max(12, screen_width - fixed)


MARKED = Content.styled("✓", "bold $accent")


def row_cells(row: browse.CardRow, deck_width: int, prompt_width: int, zone,
              marked: bool = False) -> tuple:
    marks = [mark for mark, on in (("S", row.suspended), ("B", row.buried), ("L", row.leech),
                                   ("R", row.retired)) if on]
    prompt = Content(one_line(row.prompt, prompt_width - (len(marks) + 3 if marks else 0)
                              - (2 if row.flag in _FLAGS else 0)))
    if marks:
        prompt = Content.assemble(prompt, (f" [{''.join(marks)}]", "$foreground-muted"))
    if row.flag in _FLAGS:
        mark, colour = _FLAGS[row.flag]
        prompt = Content.assemble((mark, colour), " ", prompt)
    due = Content.styled("new", "$foreground-muted") if row.due is None else Content(
        f"{row.due.astimezone(zone):%Y-%m-%d}")
    return (MARKED if marked else Content(""), Content(str(row.id)), Content(one_line(row.deck, deck_width)), Content(row.kind),
            prompt,
            due, Content("" if row.interval is None else f"{row.interval}d"),
            Content(str(row.lapses)))


class BrowseScreen(Screen):
    # In the footer's order: at 80 columns the last ones give way first.
    BINDINGS = [
        Binding("escape", "leave", "Home", id="browse.home"),
        Binding("escape", "back", "Back", id="browse.back"),
        Binding("slash", "search", "Search", key_display="/", id="browse.search"),
        Binding("space", "mark", "Mark", key_display="Space", id="browse.mark"),
        Binding("a", "mark_all", "Mark all", id="browse.mark-all"),
        Binding("s", "suspend", "Suspend", id="browse.suspend"),
        Binding("b", "bury", "Bury", id="browse.bury"),
        Binding("f", "flag", "Flag", id="browse.flag"),
        Binding("n", "forget", "Forget", id="browse.forget"),
        Binding("d", "set_due", "Due date", id="browse.set-due"),
        Binding("u", "undo", "Undo", id="browse.undo"),
        Binding("E", "edit", "Edit", id="browse.edit"),
        Binding("S", "study", "Study these", id="browse.study"),
        Binding("i", "details", "Details", id="browse.details"),
        Binding("o", "next_sort", "Sort", id="browse.sort"),
        Binding("r", "reverse", "Reverse", id="browse.reverse"),
        Binding("question_mark", "help", "Help", key_display="?", id="browse.help"),
    ]
    HELP_NOTES = (("Enter", "a card's details"), ("↓ PgDn", "more rows as you go down"),
                  ("click a header", "sort by it (again: reverse)"),
                  ("s b f n d", "act on the marked cards, or the one under the cursor"),
                  ("", "when none is marked; u undoes the last action"),
                  ("s", "suspend (unsuspend when every one is suspended already)"),
                  ("f 1-4, f 0", "flag red, orange, green or blue; take the flag off"),
                  ("n", "forget: back to new, the history kept"),
                  ("d", "set due date: days from today, or a range such as 0-7"))
    HELP_TITLE = "Browse"
    DEFAULT_CSS = """
    #browse-search { margin: 0 1; }
    #browse-status { height: 1; padding: 0 1; }
    #browse-table { height: 1fr; margin: 0 1; }
    """

    def __init__(self, query: str = "", over_review: bool = False) -> None:
        super().__init__()
        self.over_review = over_review  # opened from the review: Escape goes back to it
        self.marked: set[int] = set()
        self.stale = False  # the cards may have changed under another screen: read again
        self.query_text = query
        self.sort = "due"
        self.descending = False
        self.rows: list[browse.CardRow] = []
        self.more = False
        self.total: int | None = None
        self.error = ""

    def compose(self) -> ComposeResult:
        yield Static("Browse", id="browse-title", classes="title-bar")
        yield Input(self.query_text, id="browse-search",
                    placeholder="search: words, \"a phrase\", deck:NAME, is:due, kind:cloze, "
                                "prop:r<0.8, -term, or …  (Enter)")
        yield Static(id="browse-status")
        yield DataTable(id="browse-table", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        self.deck_width, self.prompt_width = widths(self.app.size.width)
        for key, label, _, width in COLUMNS:
            width = {"deck": self.deck_width, "prompt": self.prompt_width}.get(key, width)
            table.add_column(label, key=key, width=width)
        self.actions = CardActions(self.app.engine, self.app.clock)
        self.run_search()
        table.focus()

    def on_screen_resume(self) -> None:
        if self.stale:
            self.stale = False
            self.refresh_rows()

    # -- the search ------------------------------------------------------------------------
    def run_search(self) -> None:
        """Read the first page of the search in the box (kept on screen when it cannot be
        read: the status line says why)."""
        query = self.query_one(Input).value
        app = self.app
        try:
            page = browse.search_cards(app.engine, app.clock, query, self.sort,
                                       self.descending, 0, PAGE)
        except browse.SearchError as exc:
            self.error = str(exc)
            self.show_status()
            return
        self.error = ""
        if query != self.query_text:
            self.marked.clear()  # marks belong to a search
        self.query_text = query
        self.rows = list(page.rows)
        self.more = page.more
        self.total = None if page.more else len(page.rows)
        table = self.query_one(DataTable)
        table.clear()
        self.add_rows(page.rows)
        self.show_headers()
        self.show_status()
        if page.more:
            self.count(query)

    def add_rows(self, rows: list[browse.CardRow]) -> None:
        table = self.query_one(DataTable)
        zone = self.app.clock.local_zone()
        for row in rows:
            table.add_row(*row_cells(row, self.deck_width, self.prompt_width, zone,
                                     row.id in self.marked), key=str(row.id))

    def load_more(self) -> None:
        if not self.more:
            return
        app = self.app
        page = browse.search_cards(app.engine, app.clock, self.query_text, self.sort,
                                   self.descending, len(self.rows), PAGE)
        self.rows.extend(page.rows)
        self.more = page.more
        self.add_rows(page.rows)
        self.show_status()

    @work(thread=True, exclusive=True, group="browse-count")
    def count(self, query: str) -> None:
        total = browse.count_cards(self.app.engine, self.app.clock, query)
        self.app.call_from_thread(self.counted, query, total)

    def counted(self, query: str, total: int) -> None:
        if query == self.query_text:
            self.total = total
            self.show_status()

    def show_status(self) -> None:
        status = self.query_one("#browse-status", Static)
        if self.error:
            status.update(Content.styled(printable(self.error), "$error"))
            return
        found = ("…" if self.total is None else f"{self.total:,}")
        arrow = "↓" if self.descending else "↑"
        status.update(Content.assemble(
            f"{found} card{'' if self.total == 1 else 's'}",
            (f" · sorted by {self.sort} {arrow} · {len(self.rows):,} shown",
             "$foreground-muted"),
            (f" · {len(self.marked):,} marked" if self.marked else "", "bold $accent")))

    def show_headers(self) -> None:
        table = self.query_one(DataTable)
        arrow = " ↓" if self.descending else " ↑"
        for key, label, sort, _ in COLUMNS:
            column = table.columns[key]
            column.label = Content(label + (arrow if sort == self.sort else ""))
        table.refresh()

    # -- events and keys -------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_search()
        if not self.error:
            self.query_one(DataTable).focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.more and event.cursor_row >= len(self.rows) - LOAD_AHEAD:
            self.load_more()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.open_details(event.row_key.value)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        sort = next((s for key, _, s, _ in COLUMNS if key == event.column_key.value), None)
        if sort is None:
            return
        if sort == self.sort:
            self.descending = not self.descending
        else:
            self.sort, self.descending = sort, False
        self.run_search()

    def action_leave(self) -> None:
        self.app.pop_screen()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        from studyaws.tui.screens.modals import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def action_search(self) -> None:
        self.query_one(Input).focus()

    def action_next_sort(self) -> None:
        sorts = list(SORTS)
        self.sort = sorts[(sorts.index(self.sort) + 1) % len(sorts)]
        self.descending = False
        self.run_search()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self.run_search()

    def action_details(self) -> None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0:
            return
        self.open_details(str(self.rows[table.cursor_row].id))

    def open_details(self, key: str | None) -> None:
        from studyaws.tui.screens.card_details import CardDetailsScreen

        if key is None:
            return
        details = browse.card_details(self.app.engine, self.app.clock, int(key))
        self.app.push_screen(CardDetailsScreen(details, self.app.clock.local_zone()))

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("leave", "back"):  # one Escape: home, or back to the review
            return (action == "back") == self.over_review
        if action == "undo" and not self.actions.undo_stack:
            return None  # shown, dimmed: nothing to undo
        if action == "edit" and self.app.served is not None:
            return False  # the deck files are the server's (studyaws.tui.served)
        # Letters typed into the search box are the search's.
        return not (action in self.CARD_KEYS and isinstance(self.focused, Input))

    CARD_KEYS = frozenset({"next_sort", "reverse", "details", "mark", "mark_all", "suspend",
                           "bury", "flag", "forget", "set_due", "undo", "edit", "study"})

    # -- marking -----------------------------------------------------------------------------
    def cursor_card(self) -> browse.CardRow | None:
        table = self.query_one(DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def targets(self) -> list[int]:
        """The cards an action applies to: the marked ones, else the one under the cursor."""
        if self.marked:
            return sorted(self.marked)
        row = self.cursor_card()
        return [] if row is None else [row.id]

    def show_marks(self) -> None:
        table = self.query_one(DataTable)
        for row in self.rows:
            table.update_cell(str(row.id), "mark",
                              MARKED if row.id in self.marked else Content(""))
        self.show_status()

    def action_mark(self) -> None:
        row = self.cursor_card()
        if row is None:
            return
        self.marked ^= {row.id}
        table = self.query_one(DataTable)
        table.update_cell(str(row.id), "mark", MARKED if row.id in self.marked else Content(""))
        self.show_status()
        table.action_cursor_down()

    def action_mark_all(self) -> None:
        """Mark every card the search finds (those not shown yet too); again, mark none."""
        app = self.app
        found = browse.search_ids(app.engine, app.clock, self.query_text, self.sort,
                                  self.descending)
        self.marked = set() if self.marked.issuperset(found) else set(found)
        self.show_marks()

    # -- actions on the cards ----------------------------------------------------------------
    def after(self, done: Done, detail: str = "") -> None:
        """The action is committed: say what it did, and read the rows again."""
        self.notify(done.message(detail), markup=False, timeout=4)
        self.refresh_rows()
        self.refresh_bindings()

    def refresh_rows(self, keep: int | None = None) -> None:
        """Read the rows again (as many as were shown), the cursor kept on card `keep` (by
        default the one under it) or, gone from the search, at the same place."""
        table = self.query_one(DataTable)
        at = table.cursor_row
        if keep is None and (row := self.cursor_card()) is not None:
            keep = row.id
        app = self.app
        page = browse.search_cards(app.engine, app.clock, self.query_text, self.sort,
                                   self.descending, 0, max(PAGE, len(self.rows)))
        self.rows = list(page.rows)
        self.more = page.more
        self.total = None if page.more else len(page.rows)
        table.clear()
        self.add_rows(self.rows)
        if self.rows:
            index = next((n for n, row in enumerate(self.rows) if row.id == keep),
                         min(max(at, 0), len(self.rows) - 1))
            table.move_cursor(row=index, animate=False)
        self.show_status()
        if page.more:
            self.count(self.query_text)

    def action_suspend(self) -> None:
        ids = self.targets()
        if not ids:
            return
        rows = {row.id: row for row in self.rows}
        suspended = [rows[i].suspended for i in ids if i in rows]
        every = len(suspended) == len(ids) and all(suspended)
        self.after(self.actions.suspend(ids, not every))

    def action_bury(self) -> None:
        if ids := self.targets():
            self.after(self.actions.bury(ids))

    def action_flag(self) -> None:
        from studyaws.tui.screens.flag import FlagScreen

        ids = self.targets()
        if not ids:
            return
        wanted = set(ids)
        shown = [row.flag for row in self.rows if row.id in wanted]
        # Their flag when they share one (and all are shown): the box says it is the one now.
        current = shown[0] if len(shown) == len(ids) and len(set(shown)) == 1 else -1

        def chosen(flag: int | None) -> None:
            if flag is not None:
                self.after(self.actions.flag(ids, flag), flag_name(flag))

        self.app.push_screen(FlagScreen(current), chosen)

    def action_forget(self) -> None:
        if ids := self.targets():
            self.after(self.actions.forget(ids))

    def action_set_due(self) -> None:
        from studyaws.tui.screens.set_due import SetDueScreen

        ids = self.targets()
        if not ids:
            return

        def chosen(days: tuple[int, int] | None) -> None:
            if days is not None:
                self.after(self.actions.set_due(ids, days), due_text(days))

        self.app.push_screen(SetDueScreen(len(ids)), chosen)

    def action_undo(self) -> None:
        done = self.actions.undo()
        if done is None:
            self.notify("Nothing to undo in this browser.", markup=False)
            return
        self.after(done)

    def action_edit(self) -> None:
        """E: edit the card under the cursor in its file; back on it once imported again."""
        from studyaws.tui.editing import edit_at_source

        row = self.cursor_card()
        if row is None:
            return

        async def edited(card_id: int | None) -> None:
            self.refresh_rows(keep=card_id)

        edit_at_source(self, row.id, edited)

    def action_study(self) -> None:
        """S: study the marked cards, or every card of the search, in a temporary session
        (scheduled as any review; Escape leaves it, back here)."""
        from studyaws.tui.screens.review import ReviewScreen

        app = self.app
        marked = sorted(self.marked) if self.marked else None
        try:
            selection = study_more.matching(app.engine, app.clock, self.query_text, self.sort,
                                            self.descending, marked)
        except study_more.StudyMoreError as problem:
            text = str(problem)
            self.notify(f"{text[:1].upper()}{text[1:]}.", markup=False, severity="warning")
            return
        self.stale = True
        app.push_screen(ReviewScreen(None, selection))
