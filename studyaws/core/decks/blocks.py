"""The top-level blocks of a deck body: headings, paragraphs, lists, fences, quotes.

markdown-it-py (CommonMark) defines them. Most decks are written in a small part of
Markdown, which `scanner.scan` reads in one pass over the lines, several times faster;
anything it is not certain of (HTML, tables, setext headings, lazy continuation lines,
tabs, deep nesting...) goes to markdown-it. The two are compared on generated documents
in tests/test_block_scanner.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt

# Only the block structure is read (level-0 block tokens and their source lines), so the
# inline pass, which would take about half the parse, is turned off.
_MD = MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"])

# markdown-it stops reading a file where blocks nest deeper than its limit (20 levels: a list
# and its item are two): a deeper file would silently lose everything after that point.
MAX_LEVEL = _MD.options["maxNesting"] - 2

_KINDS = {
    "heading_open": "heading",
    "paragraph_open": "paragraph",
    "bullet_list_open": "bullets",
    "ordered_list_open": "ordered",
    "fence": "fence",
    "code_block": "code",
    "blockquote_open": "quote",
    "table_open": "table",
}


@dataclass
class Block:
    type: str  # heading, paragraph, bullets, ordered, fence, code, quote, table, other
    start: int  # 0-based body line, inclusive
    end: int  # exclusive, trailing blank lines removed
    level: int = 0  # of a heading
    info: str = ""  # of a fence


def read_blocks(lines: list[str]) -> tuple[list[Block], int | None]:
    """The level-0 blocks of `lines`, and the line where nesting first gets too deep for
    markdown-it (None if it never does)."""
    from studyaws.core.decks.scanner import scan  # here: the scanner imports Block from this module

    blocks = scan(lines)
    if blocks is None:
        return markdown_blocks(lines)
    return trimmed(lines, blocks), None


def markdown_blocks(lines: list[str]) -> tuple[list[Block], int | None]:
    """The blocks as markdown-it finds them (the reference for the scanner)."""
    tokens = _MD.parse("\n".join(lines))
    result: list[Block] = []
    for tok in tokens:
        if tok.level != 0 or tok.nesting == -1 or tok.map is None:
            continue
        start, end = tok.map
        kind = _KINDS.get(tok.type, "other")
        block = Block(kind, start, end, info=tok.info.strip() if kind == "fence" else "")
        if kind == "heading":
            block.level = int(tok.tag[1:])
        result.append(block)
    return trimmed(lines, result), _too_deep(tokens)


def trimmed(lines: list[str], blocks: list[Block]) -> list[Block]:
    for block in blocks:
        while block.end > block.start + 1 and not lines[block.end - 1].strip():
            block.end -= 1
    return blocks


def _too_deep(tokens) -> int | None:
    top = 0
    for tok in tokens:
        if tok.level == 0 and tok.map is not None:
            top = tok.map[0]
        if tok.level >= MAX_LEVEL:
            return tok.map[0] if tok.map is not None else top
    return None
