"""Restore as the way back: over a damaged collection (kept aside, and said where), every
replaced collection kept (timestamped, the last few), and a killed restore that leaves the
collection whole and its temporary files to be tidied by the next command."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from backup_support import answer, integrity, make_home, rows, run
from waiting import wait_until

from studyaws.core.config import DB_NAME


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return make_home(tmp_path)


def leftovers(home: Path) -> list[str]:
    return sorted(p.name for p in home.iterdir() if ".restoring" in p.name)


# -- a damaged collection --------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
@pytest.mark.parametrize("kind", ["copy", "json"])
@pytest.mark.parametrize("force", [[], ["--force"]])
def test_restore_works_over_a_damaged_collection(home, tmp_path, damage, kind, force):
    assert run(home, "backup").returncode == 0  # a copy in backups/, as the message says
    source = next((home / "backups").glob("studyaws-*.sqlite3"))
    if kind == "json":
        source = tmp_path / "all.json"
        assert run(home, "export", "-o", str(source)).returncode == 0
    saved = rows(home / DB_NAME)
    db = home / DB_NAME
    data = db.read_bytes()
    damaged = data[: len(data) // 2] if damage == "truncated" else b"not a database " * 600
    db.write_bytes(damaged)
    broken = run(home, "decks")
    assert broken.returncode != 0 and "studyaws restore" in broken.stderr

    result = run(home, "restore", str(source), *force)
    assert result.returncode == 0, result.stderr
    assert rows(db) == saved and integrity(db) == "ok"
    kept = [p for p in (home / "backups").glob("damaged-*.sqlite3")]
    assert len(kept) == 1 and kept[0].read_bytes() == damaged
    assert f"the damaged collection was kept as {kept[0]}" in result.stdout
    assert run(home, "decks").returncode == 0
    assert leftovers(home) == []


# -- every replaced collection is kept --------------------------------------------------------


def test_a_second_restore_keeps_the_first_replaced_collection(home, tmp_path):
    copy = tmp_path / "copy.sqlite3"
    assert run(home, "backup", str(copy)).returncode == 0
    db = home / DB_NAME
    answer(db, 1)
    first = rows(db)
    one = run(home, "restore", "--force", str(copy))
    assert one.returncode == 0, one.stderr
    answer(db, 2)
    second = rows(db)
    two = run(home, "restore", "--force", str(copy))
    assert two.returncode == 0, two.stderr
    kept = sorted((home / "backups").glob("before-restore-*.sqlite3"))
    assert len(kept) == 2
    assert sorted(map(rows, kept), key=repr) == sorted([first, second], key=repr)
    for result, path in ((one, None), (two, None)):
        line = result.stdout.splitlines()[-1]
        assert line.startswith("the replaced collection was kept as ") and path is None
        assert Path(line.rsplit(" ", 1)[1]) in kept


def test_replaced_collections_are_pruned_to_the_last_few(home, tmp_path):
    from studyaws.services.exchange import restore_backup
    from studyaws.store.backup import REPLACED_KEEP

    copy = tmp_path / "copy.sqlite3"
    assert run(home, "backup", str(copy)).returncode == 0
    db = home / DB_NAME
    made = []
    for number in range(REPLACED_KEEP + 3):
        with closing(sqlite3.connect(db)) as conn, conn:  # mark the collection replaced next
            conn.execute("INSERT INTO setting (key, value) VALUES ('mark', ?)", (str(number),))
        made.append(restore_backup(copy, db))
    kept = sorted((home / "backups").glob("before-restore-*.sqlite3"))
    assert len(kept) == REPLACED_KEEP
    assert made[-1] in kept
    marks = set()
    for path in kept:
        with closing(sqlite3.connect(path)) as conn:
            marks |= {int(v) for (v,) in conn.execute("SELECT value FROM setting "
                                                       "WHERE key = 'mark'")}
    assert marks == set(range(3, REPLACED_KEEP + 3))  # the last ones replaced


# -- a killed restore -------------------------------------------------------------------------


def _big_export(home: Path, path: Path, extra: int) -> None:
    """An export with `extra` more cards (and their states) than the collection has."""
    assert run(home, "export", "-o", str(path)).returncode == 0
    document = json.loads(path.read_text(encoding="utf-8"))
    cards, states = document["tables"]["card"], document["tables"]["card_state"]
    card, state = cards[0], states[0]
    top = max(c["id"] for c in cards)
    for n in range(1, extra + 1):
        cards.append(dict(card, id=top + n, key=f"{card['key']}-copy{n}", stable_id=None))
        states.append(dict(state, card_id=top + n))
    path.write_text(json.dumps(document), encoding="utf-8")


def test_a_killed_json_restore_leaves_the_collection_whole_and_is_tidied(home, tmp_path):
    big = tmp_path / "big.json"
    _big_export(home, big, 40_000)
    db = home / DB_NAME
    answer(db, 1)
    before = rows(db)
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYAWS")}
    seen_leftovers = False
    for delay in (0.0, 0.05, 0.2, 0.5):
        process = subprocess.Popen(
            [sys.executable, "-m", "studyaws", "--home", str(home), "restore", "--force",
             str(big)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        # The restore has begun writing its new collection (or has already finished).
        wait_until(lambda process=process: process.poll() is not None
                   or any(name.endswith("-wal") for name in leftovers(home)), 60,
                   "the restore to begin writing", interval=0.002)
        # Then it is killed at several moments of its work: the time waited is the point.
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait()
        if process.returncode != -signal.SIGKILL:
            continue  # it finished first: nothing to see
        assert integrity(db) == "ok"
        after = rows(db)  # the old collection, whole, or the new one, whole
        if after != before:
            assert len(after["card"]) == len(before["card"]) + 40_000
            assert len(after["card_state"]) == len(after["card"])
            before = after
        if leftovers(home):
            seen_leftovers = True
            assert run(home, "decks").returncode == 0  # the next command tidies them
            assert leftovers(home) == []
    assert seen_leftovers, "no restore was killed half-way"
    result = run(home, "restore", "--force", str(big))
    assert result.returncode == 0, result.stderr
    assert leftovers(home) == []
    assert len(rows(db)["card"]) == len(before["card"]) + 40_000
