"""The browser (`/` on home) and the card details over it, driven with Pilot on a real
collection; snapshots at 80x24 and 200x50."""

from __future__ import annotations

import json

import pytest
from backup_support import run
from support import home_settled, make_collection, without_bundled_decks
from waiting import settle

from studyaws.core.srs.policy import GOOD
from studyaws.services import browse
from studyaws.services.review import ReviewService
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.browse import BrowseScreen
from studyaws.tui.screens.card_details import CardDetailsScreen

DECK = "# Basics\n\n" + "\n\n".join(
    f"Q: Question {n} about [b]VPC[/b] {n}\nA: Answer {n}" for n in range(1, 251)) + (
    "\n\nC: The {{NAT gateway}} lets private subnets [/] reach out\n")


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine, clock, _ = make_collection(tmp_path, DECK)
    service = ReviewService(engine, clock)
    service.answer(service.card(2), GOOD)
    return StudyApp(engine, clock)


async def open_browser(pilot) -> BrowseScreen:
    await home_settled(pilot)
    await pilot.press("slash")
    screen = await settle(pilot, lambda: isinstance(pilot.app.screen, BrowseScreen)
                          and pilot.app.screen.total is not None and pilot.app.screen,
                          what="the browser with its count")
    return screen


def status(screen) -> str:
    return str(screen.query_one("#browse-status").render())


async def test_rows_come_a_page_at_a_time_as_the_cursor_goes_down(app):
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browser(pilot)
        table = screen.query_one("DataTable")
        assert table.row_count == 100 and screen.more
        assert status(screen).startswith("251 cards · sorted by due ↑ · 100 shown")
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert table.row_count == 200
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert table.row_count == 251 and not screen.more
        everything = browse.search_cards(app.engine, app.clock, "", limit=1000).rows
        assert [r.id for r in screen.rows] == [r.id for r in everything]


async def test_a_search_typed_in_the_box(app):
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browser(pilot)
        await pilot.press("slash", *"kind:cloze or -is:new", "enter")
        await pilot.pause()
        table = screen.query_one("DataTable")
        assert table.row_count == 2 and table.has_focus
        assert status(screen).startswith("2 cards")
        prompts = [r.prompt for r in screen.rows]
        assert "The [...] lets private subnets [/] reach out" in prompts  # as typed, no markup
        await pilot.press("slash", "ctrl+u", *"kind:foo", "enter")
        await pilot.pause()
        assert status(screen).startswith("search: unknown kind 'foo' (known: basic,")
        assert table.row_count == 2  # the last rows stay


@pytest.mark.parametrize(("query", "sort"), [
    ('"Question 12"', "due"), ("nat*way", "interval"), ("answer", "created"), ("-vpc", "deck"),
    ("question 2*9", "difficulty")])
async def test_the_cards_command_agrees_with_the_browser(app, tmp_path, query, sort):
    """What `studyaws cards` prints for a search is what the browser shows, row for row."""
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browser(pilot)
        for _ in range(10):  # o: the next sort (at most once round the columns)
            if screen.sort == sort:
                break
            await pilot.press("o")
            await pilot.pause()
        assert screen.sort == sort
        await pilot.press("slash", "ctrl+u", *query, "enter")
        await settle(pilot, lambda: screen.query_text == query and screen.total is not None,
                     what="the search's count")
        while screen.more:
            await pilot.press("ctrl+end")
            await pilot.pause()
        shown, total = [r.id for r in screen.rows], screen.total
    app.engine.dispose()
    db = tmp_path / "home" / "studyaws.sqlite3"
    without_bundled_decks(db)
    done = run(tmp_path / "home", "cards", "--json", "--sort", sort, "--limit", "0", "--",
               query)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert [c["id"] for c in printed["cards"]] == shown
    assert printed["total"] == total == len(shown) > 0


async def test_sorting_by_key_and_by_header(app):
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browser(pilot)
        await pilot.press("o")  # due -> interval
        await pilot.pause()
        assert screen.sort == "interval"
        assert "ivl ↑" in str(screen.query_one("DataTable").columns["ivl"].label)
        for _ in range(5):  # ... difficulty, lapses, reps, deck, created
            await pilot.press("o")
        await pilot.pause()
        assert screen.sort == "created"
        await pilot.press("r")
        await pilot.pause()
        assert screen.descending and screen.rows[0].id == 251
        await pilot.click("#browse-table", offset=(3, 0))  # the id header: created again
        await pilot.pause()
        assert screen.sort == "created" and not screen.descending
        assert screen.rows[0].id == 1


async def test_enter_and_i_show_a_cards_details(app):
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browser(pilot)
        await pilot.press("slash", *"rated:1", "enter")
        await pilot.pause()
        assert [r.id for r in screen.rows] == [2]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CardDetailsScreen)
        text = str(app.screen.query_one("#card-details-text").render())
        assert "Question 2 about [b]VPC[/b] 2" in text
        assert "review  Good" in text and "deck.md:" in text
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, CardDetailsScreen)
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, BrowseScreen | CardDetailsScreen)


SIZES = {"80x24": (80, 24), "200x50": (200, 50)}


@pytest.mark.parametrize("size", SIZES)
def test_browser_snapshot(app, snap_compare, size):
    async def run_before(pilot):
        await open_browser(pilot)
        await pilot.press("down", "space", "space")  # two rows marked
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_card_details_snapshot(app, snap_compare, size):
    async def run_before(pilot):
        await open_browser(pilot)
        await pilot.press("slash", *"rated:1", "enter", "i")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


async def test_details_show_the_cards_markdown_as_styles_not_asterisks(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine, clock, _ = make_collection(
        tmp_path, "# Styles\n\nQ: What does **defense in depth** mean?\nA: Controls at `every` layer\n")
    async with StudyApp(engine, clock).run_test(size=(100, 30)) as pilot:
        await open_browser(pilot)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(pilot.app.screen, CardDetailsScreen)
        text = pilot.app.screen.query_one("#card-details-text").render()
        assert "What does defense in depth mean?" in str(text)
        assert "Controls at every layer" in str(text) and "*" not in str(text)
