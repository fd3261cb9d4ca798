"""`--json` on the commands that read (decks, exam --history, config get, check), run for
real on a real collection: what the table says, as numbers a script can use."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from backends import open_test_engine
from backup_support import run
from support import basic_deck
from test_exam_core import QUESTIONS

from studyaws.core.clock import FakeClock
from studyaws.core.config import DB_NAME
from studyaws.services import exam as service


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "basics.md").write_text(basic_deck(30), encoding="utf-8")
    (tmp_path / "decks" / "exam.md").write_text(QUESTIONS, encoding="utf-8")
    home = tmp_path / "home"
    assert run(home, "import", str(tmp_path / "decks")).returncode == 0
    return home


def as_json(home: Path, *args: str):
    result = run(home, *args, "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def test_decks_json_gives_each_deck_and_today_s_counts(home):
    data = as_json(home, "decks")
    basics = next(d for d in data["decks"] if d["title"] == "Basics")
    # new: what studying the deck gives today (within the limits, 20 new a day); available_new:
    # the deck's new cards.
    assert basics["cards"] == 30 and basics["new"] == 20 and basics["available_new"] == 30
    assert {"title", "path", "cards", "new", "learning", "due"} <= set(basics)
    table = run(home, "decks").stdout.splitlines()
    # The table is a tree: the folder imported is the decks' parent, a row of its own.
    parents = {d["parent"] for d in data["decks"]} - {None}
    assert parents == {"decks"}
    assert len(data["decks"]) + len(parents) == len(table) - 2
    assert data["today"] == {"new": 20, "learning": 0, "review": 0}


def test_exam_history_json(home):
    engine, clock = open_test_engine(home / DB_NAME), FakeClock(datetime.now(UTC))
    view = service.start_exam(engine, clock, "quick", seed=4)
    for item in view.items[:8]:
        service.save_answer(engine, view.id, item, {"chosen": sorted(item.question.correct)},
                            9, clock.now())
    service.finish_exam(engine, clock, view)
    engine.dispose()
    [exam] = as_json(home, "exam", "--history")["exams"]
    assert exam["id"] == view.id
    assert (exam["preset"], exam["mode"], exam["correct"], exam["total"]) == (
        "quick", "exam", 8, 10)
    assert isinstance(exam["scaled"], int) and isinstance(exam["passed"], bool)
    assert datetime.fromisoformat(exam["started_at"]).tzinfo is not None
    assert exam["pass_mark"] == 720 and exam["seconds_used"] >= 0


def test_exam_history_json_without_exams(home):
    assert as_json(home, "exam", "--history") == {"exams": []}


def test_config_get_json_gives_typed_values(home):
    assert run(home, "config", "set", "learning-steps", "1m 1h").returncode == 0
    data = as_json(home, "config", "get")
    assert data["learning-steps"] == [1, 60]
    assert data["desired-retention"] == 0.9
    assert data["new-per-day"] == 20
    assert data["fuzz"] is True
    assert data["exam-date"] is None
    assert data["target-exam"] == "saa-c03"
    assert set(data) == {line.split(" = ")[0]
                         for line in run(home, "config", "get").stdout.splitlines()}
    assert as_json(home, "config", "get", "new-per-day") == {"new-per-day": 20}


def test_check_json_lists_decks_and_problems_as_objects(tmp_path):
    home = tmp_path / "home"
    good = tmp_path / "good.md"
    good.write_text(basic_deck(3), encoding="utf-8")
    data = as_json(home, "check", str(good))
    assert data["cards"] == 3 and data["problems"] == []
    assert data["decks"] == [{"path": str(good), "format": "markdown", "cards": 3}]

    bad = tmp_path / "bad.md"
    bad.write_text("# Broken\n\nQ: lonely question\n", encoding="utf-8")
    result = run(home, "check", str(good), str(bad), "--json")
    assert result.returncode == 1
    assert result.stderr == ""
    data = json.loads(result.stdout)
    [problem] = data["problems"]
    assert problem["path"] == str(bad) and problem["line"] == 3 and problem["message"]
    assert not home.exists()
