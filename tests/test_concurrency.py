"""Several writers on one collection: the write lock is waited for, a busy database is tried
again from BEGIN, nothing is committed twice, and two real apps plus an import loop lose no
answer."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import OperationalError
from terminal import Terminal, studyaws_command
from waiting import wait_until

from studyaws.store import engine as store
from studyaws.store.engine import is_busy, open_engine, reading, run_write, writing
from studyaws.store.tables import Card, ReviewLog, Setting


def _hold_write_lock(db: Path, seconds: float, started: threading.Event) -> threading.Thread:
    """Another connection takes the write lock and keeps it for `seconds`."""

    def hold() -> None:
        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO setting (key, value) VALUES ('holder', 'x')")
        started.set()
        # Holding the lock for a time is the point: the tests measure how writers wait.
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
    wait_until(lambda: len(_answers(db, deck)) >= count, timeout,
               lambda: f"{deck}: {count} answers (found {len(_answers(db, deck))})")


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
    imported = threading.Condition()

    def import_loop() -> None:
        round_ = 0
        while not stop.is_set():
            round_ += 1
            churn.write_text(_deck("Churn", 60, salt=f" round {round_}"))
            result = subprocess.run([*command, "import", str(churn)], env=env,
                                    capture_output=True, text=True, timeout=120)
            with imported:
                imports.append(result)
                imported.notify_all()

    apps = {"Alpha": Terminal([*command, "review", "--deck", "Alpha"], env),
            "Bravo": Terminal([*command, "review", "--deck", "Bravo"], env)}
    importer = threading.Thread(target=import_loop)
    # Counted, not timed: four answers each, then wait for the import under way to end,
    # three times over: however slow the machine, three imports run among the answers.
    rounds, per_round, answered = 3, 4, 0
    try:
        for deck, term in apps.items():
            term.wait_for(f"{deck} question 1?")
        importer.start()
        for round_ in range(1, rounds + 1):
            for _ in range(per_round):
                answered += 1
                for term in apps.values():
                    term.send(" ", expect="Again")  # the answer is shown, with the ratings
                for term in apps.values():
                    term.send("3")
                for deck in apps:
                    _wait_answers(db, deck, answered)
            with imported:
                assert imported.wait_for(lambda n=round_: len(imports) >= n, timeout=300), \
                    "the import loop stopped"
        stop.set()
        importer.join(120)
        for term in apps.values():
            term.send("\x1b", expect="Mock exam")  # back home
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
    assert len(imports) >= rounds
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
    real_match = importer.match
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

    monkeypatch.setattr(importer, "match", match_and_probe)
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

    def plan_then_race(session, key, deck_path, digest, parsed, at, *where):
        plan = real_plan(session, key, deck_path, digest, parsed, at, *where)
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


# -- long writers leave the lock free for the app's answers -----------------------------------
INTERRUPTED = Path(__file__).resolve().parent / "interrupted.py"


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYAWS")}
    env["STUDYAWS_HOME"] = str(home)
    return env


def _wait_for(path: Path, process: subprocess.Popen, timeout: float = 180) -> None:
    try:
        wait_until(lambda: path.exists() or process.poll() is not None, timeout,
                   f"{path} to appear")
    except AssertionError:
        process.kill()
        raise
    if not path.exists():
        raise AssertionError(f"the command ended first: {process.communicate()}")


def test_an_answer_given_while_optimize_reschedules_goes_through(tmp_path, monkeypatch):
    """`studyaws optimize --reschedule` is paused half-way through replaying the cards'
    histories; meanwhile another connection answers the card it is on. The answer is
    written at once (a short busy timeout here), the command then finishes, and the card is
    rescheduled with that answer in its history."""
    from support import replayed, studied_collection

    from studyaws.core.srs import policy
    from studyaws.services.learner import perturbed_parameters
    from studyaws.services.review import record_answer
    from studyaws.store.settings import load_parameters, load_settings
    from studyaws.store.tables import CardState, ReviewLog

    engine, clock, _ = studied_collection(tmp_path, 600, 100, 15,
                                          perturbed_parameters(seed=6, spread=0.3))
    engine.dispose()
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 500)
    monkeypatch.setattr(store, "WRITE_ATTEMPTS", 2)
    engine = open_engine(tmp_path / "home" / "studyaws.sqlite3")
    signals = tmp_path / "signals"
    signals.mkdir()
    job = subprocess.Popen(
        [sys.executable, str(INTERRUPTED), json.dumps({"pause_at_replay": 3000,
                                                       "folder": str(signals)}),
         "optimize", "--reschedule", "--json"],
        env=_env(tmp_path / "home"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(signals / "paused", job)
        card_id = int((signals / "paused").read_text())
        settings = load_settings(engine)
        when = clock.now() + timedelta(hours=1)
        with writing(engine) as session:  # raises "database is locked" if the job holds it
            record_answer(session, policy.scheduler_for(settings, load_parameters(engine)),
                          settings, card_id, 1, when, when + timedelta(hours=12))
        assert job.poll() is None, "answered while the reschedule was still going on"
    finally:
        (signals / "go").touch()
        out, err = job.communicate(timeout=300)
    assert (job.returncode, err) == (0, ""), err
    assert json.loads(out)["rescheduled"] >= 600 * 0.9
    with reading(engine) as session:
        last = session.execute(select(ReviewLog).where(ReviewLog.card_id == card_id)
                               .order_by(ReviewLog.id.desc())).scalars().first()
        state = session.get(CardState, card_id)
    assert (last.rating, last.reviewed_at, state.last_review) == (1, when, when)
    expected = replayed(engine, card_id, load_parameters(engine))
    assert (state.state, state.due) == (expected.state, expected.due)
    assert state.stability == pytest.approx(expected.stability)


def _numbered(count: int, salt: str = "") -> str:
    return "# Numbered\n\n" + "\n\n".join(
        f"Q: What does the service number {n} do in the region?\nA: It does thing {n}{salt}."
        for n in range(count)) + "\n"


def test_answers_given_during_a_large_import_are_not_kept_waiting(tmp_path, monkeypatch):
    """A real `studyaws import` rewrites 8,000 cards while another connection answers cards
    of the same deck without a pause, each answer allowed to wait one second for the write
    lock (the app allows ten). None is refused; every answer and every edit is kept."""
    from studyaws.core.clock import FakeClock
    from studyaws.services.review import ReviewService
    from studyaws.store.settings import save_setting
    from studyaws.store.tables import CardState

    home = tmp_path / "home"
    deck = tmp_path / "numbered.md"
    count = 8000
    deck.write_text(_numbered(count), encoding="utf-8")
    first = subprocess.run([*studyaws_command(), "import", str(deck)], env=_env(home),
                           capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 1000)
    monkeypatch.setattr(store, "WRITE_ATTEMPTS", 1)
    engine = open_engine(home / "studyaws.sqlite3")
    save_setting(engine, "new-per-day", "9999")
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

    deck.write_text(_numbered(count, salt=", edited"), encoding="utf-8")
    job = subprocess.Popen([*studyaws_command(), "import", "--json", str(deck)],
                           env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    answered: list[int] = []
    refused: list[BaseException] = []
    service = ReviewService(engine, clock)
    while job.poll() is None:
        view = service.next_card()
        clock.advance(timedelta(seconds=5))
        try:
            service.answer(view, 3, 4000)
            answered.append(view.id)
        except OperationalError as exc:
            refused.append(exc)
            break
    out, err = job.communicate(timeout=300)
    assert refused == [], "an answer waited more than a second for the import's write lock"
    assert (job.returncode, err) == (0, "")
    assert json.loads(out)["total"]["updated"] == count
    assert len(answered) > 10, "the answers ran while the import did"
    with reading(engine) as session:
        logged = list(session.execute(select(ReviewLog.card_id).order_by(ReviewLog.id))
                      .scalars())
        states = {s.card_id: s.state for s in session.execute(select(CardState)).scalars()}
        edited = session.execute(select(Card.answer).where(Card.id == answered[-1])).scalar()
    assert logged == answered
    assert all(states[card_id] != 0 for card_id in answered)
    assert edited.endswith(", edited.")


def test_a_write_the_user_waits_on_gives_up_the_lock_wait_early(tmp_path):
    """Inside quick_writes (a screen's first try at saving an answer) a held lock is waited
    for once, briefly, and reported busy, so the screen can keep the answer and retry in the
    background; outside it, and on other threads, the full patience stays."""
    db = tmp_path / "c.sqlite3"
    engine = open_engine(db)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO setting (key, value) VALUES ('holder', 'x')")
        held.set()
        release.wait(60)
        conn.execute("COMMIT")
        conn.close()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError) as raised, store.quick_writes(0.2), \
                writing(engine) as session:
            session.execute(insert(Setting).values(key="mine", value="1"))
        waited = time.monotonic() - started
        assert is_busy(raised.value)
        # One short wait, not BUSY_TIMEOUT_MS (10 s) five times over.
        assert waited < store.BUSY_TIMEOUT_MS / 1000
    finally:
        release.set()
        holder.join()
    with writing(engine) as session:  # the full wait again, and the connection's timeout back
        session.execute(insert(Setting).values(key="mine", value="1"))
        timeout = session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert timeout == store.BUSY_TIMEOUT_MS
    assert _settings(engine) == {"holder": "x", "mine": "1"}


def test_an_answer_s_write_meets_the_lock_as_any_write_does(tmp_path):
    """The review's write transaction (its BEGIN IMMEDIATE sent by the driver itself) waits
    for a held lock as other writes do, says busy as SQLAlchemy's OperationalError, is tried
    again while busy, and writes once the lock is free."""
    db = tmp_path / "c.sqlite3"
    engine = open_engine(db)
    held, release = threading.Event(), threading.Event()

    def hold(seconds: float) -> None:
        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        held.set()
        release.wait(seconds)
        conn.execute("COMMIT")
        conn.close()

    holder = threading.Thread(target=hold, args=(60,))
    holder.start()
    held.wait(5)
    try:
        with pytest.raises(OperationalError) as raised, store.quick_writes(0.2), \
                store.write_transaction(engine) as conn:
            conn.exec_driver_sql("INSERT INTO setting (key, value) VALUES ('mine', '1')")
        assert is_busy(raised.value)
    finally:
        release.set()
        holder.join()
    held.clear()
    release.clear()
    holder = threading.Thread(target=hold, args=(0.5,))  # let go while the write waits
    holder.start()
    held.wait(5)
    with store.write_transaction(engine) as conn:
        conn.exec_driver_sql("INSERT INTO setting (key, value) VALUES ('mine', '2')")
    holder.join()
    assert _settings(engine) == {"mine": "2"}
