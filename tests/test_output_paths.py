"""Where `studyaws export -o PATH` and `studyaws backup FILE` write, through the real command:
an existing file only with --force, never the collection or its copies, devices and pipes
written into (never replaced), and every refusal one line naming the user's own path.
A read-only collection still exports and backs up (it is only read)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from backup_support import make_home, rows, run

from studyaws.core.config import DB_NAME
from studyaws.store.backup import is_sqlite_file


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A collection with a deck, two answers and one copy in backups/."""
    home = make_home(tmp_path)
    assert run(home, "backup").returncode == 0
    return home


def files(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` (links as what they point at), byte for byte."""
    found = {}
    for p in sorted(folder.rglob("*")):
        if p.is_symlink():
            found[str(p.relative_to(folder))] = b"-> " + os.readlink(p).encode()
        elif p.is_file() and not p.name.endswith("-shm"):
            found[str(p.relative_to(folder))] = p.read_bytes()
    return found


def one_line(result: subprocess.CompletedProcess, *needles: str) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert ".part" not in lines[0] and ".restoring" not in lines[0], lines[0]
    return lines[0]


def _device(path: Path, minor: int) -> Path:
    """A private character device node (1, minor): 3 is like /dev/null, 7 like /dev/full."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    except (PermissionError, AttributeError, OSError):
        pytest.skip("needs root to make a device node")
    return path


# -- the collection and its copies are never written over -----------------------------------------


def test_the_collection_and_its_copies_are_never_an_output(home, tmp_path):
    db = home / DB_NAME
    copy = next((home / "backups").glob("studyaws-*.sqlite3"))
    (tmp_path / "to-db").symlink_to(db)
    os.link(db, tmp_path / "hard-db")
    (tmp_path / "to-copy").symlink_to(copy)
    before = files(home)
    targets = [db, Path(f"{db}-wal"), copy, tmp_path / "to-db", tmp_path / "hard-db",
               tmp_path / "to-copy"]
    for target in targets:
        for force in ([], ["--force"]):
            for command in (["export", "-o", str(target)], ["export", "--format", "csv", "-o",
                            str(target)], ["backup", str(target)]):
                line = one_line(run(home, *command, *force), str(target))
                assert "collection" in line or "copy" in line, line
    assert files(home) == before
    assert (tmp_path / "to-db").is_symlink() and (tmp_path / "to-copy").is_symlink()
    assert run(home, "decks").returncode == 0


# -- an existing file needs --force -------------------------------------------------------------


@pytest.mark.parametrize("command", [["export", "-o"], ["export", "--format", "apkg", "-o"],
                                     ["backup"]])
def test_an_existing_file_is_replaced_only_with_force(home, tmp_path, command):
    target = tmp_path / "mine.out"
    target.write_text("my own notes\n")
    target.chmod(0o640)
    refused = run(home, *command, str(target))
    line = one_line(refused, str(target), "--force")
    assert line.startswith(f"studyaws {command[0]}: ")
    assert target.read_text() == "my own notes\n"
    forced = run(home, *command, str(target), "--force")
    assert forced.returncode == 0, forced.stderr
    assert target.read_bytes() != b"my own notes\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the file's mode is kept
    assert not list(tmp_path.glob(".*part*"))


def test_a_symlink_is_followed_and_kept(home, tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    one_line(run(home, "export", "-o", str(link)), str(link), "--force")
    assert run(home, "export", "-o", str(link), "--force").returncode == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert json.loads(real.read_text())["format"] == "studyaws-backup"
    dangling = tmp_path / "dangling.sqlite3"
    dangling.symlink_to(tmp_path / "new-copy.sqlite3")
    assert run(home, "backup", str(dangling)).returncode == 0
    assert dangling.is_symlink() and is_sqlite_file(tmp_path / "new-copy.sqlite3")


# -- devices and pipes are written into, never replaced ------------------------------------------


def test_a_null_device_is_written_into_and_stays_a_device(home, tmp_path):
    null = _device(tmp_path / "null", 3)
    for command in (["export", "-o", str(null)], ["export", "--format", "apkg", "-o", str(null)],
                    ["export", "--format", "csv", "-o", str(null)], ["backup", str(null)]):
        result = run(home, *command)
        assert result.returncode == 0, result.stderr
        assert stat.S_ISCHR(null.lstat().st_mode), command
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_full_device_is_one_line_and_stays_a_device(home, tmp_path):
    full = _device(tmp_path / "full", 7)
    for command in (["export", "-o", str(full)], ["backup", str(full)]):
        line = one_line(run(home, *command), str(full))
        assert "no space" in line.lower() or "full" in line.lower(), line
        assert stat.S_ISCHR(full.lstat().st_mode)


def test_a_disk_device_is_refused_before_anything_is_written(home, tmp_path):
    disk = tmp_path / "disk"
    try:  # a block device node for a loop device: only its kind matters, it is never opened
        os.mknod(disk, stat.S_IFBLK | 0o600, os.makedev(7, 250))
    except (PermissionError, AttributeError, OSError):
        pytest.skip("needs root to make a device node")
    for command in (["export", "-o", str(disk), "--force"], ["backup", str(disk), "--force"]):
        one_line(run(home, *command), str(disk), "block device")
        assert stat.S_ISBLK(disk.lstat().st_mode)


def test_a_named_pipe_is_written_into(home, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # The read end is open before the command starts, so its open for writing never waits;
    # a command that replaced the pipe by a file would simply send nothing here.
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    received = bytearray()
    process = subprocess.Popen(
        [sys.executable, "-m", "studyaws", "--home", str(home), "export", "-o", str(fifo)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        while True:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                chunk = None
            if chunk:
                received += chunk
            elif process.poll() is not None:
                break
            else:
                # Nothing to read yet: a poll, since select() would call a pipe whose writer
                # has not opened it yet readable at once (and spin).
                time.sleep(0.01)
        _, err = process.communicate(timeout=60)
    finally:
        os.close(fd)
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert json.loads(bytes(received))["format"] == "studyaws-backup"


# -- paths that cannot be written: one line naming the user's path -------------------------------


def test_a_folder_or_a_missing_folder_names_the_users_path(home, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    line = one_line(run(home, "export", "-o", str(folder)), str(folder), "folder")
    assert "file name" in line
    missing = tmp_path / "nowhere" / "deeper" / "all.json"
    for command in (["export", "-o", str(missing)], ["backup", str(missing)]):
        one_line(run(home, *command), str(missing), "does not exist")
    assert not (tmp_path / "nowhere").exists()
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for command in (["export", "-o", str(blocker / "x.json")], ["backup", str(blocker / "c")]):
        line = one_line(run(home, *command), str(blocker / ""))
        assert str(home / DB_NAME) not in line, line
    assert blocker.read_text() == "x"
    assert sorted(folder.iterdir()) == []


def test_restore_of_a_folder_says_what_to_give(home, tmp_path):
    folder = tmp_path / "somewhere"
    folder.mkdir()
    before = files(home)
    for force in ([], ["--force"]):
        line = one_line(run(home, "restore", str(folder), *force), str(folder), "folder")
        assert "no such file" not in line
    assert files(home) == before


# -- a read-only collection ----------------------------------------------------------------------


def _mount(*args: str) -> bool:
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def _umount(path: Path) -> None:
    if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "--lazy", str(path)], capture_output=True)


@pytest.fixture
def read_only_home(home):
    expected = run(home, "export", "-o", "-").stdout, rows(home / DB_NAME)
    if not _mount("--bind", str(home), str(home)):
        pytest.skip("needs root and mount (a read-only bind mount)")
    try:
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(home)],
                          capture_output=True).returncode != 0:
            pytest.skip("cannot remount read-only here")
        yield home, expected
    finally:
        _umount(home)


def test_a_read_only_collection_exports_and_backs_up(read_only_home, tmp_path):
    home, (expected, expected_rows) = read_only_home
    before = files(home)
    out = tmp_path / "all.json"
    result = run(home, "export", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == expected
    assert run(home, "export", "--format", "apkg", "-o", str(tmp_path / "s.apkg")).returncode == 0
    copy = tmp_path / "copy.sqlite3"
    result = run(home, "backup", str(copy))
    assert result.returncode == 0, result.stderr
    assert rows(copy) == expected_rows
    line = one_line(run(home, "backup"), str(home / "backups"), "read-only")
    assert "studyaws backup FILE" in line
    assert files(home) == before
