"""The browser's actions on the marked cards (or the one under the cursor), each committed
and undone exactly; E at the source from the browser; i and / from the review; studying the
cards of a search (the browser's S, home's Study more). Real SQLite files under Pilot."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest
from backends import engine_query, query
from support import basic_deck, home_settled, make_collection, review_count
from test_edit_at_source import fake_editor, replacing
from waiting import settle

from studyaws.core.srs.day import StudyDays
from studyaws.core.srs.policy import GOOD, NEW, REVIEW
from studyaws.services import browse
from studyaws.services.card_actions import ActionError, CardActions, parse_due_days
from studyaws.services.review import ReviewService
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.browse import BrowseScreen
from studyaws.tui.screens.card_details import CardDetailsScreen
from studyaws.tui.screens.flag import FlagScreen
from studyaws.tui.screens.review import ReviewScreen
from studyaws.tui.screens.set_due import SetDueScreen
from studyaws.tui.screens.study_more import SearchChoiceScreen, StudyMoreScreen
from studyaws.tui.screens.summary import SummaryScreen

SIZE = (120, 34)
COLUMNS = ("c.id, c.suspended, c.buried_until, c.flag, s.state, s.step, s.stability, "
           "s.difficulty, s.due, s.last_review, s.reps, s.lapses")


def cards(engine) -> dict[int, tuple]:
    """Each card's marks and memory, as stored."""
    return {row[0]: row for row in engine_query(
        engine, f"SELECT {COLUMNS} FROM card c JOIN card_state s ON s.card_id = c.id "
                "ORDER BY c.id")}


def logs(engine) -> list[tuple]:
    return engine_query(engine, "SELECT * FROM review_log ORDER BY id")


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


@pytest.fixture
def collection(tmp_path, monkeypatch):
    """Ten cards: cards 1 and 2 answered (in review: one learning step), the others new."""
    monkeypatch.chdir(tmp_path)
    engine, clock, deck = make_collection(tmp_path, basic_deck(10),
                                          settings={"learning-steps": "1"})
    service = ReviewService(engine, clock)
    service.answer(service.card(1), GOOD)
    service.answer(service.card(2), GOOD)
    clock.advance(timedelta(minutes=10))
    service.answer(service.card(2), GOOD)
    assert cards(engine)[2][4] == REVIEW
    return engine, clock, deck


async def open_browser(pilot, query: str = "") -> BrowseScreen:
    await home_settled(pilot)
    await pilot.press("slash")
    screen = await settle(pilot, lambda: isinstance(pilot.app.screen, BrowseScreen)
                          and pilot.app.screen.total is not None and pilot.app.screen,
                          what="the browser")
    if query:
        await pilot.press("slash", *query, "enter")
        await pilot.pause()
    return screen


def status(screen) -> str:
    return str(screen.query_one("#browse-status").render())


async def sort_by_created(pilot, screen) -> None:
    """Rows in card id order (the sort key, o, through due ... to created)."""
    while screen.sort != "created":
        await pilot.press("o")
        await pilot.pause()


async def test_space_marks_and_s_suspends_them_then_unsuspends_and_u_undoes(collection):
    engine, clock, _ = collection
    before = cards(engine)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(pilot)
        await sort_by_created(pilot, screen)
        await pilot.press("space", "down", "space", "space")  # cards 1, 3, 4
        await pilot.pause()
        assert screen.marked == {1, 3, 4}
        assert "3 marked" in status(screen)
        table = screen.query_one("DataTable")
        assert str(table.get_cell("1", "mark")) == "✓" and str(table.get_cell("2", "mark")) == ""
        await pilot.press("s")
        await pilot.pause()
        after = cards(engine)
        assert [i for i, row in after.items() if row[1]] == [1, 3, 4]
        assert "Suspended 3 cards." in notices(app)
        assert "[S]" in str(table.get_cell("3", "prompt"))  # the rows read again
        await pilot.press("s")  # every marked card suspended: unsuspends them
        await pilot.pause()
        assert cards(engine) == before
        assert "Unsuspended 3 cards." in notices(app)
        await pilot.press("u")  # undoes the unsuspension
        await pilot.pause()
        assert cards(engine) == after
        await pilot.press("u")  # then the suspension
        await pilot.pause()
        assert cards(engine) == before
        assert "Undone: restored 3 cards." in notices(app)
        await pilot.press("u")  # nothing left to undo: nothing changes
        await pilot.pause()
        assert cards(engine) == before and not screen.actions.undo_stack


