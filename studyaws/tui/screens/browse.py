"""The browser: every card a search finds (core.search), a page of rows at a time as the
cursor goes down, sorted by a column; Enter or i shows a card's details."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from studyaws.core.search import SORTS
from studyaws.core.text import printable
from studyaws.services import browse
from studyaws.tui.widgets.footer import KeysFooter

PAGE = 100
LOAD_AHEAD = 20  # rows from the end of what is loaded at which the next page is read
# (column key, label, the sort it stands for or None, width; the prompt takes what is left)
COLUMNS = (("id", "id", "created", 6), ("deck", "deck", "deck", 0), ("kind", "kind", None, 8),
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


def row_cells(row: browse.CardRow, deck_width: int, prompt_width: int, zone) -> tuple:
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
    return (Content(str(row.id)), Content(one_line(row.deck, deck_width)), Content(row.kind),
            prompt,
            due, Content("" if row.interval is None else f"{row.interval}d"),
            Content(str(row.lapses)))


class BrowseScreen(Screen):
    BINDINGS = [
        Binding("escape", "leave", "Home", id="browse.home"),
        Binding("slash", "search", "Search", key_display="/", id="browse.search"),
        Binding("i", "details", "Details", id="browse.details"),
        Binding("s", "next_sort", "Sort", id="browse.sort"),
        Binding("r", "reverse", "Reverse", id="browse.reverse"),
        Binding("question_mark", "help", "Help", key_display="?", id="browse.help"),
    ]
    HELP_NOTES = (("Enter", "a card's details"), ("↓ PgDn", "more rows as you go down"),
                  ("click a header", "sort by it (again: reverse)"))
    HELP_TITLE = "Browse"
    DEFAULT_CSS = """
    #browse-search { margin: 0 1; }
    #browse-status { height: 1; padding: 0 1; }
    #browse-table { height: 1fr; margin: 0 1; }
    """

    def __init__(self, query: str = "") -> None:
        super().__init__()
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
        self.run_search()
        table.focus()

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
            table.add_row(*row_cells(row, self.deck_width, self.prompt_width, zone),
                          key=str(row.id))

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
             "$foreground-muted")))

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
        # Letters typed into the search box are the search's.
        return not (action in ("next_sort", "reverse", "details")
                    and isinstance(self.focused, Input))
