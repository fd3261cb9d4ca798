"""A collection in PostgreSQL, on a real throwaway server (tests/pg_cluster.py): choosing
it (--db, STUDYAWS_DB, config.toml), the one-line errors that never show the password, the
schema and its version, and writers taking turns as on SQLite."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from urllib.parse import urlsplit, urlunsplit

import pytest
from pg_cluster import PASSWORD
from sqlalchemy import text

from studyaws.cli.main import main
from studyaws.core.errors import StoreError
from studyaws.store import postgres
from studyaws.store.engine import SCHEMA_VERSION, open_engine, run_write, writing
from studyaws.store.settings import load_settings, save_setting


def _with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    user, host = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=f"{user.split(':')[0]}:{password}@{host}"))


def test_the_schema_is_made_once_and_its_version_kept(pg_database):
    engine = open_engine(pg_database)
    try:
        with engine.connect() as conn:
            assert postgres.schema_version(conn) == SCHEMA_VERSION
            tables = set(conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars())
            # The seen-card indexes are partial on PostgreSQL too.
            index = conn.execute(text("SELECT indexdef FROM pg_indexes"
                                      " WHERE indexname = 'ix_card_state_seen_review'")).scalar()
            # julianday gives SQLite's answer for a stored UTC time and one with an offset.
            days = conn.execute(text("SELECT julianday('2026-03-02 09:00:00.000000'),"
                                     " julianday('2026-03-02T11:00:00+02:00')")).one()
        assert {"deck", "card", "card_state", "review_log", "setting", "studyaws_schema"} <= tables
        assert "WHERE (state <> 0)" in index
        assert days == (pytest.approx(2461101.875), pytest.approx(2461101.875))
        save_setting(engine, "new-per-day", "31")
    finally:
        engine.dispose()
    again = open_engine(pg_database)  # opening again changes nothing
    try:
        assert load_settings(again).new_per_day == 31
    finally:
        again.dispose()


def test_a_database_of_a_newer_studyaws_is_refused(pg_database):
    open_engine(pg_database).dispose()
    engine = open_engine(pg_database)
    with engine.begin() as conn:
        postgres.set_schema_version(conn, SCHEMA_VERSION + 1)
    engine.dispose()
    with pytest.raises(StoreError, match="newer studyaws"):
        open_engine(pg_database)


def test_writers_take_turns_and_a_busy_lock_is_said(pg_database):
    """A second writer waits for the first (the advisory lock), and in quick_writes gives
    up with "busy" rather than waiting on: the same promises as SQLite's write lock."""
    from studyaws.core.errors import is_busy
    from studyaws.store.engine import quick_writes

    engine = open_engine(pg_database)
    try:
        order: list[str] = []
        holding = threading.Event()
        release = threading.Event()

        def first() -> None:
            with writing(engine) as session:
                session.execute(text("INSERT INTO setting (key, value) VALUES ('a', '1')"))
                holding.set()
                release.wait(10)
                order.append("first")

        thread = threading.Thread(target=first)
        thread.start()
        holding.wait(10)
        with quick_writes(0.2), pytest.raises(Exception) as refused:
            run_write(engine, lambda s: s.execute(text("SELECT 1")))
        assert is_busy(refused.value)
        release.set()
        run_write(engine, lambda s: order.append("second"))
        thread.join(10)
        assert order == ["first", "second"]
    finally:
        engine.dispose()


def test_db_option_env_and_config_file_choose_the_database(pg_database, tmp_path, monkeypatch,
                                                           capsys):
    home = tmp_path / "home"
    monkeypatch.delenv("STUDYAWS_DB", raising=False)
    assert main(["--home", str(home), "--db", pg_database, "config", "set",
                 "new-per-day", "23"]) == 0
    monkeypatch.setenv("STUDYAWS_DB", pg_database)
    capsys.readouterr()
    assert main(["--home", str(home), "config", "get", "new-per-day"]) == 0
    assert capsys.readouterr().out.strip() == "23"
    monkeypatch.delenv("STUDYAWS_DB")
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f'database = "{pg_database}"\n', encoding="utf-8")
    assert main(["--home", str(home), "config", "set", "new-per-day", "24"]) == 0
    engine = open_engine(pg_database)
    try:
        assert load_settings(engine).new_per_day == 24
    finally:
        engine.dispose()
    assert not (home / "studyaws.sqlite3").exists()  # nothing went to a SQLite file


