"""A preset's own FSRS parameters, on real SQLite collections: fitted on its decks' reviews
alone (studyaws optimize --preset), kept by the same margin rule, used for its decks' answers
(the review, the rating keys, mock-exam answers) and for no other deck; the schema 11
upgrade, the JSON backup, `studyaws presets list|reset-parameters` and the deck options
screen."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC
from pathlib import Path

import backends
import pytest
from sqlalchemy import select
from support import START, studied_collection, without_bundled_decks
from test_presets import add_deck, deck_ids, run_cli

from studyaws.core.config import DB_NAME
from studyaws.core.srs import policy
from studyaws.core.srs.day import StudyDays
from studyaws.services import optimizer, presets
from studyaws.services.learner import (
    SyntheticLearner,
    perturbed_parameters,
    simulate_study,
    write_history,
)
from studyaws.services.review import ReviewService
from studyaws.store.engine import SCHEMA_VERSION, open_engine, reading
from studyaws.store.presets import set_preset_parameters
from studyaws.store.settings import load_parameters, load_settings, save_parameters
from studyaws.store.stats_queries import answers_by_card
from studyaws.store.tables import Card

TRUTH = perturbed_parameters(seed=6, spread=0.3)  # the learner of the preset's deck
BASICS = perturbed_parameters(seed=11, spread=0.45)  # the learner of the other deck
HARDER = perturbed_parameters(seed=12, spread=0.45)  # some preset's own parameters
UTC_DAYS = StudyDays(UTC, 4)


def two_studied_decks(tmp_path: Path):
    """"Basics" (300 cards) and "Harder" (600 cards), each with 100 days of a learner's
    reviews, different learners; "Harder" uses the preset "Hard" (desired retention 0.85).
    Returns (engine, clock, deck ids by title)."""
    engine, clock, _ = studied_collection(tmp_path, 300, 100, 8, BASICS, seed=1)
    add_deck(tmp_path, engine, clock, "Harder", 600)
    ids = deck_ids(engine, clock)
    with reading(engine) as session:
        harder = list(session.execute(select(Card.id).where(Card.deck_id == ids["Harder"])
                                      .order_by(Card.id)).scalars())
    reviews, memories = simulate_study(harder, SyntheticLearner(TRUTH, seed=4),
                                       policy.scheduler_for(load_settings(engine)), START, 100,
                                       new_per_day=15, seed=4)
    write_history(engine, reviews, memories)
    presets.set_preset_value(engine, clock, "Hard", "desired-retention", "0.85")
    presets.assign_preset(engine, ids["Harder"], "Hard")
    return engine, clock, ids


def once_a_module_on_sqlite(fixture_name: str, config) -> str:
    """Made once for the module on SQLite; on PostgreSQL for each test, in its database."""
    return "function" if config.getoption("--backend") == "postgresql" else "module"


@pytest.fixture(scope=once_a_module_on_sqlite)
def fitted(tmp_path_factory):
    """The two decks, a copy's path, and the result of fitting the preset "Hard"."""
    tmp_path = tmp_path_factory.mktemp("preset-fit")
    engine, clock, ids = two_studied_decks(tmp_path)
    db = backends.path_of(engine)
    before = {title: labels_of(engine, clock, ids[title]) for title in ids}
    result = optimizer.optimize(engine, preset="Hard", zone=UTC, now=clock.now())
    yield engine, clock, ids, result, before
    engine.dispose()
    if not backends.on_postgres():
        assert db.exists()


def labels_of(engine, clock, deck_id: int) -> dict[int, str]:
    service = ReviewService(engine, clock, deck_id)
    view = service.next_card()
    return service.preview(view)


def test_a_preset_fit_uses_its_decks_reviews_only_and_is_kept_on_the_preset(fitted):
    engine, clock, ids, result, _ = fitted
    items, _ = optimizer.build_items(answers_by_card(engine, [ids["Harder"]]), UTC_DAYS)
    everything, _ = optimizer.read_items(engine, UTC_DAYS)
    assert result.preset == "Hard"
    assert result.items == len(items) and 0 < result.items < len(everything)
    assert result.current_is_default  # the collection had no fitted parameters: its decks used the defaults
    assert result.kept and result.refitted
    assert result.after.log_loss <= result.before.log_loss * (1 - optimizer.MARGIN)
    hard = presets.find_preset(engine, "Hard")
    assert hard.parameters == pytest.approx(result.fitted)
    assert hard.fitted_at == clock.now()
    assert load_parameters(engine) is None  # the collection's parameters are left alone
    assert presets.find_preset(engine, "Default").parameters is None
    assert presets.parameters_text(hard) == f"own (fitted {clock.now().astimezone():%Y-%m-%d})"


