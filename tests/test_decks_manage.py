"""Renaming and removing decks: on home, on the command line, undo, importing the file again,
exams that asked a removed deck's questions, and files that hold no card."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from backends import db_args, open_test_engine, restore_test_json
from backends import query as query_rows
from support import basic_deck, home_settled, make_collection, without_bundled_decks

from studyaws.cli.main import main
from studyaws.core.config import DB_NAME
from studyaws.services import decks as deck_service
from studyaws.services import exam as exam_service
from studyaws.services.importer import import_paths
from studyaws.services.review import ReviewService
from studyaws.store.queries import deck_summaries, decks_matching
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.home import HomeScreen

QUESTIONS = """\
# Databases

Which database is relational? {#q1}

- [x] RDS
- [ ] DynamoDB

> domain: high-performing

Q: What is Aurora?
A: A MySQL and PostgreSQL compatible engine.

Q: Old card
A: retired by the next import
"""


def rows(db: Path, sql: str) -> list[tuple]:
    return query_rows(db, sql)


def history(db: Path) -> dict[str, list[tuple]]:
    """Every row that holds a card or its history (what a removal must keep)."""
    return {name: rows(db, f"SELECT * FROM {name} ORDER BY 1") for name in
            ("card", "card_state", "review_log", "shared_text", "exam_question")}


def screen_text(app) -> str:
    svg = app.export_screenshot()
    spans = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.DOTALL)
    return html.unescape("".join(spans)).replace("\xa0", " ")


@pytest.fixture
def studied(tmp_path: Path):
    """A deck with one card retired by an import, two answered, and a finished exam."""
    engine, clock, deck = make_collection(tmp_path, QUESTIONS, name="db.md")
    deck.write_text(QUESTIONS.rsplit("Q: Old card", 1)[0], encoding="utf-8")
    import_paths(engine, [deck], clock.now())
    service = ReviewService(engine, clock)
    for _ in range(2):
        view = service.next_card()
        service.answer(view, 3)
    view = exam_service.start_exam(engine, clock, "quick")
    exam_service.finish_exam(engine, clock, view)
    clock.advance(timedelta(minutes=5))
    return engine, clock, deck, tmp_path / "home" / DB_NAME


def test_removing_hides_the_deck_and_undo_brings_it_back_exactly(studied):
    engine, clock, _, db = studied
    before = history(db)
    assert [r[0] for r in rows(db, "SELECT retired FROM card ORDER BY id")] == [0, 0, 1]
    (deck_id, _), = decks_matching(engine, "Databases")

    removed = deck_service.remove_decks(engine, clock, [deck_id])

    assert removed == (deck_id,)
    assert deck_summaries(engine, clock.now(), clock.now()) == []
    assert decks_matching(engine, "Databases") == []
    assert ReviewService(engine, clock).counts().total == 0
    # Every row kept (cards retired): the exam that asked its question still loads.
    after = history(db)
    assert after["review_log"] == before["review_log"]
    assert after["exam_question"] == before["exam_question"]
    assert [r[0] for r in rows(db, "SELECT retired FROM card ORDER BY id")] == [1, 1, 1]
    past, = exam_service.exam_history(engine)
    view = exam_service.load_exam(engine, past.id)
    assert view.items and view.items[0].deck_title == "Databases"

    deck_service.restore_decks(engine, removed)

    assert history(db) == before  # ids, states, logs: as they were; the old card stays retired
    assert [d.title for d in deck_summaries(engine, clock.now(), clock.now())] == ["Databases"]


def test_importing_a_removed_decks_file_brings_it_back_with_its_history(studied):
    engine, clock, deck, db = studied
    before = history(db)
    (deck_id, _), = decks_matching(engine, "Databases")
    deck_service.remove_deck(engine, clock, deck_id)

    report = import_paths(engine, [deck], clock.now())  # the file has not changed

    assert [d.title for d in report.decks] == ["Databases"]
    assert rows(db, "SELECT id, deleted_at, deleted_cards FROM deck") == [(deck_id, None, None)]
    assert history(db)["card"] == before["card"]
    assert history(db)["review_log"] == before["review_log"]


def test_purge_keeps_only_the_cards_a_past_exam_asked(studied):
    engine, clock, _, db = studied
    (deck_id, _), = decks_matching(engine, "Databases")
    deck_service.remove_deck(engine, clock, deck_id)
    other = db.parent.parent / "other.md"
    other.write_text(basic_deck(1), encoding="utf-8")
    import_paths(engine, [other], clock.now())
    clock.advance(deck_service.KEEP_REMOVED + timedelta(days=1))
    (other_id, _), = decks_matching(engine, "Basics")

    deck_service.remove_deck(engine, clock, other_id)  # purges what was removed long ago

    asked = rows(db, "SELECT card_id FROM exam_question")
    assert rows(db, f"SELECT id FROM card WHERE deck_id = {deck_id}") == asked
    past, = exam_service.exam_history(engine)
    assert exam_service.load_exam(engine, past.id).items
    assert rows(db, f"SELECT count(*) FROM card WHERE deck_id = {other_id}") == [(1,)]


def test_a_renamed_deck_keeps_its_title_through_imports(tmp_path):
    engine, clock, deck = make_collection(tmp_path, basic_deck(2))
    (deck_id, _), = decks_matching(engine, "Basics")
    assert deck_service.rename_deck(engine, deck_id, "  AWS ::  Basics ") == "Basics"
    with pytest.raises(deck_service.DeckError):
        deck_service.rename_deck(engine, deck_id, "AWS::")
    deck.write_text(basic_deck(3), encoding="utf-8")

    report = import_paths(engine, [deck], clock.now())

    assert [d.title for d in report.decks] == ["AWS :: Basics"]
    assert [d.title for d in deck_summaries(engine, clock.now(), clock.now())] == [
        "AWS :: Basics"]


# -- files with no card ---------------------------------------------------------------------
def test_files_with_no_card_make_no_deck(tmp_path, capsys):
    docs = tmp_path / "site"
    docs.mkdir()
    (docs / "privacy.md").write_text("# Privacy Policy\n\nWe keep nothing.\n", encoding="utf-8")
    (docs / "deck.md").write_text(basic_deck(2), encoding="utf-8")
    home = tmp_path / "home"

    assert main(["--home", str(home), *db_args(home), "import", str(docs)]) == 0

    out = capsys.readouterr().out
    assert "privacy.md: no cards: skipped" in out
    db = home / DB_NAME
    assert rows(db, "SELECT title FROM deck") == [("Basics",)]
    assert main(["--home", str(home), *db_args(home), "import", "--json", str(docs)]) == 0
    assert '"no_cards": [' in capsys.readouterr().out


def test_a_deck_whose_file_loses_every_card_retires_them(tmp_path):
    engine, clock, deck = make_collection(tmp_path, basic_deck(2))
    deck.write_text("# Basics\n\nNothing left.\n", encoding="utf-8")

    report = import_paths(engine, [deck], clock.now())

    assert report.empty == [] and report.decks[0].retired == 2


# -- the command line -----------------------------------------------------------------------
@pytest.fixture
def cli_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    for name in ("alpha", "alps"):
        (tmp_path / f"{name}.md").write_text(f"# {name.title()}\n\nQ: {name}?\nA: yes\n",
                                              encoding="utf-8")
    assert main(["--home", str(home), *db_args(home), "import", str(tmp_path / "alpha.md"),
                 str(tmp_path / "alps.md")]) == 0
    without_bundled_decks(home / DB_NAME)
    return home


def test_cli_renames_and_removes_a_deck(cli_home, capsys):
    db = cli_home / DB_NAME
    capsys.readouterr()
    assert main(["--home", str(cli_home), *db_args(cli_home), "decks", "rename", "alph", "Greek::Alpha"]) == 0
    assert capsys.readouterr().out == "Renamed 'Alpha' to 'Greek::Alpha'.\n"

    assert main(["--home", str(cli_home), *db_args(cli_home), "decks", "remove", "Alps", "--yes"]) == 0
    assert "Removed 'Alps': 1 card and 0 reviews." in capsys.readouterr().out
    assert rows(db, "SELECT title FROM deck WHERE deleted_at IS NULL") == [("Greek::Alpha",)]

    assert main(["--home", str(cli_home), *db_args(cli_home), "decks"]) == 0
    listing = capsys.readouterr().out
    assert "Greek " in listing and "\n  Alpha " in listing and "Alps" not in listing


def test_cli_remove_names_the_candidates_of_an_ambiguous_name(cli_home, capsys):
    capsys.readouterr()
    assert main(["--home", str(cli_home), *db_args(cli_home), "decks", "remove", "al", "--yes"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'al' could be 2 decks: 'Alpha', 'Alps'" in err


def test_cli_remove_without_a_terminal_needs_yes(cli_home, capsys):
    db = cli_home / DB_NAME
    before = rows(db, "SELECT * FROM deck")
    capsys.readouterr()

    assert main(["--home", str(cli_home), *db_args(cli_home), "decks", "remove", "Alps"]) == 2

    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "--yes" in captured.err
    assert rows(db, "SELECT * FROM deck") == before


def test_cli_remove_asks_on_a_terminal(cli_home, capsys, monkeypatch):
    import studyaws.cli.main as cli

    db = cli_home / DB_NAME
    monkeypatch.setattr(cli, "_has_terminal", lambda: True)
    answers = iter(["n", "y"])
    asked = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or next(answers))

    assert main(["--home", str(cli_home), *db_args(cli_home), "decks", "remove", "Alps"]) == 1
    assert rows(db, "SELECT count(*) FROM deck WHERE deleted_at IS NULL") == [(2,)]
    assert main(["--home", str(cli_home), *db_args(cli_home), "decks", "remove", "Alps"]) == 0
    assert rows(db, "SELECT count(*) FROM deck WHERE deleted_at IS NULL") == [(1,)]
    assert asked == ["Remove 'Alps': 1 card and 0 reviews? [y/N] "] * 2


def test_a_removed_bundled_deck_stays_removed(tmp_path, capsys):
    home = tmp_path / "home"
    assert main(["--home", str(home), *db_args(home), "decks"]) == 0  # a new collection: the bundled decks
    assert "Compute and containers" in capsys.readouterr().out

    assert main(["--home", str(home), *db_args(home), "decks", "remove", "Compute and containers",
                 "--yes"]) == 0
    assert main(["--home", str(home), *db_args(home), "decks"]) == 0

    listing = capsys.readouterr().out
    assert "Removed 'Compute and containers'" in listing
    assert "Compute and containers" not in listing.split("history.\n", 1)[1]
    engine = open_test_engine(home / DB_NAME)
    assert "Compute and containers" not in [title for _, title in decks_matching(engine, "")]


# -- home -----------------------------------------------------------------------------------
SIZE = (100, 30)


async def test_home_removes_a_deck_after_confirming_and_u_brings_it_back(studied):
    engine, clock, _, db = studied
    before = history(db)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await home_settled(pilot)
        assert "Databases" in screen_text(app)
        await pilot.press("D")
        await pilot.pause()
        text = screen_text(app)
        assert "Remove Databases (2 cards and 2 reviews)?" in text
        await pilot.press("n")  # kept
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and not app.screen.removed
        assert history(db) == before

        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("y")
        await home_settled(pilot)
        text = screen_text(app)
        assert "Removed Databases (u to undo)" in text
        assert "No decks yet" in text
        assert rows(db, "SELECT count(*) FROM deck WHERE deleted_at IS NULL") == [(0,)]

        await pilot.press("u")
        await home_settled(pilot)
        assert "Brought back Databases" in screen_text(app)
        assert history(db) == before
        assert not app.screen.removed and not app.screen.check_action("undo_remove", ())


async def test_home_renames_the_selected_deck(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(2))
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await home_settled(pilot)
        await pilot.press("n")
        await pilot.pause()
        field = app.screen.query_one("#rename-title")
        assert field.value == "Basics"
        field.value = ""
        await pilot.press(*"AWS::Basics [draft]", "enter")
        await home_settled(pilot)
        text = screen_text(app)
        assert "Renamed Basics to AWS::Basics [draft]" in text
        assert "▾ AWS" in text and "Basics [draft]" in text
        await pilot.press("up", "n")  # on the parent: not a deck
        await pilot.pause()
        assert "Only a deck can be renamed" in screen_text(app)
    assert [d.title for d in deck_summaries(engine, clock.now(), clock.now())] == [
        "AWS::Basics [draft]"]


def test_the_first_opening_after_thirty_days_purges_and_a_new_import_starts_afresh(studied):
    from backends import on_postgres, open_test_collection

    engine, clock, deck, db = studied
    (deck_id, _), = decks_matching(engine, "Databases")
    deck_service.remove_deck(engine, clock, deck_id)
    clock.advance(timedelta(days=29))
    open_test_collection(db.parent, import_bundled=False, clock=clock)
    assert rows(db, "SELECT count(*) FROM card") == [(3,)]  # not yet

    clock.advance(timedelta(days=2))
    open_test_collection(db.parent, import_bundled=False, clock=clock)

    asked = rows(db, "SELECT card_id FROM exam_question")
    assert rows(db, "SELECT id FROM card") == asked
    assert rows(db, "SELECT deleted_cards FROM deck") == [("purged",)]
    if not on_postgres():  # SQLite's daily copy (a PostgreSQL server keeps its own backups)
        latest = max((db.parent / "backups").glob("daily-*.sqlite3"))
        assert rows(latest, "SELECT count(*) FROM card") == [(3,)]  # the day's copy holds them
    report = import_paths(engine, [deck], clock.now())  # the file again: its deck is back
    assert sum(report.decks[0].counts().values()) == 2
    assert [d.cards for d in deck_summaries(engine, clock.now(), clock.now())] == [2]


def test_a_json_export_keeps_a_removed_deck_and_undo_works_after_restoring_it(studied, tmp_path):
    from studyaws.services.exchange.json_dump import export_json

    engine, clock, _, db = studied
    before = history(db)
    (deck_id, _), = decks_matching(engine, "Databases")
    deck_service.remove_deck(engine, clock, deck_id)
    export = tmp_path / "all.json"
    export.write_text(export_json(engine), encoding="utf-8")
    fresh = tmp_path / "restored" / DB_NAME
    fresh.parent.mkdir()

    restore_test_json(export, fresh)

    restored = open_test_engine(fresh)
    assert deck_summaries(restored, clock.now(), clock.now()) == []
    deck_service.restore_decks(restored, [deck_id])
    assert history(fresh) == before


def test_a_removed_decks_cards_are_found_by_no_search_until_undone(tmp_path):
    from studyaws.services.browse import count_cards, search_cards

    engine, clock, _ = make_collection(tmp_path, basic_deck(3, "Gone"))
    other = tmp_path / "kept.md"
    other.write_text("---\ntitle: Kept\n---\n" + basic_deck(2, "Kept"), encoding="utf-8")
    import_paths(engine, [other], clock.now())
    gone = next(deck_id for deck_id, title in decks_matching(engine, "") if title != "Kept")
    assert count_cards(engine, clock, "") == 5
    deck_service.remove_deck(engine, clock, gone)
    for query in ("", "is:retired", "gone", "-deck:Kept"):
        assert [r.prompt for r in search_cards(engine, clock, query).rows
                if "Gone" in r.prompt] == [], query
    assert count_cards(engine, clock, "") == 2
    deck_service.restore_decks(engine, [gone])
    assert count_cards(engine, clock, "") == 5