async def test_with_nothing_marked_b_buries_the_card_under_the_cursor(collection):
    engine, clock, _ = collection
    before = cards(engine)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(pilot)
        await sort_by_created(pilot, screen)
        await pilot.press("down", "down", "b")  # card 3
        await pilot.pause()
        after = cards(engine)
        changed = [i for i in after if after[i] != before[i]]
        assert changed == [3]
        # Until the next study day starts (04:00 local, UTC here), as the review's bury.
        assert after[3][2].startswith("2026-03-03 04:00:00")
        assert "Buried until tomorrow: 1 card." in notices(app)
        assert screen.rows[2].id == 3 and screen.rows[2].buried  # the cursor stays on it
        assert screen.query_one("DataTable").cursor_row == 2
        clock.advance(timedelta(days=1))
        assert ReviewService(engine, clock).card(3)  # still a card; buried no more tomorrow
        await pilot.press("u")
        await pilot.pause()
        assert cards(engine) == before


async def test_f_flags_the_marked_cards_and_u_takes_the_flags_back(collection):
    engine, clock, _ = collection
    engine_query(engine, "UPDATE card SET flag = 4 WHERE id = 5")
    before = cards(engine)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(pilot, '"Question 5" or "Question 6" or "Question 7"')
        await pilot.press("a")  # every card found
        await pilot.pause()
        assert screen.marked == {5, 6, 7}
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FlagScreen) and app.screen.current == -1
        await pilot.press("2")
        await pilot.pause()
        assert [cards(engine)[i][3] for i in (5, 6, 7, 8)] == [2, 2, 2, 0]
        assert "Flagged orange: 3 cards." in notices(app)
        await pilot.press("u")
        await pilot.pause()
        assert cards(engine) == before


async def test_n_forgets_a_card_its_history_kept_and_it_comes_back_as_new(collection):
    engine, clock, _ = collection
    before, history = cards(engine), logs(engine)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(pilot, "-is:new")
        assert {row.id for row in screen.rows} == {1, 2}
        await pilot.press("a", "n")
        await pilot.pause()
        after = cards(engine)
        for card in (1, 2):
            assert after[card][1:8] == (0, None, 0, NEW, 0, None, None)
            assert after[card][9:] == (None, 0, 0)
        assert logs(engine) == history  # the history stays
        assert "Forgotten (back to new): 2 cards." in notices(app)
        assert screen.rows == []  # no longer found by -is:new
        # The review offers them again as new, first (by id) among the new cards.
        service = ReviewService(engine, clock)
        assert service.next_card().id == 1
        await pilot.press("u")
        await pilot.pause()
        assert cards(engine) == before
        assert {row.id for row in screen.rows} == {1, 2}


async def test_d_sets_a_due_date_a_review_card_keeping_its_stability(collection):
    engine, clock, _ = collection
    before = cards(engine)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(pilot)
        await sort_by_created(pilot, screen)
        await pilot.press("down", "space", "space")  # card 2 (review) and 3 (new)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, SetDueScreen)
        await pilot.press("ctrl+u", *"9-", "enter")
        await pilot.pause()
        assert "a range such as 0-7" in str(app.screen.query_one("#set-due-error").render())
        await pilot.press("ctrl+u", *"5", "enter")
        await pilot.pause()
        after = cards(engine)
        days = StudyDays()
        on = days.start_of(days.date_of(clock.now()) + timedelta(days=5))
        assert after[2][8].startswith(on.strftime("%Y-%m-%d %H:%M:%S"))
        assert after[2][4:8] == (REVIEW, None) + before[2][6:8]  # stability, difficulty kept
        assert after[2][9:] == before[2][9:]
        assert after[3][4] == REVIEW and after[3][6] > 0 and after[3][8] == after[2][8]
        assert "Due in 5 days: 2 cards." in notices(app)
        await pilot.press("u")
        await pilot.pause()
        assert cards(engine) == before


def test_a_range_spreads_the_cards_at_random_over_its_days(collection):
    engine, clock, _ = collection
    actions = CardActions(engine, clock)
    done = actions.set_due(range(1, 11), "0-7", random.Random(4))
    assert done.changed == 10
    days = StudyDays()
    today = days.date_of(clock.now())
    offsets = {(days.date_of(ReviewService(engine, clock).card(i).memory.due) - today).days
               for i in range(1, 11)}
    assert offsets <= set(range(8)) and len(offsets) > 2
    assert parse_due_days(" 3 ") == (3, 3) and parse_due_days("0 - 7") == (0, 7)
    for bad in ("7-0", "x", "-1", "99999"):
        with pytest.raises(ActionError):
            parse_due_days(bad)
    with pytest.raises(ActionError):
        actions.flag([1], 7)


