"""`studyaws config set`, run for real: values that cannot be right are one line and nothing
is written; an exam date so close that the plan asks for too many new cards a day is kept
with a warning that gives the number; steps take units."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from backends import query
from backup_support import run
from support import basic_deck

from studyaws.core.clock import system_zone
from studyaws.core.config import DB_NAME, Settings
from studyaws.core.srs.day import study_date


def settings(home: Path) -> list[tuple]:
    return sorted(query(home / DB_NAME, "SELECT key, value FROM setting"))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    deck = tmp_path / "deck.md"
    deck.write_text(basic_deck(1000), encoding="utf-8")
    home = tmp_path / "home"
    assert run(home, "import", str(deck)).returncode == 0
    return home


@pytest.mark.parametrize(("name", "value"), [
    ("easy-seconds", "nan"), ("easy-seconds", "inf"),
    ("desired-retention", "nan"), ("desired-retention", "inf"), ("maximum-interval", "inf"),
    ("exam-date", "2001-01-01"),
])
def test_a_value_that_cannot_be_right_is_one_line_and_writes_nothing(home, name, value):
    before = settings(home)
    result = run(home, "config", "set", name, value)
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"studyaws config: {name}"), result.stderr
    assert result.stdout == ""
    assert settings(home) == before


def test_a_past_exam_date_says_it_is_past(home):
    yesterday = date.today() - timedelta(days=2)
    result = run(home, "config", "set", "exam-date", yesterday.isoformat())
    assert result.returncode == 2
    assert "past" in result.stderr, result.stderr


def study_today() -> date:
    """Today as the app counts it: before the day-start hour (4 AM) it is still yesterday."""
    return study_date(datetime.now(UTC), system_zone(), Settings().day_starts_at)


def test_an_exam_date_that_asks_for_hundreds_of_new_cards_a_day_warns_with_the_number(home):
    soon = study_today() + timedelta(days=3)
    result = run(home, "config", "set", "exam-date", soon.isoformat())
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"exam-date = {soon.isoformat()}\n"
    assert ("exam-date", soon.isoformat()) in settings(home)
    warning = result.stderr.splitlines()
    assert len(warning) == 1, result.stderr
    # 1,000 new cards, to be introduced by the day before the exam: 333 a day over 3 study
    # days, far past the 60 minutes a day max-study-minutes allows; the warning says so.
    numbers = [int(n) for n in warning[0].replace(",", "").split() if n.isdigit()]
    assert any(n in (333, 500) for n in numbers), warning[0]
    assert "60-minute cap" in warning[0] and "max-study-minutes" in warning[0]

    far = study_today() + timedelta(days=200)
    result = run(home, "config", "set", "exam-date", far.isoformat())
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize(("name", "value", "stored"), [
    ("learning-steps", "1m 10m 1h 1d", "1 10 60 1440"),
    ("learning-steps", "30s", None),
    ("relearning-steps", "2h", "120"),
    ("relearning-steps", "1 10", "1 10"),
    ("relearning-steps", "1x", None),
])
def test_steps_take_minutes_hours_and_days(home, name, value, stored):
    result = run(home, "config", "set", name, value)
    if stored is None:
        assert result.returncode == 2
        assert len(result.stderr.splitlines()) == 1 and "1m 10m 1h 1d" in result.stderr
        assert name not in dict(settings(home))
    else:
        assert (result.returncode, result.stdout) == (0, f"{name} = {stored}\n"), result.stderr
        assert dict(settings(home))[name] == stored
