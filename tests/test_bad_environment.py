"""A broken environment or bad input: one line on stderr, a non-zero exit, no traceback, and
nothing written. Schema versions through the real command.

Tests run as root here, where file permissions do not stop writes. A read-only folder is
simulated three ways: a path under a regular file (always), a read-only bind mount (only
where `mount` is allowed), and the collection opened through a read-only SQLite connection
(always, in-process). A full disk is a tiny tmpfs (only where `mount` is allowed) and, always,
SQLite's `PRAGMA max_page_count` holding the database at its current size.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import event
from support import STORED_TABLES_SQL, card_columns, cards_as_schema_4, without_bundled_decks

from studyaws.cli import main as cli
from studyaws.core.clock import Clock
from studyaws.core.config import DB_NAME
from studyaws.services.collection import take_daily_backup
from studyaws.store import engine as store
from studyaws.store.engine import SCHEMA_VERSION, open_engine

FIXTURE = Path(__file__).parent / "fixtures" / "schema1.sqlite3"
GOOD = "# Alpha\n\nQ: What is a VPC?\nA: A virtual network.\n\nSubnet ::: a range of a VPC\n"
BIG = "# Big\n\n" + "\n\n".join(
    f"Q: Question number {n}, padded to take some room on the disk?\nA: Answer {n} " + "x" * 200
    for n in range(2000)) + "\n"


def run(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYAWS")}
    return subprocess.run([sys.executable, "-m", "studyaws", "--home", str(home), *args],
                          capture_output=True, text=True, env=env, timeout=120)


def one_line_error(result: subprocess.CompletedProcess, *needles: str) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` with its bytes: 'nothing written' means this is unchanged.
    SQLite's own shared-memory index and an empty write-ahead log, which opening a database
    may create, are left out."""
    files = {}
    for p in sorted(folder.rglob("*")):
        if not p.is_file() or p.name.endswith("-shm") or (
                p.name.endswith("-wal") and p.stat().st_size == 0):
            continue
        files[str(p.relative_to(folder))] = p.read_bytes()
    return files


def rows(db: Path) -> dict[str, list[tuple]]:
    with closing(sqlite3.connect(db)) as conn:
        names = [r[0] for r in conn.execute(
            STORED_TABLES_SQL)]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr)
                for n in names}


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    """A home with a small collection and today's backup copy already made."""
    home = tmp_path / "home"
    deck = tmp_path / "alpha.md"
    deck.write_text(GOOD)
    assert run(home, "import", str(deck)).returncode == 0
    engine = open_engine(home / DB_NAME)
    take_daily_backup(engine, home / DB_NAME, Clock())  # later runs today write no copy
    engine.dispose()
    return home


def run_here(capsys, home: Path, *args: str) -> tuple[int, list[str]]:
    """The command in this process (faster): its exit code and its stderr lines."""
    code = cli.main(["--home", str(home), *args])
    return code, capsys.readouterr().err.splitlines()


def _mount(*args: str) -> bool:
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def _umount(path: Path) -> None:
    if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "--lazy", str(path)], capture_output=True)


# -- schema versions through the real command --------------------------------------------------


