"""The deck parser and loader against docs/deck-format.md: every form, every error, with lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from studyaws.core.decks.loader import (
    MAX_DECK_BYTES,
    collect_deck_files,
    load_decks,
    read_deck_file,
)
from studyaws.core.decks.model import DeckError, Item, ParsedDeck
from studyaws.core.decks.parser import parse_deck

PATH = "deck.md"


def parse(text: str, path: str = PATH) -> ParsedDeck:
    return parse_deck(text, path)


def items(text: str) -> list[Item]:
    return parse(text).items


def errors(text: str, path: str = PATH) -> list[tuple[int, str]]:
    with pytest.raises(DeckError) as info:
        parse_deck(text, path)
    return [(p.line, p.message) for p in info.value.problems]


def only(text: str) -> Item:
    found = items(text)
    assert len(found) == 1, [(i.kind, i.prompt) for i in found]
    return found[0]


# -- deck title, domain and tags ------------------------------------------------------


def test_title_from_front_matter_wins_over_heading():
    deck = parse("---\ntitle: RDS backups and snapshots\n---\n# Heading title\n\nQ: a\nA: b\n")
    assert deck.title == "RDS backups and snapshots"


def test_title_from_first_h1_heading():
    deck = parse("## Not level one\n\n# First top heading\n\n# Second top heading\n\nQ: a\nA: b\n")
    assert deck.title == "First top heading"


def test_title_from_file_name_when_no_front_matter_title_or_h1():
    deck = parse("## Only a sub heading\n\nQ: a\nA: b\n", "some/dir/rds-backups.md")
    assert deck.title == "rds-backups"
    assert deck.path == "some/dir/rds-backups.md"


def test_front_matter_domain_and_comma_tags():
    deck = parse("---\ntitle: T\ndomain: resilient\ntags: rds, backups\n---\nQ: a\nA: b\n")
    assert deck.domains == {"saa-c03": "resilient"}
    assert deck.tags == ("rds", "backups")


def test_front_matter_list_tags_and_domain_spelling_is_normalized():
    deck = parse("---\ndomain: High Performing\ntags: [rds, backups, aurora]\n---\nQ: a\nA: b\n")
    assert deck.domains == {"saa-c03": "high-performing"}
    assert deck.tags == ("rds", "backups", "aurora")


def test_clf_domain_slugs_are_known():
    for slug in ("cloud-concepts", "security-compliance", "technology-services", "billing-support"):
        assert parse(f"---\ndomain: {slug}\n---\nQ: a\nA: b\n").domains == {"clf-c02": slug}


def test_no_front_matter_means_no_domain_and_no_tags():
    deck = parse("Q: a\nA: b\n")
    assert (deck.domains, deck.tags) == ({}, ())
    assert deck.items[0].domains == {}


def test_dashes_later_in_the_file_are_not_front_matter():
    deck = parse("Q: a\nA: b\n\n---\ntitle: nope\n---\n", "plain.md")
    assert deck.title == "plain"
    assert [i.prompt for i in deck.items] == ["a"]


def test_deck_domain_applies_to_every_question_without_its_own():
    deck = parse(
        "---\ndomain: resilient\n---\n"
        "Q: first\nA: one\n\n"
        "Q: second\nA: two\n\n> because\n> domain: secure\n\n"
        "front :: back\n"
    )
    assert [(i.prompt, i.domains) for i in deck.items] == [
        ("first", {"saa-c03": "resilient"}),
        ("second", {"saa-c03": "secure"}),
        ("front", {"saa-c03": "resilient"}),
    ]


def test_a_domain_can_name_each_exam_and_a_question_overrides_the_deck_per_exam():
    deck = parse(
        "---\ndomain: saa-c03: resilient, clf-c02: technology\n---\n"
        "Q: first\nA: one\n\n"
        "Q: second\nA: two\n\n> because\n> domain: clf-c02: billing\n\n"
        "Q: third\nA: three\n\n> because\n> domain: SAA-C03: Cost, CLF-C02: Security\n"
    )
    assert deck.domains == {"saa-c03": "resilient", "clf-c02": "technology-services"}
    assert [i.domains for i in deck.items] == [
        {"saa-c03": "resilient", "clf-c02": "technology-services"},
        {"saa-c03": "resilient", "clf-c02": "billing-support"},
        {"saa-c03": "cost-optimized", "clf-c02": "security-compliance"},
    ]


def test_a_domain_list_with_an_unknown_exam_or_slug_or_two_of_one_exam_is_an_error():
    assert errors("Q: a\nA: b\n\n> Why.\n> domain: dva-c02: develop\n") == [
        (5, "unknown exam 'dva-c02' in domain (known: saa-c03, clf-c02)")]
    assert errors("Q: a\nA: b\n\n> Why.\n> domain: clf-c02: resilient\n") == [
        (5, "unknown clf-c02 domain 'resilient' (known: cloud-concepts, security-compliance, "
            "technology-services, billing-support)")]
    assert errors("Q: a\nA: b\n\n> Why.\n> domain: secure, resilient\n") == [
        (5, "two saa-c03 domains: secure and resilient")]


# -- topics and notes --------------------------------------------------------------------


def test_headings_give_topic_paths():
    deck = parse(
        "# RDS\n\nQ: q1\nA: a1\n\n## Automated backups\n\nQ: q2\nA: a2\n\n"
        "### Retention\n\nQ: q3\nA: a3\n\n## Snapshots\n\nQ: q4\nA: a4\n\n# Aurora\n\nQ: q5\nA: a5\n"
    )
    assert [(i.prompt, i.topic_path) for i in deck.items] == [
        ("q1", "RDS"),
        ("q2", "RDS > Automated backups"),
        ("q3", "RDS > Automated backups > Retention"),
        ("q4", "RDS > Snapshots"),
        ("q5", "Aurora"),
    ]
    assert deck.items[2].topic == ("RDS", "Automated backups", "Retention")


def test_heading_used_as_a_question_stem_is_not_a_topic():
    deck = parse(
        "# NAT\n\n### Which two are true? {#natgw-two}\n\n- [x] Scales\n- [ ] Bastion\n- [x] No SGs\n\n"
        "Q: after the stem\nA: still NAT\n"
    )
    assert [(i.kind, i.topic_path) for i in deck.items] == [("choice", "NAT"), ("basic", "NAT")]


def test_notes_are_the_context_of_cards_in_their_own_section_only():
    deck = parse(
        "# RDS\n\nRDS intro prose.\n\n## Automated backups\n\n"
        "Automated backups take a daily snapshot.\n\n"
        "Q: How long?\nA: 1 to 35 days.\n\n"
        "More prose after the card.\n\n"
        "| engine | max |\n|---|---|\n| mysql | 35 |\n\n"
        "```\nsome code\n```\n\n"
        "## Snapshots\n\nQ: Manual snapshots expire?\nA: Never.\n"
    )
    first, second = deck.items
    assert first.answer == "1 to 35 days."
    assert first.context == (
        "Automated backups take a daily snapshot.\n\n"
        "More prose after the card.\n\n"
        "| engine | max |\n|---|---|\n| mysql | 35 |\n\n"
        "```\nsome code\n```"
    )
    assert second.context == ""


def test_prose_only_file_has_no_items_and_is_no_error():
    deck = parse("# Notes\n\nJust prose with a colon: here.\n\n- a list\n- of notes\n")
    assert deck.items == []
    assert deck.title == "Notes"


def test_prose_lines_before_a_marker_in_one_paragraph_are_notes():
    card = only("Some prose first.\nQ: question\nA: answer\n")
    assert (card.prompt, card.answer, card.line) == ("question", "answer", 2)
    assert card.context == "Some prose first."


# -- basic cards -------------------------------------------------------------------------


def test_basic_card():
    card = only("Q: How long can RDS keep automated backups?\nA: From 1 to 35 days.\n")
    assert card.kind == "basic"
    assert card.prompt == "How long can RDS keep automated backups?"
    assert card.answer == "From 1 to 35 days."
    assert card.line == 1


def test_basic_card_sides_run_over_several_lines():
    card = only("Q: How long can RDS keep\nautomated backups?\nA: From 1 to 35 days\n(0 turns them off).\n")
    assert card.prompt == "How long can RDS keep\nautomated backups?"
    assert card.answer == "From 1 to 35 days\n(0 turns them off)."


def test_consecutive_cards_in_one_paragraph():
    deck = parse("Q: one\nA: 1\nQ: two\nA: 2\nC: a {{c}}\nfront :: back\n")
    assert [(i.kind, *i.sides(), i.line) for i in deck.items] == [
        ("basic", "one", "1", 1),
        ("basic", "two", "2", 3),
        ("cloze", "a [...]", "a **c**", 5),
        ("basic", "front", "back", 6),
    ]


def test_answer_takes_in_following_list_code_and_table_but_not_a_paragraph():
    text = (
        "Q: Which RDS engines support encryption at rest?\n"
        "A: All of them:\n"
        "\n"
        "- MySQL, MariaDB, PostgreSQL\n"
        "- Oracle, SQL Server\n"
        "\n"
        "```sql\n"
        "select 1;\n"
        "```\n"
        "\n"
        "| engine | encrypted |\n"
        "|---|---|\n"
        "| aurora | yes |\n"
        "\n"
        "1. first\n"
        "2. second\n"
        "\n"
        "A plain paragraph is notes again.\n"
    )
    card = only(text)
    assert card.answer == (
        "All of them:\n\n- MySQL, MariaDB, PostgreSQL\n- Oracle, SQL Server\n\n"
        "```sql\nselect 1;\n```\n\n"
        "| engine | encrypted |\n|---|---|\n| aurora | yes |\n\n"
        "1. first\n2. second"
    )
    assert card.context == "A plain paragraph is notes again."


def test_answer_continuation_stops_at_a_paragraph_before_a_list():
    card = only("Q: q\nA: a\n\nA paragraph.\n\n- a list of notes\n")
    assert card.answer == "a"
    assert card.context == "A paragraph.\n\n- a list of notes"


def test_a_side_ends_at_a_heading():
    deck = parse("Q: q\nA: answer\n# Next topic\n\nQ: q2\nA: a2\n")
    assert [(i.answer, i.topic_path) for i in deck.items] == [("answer", ""), ("a2", "Next topic")]
    assert deck.title == "Next topic"


def test_basic_card_explanation_blockquote():
    card = only("Q: q\nA: a\n\n> Because of this.\n> And that.\n")
    assert card.explanation == "Because of this.\nAnd that."
    assert card.context == ""


def test_explanation_after_an_answer_continuation():
    card = only("Q: q\nA: a:\n\n- one\n- two\n\n> Why.\n")
    assert (card.answer, card.explanation) == ("a:\n\n- one\n- two", "Why.")


def test_blockquote_not_after_a_question_is_notes():
    deck = parse("Prose.\n\n> A quote in the notes.\n\nQ: q\nA: a\n")
    assert deck.items[0].explanation == ""
    assert deck.items[0].context == "Prose.\n\n> A quote in the notes."


# -- one-line cards ----------------------------------------------------------------------


def test_double_colon_makes_one_basic_card():
    card = only("Multi-AZ replication :: synchronous\n")
    assert (card.kind, card.prompt, card.answer, card.sibling) == (
        "basic", "Multi-AZ replication", "synchronous", "")


def test_triple_colon_makes_two_reverse_siblings():
    fwd, rev = items("# Replication\n\nRead replica replication ::: asynchronous\n")
    assert (fwd.kind, fwd.prompt, fwd.answer, fwd.payload) == (
        "reverse", "Read replica replication", "asynchronous", {"direction": "forward"})
    assert (rev.kind, rev.prompt, rev.answer, rev.payload) == (
        "reverse", "asynchronous", "Read replica replication", {"direction": "backward"})
    assert fwd.sibling == rev.sibling != ""
    assert fwd.line == rev.line == 3
    assert fwd.key == "reverse:read replica replication#fwd"
    assert rev.key == "reverse:read replica replication#rev"


def test_separator_needs_a_space_on_each_side():
    deck = parse("std::vector is a C++ type.\n\na ::b\n\na:: b\n")
    assert deck.items == []


def test_double_colon_without_spaces_in_front_is_not_the_separator():
    card = only("std::vector :: a C++ container\n")
    assert (card.prompt, card.answer) == ("std::vector", "a C++ container")


def test_double_colon_inside_a_cloze_deletion_is_not_a_separator():
    deck = parse("Uses {{c1::Aurora :: engine}} storage.\n")
    assert deck.items == []
    card = only("The {{c1::Aurora :: engine}} store :: six copies\n")
    assert (card.prompt, card.answer) == ("The {{c1::Aurora :: engine}} store", "six copies")


def test_double_colon_inside_inline_code_is_not_a_separator():
    assert parse("Run `a :: b` in a shell.\n").items == []
    card = only("`Foo :: bar` in C++ :: a scoped name\n")
    assert (card.prompt, card.answer) == ("`Foo :: bar` in C++", "a scoped name")


def test_cloze_marker_line_is_never_a_one_line_card():
    card = only("C: {{c1::Aurora}} keeps data :: six copies\n")
    assert card.kind == "cloze"
    assert card.sides()[0] == "[...] keeps data :: six copies"


# -- cloze -------------------------------------------------------------------------------


def test_unnumbered_cloze_makes_one_card_per_deletion():
    deck = parse(
        "C: Automated backups are kept for {{1 to 35}} days and restore to a new {{DB instance}}.\n"
    )
    first, second = deck.items
    assert first.sides() == (
        "Automated backups are kept for [...] days and restore to a new DB instance.",
        "Automated backups are kept for **1 to 35** days and restore to a new DB instance.")
    assert second.sides() == (
        "Automated backups are kept for 1 to 35 days and restore to a new [...].",
        "Automated backups are kept for 1 to 35 days and restore to a new **DB instance**.")
    assert [i.payload["group"] for i in deck.items] == [1, 2]
    assert first.sibling == second.sibling != ""
    assert {i.kind for i in deck.items} == {"cloze"}


def test_numbered_cloze_hides_same_number_together_with_hint():
    deck = parse(
        "C: {{c1::Aurora}} keeps {{c2::six}} copies of your data, "
        "{{c2::two::a number}} in each of three AZs.\n"
    )
    assert [(i.payload["group"], *i.sides()) for i in deck.items] == [
        (1, "[...] keeps six copies of your data, two in each of three AZs.",
         "**Aurora** keeps six copies of your data, two in each of three AZs."),
        (2, "Aurora keeps [...] copies of your data, [a number] in each of three AZs.",
         "Aurora keeps **six** copies of your data, **two** in each of three AZs."),
    ]
    assert [i.key for i in deck.items] == [
        "cloze:{{c1::aurora}} keeps {{c2::six}} copies of your data, "
        "{{c2::two::a number}} in each of three azs.#c1",
        "cloze:{{c1::aurora}} keeps {{c2::six}} copies of your data, "
        "{{c2::two::a number}} in each of three azs.#c2",
    ]


def test_unnumbered_deletions_come_after_the_highest_number():
    deck = parse("C: {{c2::b}} then {{x}} then {{c1::a}}\n")
    assert [i.payload["group"] for i in deck.items] == [1, 2, 3]
    assert deck.items[2].sides()[0] == "b then [...] then a"


def test_multi_line_cloze():
    deck = parse("C: first line {{one}}\nsecond line {{two}}\n")
    assert [i.sides()[0] for i in deck.items] == [
        "first line [...]\nsecond line two",
        "first line one\nsecond line [...]",
    ]
    assert deck.items[0].line == 1


# -- choice ------------------------------------------------------------------------------


CHOICE = """\
A company must restore its RDS database to the state it had 10 minutes ago. Automated
backups are on with a 7-day retention. What happens? {#rds-pitr-new-instance}

- [ ] The existing instance is rolled back in place.
- [x] A new DB instance with a new endpoint is created.
- [ ] A read replica is promoted.
- [ ] It is not possible: restores are only from manual snapshots.

> A point-in-time restore always creates a new DB instance with a new endpoint; point
> the application at it. Nothing is rolled back in place.
> domain: resilient
"""


def test_single_choice_with_paragraph_stem_explanation_and_domain():
    card = only(CHOICE)
    stem = ("A company must restore its RDS database to the state it had 10 minutes ago. Automated\n"
            "backups are on with a 7-day retention. What happens?")
    explanation = ("A point-in-time restore always creates a new DB instance with a new endpoint; point\n"
                   "the application at it. Nothing is rolled back in place.")
    assert card.kind == "choice"
    assert card.line == 1
    assert card.prompt == stem
    assert card.stable_id == "rds-pitr-new-instance"
    assert card.key == "id:rds-pitr-new-instance"
    assert card.domains == {"saa-c03": "resilient"}
    assert card.explanation == explanation
    assert card.payload == {
        "type": "choice",
        "stem": stem,
        "options": [
            "The existing instance is rolled back in place.",
            "A new DB instance with a new endpoint is created.",
            "A read replica is promoted.",
            "It is not possible: restores are only from manual snapshots.",
        ],
        "correct": [1],
        "explanation": explanation,
    }
    assert card.answer.splitlines()[1] == "- [x] A new DB instance with a new endpoint is created."


def test_multi_choice_with_heading_stem():
    card = only(
        "# NAT\n\n### Which two statements about NAT gateways are true? {#natgw-two}\n\n"
        "- [x] They scale automatically.\n"
        "- [ ] They must have source/destination check disabled.\n"
        "- [X] They are not associated with security groups.\n"
        "- [ ] They can be used as a bastion host.\n"
    )
    assert card.kind == "choice"
    assert card.line == 3
    assert card.prompt == "Which two statements about NAT gateways are true?"
    assert card.stable_id == "natgw-two"
    assert card.payload["correct"] == [0, 2]
    assert len(card.payload["options"]) == 4
    assert card.explanation == ""


def test_choice_stem_directly_followed_by_task_list():
    card = only("Pick one:\n- [ ] no\n- [x] yes\n")
    assert (card.prompt, card.payload["options"], card.payload["correct"]) == (
        "Pick one:", ["no", "yes"], [1])


# -- ordering ----------------------------------------------------------------------------


def test_ordering_question():
    card = only(
        "Order: Put the path of an inbound packet in order.\n"
        "1. Internet gateway\n2. Route table\n3. Network ACL\n4. Security group\n5. Instance\n"
        "\n> Outside in.\n"
    )
    items_in_order = ["Internet gateway", "Route table", "Network ACL", "Security group", "Instance"]
    assert card.kind == "ordering"
    assert card.prompt == "Put the path of an inbound packet in order."
    assert card.payload["items"] == items_in_order
    assert card.answer == "\n".join(f"{n}. {t}" for n, t in enumerate(items_in_order, start=1))
    assert card.explanation == "Outside in."
    assert card.payload["explanation"] == "Outside in."


def test_ordering_with_id_after_blank_line():
    card = only("Order: Steps {#steps}\n\n1. one\n2. two\n")
    assert (card.stable_id, card.key, card.payload["items"]) == ("steps", "id:steps", ["one", "two"])


# -- numeric -----------------------------------------------------------------------------


def test_numeric_exact():
    card = only("Q: What is the maximum retention, in days?\nA: = 35\n")
    assert card.kind == "numeric"
    assert card.answer == "35"
    assert card.payload == {
        "type": "numeric", "stem": "What is the maximum retention, in days?", "answer": 35.0,
        "tolerance": 0.0, "explanation": "", "unit": "",
    }


def test_numeric_with_tolerance_and_unit():
    card = only("Q: How far behind now?\nA: = 5 +- 1 minutes\n")
    assert (card.payload["answer"], card.payload["tolerance"], card.payload["unit"]) == (5.0, 1.0, "minutes")
    assert card.answer == "5 ± 1 minutes"


@pytest.mark.parametrize(
    ("answer", "value", "tolerance", "unit"),
    [("= 0.5 ± 0.25", 0.5, 0.25, ""), ("= 1,000 GB", 1000.0, 0.0, "GB"), ("= -3 +/- 2", -3.0, 2.0, "")],
)
def test_numeric_spellings(answer, value, tolerance, unit):
    card = only(f"Q: q\nA: {answer}\n")
    assert (card.payload["answer"], card.payload["tolerance"], card.payload["unit"]) == (value, tolerance, unit)


def test_numeric_explanation_reaches_payload():
    card = only("Q: q\nA: = 7\n\n> Seven.\n> domain: cost-optimized\n")
    assert (card.explanation, card.payload["explanation"], card.domains) == ("Seven.", "Seven.", {"saa-c03": "cost-optimized"})


# -- scenario ----------------------------------------------------------------------------


def test_scenario_block_with_params_and_explanation():
    card = only(
        "# Network ACLs\n\n```scenario nacl\ndirection: inbound\nrules: 4-6\n```\n\n"
        "> Rules are evaluated lowest number first.\n> domain: secure\n"
    )
    assert card.kind == "scenario"
    assert card.line == 3
    assert card.payload == {"kind": "nacl", "params": {"direction": "inbound", "rules": "4-6"}}
    assert card.prompt.startswith("Generated scenario: ")
    assert card.explanation == "Rules are evaluated lowest number first."
    assert card.domains == {"saa-c03": "secure"}
    assert card.key == "scenario:nacl(direction=inbound,rules=4-6)"


def test_scenario_without_params_and_with_id():
    assert only("```scenario nacl\n```\n").payload == {"kind": "nacl", "params": {}}
    card = only("```scenario nacl\nid: nacl-basic\nrules: 3\n```\n")
    assert (card.stable_id, card.key, card.payload["params"]) == ("nacl-basic", "id:nacl-basic", {"rules": "3"})


def test_an_unclosed_scenario_fence_still_checks_its_last_line():
    assert errors("```scenario nacl\nrules: 99") == [
        (2, "rules must be a number or range within 3-8 (got '99')")]
    card = only("```scenario nacl\nrules: 4\ndirection: inbound")
    assert card.payload["params"] == {"rules": "4", "direction": "inbound"}


# -- stable ids and keys -----------------------------------------------------------------


def test_stable_ids_on_every_form():
    deck = parse(
        "Q: basic question {#b1}\nA: answer\n\n"
        "front :: back {#one-line}\n\n"
        "left ::: right {#rev.pair}\n\n"
        "C: {{one}} and {{two}} {#cl_1}\n\n"
        "Stem? {#ch}\n\n- [x] y\n- [ ] n\n\n"
        "## Heading stem {#hs}\n\n- [x] y\n- [ ] n\n\n"
        "Order: order {#ord}\n1. a\n2. b\n\n"
        "Q: numeric {#num}\nA: = 3\n\n"
        "```scenario nacl\nid: scen\n```\n"
    )
    assert [(i.kind, i.stable_id, i.key) for i in deck.items] == [
        ("basic", "b1", "id:b1"),
        ("basic", "one-line", "id:one-line"),
        ("reverse", "rev.pair", "id:rev.pair#fwd"),
        ("reverse", "rev.pair", "id:rev.pair#rev"),
        ("cloze", "cl_1", "id:cl_1#c1"),
        ("cloze", "cl_1", "id:cl_1#c2"),
        ("choice", "ch", "id:ch"),
        ("choice", "hs", "id:hs"),
        ("ordering", "ord", "id:ord"),
        ("numeric", "num", "id:num"),
        ("scenario", "scen", "id:scen"),
    ]
    # The id is not part of the text shown.
    assert [i.prompt for i in deck.items[:4]] == ["basic question", "front", "left", "right"]
    assert deck.items[1].answer == "back"
    assert deck.items[4].sides()[0] == "[...] and two"


def test_keys_without_ids_are_kind_and_normalized_prompt_and_unique():
    deck = parse("Q: Same   PROMPT\nA: one\n\nQ: same prompt\nA: two\n\nQ: other\nA: = 1\n")
    assert [i.key for i in deck.items] == [
        "basic:same prompt", "basic:same prompt~2", "numeric:other"]


def test_bad_id_characters_are_an_error():
    assert errors("Q: q {#has space}\nA: a\n") == [
        (1, "a {#id} may hold only letters, digits, '-', '_' and '.'")]


# -- errors, each with its line ----------------------------------------------------------


def test_q_without_a():
    assert errors("# T\n\nQ: lonely question\n") == [(3, "'Q:' without an 'A:'")]


def test_q_followed_by_q_reports_the_first():
    assert errors("Q: first\nQ: second\nA: answer\n") == [(1, "'Q:' without an 'A:'")]


def test_q_and_a_split_by_a_blank_line_are_both_errors():
    assert errors("Q: question\n\nA: answer\n") == [
        (1, "'Q:' without an 'A:'"), (3, "'A:' without a 'Q:' before it")]


def test_a_without_q():
    assert errors("Prose.\n\nA: an answer alone\n") == [(3, "'A:' without a 'Q:' before it")]


def test_empty_answer():
    assert errors("Q: q\nA:\n") == [(2, "'A:' has no answer text")]


def test_task_list_without_correct_option():
    assert errors("Stem?\n\n- [ ] a\n- [ ] b\n") == [(3, "task list has no correct option '- [x]'")]


def test_task_list_mixed_with_plain_items():
    assert errors("Stem?\n\n- [x] a\n- [ ] b\n- plain item\n") == [
        (5, "task list mixes '- [ ]' options with plain list items")]


def test_task_list_without_stem():
    assert errors("- [x] a\n- [ ] b\n") == [(1, "task list without a question stem before it")]
    # A task list is not an answer continuation: it needs its own stem.
    assert errors("Q: q\nA: a\n\n- [x] a\n- [ ] b\n") == [
        (4, "task list without a question stem before it")]


def test_order_without_numbered_list():
    assert errors("Order: nothing follows\n\nJust prose.\n") == [
        (1, "'Order:' must be followed by a numbered list")]
    assert errors("Order: a bullet list\n\n- a\n- b\n") == [
        (1, "'Order:' must be followed by a numbered list")]
    assert errors("Order: at the end") == [(1, "'Order:' must be followed by a numbered list")]


def test_order_with_fewer_than_two_items():
    assert errors("# H\n\nOrder: one item\n1. only\n") == [
        (4, "an ordering list needs at least two items")]


def test_order_not_last_in_its_paragraph():
    assert errors("Order: stem\nQ: q\nA: a\n") == [(1, "'Order:' must be followed by a numbered list")]


def test_unclosed_cloze():
    assert errors("# H\n\nC: unclosed {{ here\n") == [(3, "unclosed '{{' in cloze")]


def test_unclosed_cloze_on_a_later_line_of_the_card():
    assert errors("C: first {{ok}} line\nsecond {{ unclosed\n") == [(2, "unclosed '{{' in cloze")]


def test_unclosed_cloze_line_when_the_marker_line_is_empty():
    assert errors("C:\nfirst {{ open\n") == [(2, "unclosed '{{' in cloze")]
    assert errors("# H\nC:\nline {{a}}\nnext {{ bad\n") == [(4, "unclosed '{{' in cloze")]
    assert errors("C:\n{{}} empty\n") == [(2, "empty cloze deletion '{{}}'")]


def test_nested_cloze_opening_is_unclosed():
    assert errors("C: {{a {{b}}\n") == [(1, "unclosed '{{' in cloze")]


def test_empty_cloze_deletion():
    assert errors("C: empty {{}} here\n") == [(1, "empty cloze deletion '{{}}'")]
    assert errors("C: empty {{c1::  }} here\n") == [(1, "empty cloze deletion '{{}}'")]


def test_cloze_without_deletion():
    assert errors("\nC: no deletions at all\n") == [(2, "cloze 'C:' has no {{...}} deletion")]


@pytest.mark.parametrize("answer", ["= abc", "= 5 +- x", "= 5 +- -1", "= nan", "= inf", "="])
def test_bad_numeric_answer(answer):
    assert errors(f"Q: q\nA: {answer}\n") == [(2, f"numeric answer is not a number: {answer!r}")]


def test_unknown_scenario_kind():
    from studyaws.core.scenarios import KINDS

    known = ", ".join(sorted(KINDS))
    assert "aurora-quorum, backup-retention" in known and "subnet-routing" in known
    assert errors("# H\n```scenario nosuch\nx: 1\n```\n") == [
        (2, f"unknown scenario kind 'nosuch' (known: {known})")]


def test_scenario_without_kind():
    assert errors("```scenario\n```\n") == [(1, "scenario block needs a kind: ```scenario KIND")]


def test_unknown_scenario_parameter_and_bad_value():
    assert errors("```scenario nacl\ndirection: inbound\ncolour: red\nrules: 99\n```\n") == [
        (3, "unknown parameter 'colour' for scenario nacl (allowed: direction, rules, variant)"),
        (4, "rules must be a number or range within 3-8 (got '99')"),
    ]


def test_scenario_line_not_key_value_and_repeated_parameter():
    assert errors("```scenario nacl\nrules: 4\njust words\nrules: 5\n```\n") == [
        (3, "scenario line is not 'key: value': 'just words'"),
        (4, "scenario parameter 'rules' given twice"),
    ]


def test_duplicate_id():
    assert errors("Q: one {#dup}\nA: a\n\nQ: two {#dup}\nA: b\n") == [
        (4, "duplicate id {#dup} (first used on line 1)")]


def test_duplicate_id_across_forms():
    assert errors("C: {{x}} {#same}\n\n## Stem {#same}\n\n- [x] a\n- [ ] b\n") == [
        (3, "duplicate id {#same} (first used on line 1)")]


KNOWN = ("saa-c03: secure, resilient, high-performing, cost-optimized; clf-c02: cloud-concepts, "
         "security-compliance, technology-services, billing-support")


def test_unknown_domain_in_front_matter():
    assert errors("---\ntitle: T\ndomain: nowhere\n---\nQ: a\nA: b\n") == [
        (3, f"unknown domain 'nowhere' (known: {KNOWN})")]


def test_unknown_domain_in_explanation():
    assert errors("Q: a\nA: b\n\n> Why.\n> domain: bogus\n") == [
        (5, f"unknown domain 'bogus' (known: {KNOWN})")]


def test_unclosed_front_matter():
    assert errors("---\ntitle: never closed\n\nQ: a\nA: b\n") == [
        (1, "front matter opened with '---' is never closed")]


def test_front_matter_line_that_is_not_key_value():
    assert errors("---\ntitle: T\njust words\n---\nQ: a\nA: b\n") == [
        (3, "front matter line is not 'key: value': 'just words'")]


def test_line_numbers_count_the_front_matter():
    assert errors("---\ntitle: T\ntags: a\n---\n\nQ: lonely\n") == [(6, "'Q:' without an 'A:'")]
    card = only("---\ntitle: T\n---\nQ: a\nA: b\n")
    assert card.line == 4


ALL_ERRORS = """\
---
title: Broken
domain: nowhere
---
# H

Q: without answer

A: without question

Stem here

- [ ] a
- [ ] b

Stem two

- [x] a
- [ ] b
- plain

Order: nothing follows

Order: one item
1. only

C: unclosed {{ here

C: no deletions

C: empty {{}} here

Q: num
A: = abc

```scenario nosuch
x: 1
```

```scenario nacl
colour: red
```

Q: one {#dup}
A: a

Q: two {#dup}
A: b

Q: dom
A: d

> domain: bogus
"""


def test_every_error_of_a_file_is_reported_in_one_run_sorted_by_line():
    with pytest.raises(DeckError) as info:
        parse_deck(ALL_ERRORS, "decks/broken.md")
    problems = info.value.problems
    assert [(p.line, p.message.split(" (")[0]) for p in problems] == [
        (3, "unknown domain 'nowhere'"),
        (7, "'Q:' without an 'A:'"),
        (9, "'A:' without a 'Q:' before it"),
        (13, "task list has no correct option '- [x]'"),
        (20, "task list mixes '- [ ]' options with plain list items"),
        (22, "'Order:' must be followed by a numbered list"),
        (25, "an ordering list needs at least two items"),
        (27, "unclosed '{{' in cloze"),
        (29, "cloze 'C:' has no {{...}} deletion"),
        (31, "empty cloze deletion '{{}}'"),
        (34, "numeric answer is not a number: '= abc'"),
        (36, "unknown scenario kind 'nosuch'"),
        (41, "unknown parameter 'colour' for scenario nacl"),
        (47, "duplicate id {#dup}"),
        (53, "unknown domain 'bogus'"),
    ]
    assert {p.path for p in problems} == {"decks/broken.md"}
    lines = str(info.value).splitlines()
    assert len(lines) == 15
    assert lines[1] == "decks/broken.md:7: 'Q:' without an 'A:'"


# -- loader ------------------------------------------------------------------------------


def test_read_utf8_file_with_bom(tmp_path: Path):
    path = tmp_path / "bom.md"
    path.write_bytes("\ufeffQ: café?\nA: oui\n".encode())
    deck_file = read_deck_file(path)
    assert deck_file.text == "Q: café?\nA: oui\n"
    assert len(deck_file.digest) == 64


def test_non_utf8_file_reports_the_line(tmp_path: Path):
    path = tmp_path / "latin1.md"
    path.write_bytes("# Deck\n\nQ: caf\u00e9?\nA: yes\n".encode("latin-1"))
    with pytest.raises(DeckError) as info:
        read_deck_file(path)
    assert str(info.value) == f"{path}:3: not UTF-8 text"


def test_binary_file(tmp_path: Path):
    path = tmp_path / "image.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(DeckError) as info:
        read_deck_file(path)
    assert str(info.value) == f"{path}: binary file, not a Markdown deck"


def test_file_over_the_size_limit(tmp_path: Path):
    path = tmp_path / "huge.md"
    path.write_bytes(b"Q: a\nA: b\n" * (MAX_DECK_BYTES // 10 + 1))
    assert path.stat().st_size > MAX_DECK_BYTES
    with pytest.raises(DeckError) as info:
        read_deck_file(path)
    (problem,) = info.value.problems
    assert (problem.path, problem.line) == (str(path), 0)
    assert problem.message == f"file is {path.stat().st_size:,} bytes; decks are limited to 5 MB"


def test_missing_path(tmp_path: Path):
    missing = tmp_path / "nope.md"
    with pytest.raises(DeckError) as info:
        load_decks([missing])
    assert str(info.value) == f"{missing}: no such file or folder"


def test_empty_folder(tmp_path: Path):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a deck")
    with pytest.raises(DeckError) as info:
        load_decks([folder])
    assert str(info.value) == f"{folder}: no .md deck files in this folder"


def test_deck_files_sorted_recursive_skipping_readme_and_hidden(write_deck, tmp_path: Path):
    b = write_deck("b", "Q: b\nA: b\n")
    a = write_deck("sub/a", "Q: a\nA: a\n")
    write_deck("README", "# readme\n")
    write_deck(".hidden/c", "Q: c\nA: c\n")
    assert collect_deck_files([tmp_path / "decks"]) == ([b, a], [])


def test_a_file_named_twice_is_found_once(write_deck, tmp_path: Path):
    a = write_deck("a", "Q: a\nA: a\n")
    assert collect_deck_files([tmp_path / "decks", a, a]) == ([a], [])


def test_load_decks_reports_the_problems_of_every_file(write_deck, tmp_path: Path):
    write_deck("good", "Q: fine\nA: yes\n")
    bad1 = write_deck("bad1", "# One\n\nQ: lonely\n")
    bad2 = write_deck("bad2", "C: none\n")
    missing = tmp_path / "missing.md"
    with pytest.raises(DeckError) as info:
        load_decks([tmp_path / "decks", missing])
    assert str(info.value).splitlines() == [
        f"{bad1}:3: 'Q:' without an 'A:'",
        f"{bad2}:1: cloze 'C:' has no {{{{...}}}} deletion",
        f"{missing}: no such file or folder",
    ]


def test_load_decks_returns_parsed_decks(write_deck, tmp_path: Path):
    write_deck("one", "# One\n\nQ: a\nA: b\n")
    write_deck("two", "x :: y\nz ::: w\n")
    loaded = load_decks([tmp_path / "decks"])
    assert [(deck.title, len(deck.items)) for _, deck in loaded] == [("One", 1), ("two", 3)]
    assert loaded[0][0].path == tmp_path / "decks" / "one.md"
