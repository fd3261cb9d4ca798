"""Snapshot tests of the main screens at 80x24 and 200x50 (pytest-textual-snapshot): home,
the review of each kind of card (question and feedback), the session summary and the
settings. Review the SVGs in tests/__snapshots__ when a screen changes, then run
`pytest --snapshot-update`."""

from __future__ import annotations

import pytest
from support import make_collection

from studyaws.tui.app import StudyApp

SIZES = {"80x24": (80, 24), "200x50": (200, 50)}

FRONT = """---
title: RDS essentials
domain: resilient
---
# RDS
## Automated backups

Automated backups keep a daily snapshot and the transaction logs, so a database can be
restored to any second of the retention period.

"""

# One card of each kind, each in a deck of its own so the review shows it first.
CARDS = {
    "basic": "Q: How long can RDS keep **automated backups**?\n"
             "A: From 1 to 35 days; `0` turns them off.\n",
    "cloze": "C: A point-in-time restore creates a {{new DB instance}} with a new endpoint.\n",
    "choice": "A company needs to restore its database to ten minutes ago. What happens, and "
              "what must the application change afterwards? {#pitr}\n\n"
              "- [ ] The instance is rolled back in place and keeps its endpoint, so nothing "
              "changes for the application.\n"
              "- [x] A new DB instance with a new endpoint is created.\n"
              "- [ ] A read replica is promoted.\n\n"
              "> A point-in-time restore always creates a new instance: see "
              "<https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIT.html>.\n",
    "multi": "Which two keep a copy in another Availability Zone? (Choose two.) {#multi}\n\n"
             "- [x] A Multi-AZ DB instance deployment\n- [ ] A single-AZ instance\n"
             "- [x] A Multi-AZ DB cluster deployment\n- [ ] [red]Instance store[/]\n\n"
             "> Both Multi-AZ deployments keep a standby in another zone.\n",
    "ordering": "Order: Put the steps of a point-in-time restore in order. {#order}\n"
                "1. Choose the restore time\n2. Create the new instance\n"
                "3. Point the application at the new endpoint\n\n"
                "> The old instance keeps running until you delete it.\n",
    "numeric": "Q: How many days at most can automated backups be kept? {#num}\nA: = 35\n\n"
               "> From 1 to 35 days.\n",
    "scenario": "```scenario nacl\ndirection: inbound\nrules: 4-6\n```\n",
}

# Keys that answer each kind wrongly or rightly once the review shows it.
ANSWER = {
    "basic": ["space"],
    "cloze": ["space"],
    "choice": ["1", "enter"],
    "multi": ["1", "2", "enter"],
    "ordering": ["enter"],
    "numeric": ["3", "0", "enter"],
    "scenario": ["1", "enter"],
}


def _app(tmp_path, monkeypatch, deck: str, **settings):
    monkeypatch.chdir(tmp_path)  # sources show as deck.md:LINE, the same on every run
    engine, clock, _ = make_collection(tmp_path, deck, settings=settings)
    return StudyApp(engine, clock)


async def _no_blink(pilot):
    from textual.widgets import Input

    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


def _press_then_still(*keys: str):
    async def run(pilot):
        await pilot.press(*keys)
        await pilot.pause()
        await _no_blink(pilot)
        await pilot.pause()

    return run


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_home(tmp_path, monkeypatch, snap_compare, size):
    app = _app(tmp_path, monkeypatch, FRONT + "\n\n".join(CARDS.values()))
    assert snap_compare(app, terminal_size=SIZES[size])


def _tree_app(tmp_path, monkeypatch):
    """Decks as a tree: two under AWS (their titles), twelve practice exams under the folder
    they were imported from, one at the top."""
    from support import basic_deck

    from studyaws.services.importer import import_paths

    def cards(count: int) -> str:
        return basic_deck(count).split("\n", 1)[1]

    app = _app(tmp_path, monkeypatch, "# AWS::Compute\n" + cards(3))
    (tmp_path / "storage.md").write_text("# AWS::Storage\n" + cards(2), encoding="utf-8")
    (tmp_path / "other.md").write_text("# Networking\n" + cards(4), encoding="utf-8")
    bank = tmp_path / "practice"
    bank.mkdir()
    for n in range(1, 13):
        (bank / f"exam-{n}.md").write_text(f"# Practice Exam {n}\n" + cards(n % 3 + 1),
                                           encoding="utf-8")
    import_paths(app.engine, [tmp_path / "storage.md", tmp_path / "other.md", bank],
                 app.clock.now())
    return app


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_home_deck_tree(tmp_path, monkeypatch, snap_compare, size):
    assert snap_compare(_tree_app(tmp_path, monkeypatch), terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
@pytest.mark.parametrize("kind", CARDS)
def test_review_question(tmp_path, monkeypatch, snap_compare, kind, size):
    app = _app(tmp_path, monkeypatch, FRONT + CARDS[kind])
    assert snap_compare(app, run_before=_press_then_still("r"), terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
@pytest.mark.parametrize("kind", CARDS)
def test_review_feedback(tmp_path, monkeypatch, snap_compare, kind, size):
    app = _app(tmp_path, monkeypatch, FRONT + CARDS[kind])
    assert snap_compare(app, run_before=_press_then_still("r", *ANSWER[kind]),
                        terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_summary(tmp_path, monkeypatch, snap_compare, size):
    app = _app(tmp_path, monkeypatch, FRONT + CARDS["basic"] + "\n" + CARDS["choice"],
               **{"learning-steps": "1"})
    keys = ["r", "space", "4", "2", "enter", "4", "space"]
    assert snap_compare(app, run_before=_press_then_still(*keys), terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_settings(tmp_path, monkeypatch, snap_compare, size):
    app = _app(tmp_path, monkeypatch, FRONT + CARDS["basic"])
    assert snap_compare(app, run_before=_press_then_still("s"), terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_deck_options(tmp_path, monkeypatch, snap_compare, size):
    """A deck's options (o on home): the presets, the highlighted one's values."""
    app = _tree_app(tmp_path, monkeypatch)
    from studyaws.services import presets

    presets.set_preset_value(app.engine, app.clock, "Light", "new-per-day", "5")
    assert snap_compare(app, run_before=_press_then_still("down", "o"),
                        terminal_size=SIZES[size])


def test_deck_options_typing_a_new_presets_name(tmp_path, monkeypatch, snap_compare):
    """The field being typed in shows what is typed (at 80x24, where each field is a line)."""
    app = _tree_app(tmp_path, monkeypatch)
    assert snap_compare(app, run_before=_press_then_still("down", "o", "ctrl+n", *"Fast"),
                        terminal_size=(80, 24))