def test_the_preset_decks_are_scheduled_with_its_parameters_and_other_decks_are_not(fitted):
    engine, clock, ids, result, before = fitted
    settings = load_settings(engine)
    own = policy.scheduler_for(replace(settings, desired_retention=0.85), result.fitted,
                               clock.local_zone())
    collection = policy.scheduler_for(settings, None, clock.local_zone())
    # Another deck's intervals are unchanged.
    assert labels_of(engine, clock, ids["Basics"]) == before["Basics"]
    # The preset's decks: the rating keys and the answer are the preset's parameters'.
    service = ReviewService(engine, clock, ids["Harder"])
    view = service.next_card()
    labels = service.preview(view)
    assert labels == policy.interval_labels(own, view.id, view.memory, clock.now())
    assert labels != before["Harder"]
    expected = policy.review(own, view.id, view.memory, policy.GOOD, clock.now())
    other = policy.review(collection, view.id, view.memory, policy.GOOD, clock.now())
    assert expected.stability != pytest.approx(other.stability)
    answer = service.answer(view, policy.GOOD)
    assert answer.memory.stability == pytest.approx(expected.stability)
    assert answer.memory.difficulty == pytest.approx(expected.difficulty)
    # A Basics card's answer is the collection's (the defaults here).
    basics = ReviewService(engine, clock, ids["Basics"])
    view = basics.next_card()
    expected = policy.review(collection, view.id, view.memory, policy.GOOD, clock.now())
    assert basics.answer(view, policy.GOOD).memory.stability == pytest.approx(
        expected.stability)


def test_the_margin_rule_holds_per_preset(tmp_path):
    engine, clock, ids = two_studied_decks(tmp_path)
    save_parameters(engine, BASICS)  # the collection's, which Hard's decks use for now
    # A fit that must win by 99 % never does: nothing is kept, on the preset or elsewhere.
    result = optimizer.optimize(engine, preset="Hard", zone=UTC, margin=0.99)
    assert result.current == pytest.approx(BASICS) and not result.current_is_default
    items, _ = optimizer.build_items(answers_by_card(engine, [ids["Harder"]]), UTC_DAYS)
    _, test = optimizer.split(items)
    assert result.before.log_loss == pytest.approx(optimizer.evaluate(BASICS, test).log_loss)
    assert not result.kept and "not kept" in result.message
    assert presets.find_preset(engine, "Hard").parameters is None
    assert load_parameters(engine) == pytest.approx(BASICS)
    # The preset's own parameters, once it has them, are what the next fit must beat.
    set_preset_parameters(engine, presets.find_preset(engine, "Hard").id, HARDER, clock.now())
    again = optimizer.optimize(engine, preset="Hard", zone=UTC)
    assert again.current == pytest.approx(HARDER)
    assert again.before.log_loss == pytest.approx(optimizer.evaluate(HARDER, test).log_loss)
    if optimizer.wins(again.before, again.after):
        assert presets.find_preset(engine, "Hard").parameters == pytest.approx(again.fitted)
    else:
        assert not again.kept
        assert presets.find_preset(engine, "Hard").parameters == pytest.approx(HARDER)
    assert load_parameters(engine) == pytest.approx(BASICS)


def test_a_preset_fit_reschedules_its_decks_cards_only(tmp_path):
    engine, clock, ids = two_studied_decks(tmp_path)

    def states() -> dict[int, tuple[int, tuple]]:
        with reading(engine) as session:
            return {card_id: (deck_id, (stability, due)) for card_id, deck_id, stability, due
                    in session.connection().exec_driver_sql(
                        "SELECT s.card_id, c.deck_id, s.stability, s.due FROM card_state s "
                        "JOIN card c ON c.id = s.card_id WHERE s.state != 0")}

    before = states()
    result = optimizer.optimize(engine, preset="Hard", zone=UTC, reschedule=True)
    assert result.kept
    after = states()
    harder = [c for c, (deck, _) in before.items() if deck == ids["Harder"]]
    assert result.rescheduled == len(harder)
    assert all(after[c] == before[c] for c, (deck, _) in before.items() if deck != ids["Harder"])
    assert sum(after[c] != before[c] for c in harder) > 0.9 * len(harder)


