"""Where `studyaws export -o PATH` and `studyaws backup FILE` may write, and writing there.

A regular file is written under a temporary name beside it and renamed into place (never
half a file); an existing one is replaced only with --force, keeping its mode. A symbolic
link is followed and stays a link. A character device or a named pipe (/dev/null, a
terminal, `>(gzip > x.gz)`) is written into, never replaced. The collection, its write-ahead
files and the copies in backups/ are never an output, whatever the options.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from studyaws.store.backup import backups_dir, fsync_file, fsync_folder


class OutputError(Exception):
    """A destination that cannot or must not be written; the message names the user's path
    and says what to do. Nothing was written."""


@dataclass(frozen=True)
class Output:
    given: Path  # as the user typed it: every message names this
    target: Path  # the file written (a link followed)
    special: bool  # a device or a pipe: written into, never replaced
    mode: int | None = None  # the permissions of the regular file it replaces


def check_output(given: Path, db_path: Path, force: bool) -> Output:
    """The destination `given`, checked before anything is read or written."""
    try:
        if _is_device_or_pipe(given.stat().st_mode):
            # Written into where it is (/dev/stdout may lead to a pipe with no file name).
            return Output(given, given, special=True)
    except OSError:
        pass
    target = Path(os.path.realpath(given))
    what = _protected(target, db_path)
    if what:
        raise OutputError(f"{given}: is {what}; it is never written over (not even with "
                          "--force): give another file name")
    try:
        info = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError(f"{given}: cannot be written ({exc.strerror}); give another "
                          "file name") from None
    if info is not None:
        kind = info.st_mode
        if stat.S_ISDIR(kind):
            raise OutputError(f"{given}: is a folder; give a file name, e.g. "
                              f"{given / 'studyaws-export'}")
        if _is_device_or_pipe(kind):
            return Output(given, target, special=True)
        if not stat.S_ISREG(kind):
            raise OutputError(f"{given}: is a {_kind_name(kind)}, not a file; give a file "
                              "name")
        if not force:
            raise OutputError(f"{given}: exists; add --force to replace it, or give "
                              "another file name")
    _check_folder(given, target.parent)
    return Output(given, target, special=False,
                  mode=stat.S_IMODE(info.st_mode) if info is not None else None)


def write_output(out: Output, write: Callable[[Path], None]) -> None:
    """`write(path)` makes the whole file at `path`, a temporary file; it then takes the
    place of the destination (or, for a device or a pipe, is copied into it)."""
    if out.special:
        _write_special(out, write)
        return
    try:
        fd, name = tempfile.mkstemp(prefix=f".{out.target.name}.", suffix=".part",
                                    dir=out.target.parent)
        os.close(fd)
    except OSError as exc:
        raise _write_error(out, exc) from None
    temp = Path(name)
    try:
        write(temp)
        os.chmod(temp, out.mode if out.mode is not None else 0o666 & ~_umask())
        fsync_file(temp)
        os.replace(temp, out.target)
        fsync_folder(out.target.parent)
    except OSError as exc:
        raise _write_error(out, exc) from None
    finally:
        temp.unlink(missing_ok=True)


def write_text_output(out: Output, text: str) -> None:
    write_output(out, lambda path: path.write_text(text, encoding="utf-8"))


def _write_special(out: Output, write: Callable[[Path], None]) -> None:
    with tempfile.TemporaryDirectory(prefix="studyaws-") as folder:
        temp = Path(folder) / out.target.name
        write(temp)
        try:
            with open(temp, "rb") as source, open(out.target, "wb") as sink:
                shutil.copyfileobj(source, sink, 1024 * 1024)
        except OSError as exc:
            raise _write_error(out, exc) from None


def _write_error(out: Output, exc: OSError) -> OutputError:
    reason = exc.strerror or str(exc)
    if getattr(exc, "errno", None) in (28, 122):  # ENOSPC, EDQUOT
        return OutputError(f"{out.given}: the disk is full ({reason}); nothing was written: "
                           "free some space or write elsewhere")
    return OutputError(f"{out.given}: cannot be written ({reason}); nothing was written: "
                       "give another file name")


def _check_folder(given: Path, folder: Path) -> None:
    """The folder that will hold the new file: it must exist (it is not made) and be
    writable."""
    shown = given.parent if str(given.parent) not in ("", ".") else Path(".")
    if not folder.exists():
        parent = folder
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if parent.exists() and not parent.is_dir():
            raise OutputError(f"{given}: {shown} is not a folder ({parent} is a file); "
                              "give another file name")
        raise OutputError(f"{given}: the folder {shown} does not exist; create it first "
                          f"(mkdir -p {shown}) or give another file name")
    if not folder.is_dir():
        raise OutputError(f"{given}: {shown} is not a folder; give another file name")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{given}: cannot write in {shown} (read-only or no permission); "
                          "give a file name in a folder you can write")


def _protected(target: Path, db_path: Path) -> str | None:
    """What `target` is when it must never be written: the collection (or one of its own
    files), or a copy of it in backups/. Links, hard links included, are seen through."""
    data = Path(os.path.realpath(db_path.parent))
    name = db_path.name
    own = {name, f"{name}-wal", f"{name}-shm", f"{name}-journal"}
    copies = Path(os.path.realpath(backups_dir(db_path)))
    if target.parent == data and target.name in own:
        return "the collection"
    if target.parent == data and target.name.startswith((f"{name}.", f".{name}.")) and \
            target.exists():  # a copy made by an upgrade, or a restore's work file
        return "a copy of the collection"
    if target.parent == copies and target.exists():
        return "a copy of the collection in backups/"
    try:
        info = target.stat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    same = (info.st_dev, info.st_ino)
    for candidate in _collection_files(data, name, copies):
        try:
            other = candidate.stat()
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == same:
            return "the collection" if candidate.name in own else "a copy of the collection"
    return None


def _collection_files(data: Path, name: str, copies: Path) -> list[Path]:
    found = []
    for folder in (data, copies):
        try:
            found.extend(p for p in folder.iterdir() if folder == copies or name in p.name)
        except OSError:
            continue
    return found


def _is_device_or_pipe(mode: int) -> bool:
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def _kind_name(mode: int) -> str:
    if stat.S_ISBLK(mode):
        return "block device (a disk)"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
