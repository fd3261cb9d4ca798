"""Cloze deletions: `{{text}}` and `{{c1::text}}` (optionally `{{c1::text::hint}}`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from studyaws.core.decks.limits import MAX_DELETIONS

_NUMBERED = re.compile(r"^c(\d+)::(.*)$", re.DOTALL)


@dataclass(frozen=True)
class Deletion:
    start: int
    end: int
    group: int
    text: str
    hint: str


class ClozeError(ValueError):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


def deletions(text: str) -> list[Deletion]:
    """Find every deletion; unnumbered ones each get a group after the highest number. More
    than MAX_DELETIONS is an error at the first one too many."""
    found: list[tuple[int, int, int | None, str, str]] = []
    pos = 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            break
        end = text.find("}}", start + 2)
        nested = text.find("{{", start + 2)
        if end < 0 or (0 <= nested < end):
            raise ClozeError("unclosed '{{' in cloze", start)
        inner = text[start + 2 : end]
        match = _NUMBERED.match(inner)
        group: int | None = None
        if match:
            group = int(match.group(1))
            inner = match.group(2)
        body, _, hint = inner.partition("::")
        if not body.strip():
            raise ClozeError("empty cloze deletion '{{}}'", start)
        found.append((start, end + 2, group, body, hint))
        pos = end + 2
    if len(found) > MAX_DELETIONS:
        raise ClozeError(f"a cloze has {len(found):,} deletions; at most {MAX_DELETIONS} "
                         "(split it into several)", found[MAX_DELETIONS][0])
    next_group = max((g for _, _, g, _, _ in found if g is not None), default=0) + 1
    result = []
    for start, end, group, body, hint in found:
        if group is None:
            group = next_group
            next_group += 1
        result.append(Deletion(start, end, group, body, hint))
    return result


def render(text: str, dels: list[Deletion], hidden_group: int, reveal: bool) -> str:
    """The text with `hidden_group` shown as [...] (or **answer** when revealed)."""
    out, pos = [], 0
    for d in dels:
        out.append(text[pos : d.start])
        if d.group == hidden_group:
            out.append(f"**{d.text}**" if reveal else f"[{d.hint or '...'}]")
        else:
            out.append(d.text)
        pos = d.end
    out.append(text[pos:])
    return "".join(out)


def sides(text: str, group: int) -> tuple[str, str]:
    """A cloze card's prompt and answer: `text` with `group` hidden, then revealed. Cards
    keep only their group: the text is stored once for all of them (store.tables.SharedText)
    and shown this way."""
    try:
        dels = deletions(text)
    except ClozeError:
        return text, text
    return render(text, dels, group, reveal=False), render(text, dels, group, reveal=True)