def test_too_few_reviews_for_a_preset_keeps_nothing(tmp_path, capsys):
    engine, clock, ids = two_studied_decks(tmp_path)
    add_deck(tmp_path, engine, clock, "Fresh", 20)
    presets.set_preset_value(engine, clock, "Light", "new-per-day", "5")
    presets.assign_preset(engine, deck_ids(engine, clock)["Fresh"], "Light")
    result = optimizer.optimize(engine, preset="Light", zone=UTC)
    assert not result.kept and result.fitted is None and result.items == 0
    assert result.message.startswith("Not enough reviews in the decks of preset 'Light'")
    assert "Nothing was kept; its decks keep the collection's parameters." in result.message
    assert presets.find_preset(engine, "Light").parameters is None
    db = backends.path_of(engine)
    engine.dispose()
    without_bundled_decks(db)
    capsys.readouterr()
    assert run_cli(db.parent, "optimize", "--preset", "light") == 0
    out = capsys.readouterr().out
    assert "preset Light: the reviews of its decks only" in out
    assert "Not enough reviews in the decks of preset 'Light'" in out
    assert run_cli(db.parent, "optimize", "--preset", "Default") == 1
    assert "the Default preset uses the collection's parameters" in capsys.readouterr().err
    assert run_cli(db.parent, "optimize", "--preset", "Nope") == 1
    assert "no preset called 'Nope'" in capsys.readouterr().err
    assert run_cli(db.parent, "optimize", "--preset", "Light", "--workload") == 2


def test_presets_list_shows_own_parameters_and_reset_drops_them(tmp_path, capsys):
    engine, clock, ids = two_studied_decks(tmp_path)
    hard = presets.find_preset(engine, "Hard")
    set_preset_parameters(engine, hard.id, HARDER, clock.now())
    db = backends.path_of(engine)
    engine.dispose()
    without_bundled_decks(db)
    capsys.readouterr()
    day = clock.now().astimezone().strftime("%Y-%m-%d")
    assert run_cli(db.parent, "presets", "list") == 0
    assert capsys.readouterr().out.splitlines() == [
        "preset   new/day  reviews/day  retention  decks  parameters",
        "Default       20          200       0.90      1  the collection's",
        f"Hard          20          200       0.85      1  own (fitted {day})"]
    assert run_cli(db.parent, "presets", "list", "--json") == 0
    listed = {p["name"]: p for p in json.loads(capsys.readouterr().out)}
    assert listed["Hard"]["parameters"] == pytest.approx(list(HARDER))
    assert listed["Default"]["parameters"] is None
    assert run_cli(db.parent, "presets", "reset-parameters", "hard") == 0
    assert capsys.readouterr().out == (
        "Hard: its own parameters dropped; its decks use the collection's.\n")
    assert run_cli(db.parent, "presets", "reset-parameters", "Hard") == 1
    assert "has no parameters of its own" in capsys.readouterr().err
    assert run_cli(db.parent, "presets", "reset-parameters", "Default") == 1
    assert "the Default preset uses the collection's parameters" in capsys.readouterr().err
    engine = backends.open_test_engine(db)
    try:
        hard = presets.find_preset(engine, "Hard")
        assert hard.parameters is None and hard.fitted_at is None
        service = ReviewService(engine, clock, ids["Harder"])
        view = service.next_card()
        expected = policy.scheduler_for(replace(load_settings(engine), desired_retention=0.85),
                                        None, clock.local_zone())
        assert service.preview(view) == policy.interval_labels(expected, view.id, view.memory,
                                                               clock.now())
    finally:
        engine.dispose()


