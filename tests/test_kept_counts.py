"""A study session keeps the day plan's numbers (services.review.DayCounter) across its
answers instead of reading every card before each one: after every answer, undo,
suspension, burial and change from outside, what it keeps gives exactly the plan a fresh
read gives (services.limits.plan_day over store.queries.deck_summaries)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from support import basic_deck, home_settled, make_collection
from test_presets import add_deck, deck_ids
from waiting import settle

from studyaws.core.srs.policy import AGAIN, EASY, GOOD, HARD, LEARNING, RELEARNING
from studyaws.services import limits, presets
from studyaws.services.decks import flatten
from studyaws.services.review import ReviewService
from studyaws.store.engine import reading, writing
from studyaws.store.presets import named_presets as presets_of
from studyaws.store.settings import save_setting
from studyaws.store.tables import Card, CardState
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.browse import BrowseScreen
from studyaws.tui.screens.review import ReviewScreen

AWS = ("# AWS\n\nQ: aws one\nA: a\n\nQ: aws two\nA: b\n\n"
       "C: {{c1::Aurora}} keeps {{c2::six}} copies of your data.\n\n"
       "C: {{c1::S3}} stores {{c2::objects}} in {{c3::buckets}}.\n")


def collection(tmp_path):
    """AWS (two cloze notes: siblings) over AWS::VPC and AWS::S3, and Other; half the
    cards studied a month ago (so due now), the rest new; presets on AWS (its limits over
    the decks under it) and AWS::S3, lower collection limits, leeches at the first lapse."""
    engine, clock, _ = make_collection(tmp_path, AWS, name="aws.md",
                                       settings={"learning-steps": "1 10"})
    for title in ("AWS::VPC", "AWS::S3", "Other"):
        add_deck(tmp_path, engine, clock, title, 14)
    save_setting(engine, "new-per-day", "1000")
    save_setting(engine, "reviews-per-day", "1000")
    service = ReviewService(engine, clock)
    for _ in range(24):
        view = service.next_card()
        service.answer(view, EASY)
    clock.advance(timedelta(days=30))
    save_setting(engine, "new-per-day", "12")
    save_setting(engine, "reviews-per-day", "15")
    save_setting(engine, "leech-threshold", "1")
    ids = deck_ids(engine, clock)
    presets.set_preset_value(engine, clock, "Parent", "new-per-day", "6")
    presets.set_preset_value(engine, clock, "Parent", "reviews-per-day", "9")
    presets.assign_preset(engine, ids["AWS"], "Parent")
    presets.set_preset_value(engine, clock, "Light", "new-per-day", "2")
    presets.assign_preset(engine, ids["AWS::S3"], "Light")
    return engine, clock, ids


def numbers(plan) -> list[tuple]:
    return [(node.key, node.new, node.learning, node.due, node.available_new,
             node.available_due, node.new_done, node.reviews_done, node.own_new, node.own_due)
            for node, _ in flatten(plan.tree)]


def check_same(engine, clock, service: ReviewService, step: str) -> None:
    kept = service.kept_day_plan()
    fresh = ReviewService(engine, clock, service.deck_id).day_plan(service.deck_ids)
    # A session leaves out each deck's card total (home reads it): all else is the same.
    assert kept.decks == tuple(replace(deck, cards=0) for deck in fresh.decks), step
    assert numbers(kept) == numbers(fresh), step
    assert kept.counts == fresh.counts, step
    assert (kept.new_decks, kept.review_decks) == (fresh.new_decks, fresh.review_decks), step
    assert kept.counts_for(service.deck_ids) == fresh.counts_for(service.deck_ids), step


@pytest.mark.parametrize(("studied", "backlog"), [
    (None, "on"), (None, "off"), ("AWS", "on"), ("AWS::S3", "off")])
def test_the_numbers_kept_across_a_session_are_those_read_afresh(tmp_path, studied, backlog):
    engine, clock, ids = collection(tmp_path)
    save_setting(engine, "new-while-backlog", backlog)
    if studied is None:
        scope = None
    elif studied == "AWS":
        scope = [ids["AWS"], ids["AWS::VPC"], ids["AWS::S3"]]
    else:
        scope = ids[studied]
    service = ReviewService(engine, clock, scope)
    other = ReviewService(engine, clock)  # the browser's changes, say
    ratings = [GOOD, AGAIN, HARD, GOOD, EASY, AGAIN, GOOD, HARD]
    answered = learned = 0
    while (view := service.next_card()) is not None and answered < 60:
        check_same(engine, clock, service, f"before answer {answered}")
        result = service.answer(view, ratings[answered % len(ratings)])
        answered += 1
        learned += result.memory.state in (LEARNING, RELEARNING)
        check_same(engine, clock, service, f"answer {answered}")
        if answered == 4:
            service.undo()
            check_same(engine, clock, service, "undo")
        if answered == 6 and (nxt := service.next_card()) is not None:
            service.bury(nxt.id)
            check_same(engine, clock, service, "bury")
        if answered == 8 and (nxt := service.next_card()) is not None:
            service.suspend(nxt.id)
            check_same(engine, clock, service, "suspend")
        if answered == 10:  # a card of each deck suspended outside the session
            with writing(engine) as session:
                for deck_id in ids.values():
                    first = session.execute(select(func.min(Card.id)).where(
                        Card.deck_id == deck_id, Card.suspended.is_(False))).scalar()
                    session.get(Card, first).suspended = True
            other.counts()
            service.changed()
            check_same(engine, clock, service, "changed outside")
        clock.advance(timedelta(minutes=3))  # (re)learning steps come due meanwhile
    check_same(engine, clock, service, "at the end")
    # What the session went through: answers, steps of (re)learning, and (reviewing all)
    # siblings buried and a leech suspended by its answers.
    assert learned
    if studied in (None, "AWS"):
        assert answered >= 10
        with reading(engine) as session:
            leeches = session.execute(select(func.count()).where(Card.leech.is_(True))
                                      ).scalar_one()
            buried = session.execute(select(func.count()).where(
                Card.buried_until.is_not(None), Card.sibling.is_not(None))).scalar_one()
        assert leeches and buried


@pytest.mark.parametrize("backlog", ["on", "off"])
def test_a_plan_worked_out_again_over_its_tree_is_the_plan_made_afresh(tmp_path, backlog):
    """limits.replan, which a session uses after each answer, against plan_day: the same
    decks with other numbers, many times over, each plan from the one before."""
    engine, clock, _ = collection(tmp_path)
    save_setting(engine, "new-while-backlog", backlog)
    service = ReviewService(engine, clock)
    first = service.day_plan()
    settings, presets = service.settings, presets_of(engine)
    rng = random.Random(5)
    kept = limits.plan_day(first.decks, settings, presets, extra_new=3)
    for step in range(200):
        decks = [replace(deck, new=rng.randint(0, 9), due=rng.randint(0, 12),
                         learning=rng.randint(0, 2), new_done=rng.randint(0, 7),
                         reviews_done=rng.randint(0, 10)) for deck in first.decks]
        kept = limits.replan(kept, decks)
        fresh = limits.plan_day(decks, settings, presets, extra_new=3)
        assert numbers(kept) == numbers(fresh), step
        assert (kept.counts, kept.new_decks, kept.review_decks) == (
            fresh.counts, fresh.new_decks, fresh.review_decks), step
        for node, _ in flatten(fresh.tree):
            assert (kept.counts_for(node.deck_ids) == fresh.counts_for(node.deck_ids)), step


def test_a_learning_step_coming_due_and_a_new_day_are_counted_without_an_answer(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(6), settings={
        "learning-steps": "1 60"})
    service = ReviewService(engine, clock)
    view = service.next_card()
    service.answer(view, GOOD)  # its next step in an hour, beyond what is counted ahead
    with reading(engine) as session:
        assert session.get(CardState, view.id).state == LEARNING
    check_same(engine, clock, service, "answered")
    assert service.kept_day_plan().counts.learning == 0
    for minutes in (20, 15, 10, 60):
        clock.advance(timedelta(minutes=minutes))
        check_same(engine, clock, service, f"{minutes} minutes on")
    assert service.kept_day_plan().counts.learning == 1
    with writing(engine) as session:  # buried until later today (not by this session)
        card = session.execute(select(Card).where(Card.id != view.id).limit(1)).scalar_one()
        card.buried_until = clock.now() + timedelta(hours=2)
    service.changed()
    check_same(engine, clock, service, "buried")
    clock.advance(timedelta(hours=3))
    check_same(engine, clock, service, "unburied")
    clock.advance(timedelta(days=1))
    check_same(engine, clock, service, "the next day")
    assert service.kept_day_plan().counts.new == 5


async def test_back_from_the_browser_the_review_counts_what_it_changed(tmp_path,
                                                                       monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine, clock, _ = make_collection(tmp_path, basic_deck(10))
    app = StudyApp(engine, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await home_settled(pilot)
        await pilot.press("enter")
        review = await settle(pilot, lambda: isinstance(app.screen, ReviewScreen)
                              and app.screen.view is not None and app.screen, what="review")
        await pilot.press("space", "space")  # one card answered Good
        await settle(pilot, lambda: review.service.session.reviewed == 1, what="the answer")

        def shown() -> str:
            return str(review.query_one("#review-counts").render())

        assert "New 9" in shown()
        await pilot.press("slash")
        await settle(pilot, lambda: isinstance(app.screen, BrowseScreen)
                     and app.screen.total is not None, what="the browser")
        await pilot.press("slash", *'"Question 10"', "enter", "s")  # a new card suspended
        await settle(pilot, lambda: _suspended(engine) == 1, what="the suspension")
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is review, what="the review again")
        await pilot.pause()
        assert "New 8" in shown()
        fresh = ReviewService(engine, clock).counts()
        assert review.service.kept_day_plan().counts == fresh and fresh.new == 8


def _suspended(engine) -> int:
    with reading(engine) as session:
        return session.execute(select(func.count()).where(Card.suspended.is_(True))
                               ).scalar_one()


async def test_after_an_edit_at_the_source_the_review_counts_the_cards_it_added(tmp_path,
                                                                               monkeypatch):
    from test_edit_at_source import fake_editor

    engine, clock, _ = make_collection(tmp_path, basic_deck(5))
    extra = "".join(f"\nQ: Extra {n}\nA: x\n" for n in range(3))
    monkeypatch.setenv("EDITOR", str(fake_editor(
        tmp_path, f"path.write_text(path.read_text() + {extra!r})\n")))
    monkeypatch.delenv("VISUAL", raising=False)
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        review = await settle(pilot, lambda: isinstance(app.screen, ReviewScreen)
                              and app.screen.view is not None and app.screen, what="review")

        def shown() -> str:
            return str(review.query_one("#review-counts").render())

        assert "New 5" in shown()
        await pilot.press("E")
        await settle(pilot, lambda: "New 8" in shown(), what="the added cards counted")
        assert review.service.kept_day_plan().counts == ReviewService(engine, clock).counts()
