"""Deck option presets and the one limit model (services.limits): home's Today line, every
deck's row, `studyaws decks` and what a study session really gives agree, before and after
studying; presets' limits and desired retention apply to their decks."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from backends import copy_of, db_args, open_test_engine, path_of, restore_test_json
from support import START, basic_deck, make_collection, without_bundled_decks

from studyaws.cli.main import main
from studyaws.core.clock import Clock, FakeClock
from studyaws.core.config import DB_NAME
from studyaws.core.srs.policy import EASY, GOOD, NEW, REVIEW
from studyaws.services import presets
from studyaws.services.decks import flatten
from studyaws.services.importer import import_paths
from studyaws.services.overview import read_home
from studyaws.services.review import ReviewService
from studyaws.store.engine import open_engine
from studyaws.store.settings import save_setting


def add_deck(tmp_path: Path, engine, clock, title: str, cards: int) -> None:
    path = tmp_path / f"{title.replace(':', '_')}.md"
    body = basic_deck(cards, prefix=title).replace("# Basics", f"# {title}", 1)
    path.write_text(body, encoding="utf-8")
    import_paths(engine, [path], clock.now())


def three_decks(tmp_path):
    """Networking, Storage and Compute, 30 new cards each, the default limits (20 new)."""
    engine, clock, _ = make_collection(tmp_path, basic_deck(30, "Networking").replace(
        "# Basics", "# Networking", 1), name="networking.md")
    add_deck(tmp_path, engine, clock, "Storage", 30)
    add_deck(tmp_path, engine, clock, "Compute", 30)
    return engine, clock


def deck_ids(engine, clock) -> dict[str, int]:
    return {d.title: d.id for d in ReviewService(engine, clock).day_plan().decks}


def study(engine, clock, deck_id, answers: int | None = None, rating: int = EASY):
    """Answer up to `answers` cards of the deck (None: all it gives); (new, reviews) given."""
    service = ReviewService(engine, clock, deck_id)
    given = {NEW: 0, REVIEW: 0}
    while answers is None or sum(given.values()) < answers:
        view = service.next_card()
        if view is None:
            break
        given[view.memory.state] = given.get(view.memory.state, 0) + 1
        service.answer(view, rating)
    return given[NEW], given[REVIEW]


def served(tmp_path: Path, engine, clock, deck_id, name: str) -> tuple[int, int]:
    """What a whole study session of the deck (None: review all) gives, on a copy of the
    collection, so that the collection itself is left as it is."""
    other = copy_of(engine, tmp_path / "copies" / name / DB_NAME)
    try:
        return study(other, FakeClock(clock.now()), deck_id)
    finally:
        other.dispose()


def check_agreement(tmp_path, engine, clock, step: str) -> dict[str, tuple[int, int]]:
    """Home's Today line and each deck's row against what studying it really gives, and
    `studyaws decks --json` against home; returns each row's (new, due)."""
    home = read_home(engine, clock)
    rows = {node.name: (node.new, node.due) for node, _ in flatten(list(home.tree))}
    everything = served(tmp_path, engine, clock, None, f"{step}-all")
    assert (home.counts.new, home.counts.review) == everything
    for node, _ in flatten(list(home.tree)):
        ids = node.deck_ids
        got = served(tmp_path, engine, clock, ids[0] if len(ids) == 1 else ids,
                     f"{step}-{node.deck_ids[0]}")
        assert (node.new, node.due) == got, node.name
        assert node.new <= home.counts.new
    return rows