def test_mock_exam_answers_are_scheduled_with_the_decks_preset_parameters(tmp_path):
    from test_exam_flow import right, studied

    from studyaws.services import exam
    from studyaws.store.tables import CardState

    engine, clock = studied(tmp_path)
    (deck_id,) = deck_ids(engine, clock).values()
    presets.set_preset_value(engine, clock, "Exam", "desired-retention", "0.8")
    presets.assign_preset(engine, deck_id, "Exam")
    set_preset_parameters(engine, presets.find_preset(engine, "Exam").id, HARDER, clock.now())
    view = exam.start_exam(engine, clock, "quick", seed=16)

    def memories() -> dict[int, policy.Memory]:
        with reading(engine) as session:
            return {row.card_id: row.memory()
                    for row in session.execute(select(CardState)).scalars()}

    before = memories()
    for item in view.items[:4]:
        exam.save_answer(engine, view.id, item, right(item), 20, clock.now())
    exam.finish_exam(engine, clock, view)
    after = memories()
    own = policy.scheduler_for(replace(load_settings(engine), desired_retention=0.8), HARDER,
                               clock.local_zone())
    collection = policy.scheduler_for(load_settings(engine), None, clock.local_zone())
    for item in view.items[:4]:
        expected = policy.review(own, item.card_id, before[item.card_id],
                                 policy.exam_rating(True), clock.now())
        not_own = policy.review(collection, item.card_id, before[item.card_id],
                                policy.exam_rating(True), clock.now())
        assert expected.stability != pytest.approx(not_own.stability)
        assert after[item.card_id].stability == pytest.approx(expected.stability)
        assert after[item.card_id].difficulty == pytest.approx(expected.difficulty)


@pytest.mark.sqlite_only  # rewrites the SQLite file as schema 11 had it
def test_upgrade_from_schema_11_keeps_presets_without_own_parameters(tmp_path):
    engine, clock, _ = studied_collection(tmp_path, 30, 5, 5, TRUTH)
    presets.set_preset_value(engine, clock, "Light", "new-per-day", "4")
    db = Path(engine.url.database)
    engine.dispose()
    conn = sqlite3.connect(db, isolation_level=None)
    try:  # back to what schema 11 had: the preset table without parameters
        conn.execute("alter table preset drop column parameters")
        conn.execute("alter table preset drop column parameters_fitted_at")
        conn.execute("pragma user_version = 11")
    finally:
        conn.close()
    engine = open_engine(db)
    try:
        assert (db.parent / f"{DB_NAME}.schema11.bak").exists()
        with reading(engine) as session:
            conn = session.connection()
            assert conn.exec_driver_sql("pragma user_version").scalar() == SCHEMA_VERSION
            columns = {row[1] for row in conn.exec_driver_sql("pragma table_info(preset)")}
        assert {"parameters", "parameters_fitted_at"} <= columns
        light = presets.find_preset(engine, "Light")
        assert (light.new_per_day, light.parameters, light.fitted_at) == (4, None, None)
        set_preset_parameters(engine, light.id, HARDER, clock.now())
        assert presets.find_preset(engine, "Light").parameters == pytest.approx(HARDER)
    finally:
        engine.dispose()


