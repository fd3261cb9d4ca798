"""The collection's pictures: found in the cards an import reads, copied into `media/` beside
the database (for a collection in PostgreSQL, the data folder's `media/` on each machine),
opened in the system viewer, carried by export and restore.

A picture is stored once under the SHA-256 of its bytes and its extension (core.pictures);
the card's text names it `![alt](media:NAME)`. Nothing is fetched from the network: a
picture at an http(s) address is reported as a warning and the card names it in words.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from studyaws.core import pictures
from studyaws.core.decks.model import Item, ParsedDeck, Problem
from studyaws.core.text import path_text
from studyaws.services.media_folder import (  # noqa: F401 (the media folder's, here too)
    MEDIA_FOLDER,
    folder_has_pictures,
    picture_in,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

OPENER_ENV = "STUDYAWS_OPENER"


# A collection in PostgreSQL has no file to keep its pictures beside: they go to the
# `media/` folder of the data folder it was opened from (keep_media_in), on each machine.
_FOLDERS: weakref.WeakKeyDictionary[Engine, Path] = weakref.WeakKeyDictionary()


def keep_media_in(engine: Engine, folder: Path) -> None:
    """The pictures of the collection open through `engine` are kept in `folder`."""
    _FOLDERS[engine] = folder


def data_folder(engine: Engine) -> Path:
    """The data folder of the collection open through `engine` (where crash reports,
    screenshots and the copies of edited bundled decks go): its SQLite file's folder, or for
    a database with no file (PostgreSQL) the data folder it was opened from, else the user's
    data folder."""
    if engine.dialect.name == "sqlite":
        return Path(engine.url.database or ".").resolve().parent
    if engine in _FOLDERS:
        return _FOLDERS[engine].parent
    from studyaws.core.config import data_home

    return data_home()


def media_dir(engine: Engine) -> Path | None:
    """The collection's `media/` folder: beside its database file, or for a database with
    no file (PostgreSQL) the data folder's it was opened from; None when there is none (a
    database in memory, or PostgreSQL opened without a data folder)."""
    if engine in _FOLDERS:
        return _FOLDERS[engine]
    database = engine.url.database
    if not database or database == ":memory:" or engine.dialect.name != "sqlite":
        return None
    return Path(database).parent / MEDIA_FOLDER


@dataclass
class DeckPictures:
    """What a deck's pictures need: the files to copy (stored name -> file), and warnings
    (`path:line: ...`) for pictures that are not copied."""

    files: dict[str, Path] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _Lines:
    """Finds the line of a picture's reference in the file's text, from its card's line on."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0]
        at = text.find("\n")
        while at >= 0:
            self.starts.append(at + 1)
            at = text.find("\n", at + 1)

    def line_of(self, target: str, from_line: int) -> int:
        start = self.starts[min(max(from_line, 1), len(self.starts)) - 1]
        at = self.text.find(target, start)
        if at < 0:
            return from_line
        return bisect.bisect_right(self.starts, at)


