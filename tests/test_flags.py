"""Flags on a real SQLite file: the service, the review's `f` keys, and the leech that is
flagged again every half threshold after the first, as Anki does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from support import basic_deck, card_id_by_prompt, card_of, make_collection, review_count
from test_tui_review import screen_text
from waiting import settle

from studyaws.core.srs.policy import AGAIN, EASY, GOOD, REVIEW
from studyaws.services.flags import flags_of, set_flag
from studyaws.services.review import ReviewService, leech_lapse
from studyaws.store.engine import writing
from studyaws.store.tables import Card
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.flag import FlagScreen
from studyaws.tui.screens.review import ReviewScreen

SIZE = (100, 32)


# -- the service ------------------------------------------------------------------------------
def test_set_flag_sets_and_clears_the_stored_value(tmp_path):
    engine, _, _ = make_collection(tmp_path, basic_deck(3))
    one, two, three = (card_id_by_prompt(engine, f"Question {n}") for n in (1, 2, 3))
    assert set_flag(engine, [one, two], 1) == 2
    assert flags_of(engine, [one, two, three]) == {one: 1, two: 1, three: 0}
    set_flag(engine, [two], 4)
    assert card_of(engine, two).flag == 4
    set_flag(engine, [one, two], 0)
    assert flags_of(engine, [one, two, three]) == {one: 0, two: 0, three: 0}
    assert set_flag(engine, [999], 2) == 0  # no such card: nothing written
    for wrong in (5, -1):
        with pytest.raises(ValueError, match="a flag is 0"):
            set_flag(engine, [one], wrong)
    assert card_of(engine, one).flag == 0


# -- the review's keys ------------------------------------------------------------------------
def header(app) -> str:
    return str(app.screen.query_one("#review-header").render())


async def test_f_then_a_digit_flags_the_card_shown_and_f_0_clears_it(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(2))
    first = card_id_by_prompt(engine, "Question 1")
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("f", "2")  # typed together: the second key reaches the flag box
        await settle(pilot, lambda: isinstance(app.screen, ReviewScreen)
                     and card_of(engine, first).flag == 2, what="the orange flag saved")
        assert "⚑ orange" in header(app)
        assert "Flagged orange: " in screen_text(app)
        # Escape leaves the box and changes nothing; flagging again changes the colour.
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FlagScreen)
        assert "(now)" in str(app.screen.query_one("Static").render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and card_of(engine, first).flag == 2
        await pilot.press("f", "4")
        await settle(pilot, lambda: card_of(engine, first).flag == 4, what="the blue flag")
        assert "⚑ blue" in header(app) and "orange" not in header(app)
        # A flag is not an answer: the card is still the one shown, nothing was reviewed.
        assert app.screen.view.id == first and review_count(engine) == 0
        await pilot.press("f", "0")
        await settle(pilot, lambda: card_of(engine, first).flag == 0, what="the flag off")
        assert "⚑" not in header(app)
        assert "Flag taken off: " in screen_text(app)
        # The flag goes with its card, not with the screen: the next card has none.
        await pilot.press("f", "1", "space", "3")
        await settle(pilot, lambda: app.screen.view.prompt == "Question 2", what="card 2")
        assert card_of(engine, first).flag == 1 and "⚑" not in header(app)
        # u undoes the answer, not the flag.
        await pilot.press("u")
        await settle(pilot, lambda: app.screen.view.id == first, what="card 1 again")
        assert review_count(engine) == 0 and card_of(engine, first).flag == 1
        assert "⚑ red" in header(app)


async def test_the_flag_shows_at_80_columns_when_deck_and_topic_are_long(tmp_path):
    """The header cuts its deck and topic, never the flag at its end."""
    deck = ("---\ntitle: " + "A very long deck title " * 4 + "\n---\n# " + "Heading " * 12
            + "\n\nQ: Question 1?\nA: Answer 1\n")
    engine, clock, _ = make_collection(tmp_path, deck)
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f", "3")
        await settle(pilot, lambda: "⚑ green" in header(app), what="the green flag set")
        widget = app.screen.query_one("#review-header")
        shown = widget.render().line(widget.content_size.width).plain  # as drawn
        assert "…" in shown and shown.endswith("⚑ green"), shown


# -- leeches ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("threshold", "leech_at"), [
    (8, [8, 12, 16, 20]), (3, [3, 5, 7, 9]), (1, [1, 2, 3, 4]), (5, [5, 8, 11, 14])])
def test_leech_lapses_are_the_threshold_then_every_half_threshold(threshold, leech_at):
    assert [n for n in range(1, 21) if leech_lapse(n, threshold)][:4] == leech_at


def unsuspend(engine, card_id: int) -> None:
    with writing(engine) as session:
        session.execute(update(Card).where(Card.id == card_id).values(suspended=False))


def test_a_leech_is_flagged_again_at_12_and_16_lapses(tmp_path):
    """The real review service, default threshold 8: the card is a leech at its 8th lapse,
    and, each time taken out of suspension, suspended and reported again at the 12th and
    16th, and at no lapse between."""
    engine, clock, _ = make_collection(tmp_path, basic_deck(1),
                                       settings={"learning-steps": "1", "relearning-steps": "1"})
    card = card_id_by_prompt(engine, "Question 1")
    service = ReviewService(engine, clock)
    service.answer(service.next_card(), EASY)
    reported = []
    for lapse in range(1, 18):
        clock.advance(timedelta(days=400))
        view = service.next_card()
        assert view is not None and view.id == card and view.memory.state == REVIEW, lapse
        result = service.answer(view, AGAIN)
        assert result.memory.lapses == lapse
        if result.became_leech:
            reported.append(lapse)
            assert card_of(engine, card).suspended and card_of(engine, card).leech
            if lapse == 12:  # undo gives back the card as it was before that lapse
                service.undo()
                assert not card_of(engine, card).suspended
                result = service.answer(service.card(card), AGAIN)
                assert result.became_leech
            unsuspend(engine, card)  # the user rewrites it and studies it again
        else:
            assert not card_of(engine, card).suspended
        clock.advance(timedelta(minutes=2))
        service.answer(service.next_card(), GOOD)  # its relearning step
    assert reported == [8, 12, 16]
    assert card_of(engine, card).leech


async def test_the_leech_toast_says_how_many_lapses(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(1),
                                       settings={"leech-threshold": "2",
                                                 "relearning-steps": "1"})
    card = card_id_by_prompt(engine, "Question 1")
    service = ReviewService(engine, clock)
    service.answer(service.next_card(), EASY)
    for _ in range(3):  # lapses 1, 2 (a leech), 3 (not)
        clock.advance(timedelta(days=400))
        service.answer(service.next_card(), AGAIN)
        unsuspend(engine, card)
        clock.advance(timedelta(minutes=2))
        service.answer(service.next_card(), GOOD)
    clock.advance(timedelta(days=400))  # the 4th lapse is one (2, then every 1)
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("space", "1")
        await settle(pilot, lambda: "lapsed 4 times" in screen_text(app), what="the toast")
    assert card_of(engine, card).suspended


# -- how it looks ---------------------------------------------------------------------------------
SIZES = {"80x24": (80, 24), "200x50": (200, 50)}


def _keys_then_still(*keys: str):
    async def run(pilot):
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        await pilot.pause()

    return run


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
@pytest.mark.parametrize("keys", [("f",), ("f", "2", "space")], ids=["box", "flagged"])
def test_flag_box_and_header(tmp_path, monkeypatch, snap_compare, keys, size):
    monkeypatch.chdir(tmp_path)
    engine, clock, _ = make_collection(tmp_path, basic_deck(2))
    app = StudyApp(engine, clock, start="review")
    assert snap_compare(app, run_before=_keys_then_still(*keys), terminal_size=SIZES[size])
