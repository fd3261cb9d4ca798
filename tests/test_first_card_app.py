"""`studyaws review` on a SQLite collection: the review shows its first card (read on the
light path) before the collection is opened; keys typed before the collection is open act
once it is, in order, the answer committed before the next card shows; Escape goes home,
made then (no home is made before the first card)."""

from __future__ import annotations

import threading

from support import START, basic_deck, review_count
from waiting import settle

from studyaws.core.clock import FakeClock
from studyaws.core.srs import policy
from studyaws.services.first_card import first_card
from studyaws.services.importer import import_paths
from studyaws.store.engine import open_engine
from studyaws.store.settings import mark_bundled_decks
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.home import HomeScreen
from studyaws.tui.screens.review import ReviewScreen

SIZE = (100, 30)


def collection(tmp_path):
    deck = tmp_path / "deck.md"
    deck.write_text(basic_deck(3), "utf-8")
    db = tmp_path / "home" / "studyaws.sqlite3"
    engine = open_engine(db)
    clock = FakeClock(START)
    import_paths(engine, [deck], clock.now())
    mark_bundled_decks(engine, START.isoformat())
    return engine, db, clock


def held_app(engine, db, clock):
    """The app as `studyaws review` starts it, its collection's opening held at a gate."""
    gate = threading.Event()
    opened = []

    def opening():
        gate.wait(30)
        opened.append(True)
        return engine, None

    app = StudyApp(None, clock, start="review", opening=opening,
                   first_card=lambda clock: first_card(db, clock))
    return app, gate, opened


async def test_the_first_card_shows_before_the_collection_opens_and_keys_wait_for_it(tmp_path):
    engine, db, clock = collection(tmp_path)
    app, gate, opened = held_app(engine, db, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(pilot, lambda: isinstance(app.screen, ReviewScreen)
                              and app.screen.view is not None and app.screen,
                              what="the first card")
        assert screen.view.prompt == "Question 1" and not opened
        assert app.engine is None and screen.service is None
        assert [type(s).__name__ for s in app.screen_stack[1:]] == ["ReviewScreen"]
        assert "New 3" in str(screen.query_one("#review-counts").render())
        await pilot.press("space", "3")  # typed before the collection is open
        await pilot.pause(0.1)
        assert review_count(engine) == 0 and not screen.query_one("#answer").display
        gate.set()
        await settle(pilot, lambda: screen.view.prompt == "Question 2", what="the next card")
        assert review_count(engine) == 1
        assert screen.service.session.reviewed == 1
        assert screen.service.last_counts.new == 2
        await pilot.press("space", "1")
        await settle(pilot, lambda: review_count(engine) == 2, what="the second answer")
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, HomeScreen), what="home")
        assert [type(s).__name__ for s in app.screen_stack[1:]] == ["HomeScreen"]
        await pilot.press("r")  # home's review, over home: Escape pops back to it
        await settle(pilot, lambda: isinstance(app.screen, ReviewScreen), what="the review")
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, HomeScreen), what="home again")
        assert [type(s).__name__ for s in app.screen_stack[1:]] == ["HomeScreen"]


async def test_the_first_card_answered_once_open_is_the_one_shown(tmp_path):
    engine, db, clock = collection(tmp_path)
    app, gate, _ = held_app(engine, db, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(pilot, lambda: isinstance(app.screen, ReviewScreen)
                              and app.screen.view is not None and app.screen,
                              what="the first card")
        shown = screen.view.id
        gate.set()
        await settle(pilot, lambda: screen.service is not None, what="the service")
        await pilot.press("space", "4")
        await settle(pilot, lambda: review_count(engine) == 1, what="the answer")
        from sqlalchemy import select

        from studyaws.store.engine import reading
        from studyaws.store.tables import ReviewLog

        with reading(engine) as session:
            log = session.execute(select(ReviewLog)).scalars().one()
        assert (log.card_id, log.rating) == (shown, policy.EASY)


async def test_digits_typed_on_a_first_question_pick_its_options_once_open(tmp_path):
    deck = tmp_path / "deck.md"
    deck.write_text("# Objective\nWhich is the answer? {#single}\n\n- [ ] Wrong one\n"
                    "- [x] Right one\n- [ ] Wrong two\n", "utf-8")
    db = tmp_path / "home" / "studyaws.sqlite3"
    engine = open_engine(db)
    clock = FakeClock(START)
    import_paths(engine, [deck], clock.now())
    mark_bundled_decks(engine, START.isoformat())
    app, gate, _ = held_app(engine, db, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(pilot, lambda: isinstance(app.screen, ReviewScreen)
                              and app.screen.view is not None and app.screen,
                              what="the first card")
        assert screen.view.kind == "choice"
        options = screen.query_one("#options")
        right = str(options.order.index(options.options.index("Right one")) + 1)
        await pilot.press(right, "enter")  # typed before the collection is open
        await pilot.pause(0.1)
        assert review_count(engine) == 0
        gate.set()
        await settle(pilot, lambda: screen.submitted, what="the answer submitted")
        assert review_count(engine) == 1
        from sqlalchemy import select

        from studyaws.store.engine import reading
        from studyaws.store.tables import ReviewLog

        with reading(engine) as session:
            log = session.execute(select(ReviewLog)).scalars().one()
        assert log.correct is True