def test_a_wrong_password_is_one_line_without_the_password(pg_database, tmp_path, capsys):
    wrong = _with_password(pg_database, "not-the-password-x9")
    code = main(["--home", str(tmp_path), "--db", wrong, "decks"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "password authentication failed" in err
    assert "not-the-password-x9" not in err and PASSWORD not in err
    assert err.startswith("studyaws: postgresql://studyaws@127.0.0.1:")


def test_an_unreachable_server_and_a_bad_url_are_one_line(tmp_path, capsys):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql://someone:hunter2@127.0.0.1:{port}/studyaws?connect_timeout=3"
    assert main(["--home", str(tmp_path), "--db", url, "stats"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "hunter2" not in err and "Traceback" not in err
    assert f"someone@127.0.0.1:{port}/studyaws" in err
    assert main(["--home", str(tmp_path), "--db", "mysql://x@y/z", "stats"]) == 2
    assert "must be a postgresql:// URL" in capsys.readouterr().err


def test_redact_leaves_out_every_password():
    assert postgres.redact("postgresql://u:pw@h:5432/d?sslmode=require&password=pw2") == \
        "postgresql://u@h:5432/d?sslmode=require"
    assert postgres.redact("postgresql:///d") == "postgresql:///d"


def test_sqlite_collections_do_not_load_the_postgresql_driver(tmp_path):
    """SQLite stays the default and needs nothing more: psycopg is not even imported."""
    code = ("import sys; from studyaws.cli.main import main; "
            f"main(['--home', {str(tmp_path)!r}, 'config', 'get', 'new-per-day']); "
            "print('psycopg' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "False", out.stderr


def _studied_sqlite(tmp_path):
    """A SQLite collection with decks, answers, an exam and settings, opened as a user
    would find it in the data folder."""
    from datetime import timedelta

    from support import START, basic_deck
    from test_exam_core import QUESTIONS

    from studyaws.core.clock import FakeClock
    from studyaws.services import exam as exam_service
    from studyaws.services.importer import import_paths
    from studyaws.services.review import ReviewService

    home = tmp_path / "home"
    deck = tmp_path / "deck.md"
    deck.write_text(basic_deck(12), encoding="utf-8")
    questions = tmp_path / "questions.md"
    questions.write_text(textwrap.dedent(QUESTIONS).lstrip(), encoding="utf-8")
    engine = open_engine(home / "studyaws.sqlite3")
    clock = FakeClock(START)
    import_paths(engine, [deck, questions], clock.now())
    save_setting(engine, "new-per-day", "9")
    service = ReviewService(engine, clock)
    for rating in (3, 1, 4, 3):
        card = service.next_card()
        service.answer(card, rating, 3000)
        clock.advance(timedelta(seconds=20))
    exam_service.start_exam(engine, clock, "quick", seed=3)
    engine.dispose()
    return home


def test_db_copy_to_postgresql_and_back_is_lossless(pg_database, tmp_path, capsys):
    from studyaws.services.exchange.json_dump import export_json

    home = _studied_sqlite(tmp_path)
    sqlite_engine = open_engine(home / "studyaws.sqlite3")
    original = export_json(sqlite_engine)
    sqlite_engine.dispose()
    assert main(["--home", str(home), "db", "copy", "--to", pg_database]) == 0
    assert "cards" in capsys.readouterr().out
    pg = open_engine(pg_database)
    try:
        assert export_json(pg) == original
        # Ids go on after the copied ones: a new answer gets a new row.
        save_setting(pg, "new-per-day", "10")
        from studyaws.store.copy import row_counts

        counts = row_counts(pg)
    finally:
        pg.dispose()
    assert counts["card"] > 12 and counts["review_log"] >= 4 and counts["exam"] == 1
    # A non-empty target is refused without --force, and left as it was.
    assert main(["--home", str(home), "db", "copy", "--to", pg_database]) == 2
    err = capsys.readouterr().err
    assert "not empty" in err and err.count("\n") == 1 and PASSWORD not in err
    # Back from PostgreSQL into a new SQLite collection.
    other = tmp_path / "other"
    assert main(["--home", str(other), "db", "copy", "--from", pg_database]) == 0
    back = open_engine(other / "studyaws.sqlite3")
    try:
        copied_back = export_json(back)
    finally:
        back.dispose()
    assert copied_back == original.replace('"value": "9"', '"value": "10"')
    assert copied_back != original  # the change made on PostgreSQL came back too
    # --force replaces a non-empty target.
    assert main(["--home", str(home), "db", "copy", "--to", pg_database, "--force"]) == 0
    pg = open_engine(pg_database)
    try:
        assert export_json(pg) == original
    finally:
        pg.dispose()


def test_answer_times_read_for_the_optimizer_are_exact_microseconds(pg_database, tmp_path):
    """stats_queries.answers_by_card works the microseconds out in SQL on either backend."""
    from datetime import UTC, datetime, timedelta

    from support import basic_deck, make_collection

    from studyaws.services.review import ReviewService
    from studyaws.store.stats_queries import answers_by_card, parse_time

    engine, clock, _ = make_collection(tmp_path, basic_deck(3))
    assert postgres.is_url(str(engine.url))
    clock.advance(timedelta(microseconds=123457))
    service = ReviewService(engine, clock)
    for rating in (3, 1, 4):
        service.answer(service.next_card(), rating, 2000)
        clock.advance(timedelta(days=1, microseconds=1))
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT card_id, reviewed_at FROM review_log"
                                   " ORDER BY card_id, reviewed_at, id")).all()
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    expected = [(card, (parse_time(at) - epoch) // timedelta(microseconds=1))
                for card, at in stored]
    assert [(card, micros) for card, _, _, micros in answers_by_card(engine)] == expected
    engine.dispose()


def test_backup_on_postgresql_writes_its_json_export_to_backups(pg_database, tmp_path,
                                                                capsys):
    """`studyaws backup` of a PostgreSQL collection writes the JSON export to the data
    folder's backups/ (or FILE, replaced only with --force), which restores elsewhere."""
    import json

    from studyaws.services.exchange.json_dump import export_json

    home = _studied_sqlite(tmp_path)
    assert main(["--home", str(home), "db", "copy", "--to", pg_database]) == 0
    pg = open_engine(pg_database)
    try:
        expected = export_json(pg)
    finally:
        pg.dispose()
    machine = tmp_path / "machine"
    capsys.readouterr()
    assert main(["--home", str(machine), "--db", pg_database, "backup"]) == 0
    out = capsys.readouterr().out
    copies = sorted((machine / "backups").glob("studyaws-*.json"))
    assert len(copies) == 1
    assert copies[0].read_text(encoding="utf-8") == expected
    assert out.startswith("backed up postgresql://studyaws@127.0.0.1:") and PASSWORD not in out
    tables = json.loads(expected)["tables"]
    assert f"({len(tables['deck'])} decks, {len(tables['review_log'])} reviews)" in out
    assert not (machine / "studyaws.sqlite3").exists()  # the collection stays in PostgreSQL
    # A second one the same second gets another name; FILE is replaced only with --force.
    assert main(["--home", str(machine), "--db", pg_database, "backup"]) == 0
    assert len(list((machine / "backups").glob("studyaws-*.json"))) == 2
    target = tmp_path / "copy.json"
    target.write_text("mine", encoding="utf-8")
    assert main(["--home", str(machine), "--db", pg_database, "backup", str(target)]) == 1
    assert target.read_text(encoding="utf-8") == "mine"
    assert main(["--home", str(machine), "--db", pg_database, "backup", str(target),
                 "--force"]) == 0
    assert target.read_text(encoding="utf-8") == expected
    # It is a backup: restored into a new SQLite collection, it exports the same.
    other = tmp_path / "other"
    assert main(["--home", str(other), "restore", str(copies[0])]) == 0
    restored = open_engine(other / "studyaws.sqlite3")
    try:
        assert export_json(restored) == expected
    finally:
        restored.dispose()


def test_a_schema_9_database_is_upgraded_to_the_current_schema(pg_database, tmp_path):
    """A database as schema 9 left it (no presets, no preset parameters) is upgraded in
    place by the next opening, its decks and answers kept."""
    from support import START, basic_deck

    from studyaws.core.clock import FakeClock
    from studyaws.services.importer import import_paths
    from studyaws.services.review import ReviewService
    from studyaws.store.presets import named_presets

    deck = tmp_path / "deck.md"
    deck.write_text(basic_deck(3), encoding="utf-8")
    engine = open_engine(pg_database)
    clock = FakeClock(START)
    import_paths(engine, [deck], clock.now())
    service = ReviewService(engine, clock)
    service.answer(service.next_card(), 3)
    counts = ReviewService(engine, clock).counts()
    with engine.begin() as conn:  # back to schema 9
        conn.execute(text("ALTER TABLE deck DROP COLUMN preset_id"))
        conn.execute(text("DROP TABLE preset"))
        conn.execute(text("DROP INDEX ix_card_state_seen_review"))
        conn.execute(text("DROP INDEX ix_card_out"))  # schema 14's
        conn.execute(text("ALTER TABLE card_state DROP COLUMN deck_id"))
        conn.execute(text("CREATE INDEX ix_card_state_state_due ON card_state (state, due)"))
        postgres.set_schema_version(conn, 9)
    engine.dispose()
    engine = open_engine(pg_database)
    try:
        with engine.connect() as conn:
            assert postgres.schema_version(conn) == SCHEMA_VERSION
            columns = set(conn.execute(text(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_name = 'preset'")).scalars())
            deck_columns = set(conn.execute(text(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_name = 'deck'")).scalars())
            index = conn.execute(text("SELECT indexdef FROM pg_indexes"
                                      " WHERE indexname = 'ix_card_state_seen_review'")).scalar()
            answers = conn.execute(text("SELECT count(*) FROM review_log")).scalar()
            indexes = set(conn.execute(text("SELECT indexname FROM pg_indexes")).scalars())
            decks = conn.execute(text(
                "SELECT s.deck_id, c.deck_id FROM card_state s JOIN card c ON c.id = s.card_id"
            )).all()
        assert {"ix_card_state_queue", "ix_card_out"} <= indexes
        assert "ix_card_state_state_due" not in indexes
        assert len(decks) == 3 and all(mine == card for mine, card in decks)
        assert ReviewService(engine, clock).counts() == counts
        assert {"parameters", "parameters_fitted_at"} <= columns
        assert "preset_id" in deck_columns
        assert index is not None and "WHERE (state <> 0)" in index
        assert answers == 1
        assert named_presets(engine) == []
        service = ReviewService(engine, clock)
        assert service.next_card() is not None  # reviews go on
    finally:
        engine.dispose()


def test_a_write_begins_and_takes_the_lock_in_one_round_trip_and_stays_one_transaction(
        pg_database):
    """BEGIN, the lock wait and the advisory lock are one statement; the lock is held to the
    end of the transaction, which commits or rolls back whole; reads afterwards on the same
    pooled connection are transactions of their own again."""
    from sqlalchemy import event

    engine = open_engine(pg_database)
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda c, cur, st, *a: sent.append(st))
    try:
        with writing(engine) as session:
            session.execute(text("INSERT INTO setting (key, value) VALUES ('x', '1')"))
            held = session.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                " AND pid = pg_backend_pid() AND granted")).scalar()
        assert held == 1
        assert sent[0].startswith("BEGIN; SET LOCAL lock_timeout") and len(sent) == 3
        with pytest.raises(RuntimeError), writing(engine) as session:
            session.execute(text("INSERT INTO setting (key, value) VALUES ('y', '1')"))
            raise RuntimeError("rolled back")
        with engine.connect() as conn:
            keys = set(conn.execute(text("SELECT key FROM setting")).scalars())
            assert conn.connection.dbapi_connection.autocommit is False
            assert conn.execute(text("SELECT count(*) FROM pg_locks WHERE locktype ="
                                     " 'advisory' AND pid = pg_backend_pid()")).scalar() == 0
        assert "x" in keys and "y" not in keys
    finally:
        engine.dispose()


def test_an_answer_is_two_round_trips_under_the_write_lock_and_committed_when_it_returns(
        pg_database, tmp_path):
    """BEGIN, the lock and the card with its siblings go in one round trip, the writes and
    COMMIT in the other (counted on the wire, through a relay); the siblings are buried and
    the answer is in the log, seen from another connection, when answer() returns. A write
    whose lock waits for its first read takes it before any other first statement."""
    import psycopg
    from net_proxy import Relay
    from sqlalchemy import event
    from support import START

    from studyaws.core.clock import FakeClock
    from studyaws.core.srs import policy
    from studyaws.services.importer import import_paths
    from studyaws.services.review import ReviewService
    from studyaws.store.engine import write_transaction_reading

    open_engine(pg_database).dispose()
    relay = Relay(pg_database)
    deck = tmp_path / "deck.md"
    deck.write_text("# Siblings\n\nC: Aurora keeps {{six}} copies in {{three}} AZs.\n\n"
                    "Q: Unrelated\nA: yes\n", encoding="utf-8")
    engine = open_engine(relay.url)
    try:
        clock = FakeClock(START)
        import_paths(engine, [deck], clock.now())
        service = ReviewService(engine, clock)
        # Statements sent through SQLAlchemy (the answer's own are on the driver's cursor):
        # in an answer, only the load balancer's due counts, read once a study day.
        others = []
        event.listen(engine, "before_cursor_execute", lambda *_: others.append(1))
        trips, reads = [], []
        while (view := service.next_card()) is not None:
            before, read_before = relay.round_trips, len(others)
            result = service.answer(view, policy.EASY)
            trips.append(relay.round_trips - before)
            reads.append(len(others) - read_before)
            with psycopg.connect(pg_database) as other:
                assert other.execute("SELECT card_id FROM review_log WHERE id = %s",
                                     (result.log_id,)).fetchone() == (view.id,)
        # The cloze (a sibling buried), then the other card: two round trips each, besides
        # the day's due counts (the first answer's, a round trip a statement).
        assert len(trips) == 2 and reads[0] > 0 and reads[1] == 0
        assert trips == [2 + reads[0], 2]
        with psycopg.connect(pg_database) as other:
            assert other.execute("SELECT count(*) FROM card WHERE buried_until IS NOT NULL"
                                 ).fetchone() == (1,)
        held_sql = ("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND pid = pg_backend_pid() AND granted")
        with write_transaction_reading(
                engine, lambda conn: conn.execute(text(held_sql)).scalar()) as (conn, held):
            assert held == 1
            assert conn.execute(text(held_sql)).scalar() == 1  # still: one transaction
    finally:
        engine.dispose()
        relay.close()


def test_an_answer_that_meets_the_write_lock_is_busy_and_writes_nothing(pg_database,
                                                                        tmp_path):
    """The answer's lock, sent with its read in one batch, waits as a quick write waits and
    then says "busy": nothing is written, the connection goes back to the pool usable, and
    the same answer is saved once the lock is released."""
    import psycopg
    from support import START

    from studyaws.core.clock import FakeClock
    from studyaws.core.errors import is_busy
    from studyaws.core.srs import policy
    from studyaws.services.importer import import_paths
    from studyaws.services.review import ReviewService
    from studyaws.store.engine import quick_writes

    deck = tmp_path / "deck.md"
    deck.write_text("# Basics\n\nQ: One\nA: 1\n\nQ: Two\nA: 2\n", encoding="utf-8")
    engine = open_engine(pg_database)
    try:
        clock = FakeClock(START)
        import_paths(engine, [deck], clock.now())
        service = ReviewService(engine, clock)
        view = service.next_card()
        with psycopg.connect(pg_database) as holder:
            holder.execute("SELECT pg_advisory_xact_lock(%s)", (postgres.WRITE_LOCK,))
            with pytest.raises(Exception) as busy, quick_writes(0.2):
                service.answer(view, policy.GOOD)
            assert is_busy(busy.value)
            assert holder.execute("SELECT count(*) FROM review_log").fetchone() == (0,)
        service.answer(view, policy.GOOD)
        with psycopg.connect(pg_database) as other:
            assert other.execute("SELECT card_id FROM review_log").fetchall() == [(view.id,)]
    finally:
        engine.dispose()


def test_pictures_of_a_postgresql_collection_go_to_the_data_folder_s_media(pg_database,
                                                                          tmp_path):
    """No file to keep them beside: an import copies a deck's pictures into the media/ of
    the data folder it runs from, and the JSON backup carries them; another machine gets
    them by importing the deck there with --force (the deck is unchanged: not read again
    without it)."""
    import json

    from test_images import PICTURE, STORED

    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "vpc.png").write_bytes(PICTURE)
    deck = tmp_path / "deck.md"
    deck.write_text("# Net\n\nQ: What is shown? ![VPC](pics/vpc.png)\nA: A VPC\n",
                    encoding="utf-8")
    laptop, desktop = tmp_path / "laptop", tmp_path / "desktop"
    assert main(["--home", str(laptop), "--db", pg_database, "import", str(deck)]) == 0
    assert (laptop / "media" / STORED).read_bytes() == PICTURE
    assert not (laptop / "studyaws.sqlite3").exists()
    assert main(["--home", str(laptop), "--db", pg_database, "backup"]) == 0
    backup = next((laptop / "backups").glob("*.json"))
    assert STORED in json.loads(backup.read_text(encoding="utf-8"))["media"]
    assert not (desktop / "media").exists()
    assert main(["--home", str(desktop), "--db", pg_database, "import", "--force",
                 str(deck)]) == 0
    assert (desktop / "media" / STORED).read_bytes() == PICTURE


def test_export_reads_a_postgresql_collection(pg_database, tmp_path, capsys):
    """`studyaws --db URL export` writes the database's collection (JSON, Anki text), not
    the data folder's SQLite file, which it neither needs nor makes."""
    from studyaws.services.exchange.json_dump import export_json

    home = _studied_sqlite(tmp_path)
    assert main(["--home", str(home), "db", "copy", "--to", pg_database]) == 0
    pg = open_engine(pg_database)
    try:
        expected = export_json(pg)
    finally:
        pg.dispose()
    machine = tmp_path / "machine"
    out = tmp_path / "collection.json"
    capsys.readouterr()
    assert main(["--home", str(machine), "--db", pg_database, "export", "--format", "json",
                 "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == expected
    assert main(["--home", str(machine), "--db", pg_database, "export", "--format", "csv",
                 "-o", str(tmp_path / "cards.txt")]) == 0
    said = capsys.readouterr().out
    assert "wrote" in said and "notes (" in said and PASSWORD not in said
    assert (tmp_path / "cards.txt").read_text(encoding="utf-8").count("\n") >= 12
    assert not (machine / "studyaws.sqlite3").exists()


def test_restore_into_postgresql_from_json_and_from_a_sqlite_copy(pg_database, tmp_path,
                                                                   capsys):
    """`studyaws --db URL restore FILE`: a JSON export or a copy made by `studyaws backup`
    rebuilds the database's collection; a database holding decks is replaced only with
    --force, after its JSON export is kept in backups/; a bad file changes nothing."""
    import json

    from studyaws.services.exchange.json_dump import export_json

    home = _studied_sqlite(tmp_path)
    sqlite_engine = open_engine(home / "studyaws.sqlite3")
    original = export_json(sqlite_engine)
    sqlite_engine.dispose()
    backup = tmp_path / "original.json"
    backup.write_text(original, encoding="utf-8")
    machine = tmp_path / "machine"
    capsys.readouterr()
    # Into an empty database.
    assert main(["--home", str(machine), "--db", pg_database, "restore", str(backup)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("restored postgresql://") and "rows: " in out
    assert PASSWORD not in out and "kept" not in out  # nothing was there to keep

    def exported() -> str:
        pg = open_engine(pg_database)
        try:
            return export_json(pg)
        finally:
            pg.dispose()

    assert exported() == original
    # Changed on PostgreSQL, then a restore without --force is refused and changes nothing.
    pg = open_engine(pg_database)
    try:
        save_setting(pg, "new-per-day", "10")
    finally:
        pg.dispose()
    changed = exported()
    assert main(["--home", str(machine), "--db", pg_database, "restore", str(backup)]) == 1
    err = capsys.readouterr().err
    assert "already has" in err and "--force" in err and err.count("\n") == 1
    assert PASSWORD not in err and exported() == changed
    # A damaged JSON file: one line naming it, the database as it was.
    broken = tmp_path / "broken.json"
    broken.write_text(original[: len(original) // 2], encoding="utf-8")
    assert main(["--home", str(machine), "--db", pg_database, "restore", str(broken),
                 "--force"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"studyaws restore: {broken}") and err.count("\n") == 1
    assert exported() == changed and not (machine / "backups").exists()
    # With --force: the replaced collection is kept as JSON, then replaced.
    assert main(["--home", str(machine), "--db", pg_database, "restore", str(backup),
                 "--force"]) == 0
    out = capsys.readouterr().out
    kept = sorted((machine / "backups").glob("studyaws-*-replaced.json"))
    assert len(kept) == 1 and f"kept as {kept[0]}" in out
    assert kept[0].read_text(encoding="utf-8") == changed
    assert exported() == original
    # From a SQLite copy made by `studyaws backup` (the change made there comes along).
    sqlite_engine = open_engine(home / "studyaws.sqlite3")
    save_setting(sqlite_engine, "new-per-day", "7")
    sqlite_engine.dispose()
    copy = tmp_path / "copy.sqlite3"
    assert main(["--home", str(home), "backup", str(copy)]) == 0
    sqlite_engine = open_engine(home / "studyaws.sqlite3")
    from_sqlite = export_json(sqlite_engine)
    sqlite_engine.dispose()
    assert main(["--home", str(machine), "--db", pg_database, "restore", str(copy),
                 "--force"]) == 0
    assert exported() == from_sqlite
    assert json.loads(from_sqlite)["tables"]["review_log"]  # the answers came too
    # Ids go on after the restored ones: a new answer on PostgreSQL gets a new row.
    from datetime import timedelta

    from support import START

    from studyaws.core.clock import FakeClock
    from studyaws.services.review import ReviewService

    pg = open_engine(pg_database)
    try:
        service = ReviewService(pg, FakeClock(START + timedelta(days=30)))
        card = service.next_card()
        assert card is not None
        service.answer(card, 3, 2000)
        assert len(json.loads(export_json(pg))["tables"]["review_log"]) == len(
            json.loads(from_sqlite)["tables"]["review_log"]) + 1
    finally:
        pg.dispose()
