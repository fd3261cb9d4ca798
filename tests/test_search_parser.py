"""The card search language (core.search): every operator and key, and its errors."""

from __future__ import annotations

import pytest

from studyaws.core.search import (
    All,
    And,
    DeckIs,
    Domain,
    Flag,
    Is,
    Kind,
    Not,
    Or,
    Prop,
    Rated,
    SearchError,
    Tag,
    Text,
    parse,
    parse_sort,
)


def test_the_empty_search_is_every_card():
    assert parse("") == All()
    assert parse("   ") == All()


def test_words_and_phrases():
    assert parse("vpc") == Text("vpc")
    assert parse('"nat gateway"') == Text("nat gateway", phrase=True)
    assert parse("vpc peering") == And((Text("vpc"), Text("peering")))
    assert parse("aur*") == Text("aur*")


def test_a_colon_word_that_names_no_key_is_a_word():
    assert parse("s3:GetObject") == Text("s3:GetObject")
    assert parse("arn:aws:iam::123") == Text("arn:aws:iam::123")


def test_or_binds_looser_than_the_implicit_and():
    assert parse("a b or c") == Or((And((Text("a"), Text("b"))), Text("c")))
    assert parse("a OR b Or c") == Or((Text("a"), Text("b"), Text("c")))
    assert parse("a and b") == And((Text("a"), Text("b")))


def test_parentheses_group():
    assert parse("a (b or c)") == And((Text("a"), Or((Text("b"), Text("c")))))
    assert parse("((a))") == Text("a")


def test_minus_leaves_out():
    assert parse("-a") == Not(Text("a"))
    assert parse("-(a or b) c") == And((Not(Or((Text("a"), Text("b")))), Text("c")))
    assert parse("--a") == Not(Not(Text("a")))
    assert parse("multi-az") == Text("multi-az")  # a dash inside a word is the word's


def test_deck_and_tag_with_quotes_and_wildcards():
    assert parse('deck:"Practice Exam*"') == DeckIs("Practice Exam*")
    assert parse("deck:Networking") == DeckIs("Networking")
    assert parse("-deck:a*") == Not(DeckIs("a*"))
    assert parse("tag:vpc") == Tag("vpc")
    assert parse("DECK:x") == DeckIs("x")


def test_domain_kind_is_flag():
    assert parse("domain:secure") == Domain("secure")
    assert parse("domain:Cloud_Concepts") == Domain("cloud-concepts")
    assert parse("domain:none") == Domain(None)
    for name in ("basic", "reverse", "cloze", "choice", "multi", "order", "numeric",
                 "scenario"):
        assert parse(f"kind:{name}") == Kind(name)
    assert parse("kind:ordering") == Kind("order")
    for state in ("new", "learning", "review", "due", "suspended", "buried", "leech",
                  "retired", "flagged"):
        assert parse(f"is:{state}") == Is(state)
    assert parse("flag:2") == Flag(2)
    assert parse("flag:red") == Flag(1)
    assert parse("flag:none") == Flag(0)


def test_rated():
    assert parse("rated:7") == Rated(7)
    assert parse("rated:1:again") == Rated(1, 1)
    assert parse("rated:30:4") == Rated(30, 4)


def test_prop():
    assert parse("prop:ivl>=10") == Prop("ivl", ">=", 10)
    assert parse("prop:r<0.8") == Prop("r", "<", 0.8)
    assert parse("prop:lapses>3") == Prop("lapses", ">", 3)
    assert parse("prop:reps!=0") == Prop("reps", "!=", 0)
    assert parse("prop:d<=5.5") == Prop("d", "<=", 5.5)
    assert parse("prop:s=2") == Prop("s", "=", 2)
    assert parse("prop:interval>1") == Prop("ivl", ">", 1)


@pytest.mark.parametrize(("query", "message"), [
    ("kind:foo", "search: unknown kind 'foo' (known: basic, reverse, cloze, choice, multi, "
                 "order, numeric, scenario)"),
    ("is:sleeping", "search: unknown state is:sleeping (known: new, learning, review, due, "
                    "suspended, buried, leech, retired, flagged)"),
    ("domain:nowhere", "search: unknown domain 'nowhere' (known: none, secure,"),
    ("flag:9", "search: unknown flag flag:9 (known: 0 or none, 1 or red"),
    ("rated:x", "search: rated:x is not a number of days"),
    ("rated:0", "search: rated:0: the days go from 1 (today) to 36500"),
    ("rated:3:meh", "search: rated:3:meh: the rating is 1-4 or again, hard, good, easy"),
    ("prop:ivl", "search: prop:ivl needs a comparison (>= <= != > < =) and a number"),
    ("prop:ivl>ten", "search: prop:ivl>ten: 'ten' is not a number"),
    ("prop:size>1", "search: unknown property prop:size>1 (known: ivl, r, lapses, reps, d, s)"),
    ("prop:r<1.5", "search: prop:r<1.5: retrievability goes from 0 to 1"),
    ("deck:", "search: deck: needs a value, as in deck:Networking"),
    ('"nat', 'search: a quote is not closed: "nat'),
    ('deck:"Practice', 'search: a quote is not closed: deck:"Practice'),
    ('""', 'search: empty quotes'),
    ("(a", "search: '(' is not closed: add a ')'"),
    ("a)", "search: ')' without a '(' before it"),
    ("()", "search: empty parentheses"),
    ("a or", "search: 'or' needs a search on each side"),
    ("or a", "search: 'or' needs a search on each side"),
    ("a or or b", "search: 'or' needs a search on each side"),
    ("a -", "search: '-' must come right before what it leaves out"),
    ("- a", "search: '-' must come right before what it leaves out"),
    ("-or a", "search: '-' must come right before what it leaves out"),
])
def test_errors_name_what_is_wrong(query, message):
    with pytest.raises(SearchError) as caught:
        parse(query)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_sorts():
    assert parse_sort("due") == "due"
    assert parse_sort("Ease") == "difficulty"
    assert parse_sort("ivl") == "interval"
    with pytest.raises(SearchError, match=r"unknown sort 'size' \(known: due, interval, "
                                          r"difficulty, lapses, reps, deck, created\)"):
        parse_sort("size")
