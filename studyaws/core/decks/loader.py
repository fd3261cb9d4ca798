"""Finding deck files on disk and reading them safely."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from studyaws.core.decks.model import DeckError, ParsedDeck, Problem
from studyaws.core.decks.parser import parse_deck

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
                problems.append(Problem(str(path), 0, "no .md deck files in this folder"))
            found.extend(files)
        elif path.is_file():
            found.append(path)
        else:
            problems.append(Problem(str(path), 0, "no such file or folder"))
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
    try:
        size = path.stat().st_size
        if size > MAX_DECK_BYTES:
            raise DeckError([Problem(str(path), 0, f"file is {size:,} bytes; decks are "
                                     f"limited to {MAX_DECK_BYTES // (1024 * 1024)} MB")])
        data = path.read_bytes()
    except OSError as exc:
        raise DeckError([Problem(str(path), 0, f"cannot read: {exc.strerror or exc}")]) from None
    if b"\x00" in data:
        raise DeckError([Problem(str(path), 0, "binary file, not a Markdown deck")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DeckError([Problem(str(path), line, "not UTF-8 text")]) from None
    return DeckFile(path, text, hashlib.sha256(data).hexdigest())


def load_decks(paths: list[Path]) -> list[tuple[DeckFile, ParsedDeck]]:
    """Read and parse every deck under `paths`, collecting the problems of all files."""
    result: list[tuple[DeckFile, ParsedDeck]] = []
    files, problems = collect_deck_files(paths)
    for path in files:
        try:
            deck_file = read_deck_file(path)
            result.append((deck_file, parse_deck(deck_file.text, str(path))))
        except DeckError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DeckError(problems)
    return result
