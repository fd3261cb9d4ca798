"""A collection in PostgreSQL, on a real throwaway server (tests/pg_cluster.py): choosing
it (--db, STUDYAWS_DB, config.toml), the one-line errors that never show the password, the
schema and its version, and writers taking turns as on SQLite."""

from __future__ import annotations

import subprocess
import sys
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