def test_home_the_decks_and_a_study_session_agree_before_and_after_studying(tmp_path,
                                                                            capsys):
    """The walk of the issue: home said 13 new while Networking then gave 20, and after
    studying home said 0 while each other deck still gave 20."""
    engine, clock = three_decks(tmp_path)
    ids = deck_ids(engine, clock)
    assert study(engine, clock, ids["Storage"], answers=7) == (7, 0)

    rows = check_agreement(tmp_path, engine, clock, "before")
    assert read_home(engine, clock).counts.new == 13
    assert rows == {"Compute": (13, 0), "Networking": (13, 0), "Storage": (13, 0)}

    assert study(engine, clock, ids["Networking"]) == (13, 0)  # all it offered

    rows = check_agreement(tmp_path, engine, clock, "after")
    assert read_home(engine, clock).counts.new == 0
    assert rows == {"Compute": (0, 0), "Networking": (0, 0), "Storage": (0, 0)}

    # `studyaws decks` says the same
    without_bundled_decks(path_of(engine))
    home = path_of(engine).parent
    assert main(["--home", str(home), *db_args(home), "decks", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    # The command reads the real clock (the cards' history is in 2026): home at that time.
    now = read_home(engine, Clock())
    assert listed["today"] == {"new": now.counts.new, "learning": now.counts.learning,
                               "review": now.counts.review}
    assert {d["title"]: (d["new"], d["due"]) for d in listed["decks"]} == {
        node.name: (node.new, node.due) for node, _ in flatten(list(now.tree))}
    assert listed["today"]["new"] == 20 and {d["title"]: d["new"] for d in listed["decks"]} == {
        "Compute": 20, "Networking": 17, "Storage": 20}  # 13 of its 30 left studied


def test_the_next_study_day_gives_each_deck_its_limit_again_within_the_collections(tmp_path):
    engine, clock = three_decks(tmp_path)
    ids = deck_ids(engine, clock)
    study(engine, clock, ids["Storage"])
    assert read_home(engine, clock).counts.new == 0
    clock.advance(timedelta(days=1))
    rows = check_agreement(tmp_path, engine, clock, "next")
    assert rows == {"Compute": (20, 0), "Networking": (20, 0), "Storage": (10, 0)}


def test_a_preset_limits_its_decks_and_the_collection_limits_them_all(tmp_path):
    engine, clock = three_decks(tmp_path)
    ids = deck_ids(engine, clock)
    presets.set_preset_value(engine, clock, "Light", "new-per-day", "5")
    presets.assign_preset(engine, ids["Networking"], "light")  # any case

    rows = check_agreement(tmp_path, engine, clock, "light")
    assert rows == {"Compute": (20, 0), "Networking": (5, 0), "Storage": (20, 0)}

    # Review all: 20 in all, of which Networking gives at most 5.
    service = ReviewService(engine, clock)
    titles = []
    while (view := service.next_card()) is not None:
        titles.append(view.deck_title)
        service.answer(view, EASY)
    assert len(titles) == 20 and titles.count("Networking") == 5
    assert check_agreement(tmp_path, engine, clock, "done") == {
        "Compute": (0, 0), "Networking": (0, 0), "Storage": (0, 0)}


def test_a_parent_deck_caps_what_is_under_it_and_a_child_what_its_parent_has_left(tmp_path):
    engine, clock, _ = make_collection(tmp_path, "# AWS\n\nQ: aws one\nA: a\n\nQ: aws two\nA: b\n",
                                       name="aws.md")
    add_deck(tmp_path, engine, clock, "AWS::VPC", 10)
    add_deck(tmp_path, engine, clock, "AWS::S3", 10)
    add_deck(tmp_path, engine, clock, "Other", 10)
    ids = deck_ids(engine, clock)
    presets.set_preset_value(engine, clock, "Parent", "new-per-day", "6")
    presets.assign_preset(engine, ids["AWS"], "Parent")

    rows = check_agreement(tmp_path, engine, clock, "parent")
    assert rows == {"AWS": (6, 0), "S3": (6, 0), "VPC": (6, 0), "Other": (10, 0)}
    assert read_home(engine, clock).counts.new == 16

    assert study(engine, clock, ids["AWS::VPC"], answers=4) == (4, 0)
    rows = check_agreement(tmp_path, engine, clock, "child")
    assert rows == {"AWS": (2, 0), "S3": (2, 0), "VPC": (2, 0), "Other": (10, 0)}


def reviews_due(tmp_path, new_per_day="20"):
    """One deck of 30 cards answered Easy a while ago, all due now, and a deck of new
    cards."""
    engine, clock, _ = make_collection(tmp_path, basic_deck(30, "Old").replace(
        "# Basics", "# Old", 1), name="old.md", settings={"fuzz": "off"})
    ids = deck_ids(engine, clock)
    save_setting(engine, "new-per-day", "30")
    study(engine, clock, ids["Old"])
    save_setting(engine, "new-per-day", new_per_day)
    add_deck(tmp_path, engine, clock, "Fresh", 10)
    clock.advance(timedelta(days=200))
    return engine, clock


def test_with_new_while_backlog_off_no_new_cards_while_reviews_are_over_the_limit(tmp_path):
    engine, clock = reviews_due(tmp_path)
    save_setting(engine, "reviews-per-day", "10")
    assert check_agreement(tmp_path, engine, clock, "on") == {
        "Fresh": (10, 0), "Old": (0, 10)}  # the default: new cards as before
    assert read_home(engine, clock).counts.review == 10

    save_setting(engine, "new-while-backlog", "off")
    assert check_agreement(tmp_path, engine, clock, "off") == {
        "Fresh": (0, 0), "Old": (0, 10)}
    # A deck whose own reviews limit is not passed still gives none: the collection is
    # over its limit.
    assert read_home(engine, clock).counts.new == 0

    save_setting(engine, "reviews-per-day", "40")  # the backlog is within the limit now
    assert check_agreement(tmp_path, engine, clock, "within") == {
        "Fresh": (10, 0), "Old": (0, 30)}


@pytest.mark.parametrize("order", ["due", "retrievability", "random"])
def test_review_order(tmp_path, order):
    """Twelve review cards whose due dates come in the opposite order of their
    retrievability: card i answered 10 i days after the first, stability 50 - 3 i days."""
    from sqlalchemy import select, update

    from studyaws.core.srs import policy
    from studyaws.store.engine import reading, writing
    from studyaws.store.tables import CardState

    engine, clock, _ = make_collection(tmp_path, basic_deck(12, "Card"),
                                       settings={"fuzz": "off"})
    with reading(engine) as session:
        ids = sorted(session.execute(select(CardState.card_id)).scalars())
    with writing(engine) as session:
        for i, card_id in enumerate(ids):
            last = START + timedelta(days=10 * i)
            stability = 50.0 - 3 * i
            session.execute(update(CardState).where(CardState.card_id == card_id).values(
                state=REVIEW, step=None, stability=stability, difficulty=5.0, reps=1,
                last_review=last, due=last + timedelta(days=stability)))
    clock.set(START + timedelta(days=200))
    save_setting(engine, "review-order", order)
    service = ReviewService(engine, clock)
    seen = []
    while (view := service.next_card()) is not None:
        seen.append(view.memory)
        service.answer(view, GOOD)
    assert len(seen) == 12
    dues = [memory.due for memory in seen]
    recall = [policy.retrievability(service.scheduler, memory, clock.now()) for memory in seen]
    if order == "due":
        assert dues == sorted(dues) and recall == sorted(recall, reverse=True)
    elif order == "retrievability":
        assert recall == sorted(recall) and dues == sorted(dues, reverse=True)
    else:
        assert dues not in (sorted(dues), sorted(dues, reverse=True))


def test_a_decks_desired_retention_is_the_one_its_answers_are_scheduled_with(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(1, "Keen").replace(
        "# Basics", "# Keen", 1), name="keen.md", settings={"fuzz": "off"})
    add_deck(tmp_path, engine, clock, "Relaxed", 1)
    add_deck(tmp_path, engine, clock, "Plain", 1)
    ids = deck_ids(engine, clock)
    presets.set_preset_value(engine, clock, "Keen", "desired-retention", "0.97")
    presets.set_preset_value(engine, clock, "Relaxed", "desired-retention", "0.75")
    presets.assign_preset(engine, ids["Keen"], "Keen")
    presets.assign_preset(engine, ids["Relaxed"], "Relaxed")
    days, labels = {}, {}
    for title in ("Keen", "Relaxed", "Plain"):
        service = ReviewService(engine, clock, ids[title])
        view = service.next_card()
        labels[title] = service.preview(view)[EASY]  # the rating keys show the same
        result = service.answer(view, EASY)
        days[title] = (result.memory.due - clock.now()).days
    assert days["Keen"] < days["Plain"] < days["Relaxed"]
    assert len(set(labels.values())) == 3


@pytest.mark.sqlite_only  # rewrites the SQLite file as schema 9 had it (sqlite_master, PRAGMAs)
def test_upgrade_from_schema_9_gives_every_deck_the_default_preset(tmp_path):
    import sqlite3

    engine, clock = three_decks(tmp_path)
    save_setting(engine, "new-per-day", "7")
    db = Path(engine.url.database)
    before = read_home(engine, clock)
    engine.dispose()
    conn = sqlite3.connect(db, isolation_level=None)
    try:  # back to what schema 9 had: the deck table without its preset, no preset table
        conn.execute("pragma foreign_keys = off")
        sql = conn.execute("select sql from sqlite_master where name = 'deck'").fetchone()[0]
        lines = [line for line in sql.splitlines() if "preset" not in line]
        lines[-2] = lines[-2].rstrip(", ")
        columns = [row[1] for row in conn.execute("pragma table_info(deck)")
                   if row[1] != "preset_id"]
        conn.execute("begin")
        conn.execute("\n".join(lines).replace("CREATE TABLE deck", "CREATE TABLE deck_old", 1))
        conn.execute(f"insert into deck_old select {', '.join(columns)} from deck")
        conn.execute("drop table deck")
        conn.execute("alter table deck_old rename to deck")
        conn.execute("create index ix_deck_title on deck (title)")
        conn.execute("drop table preset")
        conn.execute("pragma user_version = 9")
        conn.execute("commit")
        assert "preset" not in "".join(r[0] or "" for r in conn.execute(
            "select sql from sqlite_master where tbl_name in ('deck', 'preset')"))
    finally:
        conn.close()
    engine = open_engine(db)
    try:
        assert (db.parent / f"{DB_NAME}.schema9.bak").exists()
        after = read_home(engine, clock)
        assert after.counts == before.counts and after.tree == before.tree
        assert [(p.name, p.new_per_day, decks) for p, decks in presets.all_presets(engine)
                ] == [("Default", 7, 3)]
    finally:
        engine.dispose()


def test_json_export_carries_presets_and_an_older_export_restores(tmp_path):
    from studyaws.services.exchange.json_dump import export_json

    engine, clock = three_decks(tmp_path)
    ids = deck_ids(engine, clock)
    presets.set_preset_value(engine, clock, "Light", "new-per-day", "4")
    presets.assign_preset(engine, ids["Compute"], "Light")
    exported = export_json(engine)
    engine.dispose()
    backup = tmp_path / "backup.json"
    backup.write_text(exported, encoding="utf-8")
    restored = tmp_path / "restored" / DB_NAME
    restore_test_json(backup, restored)
    again = open_test_engine(restored)
    try:
        assert presets.deck_preset(again, ids["Compute"]).name == "Light"
        assert presets.find_preset(again, "Light").new_per_day == 4
        assert export_json(again) == exported
    finally:
        again.dispose()

    old = json.loads(exported)  # as schema 9 wrote it: no presets
    old["schema"] = 9
    del old["tables"]["preset"]
    for deck in old["tables"]["deck"]:
        del deck["preset_id"]
    backup.write_text(json.dumps(old), encoding="utf-8")
    older = tmp_path / "older" / DB_NAME
    restore_test_json(backup, older)
    engine = open_test_engine(older)
    try:
        assert [(p.name, decks) for p, decks in presets.all_presets(engine)] == [("Default", 3)]
    finally:
        engine.dispose()


def run_cli(home: Path, *args: str) -> int:
    return main(["--home", str(home), *db_args(home), *args])


def test_presets_command(tmp_path, capsys):
    engine, clock = three_decks(tmp_path)
    db = path_of(engine)
    engine.dispose()
    without_bundled_decks(db)
    home = db.parent
    capsys.readouterr()

    assert run_cli(home, "presets", "set", "Light", "new-per-day", "5") == 0
    assert capsys.readouterr().out == "Light: new-per-day = 5\n"
    assert run_cli(home, "presets", "assign", "Net", "light") == 0
    assert capsys.readouterr().out == "'Networking' uses Light.\n"
    assert run_cli(home, "presets", "set", "default", "desired-retention", "0.85") == 0
    assert capsys.readouterr().out == "Default: desired-retention = 0.85\n"
    assert run_cli(home, "presets", "list") == 0
    assert capsys.readouterr().out.splitlines() == [
        "preset   new/day  reviews/day  retention  decks  parameters",
        "Default       20          200       0.85      2  the collection's",
        "Light          5          200       0.90      1  the collection's"]  # made before the change
    assert run_cli(home, "config", "get", "desired-retention") == 0
    assert capsys.readouterr().out == "0.85\n"  # the Default preset is the settings

    def stored():
        from studyaws.store.presets import deck_presets
        from studyaws.store.settings import load_settings

        engine = open_test_engine(db)
        try:
            return presets.all_presets(engine), deck_presets(engine), load_settings(engine)
        finally:
            engine.dispose()

    before = stored()
    for args, error in [
        (("set", "Light", "new-per-day", "lots"), "new-per-day: cannot read 'lots'"),
        (("set", "Light", "desired-retention", "2"),
         "desired-retention must be between 0.70 and 0.99"),
        (("set", "Light", "colour", "red"), "unknown preset value 'colour'"),
        (("set", "Heavy", "new-per-day", "-1"), "new-per-day must be between 0 and 9999"),
        (("assign", "Nowhere", "Light"), "no deck called 'Nowhere'"),
        (("assign", "Networking", "Missing"), "no preset called 'Missing'"),
        (("rename", "Default", "Mine"), "the Default preset keeps its name"),
        (("rename", "Light", "default"), "there is a preset called 'Default' already"),
    ]:
        assert run_cli(home, "presets", *args) == 1, args
        out, err = capsys.readouterr()
        assert out == "" and err.startswith(f"studyaws presets {args[0]}: {error}"), err
        assert err.count("\n") == 1
    assert stored() == before
    assert run_cli(home, "presets", "rename", "Light", "Gentle") == 0
    assert run_cli(home, "presets", "list", "--json") == 0
    listed = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert [(p["name"], p["decks"]) for p in listed] == [("Default", 2), ("Gentle", 1)]


async def test_options_on_home_make_edit_and_give_a_deck_a_preset(tmp_path):
    from support import home_settled

    from studyaws.tui.app import StudyApp
    from studyaws.tui.screens.deck_options import DeckOptionsScreen

    engine, clock = three_decks(tmp_path)
    app = StudyApp(engine, clock)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await home_settled(pilot)
        home = app.screen
        assert [node.name for node, _ in home.rows] == ["Compute", "Networking", "Storage"]
        await pilot.press("down", "o")  # Networking's options
        await pilot.pause()
        options = app.screen
        assert isinstance(options, DeckOptionsScreen)
        assert options.query_one("#options-name").disabled  # Default keeps its name
        assert options.query_one("#options-new-per-day").value == "20"

        await pilot.press("ctrl+n")  # a new preset from Default's values, its name to type
        await pilot.pause()
        name = options.query_one("#options-name")
        assert name.has_focus and name.value == "Preset 2"
        name.value = "Light"
        options.query_one("#options-new-per-day").value = "lots"
        await pilot.press("ctrl+s")  # refused: nothing written
        await pilot.pause()
        assert "new-per-day: cannot read 'lots'" in str(
            options.query_one("#options-error").render())
        assert presets.find_preset(engine, "Light") is None
        assert presets.deck_preset(engine, deck_ids(engine, clock)["Networking"]).name == \
            "Default"
        options.query_one("#options-new-per-day").value = "5"
        options.query_one("#options-desired-retention").value = "0.85"
        await pilot.press("ctrl+s")
        await home_settled(pilot)
        assert app.screen is home
        light = presets.find_preset(engine, "Light")
        assert (light.new_per_day, light.reviews_per_day, light.desired_retention) == (
            5, 200, 0.85)
        assert presets.deck_preset(engine, deck_ids(engine, clock)["Networking"]) == light
        assert [(node.name, node.new) for node, _ in home.rows] == [
            ("Compute", 20), ("Networking", 5), ("Storage", 20)]

        # Enter on a preset gives it to the deck: Storage takes Light too.
        await pilot.press("down", "o")
        await pilot.pause()
        assert app.screen.query_one("#options-using").render() is not None
        await pilot.press("down", "enter")  # Default, then Light
        await home_settled(pilot)
        assert [(node.name, node.new) for node, _ in home.rows] == [
            ("Compute", 20), ("Networking", 5), ("Storage", 5)]
        assert [(p.name, decks) for p, decks in presets.all_presets(engine)] == [
            ("Default", 1), ("Light", 2)]


def test_backlog_settings_from_config(tmp_path, capsys):
    home = tmp_path / "home"
    assert run_cli(home, "config", "get", "review-order") == 0
    assert run_cli(home, "config", "get", "new-while-backlog") == 0
    assert capsys.readouterr().out == "due\non\n"  # today's behaviour by default
    assert run_cli(home, "config", "set", "review-order", "Retrievability") == 0
    assert run_cli(home, "config", "set", "new-while-backlog", "off") == 0
    assert capsys.readouterr().out == "review-order = retrievability\nnew-while-backlog = off\n"
    assert run_cli(home, "config", "set", "review-order", "sideways") == 2
    assert capsys.readouterr().err == ("studyaws config: review-order must be one of: due, "
                                       "retrievability, random\n")
    assert run_cli(home, "config", "get", "review-order") == 0
    assert capsys.readouterr().out == "retrievability\n"