async def test_a_marks_every_card_of_the_search_beyond_those_shown(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine, clock, _ = make_collection(tmp_path, basic_deck(150))
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(pilot)
        assert len(screen.rows) == 100 and screen.more
        await pilot.press("a")
        await pilot.pause()
        assert len(screen.marked) == 150 and "150 marked" in status(screen)
        await pilot.press("s")
        await pilot.pause()
        assert all(row[1] for row in cards(engine).values())
        assert "Suspended 150 cards." in notices(app)
        await pilot.press("a")  # again: none marked
        await pilot.pause()
        assert not screen.marked and "marked" not in status(screen)
        await pilot.press("slash", *"Question 1", "enter", "a")
        await pilot.pause()
        assert screen.marked  # a new search starts with none marked, then a marks its own
        await pilot.press("slash", *"0", "enter")
        await pilot.pause()
        assert not screen.marked


async def test_E_edits_the_card_under_the_cursor_and_comes_back_on_it(collection, monkeypatch,
                                                                       tmp_path):
    engine, clock, deck = collection
    monkeypatch.setenv("EDITOR", str(fake_editor(tmp_path, replacing("Answer 7\n",
                                                                     "Answer seven\n"))))
    history = logs(engine)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(pilot)
        await sort_by_created(pilot, screen)
        for _ in range(6):
            await pilot.press("down")
        assert screen.cursor_card().id == 7
        await pilot.press("E")
        await settle(pilot, lambda: browse.card_details(engine, clock, 7).answer
                     == "Answer seven", what="the card imported again")
        assert "Answer seven" in deck.read_text()
        await pilot.press("i")  # the details of the card under the cursor: the one edited
        details = await settle(pilot, lambda: isinstance(app.screen, CardDetailsScreen)
                               and app.screen.details, what="its details")
        assert details.id == 7 and details.answer == "Answer seven"
        assert logs(engine) == history


async def test_i_and_slash_in_the_review_come_back_to_the_same_card(collection):
    engine, clock, _ = collection
    app = StudyApp(engine, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_settled(pilot)
        await pilot.press("enter")
        review = await settle(pilot, lambda: isinstance(app.screen, ReviewScreen)
                              and app.screen.view is not None and app.screen, what="review")
        shown = review.view.id
        await pilot.press("space")  # the answer shown
        await pilot.pause()
        assert review.revealed
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, CardDetailsScreen) and app.screen.details.id == shown
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("slash")
        browser = await settle(pilot, lambda: isinstance(app.screen, BrowseScreen)
                               and app.screen, what="the browser over the review")
        footer = " ".join(str(key.description) for key in app.screen.query("FooterKey"))
        assert "Back" in footer and "Home" not in footer
        await pilot.press("slash", *f'"Question {shown}"', "enter", "f", "3")
        await pilot.pause()
        assert next(row for row in browser.rows if row.id == shown).flag == 3
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is review and review.view.id == shown and review.revealed
        assert review.view.flag == 3
        await pilot.press("space")  # Good, as before the browser
        await pilot.pause()
        assert review_count(engine) == 4


async def test_i_before_the_answer_is_shown_does_not_give_it_away(collection):
    engine, clock, _ = collection
    app = StudyApp(engine, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await home_settled(pilot)
        await pilot.press("enter")
        review = await settle(pilot, lambda: isinstance(app.screen, ReviewScreen)
                              and app.screen.view is not None and app.screen, what="review")
        shown = review.view.id
        answer = f"Answer {shown}"

        def details_text() -> str:
            return str(app.screen.query_one("#card-details-text").render())

        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, CardDetailsScreen)
        assert answer not in details_text() and "once you have seen it" in details_text()
        await pilot.press("escape", "space", "i")  # the answer shown, then the details
        await pilot.pause()
        assert answer in details_text()


async def test_the_review_footer_keeps_help_and_escape_at_80_columns(collection):
    engine, clock, _ = collection
    app = StudyApp(engine, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_settled(pilot)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ReviewScreen)
                     and app.screen.view is not None, what="review")
        await pilot.pause()
        keys = [str(key.key) for key in app.screen.query("FooterKey")]
        assert "question_mark" in keys and "escape" in keys
        assert sum(key.region.width for key in app.screen.query("FooterKey")) <= 80


