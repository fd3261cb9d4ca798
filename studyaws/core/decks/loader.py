"""Finding deck files on disk and reading them safely."""

from __future__ import annotations

import codecs
import hashlib
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from studyaws.core.decks.model import DeckError, ParsedDeck, Problem
from studyaws.core.decks.parser import parse_deck
from studyaws.core.text import path_text

MAX_DECK_BYTES = 5 * 1024 * 1024


@dataclass
class DeckFile:
    path: Path
    text: str
    digest: str


def collect_deck_files(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """Every .md file named or below a named folder (sorted, each once), and the problems
    with paths that are none, so that a caller can still report the problems of the files
    that were found."""
    found: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*.md")
                if p.is_file() and p.name.upper() not in {"README.MD", "CORRECTIONS.MD"}
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and "corrections" not in p.relative_to(path).parts[:-1]
                and "coverage" not in p.relative_to(path).parts[:-1]
            )
            if not files:
                problems.append(Problem(path_text(path), 0, "no .md deck files in this folder"))
            found.extend(files)
        elif path.is_file():
            found.append(path)
        else:
            problems.append(Problem(path_text(path), 0, "no such file or folder"))
    # A file named twice (or named and inside a named folder) is one deck, read once.
    seen: set[Path] = set()
    unique = []
    for path in found:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            unique.append(path)
    return unique, problems


def read_deck_file(path: Path) -> DeckFile:
    """The text of a deck or question-bank file: UTF-8, or UTF-16 / UTF-8 with a byte-order
    mark. A file that is something else (binary, too large, a studyaws export, an Anki
    package) is one problem that says what it is."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
            what = _foreign(path, head)
            if what is not None:
                raise DeckError([Problem(path_text(path), 0, what)])
            if size > MAX_DECK_BYTES:
                raise DeckError([Problem(path_text(path), 0, f"file is {size:,} bytes; decks are "
                                         f"limited to {MAX_DECK_BYTES // (1024 * 1024)} MB")])
            data = head + handle.read()
    except OSError as exc:
        raise DeckError([Problem(path_text(path), 0, f"cannot read: {exc.strerror or exc}")]) from None
    text = _decode(path, data)
    return DeckFile(path, text, hashlib.sha256(data).hexdigest())


_HEAD_BYTES = 4096
# A byte-order mark names the encoding. UTF-32's marks begin with UTF-16's: tried first.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"), (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
         (codecs.BOM_UTF8, "utf-8", "UTF-8"), (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
         (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"))
_STUDYAWS_EXPORT = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*\{\s*"format"\s*:\s*"studyaws-backup"')


def _decode(path: Path, data: bytes) -> str:
    codec, name, body = "utf-8", "UTF-8", data
    for bom, bom_codec, bom_name in _BOMS:
        if data.startswith(bom):
            codec, name, body = bom_codec, bom_name, data[len(bom):]
            break
    else:
        if b"\x00" in data:
            raise DeckError([Problem(path_text(path), 0, _utf16_without_bom(data)
                                     or "binary file, not a Markdown deck")])
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        line = body[: exc.start].decode(codec, errors="replace").count("\n") + 1
        raise DeckError([Problem(path_text(path), line, f"not {name} text")]) from None
    if "\x00" in text:
        raise DeckError([Problem(path_text(path), 0, "binary file, not a Markdown deck")])
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """A file of UTF-16 text with no byte-order mark (mostly ASCII: a zero byte beside each
    character) is named as such, rather than called binary."""
    if len(data) % 2 or len(data) < 4:
        return None
    for offset, order in ((1, "little"), (0, "big")):
        zeros = data[offset::2].count(0)
        if zeros >= 0.9 * (len(data) // 2) and data[1 - offset::2].count(0) == 0:
            return (f"UTF-16 text ({order}-endian) without a byte-order mark: save it as "
                    "UTF-8 (or as UTF-16 with a byte-order mark)")
    return None


def _foreign(path: Path, head: bytes) -> str | None:
    """What a file that is no deck nor question bank is, and what to do with it instead."""
    suffix = path.suffix.lower()
    if suffix in (".apkg", ".colpkg") or (head.startswith(b"PK\x03\x04") and suffix == ".anki2"):
        return ("an Anki package, which studyaws does not import: in Anki, use File > Export > "
                "'Notes in Plain Text (.txt)' (with the unique identifier included, so that a "
                "later import updates cards in place) and import that file")
    if head.startswith(b"SQLite format 3\x00"):
        return ("a SQLite database, not a deck: if it is a studyaws backup copy, bring it back "
                f"with `studyaws restore {shlex.quote(path_text(path))}`")
    if _STUDYAWS_EXPORT.match(head):
        return ("this is a studyaws export, not a deck: bring it back with "
                f"`studyaws restore {shlex.quote(path_text(path))}`")
    if head.startswith(b"PK\x03\x04"):
        return "a zip archive, not a deck: unpack it and import the files in it"
    return None


def load_decks(paths: list[Path]) -> list[tuple[DeckFile, ParsedDeck]]:
    """Read and parse every deck under `paths`, collecting the problems of all files."""
    result: list[tuple[DeckFile, ParsedDeck]] = []
    files, problems = collect_deck_files(paths)
    for path in files:
        try:
            deck_file = read_deck_file(path)
            result.append((deck_file, parse_deck(deck_file.text, path_text(path))))
        except DeckError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DeckError(problems)
    return result
