"""Property tests: the parser never fails with anything but DeckError, whatever the text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studyaws.core.decks.model import KINDS, DeckError, ParsedDeck
from studyaws.core.decks.parser import parse_deck

PIECES = [
    "Q:", "A:", "C:", "Order:", "Q: ", "A: ", "C: ", "Order: ", "A: =", "A: = 5 +- 1 s", "A: = x",
    "::", ":::", " :: ", " ::: ", "{{", "}}", "{{c1::", "{{c2::", "::hint}}", "{{}}",
    "- [x] ", "- [ ] ", "- [X] ", "- ", "* ", "1. ", "2) ", "  ",
    "```", "```scenario nacl", "```scenario", "```scenario nosuch", "~~~", "rules: 4-6",
    "direction: inbound", "id: x", "colour: red",
    "{#id}", "{#a.b_c-1}", "{#bad id}", "{#}", "> ", "> domain: secure", "> domain: nope",
    "domain: resilient", "---", "title: T", "tags: [a, b]", "# ", "## ", "### ", "=====", "-----",
    "|", "| a | b |", "|---|---|", "`", "``", "**", "_", "<div>", "</div>", "    ", "\t",
    "[b]", "[/]", "[/b]", "[red]", "[@click=quit]", "\\", "\x00", "\x07", "\x1b[31m", "\x85",
    "\x0c", "\r", "\r\n", "\u2028", "\ufeff", "±", "é", "😀", "0", "35", "-1", "nan", "1e309",
]

line = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=8).map("".join)
document = st.lists(line, max_size=25).map("\n".join)


def check(text: str) -> None:
    try:
        deck = parse_deck(text, "fuzz.md")
    except DeckError as exc:
        assert exc.problems, "a DeckError must name at least one problem"
        for problem in exc.problems:
            assert problem.path == "fuzz.md"
            assert problem.message
            assert 0 <= problem.line <= text.count("\n") + text.count("\r") + 1
        return
    assert isinstance(deck, ParsedDeck)
    total_lines = len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    keys = [item.key for item in deck.items]
    assert len(keys) == len(set(keys)), keys
    for item in deck.items:
        assert 1 <= item.line <= total_lines, (item.line, total_lines)
        assert item.key
        assert item.kind in KINDS


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(document)
def test_marker_soup_raises_only_deck_error(text: str):
    check(text)


@FUZZ
@given(st.text(max_size=400))
def test_any_text_raises_only_deck_error(text: str):
    check(text)


@FUZZ
@given(st.lists(st.sampled_from([
    "Q: question {#q}", "A: answer", "A: = 3 +- 1 GB", "front :: back", "left ::: right {#r}",
    "C: {{c1::a::hint}} and {{b}}", "Stem?", "### Heading stem {#h}", "- [x] yes", "- [ ] no",
    "Order: steps", "1. one", "2. two", "> why", "> domain: secure", "```scenario nacl",
    "rules: 4-6", "```", "", "", "# Topic", "Plain prose [b]bold[/b].",
]), max_size=40).map("\n".join))
def test_well_formed_pieces_in_any_order(text: str):
    check(text)
