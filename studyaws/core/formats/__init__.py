"""Question banks in other formats, read into the same items as a studyaws deck.

One module per format, each with `parse(text, path) -> FormatResult` (the deck and the
blocks it skipped, with their reasons) and `looks_like(text)` for detection. Pure: no
Textual, no SQL, nothing fetched, nothing run. See docs/import-export.md.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from studyaws.core.formats.common import FormatResult, Skipped

__all__ = ["EXTENSIONS", "FORMATS", "FormatResult", "Skipped", "detect", "parse"]

# name -> (module, what it is). "markdown" is the studyaws deck format itself.
FORMATS: dict[str, tuple[str | None, str]] = {
    "markdown": (None, "a studyaws deck (docs/deck-format.md)"),
    "md-tasks": ("markdown_tasks", "Markdown question bank: ### questions with - [ ] / - [x]"),
    "md-numbered": ("markdown_numbered",
                    "Markdown question bank: numbered, answers in <details> blocks"),
    "anki": ("anki", "Anki notes as text: tab, comma or semicolon separated"),
    "gift": ("gift", "Moodle GIFT"),
    "aiken": ("aiken", "Aiken multiple choice"),
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
    module = FORMATS[name][0]
    if module is None:
        raise ValueError(f"{name} is read by the deck parser")
    return import_module(f"studyaws.core.formats.{module}")
