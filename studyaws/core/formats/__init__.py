"""Question banks in other formats, read into the same items as a studyaws deck.

One module per format, each with `parse(text, path) -> FormatResult` (the deck and the
blocks it skipped, with their reasons) and `looks_like(text)` for detection. Pure: no
Textual, no SQL, nothing fetched, nothing run. See docs/import-export.md.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from studyaws.core.formats.common import FormatResult

__all__ = ["EXTENSIONS", "FORMATS", "detect", "parse"]


class Format(NamedTuple):
    module: str | None  # the reader in this package; None: the deck parser reads it
    label: str  # as the import screen lists it


# Every format by the name `--format` takes; the CLI, the import screen and detection read
# this table. This package is light to import (the readers load when used): the CLI's help
# lists the names without loading a reader.
FORMATS: dict[str, Format] = {
    "markdown": Format(None, "studyaws deck (Markdown)"),
    "md-tasks": Format("markdown_tasks", "Markdown bank: headings and task lists"),
    "md-numbered": Format("markdown_numbered", "Markdown bank: numbered, answers in details"),
    "anki": Format("anki", "Anki notes as text / CSV"),
    "gift": Format("gift", "Moodle GIFT"),
    "aiken": Format("aiken", "Aiken"),
}

# The files a folder import picks up.
EXTENSIONS = (".md", ".markdown", ".txt", ".csv", ".tsv", ".gift")


def detect(path: Path, text: str) -> str | None:
    """The format of a file from its extension and content, or None when it is none."""
    suffix = path.suffix.lower()
    if suffix == ".gift":
        return "gift"
    if suffix in (".md", ".markdown"):
        if _module("md-numbered").looks_like(text):
            return "md-numbered"
        if _module("md-tasks").looks_like(text):
            return "md-tasks"
        return "markdown"
    if suffix in (".csv", ".tsv"):
        return "anki"
    if _module("anki").looks_like(text):
        return "anki"
    if _module("gift").looks_like(text):
        return "gift"
    if _module("aiken").looks_like(text):
        return "aiken"
    if suffix == ".txt" and "\t" in text:
        return "anki"
    return None


def parse(name: str, text: str, path: str) -> FormatResult:
    """Parse `text` as the question-bank format `name` (not "markdown": that is the deck
    parser's)."""
    return _module(name).parse(text, path)


def _module(name: str):
    module = FORMATS[name].module
    if module is None:
        raise ValueError(f"{name} is read by the deck parser")
    return import_module(f"studyaws.core.formats.{module}")
