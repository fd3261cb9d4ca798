"""A one-pass reader of the top-level blocks of the Markdown most decks are written in.

It gives the same blocks as markdown-it (`blocks.markdown_blocks`) or gives up: `scan`
returns None for any document holding something it does not read for certain, and the
caller then asks markdown-it. It gives up on: tabs and unusual white space, HTML, link
reference definitions, setext headings and thematic breaks (any line made only of `-`,
`=`, `*`, `_`, `|`, `:` and spaces, except the delimiter row of a table at the top level),
tables inside lists or quotes, escaped pipes in a table header, indented code at the top,
empty list items,
list items opening with indented code, lazy continuation lines of lists and quotes,
backtick fences whose info holds a backtick, and deep nesting (any line whose prefix of
spaces, quote marks and list markers is 12 characters or more).
"""

from __future__ import annotations

import re

from studyaws.core.decks.blocks import Block

# White space other than the space and the line break (what str.isspace calls white space;
# markdown-it does not), and NUL.
_ODD_SPACE = re.compile("[\t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029"
                        "\u202f\u205f\u3000\x00]")
_HEADING = re.compile(r" {0,3}(#{1,6})(?: |$)")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_QUOTE = re.compile(r" {0,3}>")
_ITEM = re.compile(r" {0,3}(?:(?P<bullet>[-+*])|(?P<number>\d{1,9})(?P<delimiter>[.)]))(?P<spaces> +)")
_PREFIX = re.compile(r"(?:[ >]|[-+*] |\d{1,9}[.)] )*")
# What every line that opens a block (or may, see _fence_open and _marker) starts with.
_MAY_START = re.compile(r" {0,3}[#>`~\-+*\d]")
_MAY_START_FIRST = frozenset(" #>`~-+*0123456789")  # the first characters _MAY_START takes
_PREFIX_CHARS = " >-+*.)0123456789"
# After the prefix: nothing (a marker with nothing after it, unless only quote marks), HTML,
# a reference definition, a rule, an underline or a table row of delimiters, an empty item.
# (Possessive and look-ahead forms keep it linear on lines such as "- - - ... x".)
_SUSPECT = re.compile(
    r"(?P<prefix>(?:[ >]|[-+*] |\d{1,9}[.)] )*+)"
    r"(?:$|<|\[(?:[^\]]*$|.*\]:)|(?=[ =\-*_|:]*[=\-*_])[ =\-*_|:]*+$|\d{1,9}[.)] *$)"
)
_DELIMITER_CELL = re.compile(r":?-+:?")
_DELIMITER_CHARS = frozenset("|-: ")
# markdown-it ends a table once it has filled in this many missing cells.
_MAX_FILLED_CELLS = 0x10000
_OPENER = re.compile(r"#{1,6}(?: |$)|`{3,}|~{3,}|>|[-+*] |\d{1,9}[.)] ")
_MAX_PREFIX = 12


class _Unsure(Exception):
    """The document holds something only markdown-it reads for certain."""


def scan(lines: list[str]) -> list[Block] | None:
    """The level-0 blocks of `lines` (trailing blank lines not yet trimmed), or None."""
    if _ODD_SPACE.search("\n".join(lines)):
        return None
    try:
        return _Scanner(lines).run()
    except _Unsure:
        return None


# A line whose first character is none of these is none of the above (_SUSPECT cannot
# match it, and it has no prefix to nest): most lines of a deck start with a letter.
_SUSPECT_FIRST = frozenset(" >-+*0123456789<[=_|:")


def _check(line: str) -> None:
    """Give up on a line that may be HTML, a reference, a table, a rule or an underline,
    or that nests deeply. (At most one regex call a line: this runs on every line.)"""
    if line[:1] not in _SUSPECT_FIRST:
        return
    suspect = _SUSPECT.match(line)
    # (A bare prefix is fine only when it is quote marks: a blank line of a quote.)
    if suspect and (suspect.end("prefix") < len(line) or line.strip(" >")):
        raise _Unsure
    if len(line) >= _MAX_PREFIX and not line[:_MAX_PREFIX].strip(_PREFIX_CHARS) \
            and _PREFIX.match(line).end() >= _MAX_PREFIX:
        raise _Unsure


def _marker(line: str) -> tuple[str, str, int] | None:
    """(list type, marker char, content indent) of a list item's first line."""
    match = _ITEM.match(line)
    if not match:
        return None
    bullet = match.group("bullet")
    kind, char = ("bullets", bullet) if bullet else ("ordered", match.group("delimiter"))
    if len(match.group("spaces")) > 4 or match.end() == len(line):
        raise _Unsure  # indented code inside the item, or an empty item
    return kind, char, match.end()


def _fence_open(line: str) -> re.Match | None:
    match = _FENCE.match(line)
    if match and match.group(1)[0] == "`" and "`" in match.group(2):
        raise _Unsure  # not a fence in CommonMark; rare enough to leave to markdown-it
    return match