def resolve_pictures(parsed: ParsedDeck, path: Path, text: str) -> tuple[DeckPictures,
                                                                          list[Problem]]:
    """Rewrite each local picture of the deck's cards to its stored name (in place), with
    the files to copy; the problems (a missing picture, one over 5 MB) are `path:line:`
    lines, from the deck file's `text`. Pictures on the network are warnings."""
    found = DeckPictures()
    problems: list[Problem] = []
    folder = path.parent
    shown = path_text(path)
    lines: _Lines | None = None
    names: dict[Path, str] = {}  # each file hashed once

    def resolve(item: Item):
        def replace(ref: pictures.Ref) -> str | None:
            nonlocal lines
            if ref.media is not None:
                return None
            if lines is None:
                lines = _Lines(text)
            line = lines.line_of(ref.target, item.line)
            if ref.remote:
                found.warnings.append(Problem(
                    shown, line, f"picture {ref.target} is on the network: not fetched, the "
                    "card names it in words"))
                return pictures.image_words(ref.alt or ref.target)
            if not ref.local:
                return None
            if pictures.picture_type(_unquote(ref.target)) is None:
                problems.append(Problem(shown, line, f"{ref.target} is not a picture (one "
                                        f"of {', '.join(pictures.PICTURE_TYPES)})"))
                return None
            file = Path(_unquote(ref.target)).expanduser()
            if not file.is_absolute():
                file = folder / file
            name = names.get(file)
            if name is None:
                try:
                    if not file.is_file():
                        problems.append(Problem(shown, line, f"no such picture {ref.target}"))
                        return None
                    if file.stat().st_size > pictures.MAX_PICTURE_BYTES:
                        problems.append(Problem(shown, line, f"picture {ref.target} "
                                                f"{pictures.TOO_BIG}"))
                        return None
                    name = pictures.media_name(file_digest(file), file.name)
                except OSError as exc:
                    problems.append(Problem(shown, line, f"picture {ref.target} cannot be "
                                            f"read ({exc.strerror or exc})"))
                    return None
                names[file] = name
            found.files[name] = file
            return pictures.media_reference(ref.alt, name)

        def change(value: str) -> str:
            return pictures.rewrite(value, replace) if "![" in value else value

        return change

    for item in parsed.items:
        change = resolve(item)
        item.prompt = change(item.prompt)
        item.answer = change(item.answer)
        item.explanation = change(item.explanation)
        item.context = change(item.context)
        if item.payload and any("![" in t for t in pictures.texts_of(item.payload)):
            item.payload = pictures.map_texts(item.payload, change)
    return found, problems


def _unquote(target: str) -> str:
    from urllib.parse import unquote

    return unquote(target) if "%" in target else target


def store_pictures(folder: Path, files: dict[str, Path]) -> int:
    """Copy each picture not yet in `folder` (stored name -> file); how many were copied.
    Each is written beside and renamed, so a picture in media/ is always whole."""
    copied = 0
    for name, source in files.items():
        target = folder / name
        if target.exists():
            continue
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out, source.open("rb") as src:
                shutil.copyfileobj(src, out)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        copied += 1
    return copied


def write_picture(folder: Path, name: str, data: bytes) -> None:
    """One picture's bytes under its stored name (restore)."""
    target = folder / name
    if target.exists() and target.stat().st_size == len(data):
        return
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def stored_pictures(engine: Engine) -> dict[str, Path]:
    """The collection's pictures by name."""
    folder = media_dir(engine)
    if folder is None or not folder.is_dir():
        return {}
    return {p.name: p for p in sorted(folder.iterdir())
            if p.is_file() and pictures.MEDIA_NAME.match(p.name)}


def has_stored_pictures(engine: Engine) -> bool:
    """Whether the collection holds a picture (read at start-up: stops at the first)."""
    return folder_has_pictures(media_dir(engine))


def picture_path(engine: Engine, name: str) -> Path | None:
    """Where a stored picture is, or None when the collection does not hold it."""
    return picture_in(media_dir(engine), name)


def opener_command() -> list[str] | None:
    """The command that opens a file in the system viewer: $STUDYAWS_OPENER, else `open` on
    macOS, else `xdg-open`; None when there is none."""
    import shlex

    configured = os.environ.get(OPENER_ENV, "").strip()
    if configured:
        return shlex.split(configured)
    for name in (("open",) if sys.platform == "darwin" else ("xdg-open",)):
        if shutil.which(name):
            return [name]
    return None


def open_picture(path: Path) -> str:
    """Open `path` in the system viewer, detached; the line to tell the user."""
    command = opener_command()
    if command is None:
        return f"No picture viewer here (set ${OPENER_ENV}): the picture is {path_text(path)}"
    try:
        subprocess.Popen([*command, str(path)], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    except OSError as exc:
        return f"Could not run {command[0]} ({exc.strerror or exc}): the picture is " \
               f"{path_text(path)}"
    return f"Opening the picture ({path_text(path)})"