def test_the_command_upgrades_a_schema_1_collection(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(FIXTURE, home / DB_NAME)
    before = rows(home / DB_NAME)
    result = run(home, "decks")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    with sqlite3.connect(home / DB_NAME) as conn:
        assert conn.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION
        titles = [r[0] for r in conn.execute("select title from deck")]
    assert all(title in result.stdout for title in titles)
    after = rows(home / DB_NAME)
    for table in ("deck", "card_state", "review_log", "setting"):
        # Later schemas add deck columns (the folder, a removal), empty on an old deck.
        width = len(before[table][0]) if before[table] else 0
        assert [row[:width] for row in after[table]] == before[table]
        if table == "card_state":  # schema 14 adds each card's deck, last
            with sqlite3.connect(home / DB_NAME) as conn:
                decks = dict(conn.execute("SELECT id, deck_id FROM card"))
            assert [row[width:] for row in after[table]] == [(decks[row[0]],)
                                                              for row in after[table]]
            continue
        assert all(value is None for row in after[table] for value in row[width:])
    # Schema 5 keeps the notes and cloze texts of the cards once, in shared_text.
    assert sorted(cards_as_schema_4(home / DB_NAME, card_columns(FIXTURE)), key=repr) == \
        before["card"]
    assert (home / f"{DB_NAME}.schema1.bak").exists()


@pytest.mark.parametrize("args", [["review"], ["backup"], ["import", "--bundled"]])
def test_the_command_refuses_a_newer_collection_and_leaves_it_untouched(tmp_path, args):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(FIXTURE, home / DB_NAME)
    with sqlite3.connect(home / DB_NAME) as conn:
        conn.execute(f"pragma user_version = {SCHEMA_VERSION + 1}")
    before = snapshot(home)
    line = one_line_error(run(home, *args), "newer studyaws", "untouched")
    assert line.startswith(f"studyaws: {home / DB_NAME}: ")
    assert snapshot(home) == before


# -- a damaged database --------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["truncated", "overwritten", "garbage"])
def test_a_damaged_database_is_one_line_and_points_at_the_copies(collection, damage):
    db = collection / DB_NAME
    data = db.read_bytes()
    if damage == "truncated":
        db.write_bytes(data[: len(data) // 2])
    elif damage == "overwritten":
        db.write_bytes(data[:4096] + b"\xff" * (len(data) - 4096))
    else:
        db.write_bytes(b"not a database at all " * 500)
    before = snapshot(collection)
    for args in (["decks"], ["import", "--bundled"]):
        line = one_line_error(run(collection, *args), f"studyaws: {db}: ")
        assert "backups" in line and "studyaws restore" in line
    assert snapshot(collection) == before


# -- a folder that cannot be written ------------------------------------------------------------


def test_a_data_folder_under_a_regular_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for args in (["decks"], ["review"], ["import", "--bundled"]):
        one_line_error(run(blocker / "home", *args), "cannot create the data folder")
    one_line_error(run(blocker / "home", "backup"), "no collection at")
    assert blocker.read_text() == "x"


@pytest.mark.parametrize("name", ["notes %20 2026", "notes #1", "what? notes", "100% notes"])
def test_a_data_folder_whose_name_looks_like_a_url_escape(tmp_path, name):
    """The collection is the file in the folder named, not one whose name a URL would give:
    "notes%20x" is not "notes x", a "#" or "?" does not end the path."""
    as_url_would = unquote(name.split("#")[0].split("?")[0])  # the folder a URL would name
    home = tmp_path / name
    home.mkdir()
    for args in (["import", "--bundled"], ["stats", "--json"], ["backup"]):
        done = run(home, *args)
        assert done.returncode == 0, done.stderr
    assert (home / DB_NAME).stat().st_size > 0
    assert as_url_would == name or not (tmp_path / as_url_would).exists()


def test_a_read_only_mount(collection):
    if not _mount("--bind", str(collection), str(collection)):
        pytest.skip("needs root and mount (a read-only bind mount)")
    try:
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(collection)],
                          capture_output=True).returncode != 0:
            pytest.skip("cannot remount read-only here")
        before = snapshot(collection)
        for args in (["decks"], ["config", "set", "fuzz", "off"], ["backup"]):
            one_line_error(run(collection, *args), "read-only", "nothing was written")
        one_line_error(run(collection / "sub", "decks"), "cannot create the data folder")
        assert snapshot(collection) == before
    finally:
        _umount(collection)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root ignores file permissions")
def test_a_read_only_folder_and_file(collection):
    db = collection / DB_NAME
    db.chmod(0o444)
    collection.chmod(0o555)
    try:
        before = snapshot(collection)
        one_line_error(run(collection, "config", "set", "fuzz", "off"), "read-only")
        assert snapshot(collection) == before
    finally:
        collection.chmod(0o755)
        db.chmod(0o644)


def test_a_read_only_database_connection(collection, monkeypatch, capsys):
    """Every connection opened read-only, as SQLite does for a file it may not write."""
    real = store.create_engine

    def read_only(url, **kwargs):
        return real(f"sqlite:///file:{url.database}?mode=ro&uri=true", **kwargs)

    monkeypatch.setattr(store, "create_engine", read_only)
    db = collection / DB_NAME
    before = rows(db)
    deck = collection.parent / "bravo.md"
    deck.write_text("# Bravo\n\nQ: b?\nA: b\n")
    for args in (["config", "set", "new-per-day", "5"], ["import", str(deck)]):
        assert cli.main(["--home", str(collection), *args]) == 2
        err = capsys.readouterr().err
        assert err == f"studyaws: {db}: the collection is read-only here: nothing was written\n"
    assert rows(db) == before


# -- a full disk -------------------------------------------------------------------------------


def _fill(folder: Path, leave: int) -> None:
    """Fill the file system of `folder` up to `leave` bytes."""
    free = shutil.disk_usage(folder).free
    with open(folder / "filler", "wb") as handle:
        handle.write(b"\0" * max(0, free - leave))


def test_a_full_disk_on_a_tiny_tmpfs(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(home)):
        pytest.skip("needs root and mount (a tmpfs)")
    try:
        deck, big = tmp_path / "alpha.md", tmp_path / "big.md"
        deck.write_text(GOOD)
        big.write_text(BIG)
        assert run(home, "import", str(deck)).returncode == 0
        without_bundled_decks(home / DB_NAME)  # 2,000 cards would not fit in 2 MB
        assert run(home, "decks").returncode == 0
        before = rows(home / DB_NAME)
        _fill(home, 64 * 1024)  # room to open, not to import 2,000 cards
        one_line_error(run(home, "import", str(big)), "disk is full")
        assert rows(home / DB_NAME) == before
        _fill(home, 0)  # no room at all
        one_line_error(run(home, "import", str(big)), "disk is full")
        assert rows(home / DB_NAME) == before
        (home / "filler").unlink()
        with closing(sqlite3.connect(home / DB_NAME)) as conn:
            assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert rows(home / DB_NAME) == before
        assert run(home, "decks").returncode == 0
    finally:
        _umount(home)


def test_a_full_database_with_max_page_count(collection, monkeypatch, capsys, tmp_path):
    """SQLite's page limit makes the database 'full' at its current size, always."""
    db = collection / DB_NAME
    with sqlite3.connect(db) as conn:
        pages = conn.execute("pragma page_count").fetchone()[0]
    real = store._configure

    def capped(engine) -> None:
        real(engine)

        @event.listens_for(engine, "connect")
        def _cap(dbapi_conn, _record) -> None:
            dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(store, "_configure", capped)
    before = rows(db)
    big = tmp_path / "big.md"
    big.write_text(BIG)
    assert cli.main(["--home", str(collection), "import", str(big)]) == 2
    assert capsys.readouterr().err == (f"studyaws: {db}: the disk is full: the change was not "
                                       "written (free some space and retry)\n")
    assert rows(db) == before


# -- bad deck files ----------------------------------------------------------------------------


def _nested(depth: int) -> str:
    return "# Deep\n\n" + "\n".join("  " * i + "- item" for i in range(depth)) + "\n\nQ: q\nA: a\n"


def _options(count: int) -> str:
    return "# Many\n\nWhich one?\n\n" + "\n".join(
        f"- [{'x' if n == 0 else ' '}] option {n}" for n in range(count)) + "\n"


BAD_FILES = {
    "non-utf8": (b"# T\n\nQ: caf\xe9\nA: b\n", "not UTF-8 text"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    "nested-lists": (_nested(40).encode(), "nested too deeply"),
    "nested-inline": (("# T\n\nQ: q\nA: a\n\n" + "- " * 20000 + "x\n").encode(),
                      "nested too deeply"),
    "quotes": (("# T\n\nQ: q\nA: a\n\n" + "> " * 5000 + "x\n").encode(), "nested too deeply"),
    "10000-options": (_options(10000).encode(), "10,000 options; at most 9"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_deck_file_is_one_problem_and_writes_nothing(collection, tmp_path, capsys, name):
    data, message = BAD_FILES[name]
    path = tmp_path / f"{name}.md"
    path.write_bytes(data)
    before = snapshot(collection)
    code, (problem, summary) = run_here(capsys, collection, "import", str(path))
    assert code == 1
    assert problem.startswith(f"{path}:") and message in problem, problem
    assert summary == "1 error; nothing was imported."
    assert snapshot(collection) == before


def test_a_50_mb_file_is_refused_before_it_is_read(collection, tmp_path, capsys):
    path = tmp_path / "huge.md"
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    before = snapshot(collection)
    assert run_here(capsys, collection, "import", str(path)) == (1, [
        f"{path}: file is 52,428,800 bytes; decks are limited to 5 MB",
        "1 error; nothing was imported.",
    ])
    assert snapshot(collection) == before


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_a_missing_or_empty_decks_folder(collection, tmp_path, capsys, kind):
    folder = tmp_path / "decks"
    if kind == "empty":
        folder.mkdir()
    before = snapshot(collection)
    code, (problem, summary) = run_here(capsys, collection, "import", str(folder))
    assert code == 1
    assert problem.startswith(f"{folder}: ")
    assert ("no such file or folder" if kind == "missing" else "no deck") in problem
    assert summary == "1 error; nothing was imported."
    assert snapshot(collection) == before


# -- a full disk during a review, the real command in a terminal -------------------------------


def test_a_full_disk_during_a_review_keeps_the_answer_on_screen(tmp_path):

    from terminal import Terminal, studyaws_command

    home = tmp_path / "home"
    home.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(home)):
        pytest.skip("needs root and mount (a tmpfs)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYAWS")}
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="40", STUDYAWS_HOME=str(home))
    term = None
    try:
        deck = tmp_path / "words.md"
        deck.write_text("# Words\n\n" + "\n\n".join(
            f"Q: Which word is {w}?\nA: {w}" for w in ("Alphaword", "Bravoword", "Charlieword")))
        assert run(home, "import", str(deck)).returncode == 0
        without_bundled_decks(home / DB_NAME)
        term = Terminal([*studyaws_command(), "review"], env)
        term.wait_for("Alphaword")
        _fill(home, 0)
        term.send(" ", expect="Again")  # the answer is shown, with the ratings
        term.send("3")
        term.wait_for("the disk is full")
        screen = term.text()
        assert "Not saved yet: your answer to “Which word is Alphaword?”" in screen
        assert "Traceback" not in screen
        assert rows(home / DB_NAME)["review_log"] == []
        (home / "filler").unlink()
        term.send("r")
        term.wait_for("Bravoword")
        assert len(rows(home / DB_NAME)["review_log"]) == 1
        term.send("\x1b", expect="Mock exam")  # back home
        term.send("q")
        assert term.wait_exit(20) == 0
        assert "Traceback" not in term.text()
        assert not list(home.glob("crash-*"))
        assert len(rows(home / DB_NAME)["review_log"]) == 1
    finally:
        if term is not None and not term.exited:
            term.kill()
        _umount(home)
