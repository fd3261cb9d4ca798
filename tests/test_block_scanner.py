"""The fast block scanner gives markdown-it's blocks, or gives up."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studyaws.core.decks.blocks import markdown_blocks, read_blocks, trimmed
from studyaws.core.decks.scanner import scan
from studyaws.core.text import clean

ROOT = Path(__file__).resolve().parent.parent


def body_lines(text: str) -> list[str]:
    lines = clean(text).split("\n")
    if lines[0].strip() == "---" and "---" in lines[1:]:
        lines = lines[lines.index("---", 1) + 1 :]
    return lines


def assert_same_or_unsure(lines: list[str]) -> bool:
    """True when the scanner answered (and then it matched markdown-it)."""
    fast = scan(lines)
    expected, too_deep = markdown_blocks(lines)
    if fast is None:
        return False
    assert too_deep is None
    assert trimmed(lines, fast) == expected, "\n".join(lines)
    return True


@pytest.mark.parametrize("path", sorted((ROOT / "decks").glob("*.md")) + [
    ROOT / "docs" / "deck-format.md"], ids=lambda p: p.name)
def test_bundled_decks_are_read_by_the_scanner(path):
    assert assert_same_or_unsure(body_lines(path.read_text("utf-8")))


HAND_WRITTEN = [
    # a task list, then its explanation with no blank line between
    "Which one?\n\n- [x] a\n- [ ] b\n> because\n> domain: secure",
    # an ordering question: '1.' interrupts the paragraph, '2.' would not
    "Order: put these in order\n1. first\n2. second\n3. third",
    "A paragraph\n2. is not a list here\n- but this is",
    # items with continuation lines, nested lists and code
    "- one\n  more of one\n\n  second paragraph\n- two\n  - nested\n    - deeper\n\n"
    "  ```\n  code in an item\n\n  ```\n\nafter",
    # a fence, unclosed at the end
    "```scenario nacl\ndirection: inbound\n\n# not a heading",
    "~~~~\n```\nstill code\n~~~~\ntext",
    # tables, at the top and interrupting a paragraph
    "| a | b |\n| --- | :-: |\n| 1 | 2 |\n| 3 |\n\ntext",
    "Some prose\n| a | b |\n|---|---|\n| 1 | 2 |\n# heading",
    "Q: question\nA: answer\n\n- listed\n- answer\n\n| x |\n|---|\n| y |",
    # headings of every level, and things that are not headings
    "# one\n## two\n###### six\n####### seven\n#hashtag",
    "> quoted\n>\n> still quoted\n\n> another",
    "- a\n* b\n+ c\n1. d\n1) e",
    "   - indented three\n     continued\n - one",
]


@pytest.mark.parametrize("text", HAND_WRITTEN)
def test_hand_written_shapes(text):
    assert assert_same_or_unsure(text.split("\n"))


UNSURE = [
    "para\n---",  # a setext heading
    "para\n===",
    "***",
    "<div>\nhtml\n</div>",
    "[ref]: https://example.com",
    "\tcode",
    "    code",
    "- a\nlazy continuation",
    "> a\nlazy continuation",
    "-\n  empty item",
    "- " * 8 + "deep",
    "| a \\| b |\n|---|",
]


@pytest.mark.parametrize("text", UNSURE)
def test_the_scanner_leaves_hard_cases_to_markdown_it(text):
    lines = text.split("\n")
    assert scan(lines) is None
    blocks, _ = read_blocks(lines)
    assert blocks == markdown_blocks(lines)[0]


INDENTS = st.sampled_from(["", "", "", " ", "  ", "   ", "    ", "      "])
OPENERS = st.sampled_from([
    "", "", "", "- ", "* ", "+ ", "1. ", "2) ", "1) ", "10. ", "> ", ">", "- [ ] ", "- [x] ",
    "# ", "## ", "####### ", "```", "```scenario nacl", "~~~", "```a`b", "Q: ", "A: ",
    "C: ", "Order: ", "- > ", "> - ", "1. - ", "-    ", "-     ",
])
BODIES = st.sampled_from([
    "text", "", "a | b", "| a | b |", "|---|---|", "--|--", ":-:", "---", "===", "***",
    "<div>", "[r]: /u", "[x] y", "x :: y", "{{c}}", "-", "1.", "`code`", "~~~", "```",
    "> q", "# h", "= 5 +- 1",
])
LINES = st.one_of(st.just(""), st.builds(lambda a, b, c: a + b + c, INDENTS, OPENERS, BODIES))
# Lines the scanner reads (and tables), so that long documents reach the comparison too.
COMMON = st.one_of(
    st.just([""]),
    st.builds(
        lambda a, b, c: [a + b + c],
        st.sampled_from(["", "", "", " ", "  ", "   "]),
        st.sampled_from(["", "", "", "- ", "* ", "1. ", "2. ", "1) ", "> ", "- [ ] ",
                         "- [x] ", "  - ", "# ", "### ", "```", "```scenario nacl", "~~~",
                         "Q: ", "A: "]),
        st.sampled_from(["text", "a | b", "| a | b |", "[x] y", "x :: y", "`c`", "> q",
                         "# h", "= 5", "1. x"]),
    ),
    st.sampled_from([["| a | b |", "|---|:-:|", "| 1 | 2 |"], ["a | b", "--|--"],
                     ["| a |", "| - |", "x"]]),
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(LINES, min_size=1, max_size=24))
def test_scanner_agrees_with_markdown_it(lines):
    assert_same_or_unsure(lines)


@settings(max_examples=1500, deadline=None)
@given(st.lists(COMMON, min_size=1, max_size=30))
def test_scanner_agrees_with_markdown_it_on_common_lines(chunks):
    assert_same_or_unsure([line for chunk in chunks for line in chunk])


def test_odd_white_space_is_every_white_space_but_space_and_line_break():
    from studyaws.core.decks.scanner import _ODD_SPACE

    odd = {chr(c) for c in range(0x110000) if _ODD_SPACE.match(chr(c))}
    assert odd == {chr(c) for c in range(0x110000) if chr(c).isspace()} - {" ", "\n"} | {"\x00"}
