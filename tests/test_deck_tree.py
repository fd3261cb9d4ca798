"""The deck tree: `Parent::Child` titles and the folder a bank was imported from, with the
totals on each parent, on home (fold, unfold, study all under a parent) and in `studyaws
decks`."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from backends import db_args, open_test_engine
from support import START, home_settled, make_collection, without_bundled_decks

from studyaws.cli.main import main
from studyaws.core.clock import FakeClock
from studyaws.core.config import DB_NAME
from studyaws.services.decks import deck_tree, flatten
from studyaws.services.importer import import_paths
from studyaws.services.review import ReviewService
from studyaws.store.queries import DeckSummary, deck_summaries
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.review import ReviewScreen


def summary(deck_id: int, title: str, folder: str | None = None, new: int = 1) -> DeckSummary:
    return DeckSummary(deck_id, title, f"{deck_id}.md", None, new, new, 0, 0, folder)


def shown(nodes, collapsed=frozenset()) -> list[str]:
    return [f"{'  ' * depth}{node.name} {node.new} {list(node.deck_ids)}"
            for node, depth in flatten(nodes, collapsed)]


def test_titles_and_folders_make_a_tree_with_totals_in_natural_order():
    decks = [summary(1, "Practice Exam 10", "banks", 2), summary(2, "Practice Exam 2", "banks"),
             summary(3, "AWS::Networking::VPC", new=4), summary(4, "AWS"),
             summary(5, "AWS :: Storage", new=3), summary(6, "Zeta"),
             summary(7, "Lonely", "solo")]  # a folder of one deck adds no level

    tree = deck_tree(decks)

    assert shown(tree) == [
        "AWS 8 [4, 3, 5]",  # a deck titled as the parent is that parent
        "  Networking 4 [3]",
        "    VPC 4 [3]",
        "  Storage 3 [5]",
        "banks 3 [2, 1]",
        "  Practice Exam 2 1 [2]",
        "  Practice Exam 10 2 [1]",
        "Lonely 1 [7]",
        "Zeta 1 [6]",
    ]
    assert [node.parent for node, _ in flatten(tree)][:3] == [None, "AWS", "AWS::Networking"]
    assert shown(tree, {"group:AWS::Networking", "group:banks"}) == [
        "AWS 8 [4, 3, 5]", "  Networking 4 [3]", "  Storage 3 [5]", "banks 3 [2, 1]",
        "Lonely 1 [7]", "Zeta 1 [6]"]


def bank(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    for n in range(1, count + 1):
        (folder / f"exam-{n}.md").write_text(
            f"# Practice Exam {n}\n\nQ: question {n}\nA: answer\n\nQ: another {n}\nA: yes\n",
            encoding="utf-8")


def test_a_folder_imported_is_the_parent_of_its_decks(tmp_path, capsys):
    bank(tmp_path / "practice" / "saa", 10)
    (tmp_path / "solo.md").write_text("# Solo::One\n\nQ: q\nA: a\n", encoding="utf-8")
    home = tmp_path / "home"
    assert main(["--home", str(home), *db_args(home), "import", str(tmp_path / "practice"),
                 str(tmp_path / "solo.md")]) == 0
    without_bundled_decks(home / DB_NAME)
    capsys.readouterr()

    assert main(["--home", str(home), *db_args(home), "decks"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("  ")[0] if not line.startswith(" ") else line.strip().split("  ")[0]
            for line in lines[1:5]] == ["practice", "saa", "Practice Exam 1", "Practice Exam 2"]
    assert lines[1].split()[1:] == ["20", "20", "0", "0"]  # the totals of the ten
    assert lines[2].startswith("  saa ") and lines[3].startswith("    Practice Exam 1 ")
    assert lines[11].startswith("    Practice Exam 9 ") and lines[12].startswith(
        "    Practice Exam 10 ")
    assert lines[13].startswith("Solo ") and lines[14].startswith("  One ")

    assert main(["--home", str(home), *db_args(home), "decks", "--json"]) == 0
    decks = json.loads(capsys.readouterr().out)["decks"]
    parents = {d["title"]: d["parent"] for d in decks}
    assert parents["Practice Exam 10"] == "practice::saa" and parents["Solo::One"] == "Solo"
    assert len(decks) == 11


def test_review_of_several_decks(tmp_path):
    bank(tmp_path / "banks", 3)
    engine = open_test_engine(tmp_path / "home" / DB_NAME)
    clock = FakeClock(START)
    import_paths(engine, [tmp_path / "banks"], clock.now())
    decks = deck_summaries(engine, clock.now(), clock.now())
    assert {d.folder for d in decks} == {"banks"}
    first, second, third = (d.id for d in decks)

    service = ReviewService(engine, clock, (first, third))

    assert service.counts().new == 4
    seen = set()
    while (view := service.next_card()) is not None:
        seen.add(view.deck_title)
        service.answer(view, 4)
    assert seen == {"Practice Exam 1", "Practice Exam 3"}
    assert ReviewService(engine, clock, second).counts().new == 2


def screen_text(app) -> str:
    svg = app.export_screenshot()
    spans = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.DOTALL)
    return html.unescape("".join(spans)).replace("\xa0", " ")


TREE_DECK = "# AWS::Compute\n\nQ: EC2?\nA: servers\n\nQ: Lambda?\nA: functions\n"


async def test_home_folds_a_parent_and_studies_everything_under_it(tmp_path):
    engine, clock, _ = make_collection(tmp_path, TREE_DECK, name="compute.md")
    (tmp_path / "storage.md").write_text("# AWS::Storage\n\nQ: S3?\nA: objects\n",
                                         encoding="utf-8")
    (tmp_path / "other.md").write_text("# Other\n\nQ: other?\nA: yes\n", encoding="utf-8")
    import_paths(engine, [tmp_path / "storage.md", tmp_path / "other.md"], clock.now())
    app = StudyApp(engine, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await home_settled(pilot)
        home = app.screen
        assert [f"{node.name} {node.new}" for node, _ in home.rows] == [
            "AWS 3", "Compute 2", "Storage 1", "Other 1"]
        text = screen_text(app)
        assert "▾ AWS" in text and "    Compute" in text
        await pilot.press("left")  # on AWS: folds it
        await pilot.pause()
        assert [node.name for node, _ in home.rows] == ["AWS", "Other"]
        assert "▸ AWS" in screen_text(app)
        await pilot.press("space")  # unfolds it
        await pilot.pause()
        await pilot.press("down", "down", "left")  # on Storage: ← goes to its parent
        await pilot.pause()
        assert home.current_node().name == "AWS"
        await pilot.press("right", "down", "space")  # space on a deck: nothing
        await pilot.pause()
        assert len(home.rows) == 4
        # The cursor follows its deck when the rows move (renamed to sort first).
        await pilot.press("down", "down", "n")  # on Other
        await pilot.pause()
        app.screen.query_one("#rename-title").value = "Aardvark"
        await pilot.press("enter")
        await home_settled(pilot)
        assert [node.name for node, _ in home.rows][:2] == ["Aardvark", "AWS"]
        assert home.current_node().name == "Aardvark"
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen._service.counts().new == 3  # every card under AWS, not Other


async def test_removing_a_parent_removes_every_deck_under_it_and_u_brings_them_back(tmp_path):
    bank(tmp_path / "practice", 3)
    engine, clock, _ = make_collection(tmp_path, "# Other\n\nQ: other?\nA: yes\n")
    import_paths(engine, [tmp_path / "practice"], clock.now())
    app = StudyApp(engine, clock)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await home_settled(pilot)
        assert [node.name for node, _ in app.screen.rows][:2] == ["Other", "practice"]
        await pilot.press("down", "D")
        await pilot.pause()
        assert "Remove practice: 3 decks, 6 cards and 0 reviews?" in screen_text(app)
        await pilot.press("y")
        await home_settled(pilot)
        assert [node.name for node, _ in app.screen.rows] == ["Other"]
        assert "Removed practice (u to undo)" in screen_text(app)
        await pilot.press("u")
        await home_settled(pilot)
        assert [node.name for node, _ in app.screen.rows] == [
            "Other", "practice", "Practice Exam 1", "Practice Exam 2", "Practice Exam 3"]


def test_a_file_named_on_its_own_keeps_its_deck_in_its_folder(tmp_path):
    bank(tmp_path / "banks", 2)
    engine = open_test_engine(tmp_path / "home" / DB_NAME)
    clock = FakeClock(START)
    import_paths(engine, [tmp_path / "banks"], clock.now())
    (tmp_path / "banks" / "exam-1.md").write_text(
        "# Practice Exam 1\n\nQ: question 1\nA: answer, edited\n", encoding="utf-8")

    import_paths(engine, [tmp_path / "banks" / "exam-1.md"], clock.now())  # as an edit does

    decks = deck_summaries(engine, clock.now(), clock.now())
    assert [(d.title, d.folder, d.cards) for d in decks] == [
        ("Practice Exam 1", "banks", 1), ("Practice Exam 2", "banks", 2)]
