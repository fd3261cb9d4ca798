"""A system clock at year 9999, year 1 or 1970 (a clock never set): every command that
needs the time says so in one line, exit 2, and writes nothing; a clock within the years
studyaws can count with works. The real command in a subprocess, its system clock set."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support import make_collection
from test_cli import dump

from studyaws.core import clock as clock_module
from studyaws.core.clock import Clock, FakeClock
from studyaws.services import exam as service

LAUNCHER = Path(__file__).with_name("run_at_time.py")


def run_at(when: str, *args: str, home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "STUDYAWS_HOME"}
    return subprocess.run([sys.executable, str(LAUNCHER), when, "--home", str(home), *args],
                          capture_output=True, text=True, env=env, cwd=home.parent, timeout=120)


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    """A collection with reviews and a finished exam, so that every command has dates to
    count with."""
    engine, clock, deck = make_collection(
        tmp_path, "# Deck\n\nQ: one\nA: two\n\nWhich? {#w}\n\n- [x] a\n- [ ] b\n")
    view = service.start_exam(engine, clock, "quick")
    service.finish_exam(engine, clock, view)
    clock.advance(timedelta(days=1))
    engine.dispose()
    return tmp_path / "home"


BAD_CLOCKS = ["9999-12-31T23:30:00+00:00", "0001-01-01T00:30:00+00:00",
              "1970-01-01T00:00:05+00:00"]
COMMANDS = [("decks",), ("stats",), ("stats", "--json"), ("exam", "--history"),
            ("import", "deck.md", "--force"), ("review",), ("exam", "--preset", "quick"),
            ("optimize",), ("config", "get")]


@pytest.mark.parametrize("when", BAD_CLOCKS)
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_clock_out_of_range_is_one_line_and_writes_nothing(collection: Path, when: str,
                                                             args: tuple[str, ...]):
    before = dump(collection / "studyaws.sqlite3")
    result = run_at(when, *args, home=collection)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, result.stdout + result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"studyaws: the system clock says {when[:10]} {when[11:16]} UTC")
    assert "set" in line and "clock" in line
    assert dump(collection / "studyaws.sqlite3") == before
    assert not (collection / "backups").exists()  # not even today's copy


@pytest.mark.parametrize("when", ["2000-01-01T00:00:00+00:00", "2099-12-31T23:59:00+00:00",
                                  "9799-12-31T23:59:00+00:00"])
def test_a_clock_within_range_works(collection: Path, when: str):
    for args in [("decks",), ("stats",), ("exam", "--history")]:
        result = run_at(when, *args, home=collection)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr


def test_the_range_is_checked_where_now_is_read(monkeypatch):
    from studyaws.core.clock import ClockError

    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    monkeypatch.setattr(clock_module, "system_now", lambda: now)
    assert Clock().now() == now
    for when in (datetime(9999, 12, 31, 23, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC),
                 datetime(1999, 12, 31, 23, 59, tzinfo=UTC)):
        monkeypatch.setattr(clock_module, "system_now", lambda when=when: when)
        with pytest.raises(ClockError):
            Clock().now()
    # A test's clock goes where it is told.
    assert FakeClock(datetime(9999, 1, 1, tzinfo=UTC)).now().year == 9999
