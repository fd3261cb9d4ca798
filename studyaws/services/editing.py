"""Editing a card at its source: which editor, the file and line it opens, and the import of
that one file when the editor returns.

The identity rules (core.decks.identity, core.decks.matching) find the card again after a
small edit of its prompt, any edit of its answer, options or explanation, and any edit of a
card with an `{#id}`: it keeps its id and its history. The import is all or nothing: a file
that no longer reads leaves the collection as it was (DeckError, nothing written).

A bundled deck is never edited inside the installed package: its first edit copies its file
to `decks/` in the data folder, and that copy takes over the deck (the same key
"bundled:NAME", so the same cards and history): every later import, `import --bundled`
included, reads the copy in place of the installed file (importer.read_import_files).
"""

from __future__ import annotations

import os
import shlex
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from studyaws.core.config import bundled_decks_dir
from studyaws.services.importer import ImportReport, import_paths

# Editors that open a file at a line given as `+LINE` before the file.
LINE_ARGUMENT = frozenset({"vi", "vim", "nvim", "view", "vim.basic", "vim.tiny", "nano",
                           "rnano", "pico", "emacs", "emacsclient", "mg", "micro", "kak",
                           "joe", "jed", "ne"})
# Tried in this order when neither $VISUAL nor $EDITOR names one.
FALLBACK_EDITORS = ("nano", "vi")
NO_EDITOR = "No editor found: set $EDITOR (for example: export EDITOR=nano)."
COPIES_FOLDER = "decks"  # in the data folder: the user's copies of bundled decks


class EditError(Exception):
    """Why a card cannot be edited at its source, in one line for the user."""


@dataclass(frozen=True)
class SourceFile:
    """The file a card is written in, and how it was imported (an import again reads it the
    same way)."""

    card_id: int
    path: Path  # the file the editor opens (a bundled deck's: the user's copy)
    line: int
    format: str | None  # the format it was imported as; None: detected again
    domains: dict[str, str] | None  # the domains its questions were filed under, if given
    root: Path | None  # the folder it was imported from (its cards name it below it)
    bundled: str | None = None  # a bundled deck's key, taken over by the copy at `path`


@dataclass(frozen=True)
class EditResult:
    card_id: int | None  # the card edited, None when it is no longer in its file
    report: ImportReport


def find_editor(environ: dict[str, str] | None = None) -> list[str] | None:
    """The editor's command: $VISUAL, else $EDITOR (either may hold arguments, as
    `emacsclient -t` does), else nano or vi when on the PATH; None when there is none."""
    environ = os.environ if environ is None else environ
    for name in ("VISUAL", "EDITOR"):
        value = environ.get(name, "").strip()
        if value:
            try:
                return shlex.split(value) or None
            except ValueError:  # unbalanced quotes: the whole value names the program
                return [value]
    for name in FALLBACK_EDITORS:
        found = shutil.which(name)
        if found:
            return [found]
    return None


def editor_command(editor: list[str], path: Path, line: int) -> list[str]:
    """The command that opens `path` in `editor`, at `line` for the editors known to take
    `+LINE`; others open the file at its start."""
    name = Path(editor[0]).name.lower().removesuffix(".exe")
    if line > 0 and name in LINE_ARGUMENT:
        return [*editor, f"+{line}", str(path)]
    return [*editor, str(path)]


def copy_path(engine: Engine, bundled_key: str) -> Path:
    """Where the user's copy of the bundled deck `bundled_key` ("bundled:NAME") goes: the
    collection's data folder."""
    from studyaws.services.media import data_folder

    return data_folder(engine) / COPIES_FOLDER / bundled_key.removeprefix("bundled:")


def source_file(engine: Engine, card_id: int) -> SourceFile:
    """Where card `card_id` is written, ready to edit: a card of a bundled deck in the user's
    copy of its file, made now from the installed one when there is none yet (it takes over
    the deck when the edit is imported). Raises EditError."""
    from studyaws.core.domains import parse_domains
    from studyaws.core.formats import FORMATS
    from studyaws.services.review import display_path
    from studyaws.store.queries import card_source
    from studyaws.store.settings import deck_copies

    found = card_source(engine, card_id)
    if found is None or found.retired:
        raise EditError("This card is no longer in the collection.")
    digest, _, domain_text = found.content_hash.partition(";domain=")
    name = digest.split(":", 1)[0] if ":" in digest else "markdown"
    fmt = name if digest and name in FORMATS else None
    try:
        domains = parse_domains(domain_text) if domain_text else None
    except ValueError:
        domains = None
    bundled = None
    if found.deck_key.startswith("bundled:"):
        bundled = found.deck_key
        copied = deck_copies(engine).get(bundled)
        path = Path(copied) if copied and Path(copied).is_file() else copy_path(engine, bundled)
        if not path.is_file():
            installed = bundled_decks_dir() / bundled.removeprefix("bundled:")
            if not installed.is_file():
                raise EditError(f"{display_path(str(installed))}: the bundled deck's file is "
                                "not in this installation.")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(installed, path)
            except OSError as exc:
                raise EditError(f"{display_path(str(path))}: the copy of the bundled deck "
                                f"could not be made ({exc.strerror or exc}).") from exc
    else:
        path = Path(found.deck_key)
        if not path.is_absolute():  # a deck imported by an older version
            path = Path(found.deck_path).resolve()
        if not path.is_file():
            raise EditError(f"{display_path(str(path))}: the file this card comes from is "
                            "gone (moved or removed).")
    return SourceFile(card_id, path, found.source_line, fmt, domains,
                      _root(path, found.source_path), bundled)


def _root(path: Path, source: str) -> Path | None:
    """The folder `path` was imported from, known by what its cards name it (`source`, its
    path below that folder); None when they name it otherwise (its own folder is used)."""
    from pathlib import PurePosixPath

    below = PurePosixPath(source)
    if below.is_absolute() or not below.parts or ".." in below.parts:
        return None
    if tuple(path.parts[-len(below.parts):]) != below.parts:
        return None
    return path.parents[len(below.parts) - 1]


def reimport(engine: Engine, source: SourceFile, now: datetime) -> EditResult:
    """Import the edited file again, as it was imported before (its format, its domains);
    a bundled deck's copy takes over the deck with it. Raises DeckError, writing nothing,
    when the file no longer reads."""
    from studyaws.store.queries import card_source

    report = import_paths(engine, [source.path], now, format=source.format,
                          domains=source.domains, root=source.root,
                          copies={source.bundled: source.path} if source.bundled else None)
    found = card_source(engine, source.card_id)
    kept = found is not None and not found.retired
    return EditResult(source.card_id if kept else None, report)