def test_json_backup_carries_preset_parameters_and_older_backups_restore(tmp_path):
    from studyaws.services.exchange import RestoreError
    from studyaws.services.exchange.json_dump import export_json

    engine, clock, _ = studied_collection(tmp_path, 30, 5, 5, TRUTH)
    presets.set_preset_value(engine, clock, "Hard", "desired-retention", "0.85")
    presets.set_preset_value(engine, clock, "Light", "new-per-day", "4")
    set_preset_parameters(engine, presets.find_preset(engine, "Hard").id, HARDER, clock.now())
    exported = export_json(engine)
    engine.dispose()
    backup = tmp_path / "backup.json"
    backup.write_text(exported, encoding="utf-8")
    restored = tmp_path / "restored" / DB_NAME
    backends.restore_test_json(backup, restored)
    again = backends.open_test_engine(restored)
    try:
        hard = presets.find_preset(again, "Hard")
        assert hard.parameters == pytest.approx(HARDER) and hard.fitted_at == clock.now()
        assert presets.find_preset(again, "Light").parameters is None
        assert export_json(again) == exported
    finally:
        again.dispose()

    # A schema 11 backup (its presets have no parameters) restores: none has its own.
    document = json.loads(exported)
    document["schema"] = 11
    for row in document["tables"]["preset"]:
        del row["parameters"], row["parameters_fitted_at"]
    older = tmp_path / "older.json"
    older.write_text(json.dumps(document), encoding="utf-8")
    backends.restore_test_json(older, tmp_path / "older" / DB_NAME)
    old = backends.open_test_engine(tmp_path / "older" / DB_NAME)
    try:
        assert [(p.name, p.parameters) for p, _ in presets.all_presets(old)] == [
            ("Default", None), ("Hard", None), ("Light", None)]
    finally:
        old.dispose()

    # Parameters the scheduler cannot use are refused before anything is written.
    for bad, message in (("[1, 2", "parameters is not JSON"),
                         ("{}", "parameters is not a list of numbers"),
                         ("[0.1, 0.2]", "parameters cannot be used")):
        document = json.loads(exported)
        document["tables"]["preset"][0]["parameters"] = bad
        broken = tmp_path / "broken.json"
        broken.write_text(json.dumps(document), encoding="utf-8")
        target = tmp_path / "broken" / DB_NAME
        before = backends.dump(target) if backends.on_postgres() else None
        with pytest.raises(RestoreError, match=message):
            backends.restore_test_json(broken, target)
        if backends.on_postgres():  # the database is left as it was
            assert backends.dump(target) == before
        else:
            assert not target.exists()


async def test_deck_options_say_which_parameters_a_preset_uses(tmp_path):
    from support import home_settled
    from textual.widgets import OptionList, Static

    from studyaws.tui.app import StudyApp
    from studyaws.tui.screens.deck_options import DeckOptionsScreen

    engine, clock, _ = studied_collection(tmp_path, 10, 3, 5, TRUTH)
    presets.set_preset_value(engine, clock, "Hard", "desired-retention", "0.85")
    set_preset_parameters(engine, presets.find_preset(engine, "Hard").id, HARDER, clock.now())
    (deck_id,) = deck_ids(engine, clock).values()
    app = StudyApp(engine, clock)
    async with app.run_test(size=(100, 40)) as pilot:
        await home_settled(pilot)
        app.push_screen(DeckOptionsScreen(deck_id, "Basics"))
        await pilot.pause()
        screen = app.screen
        text = screen.query_one("#options-parameters", Static)
        assert str(text.render()) == "FSRS parameters: the collection's"  # Default
        screen.query_one(OptionList).highlighted = 1  # Hard
        await pilot.pause()
        day = clock.now().astimezone().strftime("%Y-%m-%d")
        assert str(text.render()) == f"FSRS parameters: own (fitted {day})"


def test_preset_parameters_on_postgresql(pg_database, tmp_path):
    """The columns, the per-deck answers read for a preset's fit and a preset's reschedule
    on the other backend."""
    from support import basic_deck, make_collection

    from studyaws.store import postgres

    engine, clock, _ = make_collection(tmp_path, basic_deck(3))
    assert postgres.is_url(str(engine.url))
    (deck_id,) = deck_ids(engine, clock).values()
    service = ReviewService(engine, clock)
    service.answer(service.next_card(), policy.GOOD)
    presets.set_preset_value(engine, clock, "Hard", "desired-retention", "0.85")
    presets.assign_preset(engine, deck_id, "Hard")
    set_preset_parameters(engine, presets.find_preset(engine, "Hard").id, HARDER, clock.now())
    hard = presets.find_preset(engine, "Hard")
    assert hard.parameters == pytest.approx(HARDER) and hard.fitted_at == clock.now()
    assert len(list(answers_by_card(engine, [deck_id]))) == 1
    assert list(answers_by_card(engine, [deck_id + 1])) == []
    assert optimizer.reschedule_cards(engine, load_settings(engine), None,
                                      deck_ids=[deck_id]) == 1
    own = policy.scheduler_for(replace(load_settings(engine), desired_retention=0.85), HARDER,
                               clock.local_zone())
    service = ReviewService(engine, clock)
    view = service.next_card()
    assert service.preview(view) == policy.interval_labels(own, view.id, view.memory,
                                                           clock.now())
    engine.dispose()
