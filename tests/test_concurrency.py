"""Several writers on one collection: the write lock is waited for, a busy database is tried
again from BEGIN, nothing is committed twice, and two real apps plus an import loop lose no
answer."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import OperationalError
from terminal import Terminal, studyaws_command

from studyaws.store import engine as store
from studyaws.store.engine import is_busy, open_engine, reading, run_write, writing
from studyaws.store.tables import Card, Setting


def _hold_write_lock(db: Path, seconds: float, started: threading.Event) -> threading.Thread:
    """Another connection takes the write lock and keeps it for `seconds`."""

    def hold() -> None:
        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO setting (key, value) VALUES ('holder', 'x')")
        started.set()
        time.sleep(seconds)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    started.wait(5)
    return thread


def _settings(engine) -> dict[str, str]:
    with reading(engine) as session:
        return dict(session.execute(select(Setting.key, Setting.value)).all())


def _busy_error() -> OperationalError:
    return OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))


def test_every_connection_has_wal_full_sync_and_the_busy_timeout(tmp_path):
    engine = open_engine(tmp_path / "c.sqlite3")
    with engine.connect() as conn:
        pragmas = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                   for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")}
    # synchronous 2 is FULL: the write-ahead log is synced at every commit.
    assert pragmas == {"journal_mode": "wal", "synchronous": 2,
                       "busy_timeout": store.BUSY_TIMEOUT_MS, "foreign_keys": 1}


def test_a_writer_waits_for_the_lock_of_another(tmp_path):
    db = tmp_path / "c.sqlite3"
    engine = open_engine(db)
    holder = _hold_write_lock(db, 0.5, threading.Event())
    started = time.monotonic()
    with writing(engine) as session:
        session.execute(insert(Setting).values(key="mine", value="1"))
    holder.join()
    assert time.monotonic() - started >= 0.4
    assert _settings(engine) == {"holder": "x", "mine": "1"}


def test_busy_after_the_timeout_is_tried_again_from_begin(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 100)
    db = tmp_path / "c.sqlite3"
    engine = open_engine(db)
    holder = _hold_write_lock(db, 0.6, threading.Event())  # longer than one busy timeout
    runs = 0
    with writing(engine) as session:
        runs += 1
        session.execute(insert(Setting).values(key="mine", value="1"))
    holder.join()
    assert runs == 1
    assert _settings(engine) == {"holder": "x", "mine": "1"}


def test_the_retries_are_bounded_and_write_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 50)
    db = tmp_path / "c.sqlite3"
    engine = open_engine(db)
    holder = _hold_write_lock(db, 1.5, threading.Event())
    started = time.monotonic()
    with pytest.raises(OperationalError) as caught, writing(engine) as session:
        session.execute(insert(Setting).values(key="mine", value="1"))
    assert is_busy(caught.value)
    assert time.monotonic() - started < 1.4
    holder.join()
    assert _settings(engine) == {"holder": "x"}


def test_run_write_runs_the_work_again_after_a_busy_error_and_keeps_one_copy(tmp_path):
    engine = open_engine(tmp_path / "c.sqlite3")
    calls = []

    def work(session) -> str:
        calls.append(len(calls))
        session.execute(insert(Setting).values(key=f"try{len(calls)}", value="1"))
        if len(calls) == 1:
            raise _busy_error()  # as if SQLite said busy at this statement
        return "done"

    assert run_write(engine, work) == "done"
    assert len(calls) == 2
    assert _settings(engine) == {"try2": "1"}, "the failed attempt must leave nothing"


def test_other_errors_are_not_tried_again(tmp_path):
    engine = open_engine(tmp_path / "c.sqlite3")
    calls = []

    def work(session) -> None:
        calls.append(1)
        session.execute(insert(Setting).values(key="a", value="1"))
        session.execute(insert(Setting).values(key="a", value="2"))  # unique key: an error

    with pytest.raises(Exception, match="UNIQUE"):
        run_write(engine, work)
    assert len(calls) == 1
    assert _settings(engine) == {}


def test_is_busy_knows_sqlites_messages():
    assert is_busy(sqlite3.OperationalError("database is locked"))
    assert is_busy(_busy_error())
    assert not is_busy(sqlite3.OperationalError("disk I/O error"))
    assert not is_busy(ValueError("database is locked"))


# -- the real command, three processes at once ------------------------------------------------


def _deck(title: str, count: int, salt: str = "") -> str:
    return f"# {title}\n\n" + "\n\n".join(
        f"Q: {title} question {n}{salt}?\nA: {title} answer {n}" for n in range(1, count + 1)
    ) + "\n"


def _answers(db: Path, deck: str) -> list[str]:
    with sqlite3.connect(db, timeout=30) as conn:
        return [row[0] for row in conn.execute(
            "select card.prompt from review_log join card on card.id = review_log.card_id "
            "join deck on deck.id = card.deck_id where deck.title = ? order by review_log.id",
            (deck,))]


def _wait_answers(db: Path, deck: str, count: int, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(_answers(db, deck)) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"{deck}: expected {count} answers, found {len(_answers(db, deck))}")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_two_apps_answering_while_imports_run_lose_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYAWS")}
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="40",
               STUDYAWS_HOME=str(tmp_path / "home"))
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "alpha.md").write_text(_deck("Alpha", 40))
    (decks / "bravo.md").write_text(_deck("Bravo", 40))
    churn = tmp_path / "churn.md"
    churn.write_text(_deck("Churn", 60))
    command = studyaws_command()
    for args in (["import", str(decks), str(churn)], ["config", "set", "new-per-day", "200"]):
        subprocess.run([*command, *args], env=env, check=True, capture_output=True)
    db = tmp_path / "home" / "studyaws.sqlite3"

    # A third process imports again and again, each time rewriting all 60 cards of a deck.
    stop = threading.Event()
    imports: list[subprocess.CompletedProcess] = []

    def import_loop() -> None:
        round_ = 0
        while not stop.is_set():
            round_ += 1
            churn.write_text(_deck("Churn", 60, salt=f" round {round_}"))
            imports.append(subprocess.run([*command, "import", str(churn)], env=env,
                                          capture_output=True, text=True, timeout=120))

    apps = {"Alpha": Terminal([*command, "review", "--deck", "Alpha"], env),
            "Bravo": Terminal([*command, "review", "--deck", "Bravo"], env)}
    importer = threading.Thread(target=import_loop)
    answers, answered = 12, 0
    try:
        for deck, term in apps.items():
            term.wait_for(f"{deck} question 1?")
        importer.start()
        # At least `answers` answers each, and on until three imports went through.
        while answered < answers or (len(imports) < 3 and answered < 35):
            answered += 1
            for term in apps.values():
                term.send(" ")
            time.sleep(0.15)
            for term in apps.values():
                term.send("3")
            for deck in apps:
                _wait_answers(db, deck, answered)
        stop.set()
        importer.join(120)
        for term in apps.values():
            term.send("\x1b")
            time.sleep(0.3)
            term.send("q")
        codes = [term.wait_exit(20) for term in apps.values()]
    finally:
        stop.set()
        for term in apps.values():
            if term.fd is not None and not term.exited:
                term.kill()
    assert codes == [0, 0], [term.text()[-2000:] for term in apps.values()]
    for term in apps.values():
        assert "Traceback" not in term.text() and "locked" not in term.text()
    assert len(imports) >= 3, "the import loop should have run while the apps answered"
    for result in imports:
        assert (result.returncode, result.stderr) == (0, ""), result.stderr
    for deck in apps:
        assert _answers(db, deck) == [f"{deck} question {n}?" for n in range(1, answered + 1)]
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"


# -- an import plans before it takes the write lock --------------------------------------------


def _deck_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "deck.md"
    path.write_text(text)
    return path


def test_an_import_matches_cards_without_holding_the_write_lock(tmp_path, monkeypatch):
    from studyaws.services import importer

    db = tmp_path / "c.sqlite3"
    engine = open_engine(db)
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    path = _deck_file(tmp_path, _deck("Alpha", 30))
    importer.import_paths(engine, [path], now)
    path.write_text(_deck("Alpha", 30, salt=" edited"))  # every card matched by similarity
    real_match = importer._match
    free = []

    def match_and_probe(rows, existing):
        other = sqlite3.connect(db, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails if the import held the lock now
            other.execute("ROLLBACK")
            free.append(True)
        except sqlite3.OperationalError:
            free.append(False)
        finally:
            other.close()
        return real_match(rows, existing)

    monkeypatch.setattr(importer, "_match", match_and_probe)
    report = importer.import_paths(engine, [path], now)
    assert free == [True]
    assert report.total() == {"added": 0, "updated": 30, "unchanged": 0, "retired": 0}


def test_a_deck_changed_between_plan_and_write_is_planned_again(tmp_path, monkeypatch):
    from studyaws.services import importer

    engine = open_engine(tmp_path / "c.sqlite3")
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    path = _deck_file(tmp_path, _deck("Alpha", 5))
    importer.import_paths(engine, [path], now)
    # Our import (6 cards) plans; before it writes, another import (7 cards) lands.
    real_plan = importer._plan_deck
    calls = []

    def plan_then_race(session, key, deck_path, digest, parsed, at):
        plan = real_plan(session, key, deck_path, digest, parsed, at)
        calls.append(len(parsed.items))
        if len(calls) == 1:
            other = tmp_path / "other" / "deck.md"
            other.parent.mkdir()
            other.write_text(_deck("Alpha", 7))
            monkeypatch.setattr(importer, "deck_key", lambda p: key)  # the same deck
            importer.import_paths(engine, [other], at)
        return plan

    monkeypatch.setattr(importer, "_plan_deck", plan_then_race)
    path.write_text(_deck("Alpha", 6))
    report = importer.import_paths(engine, [path], now)
    assert calls == [6, 7, 6], "planned, the other import, planned again under the lock"
    assert report.total() == {"added": 0, "updated": 0, "unchanged": 6, "retired": 1}
    with reading(engine) as session:
        prompts = sorted(session.execute(
            select(Card.prompt).where(Card.retired.is_(False))).scalars())
    assert prompts == sorted(f"Alpha question {n}?" for n in range(1, 7))
