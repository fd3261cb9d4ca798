"""Schema versions: a new collection, an upgrade from the first released schema, and a
database from a newer version."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from studyaws.store.engine import SCHEMA_VERSION, StoreError, open_engine

FIXTURE = Path(__file__).parent / "fixtures" / "schema1.sqlite3"


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("select name from sqlite_master where type='table'")}


def test_new_collection_has_the_current_schema(tmp_path):
    engine = open_engine(tmp_path / "c.sqlite3")
    engine.dispose()
    with sqlite3.connect(tmp_path / "c.sqlite3") as conn:
        assert conn.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert {"deck", "card", "card_state", "review_log", "setting", "exam",
            "exam_question"} <= _tables(tmp_path / "c.sqlite3")


def test_upgrade_from_schema_1_keeps_everything_and_writes_a_backup(tmp_path):
    db = tmp_path / "studyaws.sqlite3"
    shutil.copy(FIXTURE, db)
    with sqlite3.connect(db) as conn:
        before = {t: conn.execute(f"select * from {t} order by 1").fetchall()
                  for t in ("deck", "card", "card_state", "review_log", "setting")}
    engine = open_engine(db)
    engine.dispose()
    backup = tmp_path / "studyaws.sqlite3.schema1.bak"
    assert backup.exists()
    with sqlite3.connect(backup) as conn:
        assert conn.execute("pragma user_version").fetchone()[0] == 1
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION
        for table, rows in before.items():
            assert conn.execute(f"select * from {table} order by 1").fetchall() == rows
        assert len(before["review_log"]) == 3
    assert "exam" in _tables(db)


def test_database_from_a_newer_version_is_refused_and_untouched(tmp_path):
    db = tmp_path / "studyaws.sqlite3"
    shutil.copy(FIXTURE, db)
    with sqlite3.connect(db) as conn:
        conn.execute(f"pragma user_version = {SCHEMA_VERSION + 5}")
    data = db.read_bytes()
    with pytest.raises(StoreError, match="newer studyaws"):
        open_engine(db)
    assert db.read_bytes() == data


def test_upgrade_from_schema_3_indexes_seen_cards_and_keeps_the_data(tmp_path):
    db = tmp_path / "studyaws.sqlite3"
    shutil.copy(FIXTURE, db)
    open_engine(db).dispose()
    seen_indexes = {"ix_card_state_seen_stability", "ix_card_state_seen_review"}
    with sqlite3.connect(db) as conn:  # back to what schema 3 had
        for name in seen_indexes:
            conn.execute(f"drop index {name}")
        conn.execute("pragma user_version = 3")
        before = conn.execute("select * from card_state order by 1").fetchall()
    open_engine(db).dispose()
    assert (tmp_path / "studyaws.sqlite3.schema3.bak").exists()
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION
        indexes = dict(conn.execute("select name, sql from sqlite_master where type = 'index'"))
        assert conn.execute("select * from card_state order by 1").fetchall() == before
        plan = conn.execute("explain query plan select min(last_review) from card_state"
                            " where state != 0").fetchall()
    assert seen_indexes <= set(indexes)
    assert all("WHERE state != 0" in indexes[name] for name in seen_indexes)
    assert "ix_card_state_seen_review" in str(plan)
