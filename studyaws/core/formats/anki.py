"""Anki notes as text (File > Export > Notes in Plain Text, or any CSV/TSV of front/back).

```text
#separator:tab
#html:true
#guid column:1
#notetype column:2
#deck column:3
#tags column:6
a1B2c3	Basic	AWS::VPC	What does a NAT gateway do?	Lets private subnets reach out	vpc
```

Fields are separated by tabs, commas or semicolons (the `#separator:` header, else guessed);
quoted fields may hold the separator, quotes (doubled) and line breaks. A guid column gives
each card a stable id (`id:<guid>`), so a re-import updates cards in place. The deck column
becomes the card's topic. A Cloze note (or any front with `{{c1::...}}`) becomes cloze
cards, a "Basic (and reversed card)" note a pair of reverse cards, anything else a basic
card whose further fields are the explanation. With `#html:true` tags are stripped to text.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

from studyaws.core.decks.cloze import ClozeError
from studyaws.core.decks.model import DeckError, Item, Problem
from studyaws.core.formats.common import (
    FormatResult,
    Skipped,
    check_made,
    cloze_items,
    dedupe_ids,
    finish,
    html_to_text,
    reverse_items,
    tidy,
)
from studyaws.core.text import clean

_HEADER = re.compile(r"^#([a-z][a-z ]*):(.*)$", re.IGNORECASE)
_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|",
               "colon": ":"}
_KNOWN = {"separator", "html", "tags column", "deck column", "guid column", "notetype column",
          "columns", "deck", "notetype", "tags", "if matches"}
_CLOZE = re.compile(r"\{\{c\d+::", re.IGNORECASE)
_SOUND = re.compile(r"\[sound:([^\]]*)\]")
_HEADER_WORDS = {"front", "back", "question", "answer", "text", "extra", "back extra", "tags",
                 "guid", "deck", "notetype", "note type", "id"}


def looks_like(text: str) -> bool:
    return bool(re.search(r"^#(separator|html|guid column|deck column|notetype column)\s*:",
                          text, re.IGNORECASE | re.MULTILINE))


def parse(text: str, path: str) -> FormatResult:
    text = clean(text)
    lines = text.split("\n")
    skipped: list[Skipped] = []
    headers: dict[str, str] = {}
    start = 0
    while start < len(lines) and lines[start].startswith("#"):
        match = _HEADER.match(lines[start])
        if match:
            key = " ".join(match.group(1).lower().split())
            if key in _KNOWN:
                headers[key] = match.group(2).strip()
            else:
                skipped.append(Skipped(path, start + 1, f"unknown header #{key}: ignored"))
        start += 1

    separator = _separator(headers.get("separator"), lines[start:], path)
    html = headers.get("html", "").lower() == "true"
    columns = {name: _column(headers.get(f"{name} column"))
               for name in ("guid", "notetype", "deck", "tags")}
    special = {c for c in columns.values() if c is not None}

    rows = _rows(lines, start, separator, path)
    blocks: list[tuple[int, list[Item], tuple[str, ...]]] = []
    made = 0
    deck_names: list[tuple[str, ...]] = []
    for n, (line, row) in enumerate(rows):
        def value(column: int | None, row=row) -> str:
            return row[column].strip() if column is not None and column < len(row) else ""

        content = [_text(field, html) for k, field in enumerate(row) if k not in special]
        if n == 0 and not special and [c.lower() for c in content if c] and \
                all(c.lower() in _HEADER_WORDS for c in content if c):
            skipped.append(Skipped(path, line, "column names, not a note"))
            continue
        deck = tuple(p.strip() for p in value(columns["deck"]).split("::") if p.strip())
        deck = deck or tuple(p.strip() for p in headers.get("deck", "").split("::") if p.strip())
        notetype = value(columns["notetype"]) or headers.get("notetype", "")
        guid = value(columns["guid"]) or None
        items, reason = _note(line, content, notetype, guid)
        if reason:
            skipped.append(Skipped(path, line, reason))
            continue
        deck_names.append(deck)
        blocks.append((line, items, deck))
        made += len(items)
        check_made(made, path, line)

    prefix = _common_prefix(deck_names)
    title = " > ".join(prefix) if prefix else Path(path).stem
    for _, note_items, deck in blocks:
        for item in note_items:
            item.topic = deck[len(prefix):]
    items = dedupe_ids([(line, note_items) for line, note_items, _ in blocks], path, skipped,
                       what="guid")
    tags = tuple(t for t in headers.get("tags", "").split() if t)
    return FormatResult(finish(path, title, items, tags), skipped)


# After the last line: clean() removed every control character, so no field holds this one;
# a row that does is a quoted field the end of the file came into.
_END = "\x01"


def _rows(lines: list[str], start: int, separator: str, path: str) -> Iterator[tuple[int, list[str]]]:
    """The records from line `start` on, each with the line it begins on. A quoted field that
    is never closed, or one longer than Python's csv reads, is a DeckError naming its line.
    Read as they are needed: a bank stops at its cap without reading the rest."""
    reader = csv.reader(chain((ln + "\n" for ln in lines[start:]), [_END + "\n"]),
                        delimiter=separator, quotechar='"', doublequote=True,
                        skipinitialspace=False, strict=False)
    previous = 0
    try:
        for row in reader:
            first_line = start + previous + 1
            previous = reader.line_num
            if row == [_END]:
                break
            if row and _END in row[-1]:
                raise DeckError([Problem(path, first_line, _UNCLOSED)])
            if any(field.strip() for field in row):
                yield first_line, row
    except csv.Error as exc:
        line = start + previous + 1
        message = f"cannot read the fields: {exc}"
        if "field limit" in str(exc):
            message = (f"a field longer than {csv.field_size_limit():,} characters, more than "
                       "a note's field can hold: shorten it")
            if '"' in lines[line - 1]:
                message = (f"{_UNCLOSED}; it runs on past {csv.field_size_limit():,} "
                           "characters")
        raise DeckError([Problem(path, line, message)]) from None


_UNCLOSED = ('a field opened with " on this line is never closed: add its closing " '
             '(a " inside a quoted field is written "")')


def _column(text: str | None) -> int | None:
    if text is None or not text.strip().isdigit() or int(text) < 1:
        return None
    return int(text) - 1


def _separator(header: str | None, lines: list[str], path: str) -> str:
    if header:
        named = _SEPARATORS.get(header.lower())
        if named:
            return named
        if header in ("\\t", "\t"):
            return "\t"
        if len(header) == 1:
            return header
    sample = "\n".join(lines[:50])
    if "\t" in sample or Path(path).suffix.lower() == ".tsv":
        return "\t"
    return ";" if sample.count(";") > sample.count(",") else ","


def _text(field: str, html: bool) -> str:
    field = _SOUND.sub(lambda m: f"[sound: {m.group(1)}]", field)
    return tidy(html_to_text(field) if html else field, hard_breaks=True)


def _note(line: int, content: list[str], notetype: str, guid: str | None):
    fields = content + ["", ""]
    front, back = fields[0], fields[1]
    extra = "\n\n".join(f for f in content[2:] if f)
    kind = notetype.lower()
    if kind.startswith("cloze") or (not kind and _CLOZE.search(front)):
        if not front:
            return None, "cloze note with an empty text"
        try:
            items = cloze_items(line, (), front, explanation=back, stable_id=guid)
        except ClozeError as exc:
            return None, str(exc)
        if not items:
            return None, "cloze note has no {{c1::...}} deletion"
        return items, None
    if not front:
        return None, "note with an empty front"
    if len(content) < 2:
        return None, "only one field; a note needs a front and a back"
    if not back:
        return None, "note with an empty back"
    if "reversed" in kind and ("optional" not in kind or (len(content) > 2 and content[2])):
        extra = "" if "optional" in kind else extra
        return reverse_items(line, (), front, back, explanation=extra, stable_id=guid), None
    return [Item("basic", line, (), front, back, explanation=extra, stable_id=guid)], None


def _common_prefix(names: list[tuple[str, ...]]) -> tuple[str, ...]:
    if not names:
        return ()
    prefix = names[0]
    for name in names[1:]:
        k = 0
        while k < min(len(prefix), len(name)) and prefix[k] == name[k]:
            k += 1
        prefix = prefix[:k]
    return prefix