async def test_S_studies_the_search_and_escape_comes_back_to_the_browser(collection):
    engine, clock, _ = collection
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(pilot, '"Question 4" or "Question 5"')
        await pilot.press("S")
        review = await settle(pilot, lambda: isinstance(app.screen, ReviewScreen)
                              and app.screen.view is not None and app.screen, what="review")
        assert review.selection.card_ids == (4, 5)
        assert review.selection.title == 'Search: "Question 4" or "Question 5"'
        await pilot.press("space", "space")  # card 4: shown, Good
        await pilot.pause()
        assert cards(engine)[4][4] != NEW
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        # The browser read its rows again: card 4 is no longer new.
        assert next(row for row in screen.rows if row.id == 4).state != "new"
        await pilot.press("slash", *'"Question 9"', "enter", "s", "S")  # suspended: nothing
        await pilot.pause()
        assert app.screen is screen
        assert any("can be studied now" in notice for notice in notices(app))


async def test_study_more_offers_the_cards_of_a_search(collection):
    engine, clock, _ = collection
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await home_settled(pilot)
        await pilot.press("m")
        await settle(pilot, lambda: isinstance(app.screen, StudyMoreScreen), what="menu")
        await pilot.press("5")
        await settle(pilot, lambda: isinstance(app.screen, SearchChoiceScreen), what="box")
        await pilot.press(*"kind:foo", "enter")
        await pilot.pause()
        assert "unknown kind" in str(app.screen.query_one("#more-error").render())
        await pilot.press("ctrl+u", *"is:review", "enter")
        review = await settle(pilot, lambda: isinstance(app.screen, ReviewScreen)
                              and app.screen.view is not None and app.screen, what="review")
        assert review.selection.card_ids == (1, 2)
        await pilot.press("space", "3", "space", "3")
        await settle(pilot, lambda: isinstance(app.screen, SummaryScreen), what="summary")


def test_a_search_with_nothing_to_study_says_so(collection):
    engine, clock, _ = collection
    from studyaws.services import study_more

    with pytest.raises(study_more.StudyMoreError, match="finds no card"):
        study_more.matching(engine, clock, "deck:nothing")
    CardActions(engine, clock).suspend([3])
    with pytest.raises(study_more.StudyMoreError, match="can be studied now"):
        study_more.matching(engine, clock, "Question 3")
    assert 3 not in study_more.matching(engine, clock, "").card_ids


def test_the_cards_command_acts_on_every_card_a_search_finds(tmp_path):
    from backup_support import rows, run

    engine, clock, _ = make_collection(tmp_path, basic_deck(10))
    engine.dispose()
    home, db = tmp_path / "home", tmp_path / "home" / "studyaws.sqlite3"

    before = rows(db)
    done = run(home, "cards", "--suspend")
    assert done.returncode == 2 and "give a search" in done.stderr
    for bad in (['"Question 1"', "--flag", "7"], ['"Question 1"', "--set-due", "7-1"],
                ["kind:foo", "--forget"]):
        done = run(home, "cards", *bad)
        assert done.returncode == 2 and done.stderr.startswith("studyaws cards: "), bad
        assert "Traceback" not in done.stderr
    assert rows(db) == before  # nothing written
    done = run(home, "cards", '"Question 1"', "--suspend")  # 1 and 10
    assert done.returncode == 0 and done.stdout.strip() == "Suspended 2 cards."
    done = run(home, "cards", "--json", "--flag", "3", "--", "-is:suspended")
    assert json.loads(done.stdout) == {"query": "-is:suspended", "action": "flag",
                                       "found": 8, "changed": 8}
    done = run(home, "cards", "Question", "--set-due", "2")
    assert done.stdout.strip() == "Due in 2 days: 10 cards."
    done = run(home, "cards", "Question", "--forget")
    assert done.stdout.strip() == "Forgotten (back to new): 10 cards."
    after = rows(db)
    assert all(state[1] == NEW and state[3] is None for state in after["card_state"])
    marks = query(db, "SELECT id, suspended, flag FROM card ORDER BY id")
    assert marks == [(i, i in (1, 10), 0 if i in (1, 10) else 3) for i in range(1, 11)]