def _starts_table(lines: list[str], i: int) -> bool:
    """Whether lines[i] is a table's header row and lines[i + 1] its delimiter row."""
    if i + 1 >= len(lines) or "|" not in lines[i]:
        return False
    row = lines[i + 1].lstrip(" ")
    if len(lines[i + 1]) - len(row) >= 4 or len(row) < 2 or row[0] not in "|-:":
        return False
    if row[1] not in "|-: " or row[:2] == "- " or not _DELIMITER_CHARS.issuperset(row):
        return False
    cells = row.split("|")
    columns = 0
    for n, cell in enumerate(cells):
        cell = cell.strip(" ")
        if not cell and n in (0, len(cells) - 1):
            continue
        if not _DELIMITER_CELL.fullmatch(cell):
            return False
        columns += 1
    header = lines[i].strip(" ")
    if len(lines[i]) - len(lines[i].lstrip(" ")) >= 4:
        return False
    if "\\" in header:
        raise _Unsure  # an escaped pipe is not a column
    names = header.split("|")
    if names and names[0] == "":
        names.pop(0)
    if names and names[-1] == "":
        names.pop()
    return 0 < len(names) == columns


def _interrupts(line: str, in_list: bool) -> bool:
    """Whether a line ends the paragraph before it (at the top level, or the one paragraph
    of a list item it is not indented into)."""
    if line[:1] not in _MAY_START_FIRST or not _MAY_START.match(line):
        return False
    if _HEADING.match(line) or _QUOTE.match(line) or _fence_open(line):
        return True
    marker = _marker(line)
    if marker is None:
        return False
    if in_list or marker[0] == "bullets":
        return True
    return int(_ITEM.match(line).group("number")) == 1


class _Scanner:
    def __init__(self, lines: list[str]):
        self.lines = lines
        self.blocks: list[Block] = []

    def run(self) -> list[Block]:
        lines, i = self.lines, 0
        while i < len(lines):
            line = lines[i]
            stripped = line.lstrip(" ")
            if not stripped:
                i += 1
                continue
            if len(line) - len(stripped) >= 4:
                raise _Unsure  # indented code
            if _starts_table(lines, i):
                i = self.table(i)
                continue
            _check(line)
            heading = _HEADING.match(line)
            if heading:
                self.blocks.append(Block("heading", i, i + 1, level=len(heading.group(1))))
                i += 1
            elif fence := _fence_open(line):
                i = self.fence(i, fence)
            elif stripped[0] == ">":
                i = self.quote(i)
            elif marker := _marker(line):
                i = self.list(i, marker)
            else:
                i = self.paragraph(i)
        return self.blocks

    def fence(self, start: int, opening: re.Match) -> int:
        mark = opening.group(1)
        close = re.compile(rf" {{0,3}}{re.escape(mark[0])}{{{len(mark)},}} *")
        end = len(self.lines)
        for i in range(start + 1, len(self.lines)):
            if close.fullmatch(self.lines[i]):
                end = i + 1
                break
        self.blocks.append(Block("fence", start, end, info=opening.group(2).strip()))
        return end

    def quote(self, start: int) -> int:
        lines, i = self.lines, start + 1
        while i < len(lines) and lines[i].strip(" "):
            if not _QUOTE.match(lines[i]):
                raise _Unsure  # a lazy continuation line, or not: markdown-it knows
            _check(lines[i])
            i += 1
        self.blocks.append(Block("quote", start, i))
        return i

    def paragraph(self, start: int) -> int:
        lines, i = self.lines, start + 1
        while i < len(lines) and lines[i].strip(" "):
            line = lines[i]
            if "|" in line and len(line) - len(line.lstrip(" ")) < 4 and _starts_table(lines, i):
                break
            _check(line)
            if _interrupts(line, in_list=False):
                break
            i += 1
        self.blocks.append(Block("paragraph", start, i))
        return i

    def table(self, start: int) -> int:
        """A table runs from its header to a blank line, an indented line or a line that
        opens another block."""
        lines, i = self.lines, start + 2
        columns = len(lines[start + 1].strip(" ").strip("|").split("|"))
        while i < len(lines):
            line = lines[i]
            stripped = line.lstrip(" ")
            if not stripped or len(line) - len(stripped) >= 4:
                break
            if _HEADING.match(line) or _QUOTE.match(line) or _fence_open(line) or _marker(line):
                break
            _check(line)
            i += 1
        if (i - start - 2) * columns > _MAX_FILLED_CELLS:
            raise _Unsure
        self.blocks.append(Block("table", start, i))
        return i

    def list(self, start: int, first: tuple[str, str, int]) -> int:
        """A list runs over its items: lines indented to the current item's content, blank
        lines followed by such a line, and new items with the same marker."""
        lines = self.lines
        kind, char, indent = first
        simple = not _OPENER.match(lines[start], indent)  # the item is one paragraph
        after_blank = False
        last = start
        i = start + 1
        while i < len(lines):
            line = lines[i]
            stripped = line.lstrip(" ")
            if not stripped:
                after_blank = True
                i += 1
                continue
            _check(line)
            at = len(line) - len(stripped)
            if at >= indent:
                if after_blank or _OPENER.match(stripped):
                    simple = False
            else:
                marker = _marker(line)
                if marker is not None and marker[:2] == (kind, char):
                    indent = marker[2]
                    simple = not _OPENER.match(line, indent)
                elif after_blank or (simple and _interrupts(line, in_list=True)):
                    break  # the list ends; this line starts the next block
                else:
                    raise _Unsure  # lazy continuation, or the end of a nested block
            after_blank = False
            last = i
            i += 1
        self.blocks.append(Block(kind, start, last + 1))
        return last + 1
