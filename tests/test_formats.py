"""The question-bank parsers on their own (no database): detection, items, skipped blocks."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studyaws.core import formats
from studyaws.core.decks.model import DeckError
from studyaws.core.formats.common import choose_count, html_to_text, strip_numbering

SAMPLES = Path(__file__).parent / "samples"


def parse_sample(name: str, fmt: str | None = None):
    path = SAMPLES / name
    text = path.read_text(encoding="utf-8")
    fmt = fmt or formats.detect(path, text)
    return formats.parse(fmt, text, str(path))


def by_prompt(result, start: str):
    matches = [i for i in result.deck.items if i.prompt.startswith(start)]
    assert len(matches) == 1, [i.prompt for i in result.deck.items]
    return matches[0]


def reasons(result) -> list[tuple[int, str]]:
    return [(s.line, s.reason) for s in result.skipped]


# -- detection ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    ("bank-tasks.md", "md-tasks"),
    ("bank-numbered.md", "md-numbered"),
    ("notes-anki.txt", "anki"),
    ("plain.csv", "anki"),
    ("semicolons.csv", "anki"),
    ("storage.gift", "gift"),
    ("networking-aiken.txt", "aiken"),
])
def test_detection_by_extension_and_content(name: str, expected: str):
    path = SAMPLES / name
    assert formats.detect(path, path.read_text(encoding="utf-8")) == expected


def test_bundled_decks_and_plain_notes_stay_studyaws_decks():
    bundled = Path(__file__).parent.parent / "decks"
    for path in sorted(bundled.glob("*.md")):
        assert formats.detect(path, path.read_text(encoding="utf-8")) == "markdown", path
    deck = "# VPC\n\n### Which two? {#two}\n\n- [x] a\n- [ ] b\n- [x] c\n"
    assert formats.detect(Path("deck.md"), deck) == "markdown"
    with_ids = "### Which two? (Choose two.) {#two}\n\n- [x] a\n- [ ] b\n- [x] c\n"
    assert formats.detect(Path("deck.md"), with_ids) == "markdown"
    assert formats.detect(Path("bank.md"), with_ids.replace(" {#two}", "")) == "md-tasks"


def test_a_txt_file_of_prose_is_no_format():
    assert formats.detect(Path("notes.txt"), "Just some notes.\nNothing to import.\n") is None
    assert formats.detect(Path("q.txt"), "What?\tThat.\n") == "anki"


# -- Markdown, task lists ----------------------------------------------------------------


def test_task_list_bank_questions_options_and_multi_select():
    result = parse_sample("bank-tasks.md")
    deck = result.deck
    assert deck.title == "Cloud Practitioner practice questions"
    assert [i.kind for i in deck.items] == ["choice"] * 4
    lam = by_prompt(result, "Which AWS service runs code")
    assert lam.payload["options"] == ["Amazon EC2", "AWS Lambda", "Amazon Lightsail",
                                      "AWS Outposts"]
    assert lam.payload["correct"] == [1]
    assert lam.topic == ("Compute",)
    assert lam.line == 13
    # Numbering is not part of the question: adding a question must not move the others.
    assert not lam.prompt.startswith("1.")
    two = by_prompt(result, "Which two pricing models")
    assert two.payload["correct"] == [0, 2]
    assert two.explanation.startswith("Reserved Instances and Savings Plans")
    assert "Back to Top" not in two.explanation
    three = by_prompt(result, "Which components can a VPC hold? (Select THREE)")
    assert three.payload["correct"] == [0, 1, 2]
    assert three.topic == ("Networking",)


def test_task_list_bank_images_and_option_continuations():
    result = parse_sample("bank-tasks.md")
    item = by_prompt(result, "Which service shows this architecture diagram?")
    # A picture stays a reference: the import copies the file (tests/test_images.py).
    assert "![Diagram of an Auto Scaling group behind a load balancer](images/asg.png)" \
        in item.prompt
    assert item.payload["options"][1] == "Amazon EC2 Auto Scaling\nwith its scaling policies"


def test_task_list_bank_skipped_blocks_with_lines_and_reasons():
    assert reasons(parse_sample("bank-tasks.md")) == [
        (5, "table of contents (navigation, not a question)"),
        (46, "no option is marked correct"),
        (54, "the question asks to choose 2 but 1 option is marked correct"),
        (62, "question has 1 option; it needs at least two"),
        (79, "question without '- [ ]' / '- [x]' options"),
    ]


def test_task_list_bank_text_between_options_is_skipped():
    text = "# Bank\n\n- [Q](#q)\n\n### Which? (Choose two.)\n\n- [x] a\n\nstray\n\n- [x] b\n"
    result = formats.parse("md-tasks", text, "bank.md")
    assert result.deck.items == []
    assert reasons(result) == [(5, "text between the options on line 9")]


# -- Markdown, numbered ------------------------------------------------------------------


def test_numbered_bank_answers_letters_and_explanations():
    result = parse_sample("bank-numbered.md")
    assert result.deck.title == "Solutions Architect practice exam"
    items = result.deck.items
    assert len(items) == 3
    multi_az = by_prompt(result, "A company needs a managed relational database")
    assert multi_az.payload["correct"] == [0]
    assert multi_az.topic == ("Databases",)
    # The explanation keeps the link as text; nothing is fetched.
    assert multi_az.explanation == ("Explanation: https://docs.aws.amazon.com/AmazonRDS/"
                                    "latest/UserGuide/Concepts.MultiAZ.html")
    cache = by_prompt(result, "Which TWO services can serve as a cache")
    assert cache.payload["correct"] == [0, 2]  # "correct answer: AC", letters run together
    assert cache.prompt == ("Which TWO services can serve as a cache in front of a database? "
                            "(Choose TWO)\n\nPick the managed ones.")  # <br/> in the stem
    sg = by_prompt(result, "Which resources can a security group")
    assert sg.payload["correct"] == [0, 2]  # "CORRECT ANSWER: A, C"
    assert sg.topic == ("Networking",)


def test_numbered_bank_skipped_blocks():
    assert reasons(parse_sample("bank-numbered.md")) == [
        (27, "no <details> block with the answer"),
        (32, "answer E is not one of the options (A, B, C)"),
        (55, "the question asks to choose 2 but 1 option is marked correct"),
    ]


def test_numbered_bank_unreadable_and_unclosed_answers():
    text = ("1. First?\n    - A. x\n    - B. y\n\n    <details><summary>Answer</summary>\n"
            "    Correct answer: see the docs\n    </details>\n\n"
            "2. Second?\n    - A. x\n    - B. y\n\n    <details><summary>Answer</summary>\n"
            "    Correct answer: B\n")
    result = formats.parse("md-numbered", text, "bank.md")
    assert reasons(result) == [
        (1, "cannot read the correct answer 'see the docs'"),
        (9, "<details> block is never closed with </details>"),
    ]


# -- Anki text ---------------------------------------------------------------------------


def test_anki_notes_with_headers_guid_deck_and_notetype_columns():
    result = parse_sample("notes-anki.txt")
    deck = result.deck
    assert deck.title == "AWS > SAA"  # the decks' common part
    kinds = [(i.kind, i.stable_id) for i in deck.items]
    assert kinds == [
        ("basic", "aws-vpc-001"),
        ("reverse", "aws-vpc-002"), ("reverse", "aws-vpc-002"),
        ("cloze", "aws-db-001"), ("cloze", "aws-db-001"),
        ("basic", "aws-db-002"), ("basic", "aws-db-003"), ("basic", "aws-s3-001"),
    ]
    assert [i.key for i in deck.items][:3] == ["id:aws-vpc-001", "id:aws-vpc-002#fwd",
                                               "id:aws-vpc-002#rev"]
    nat = deck.items[0]
    assert nat.topic == ("Networking",)
    # #html:true: tags stripped, a <br> kept as a line break (a Markdown hard break).
    assert nat.answer == ("Start outbound connections to the internet  \n"
                          "while staying unreachable from it.")
    engines = by_prompt(result, "Which engines does RDS support?")
    assert engines.answer == "- MySQL, MariaDB, PostgreSQL  \n- Oracle & SQL Server"
    quoted = by_prompt(result, 'A field with a "quoted" word')
    assert quoted.prompt == 'A field with a "quoted" word  \nand a second line'
    assert quoted.line == 11
    image = by_prompt(result, "What does this diagram show?")
    assert image.prompt == "What does this diagram show? ![S3 lifecycle rules](lifecycle.png)"
    cloze = deck.items[3]
    assert cloze.sides()[0] == "Aurora keeps [...] copies of your data in three Availability Zones."
    assert cloze.explanation == "Two copies per AZ."


def test_anki_skipped_rows():
    assert reasons(parse_sample("notes-anki.txt")) == [
        (14, "note with an empty back"),
        (15, "cloze note has no {{c1::...}} deletion"),
        (16, "guid 'aws-vpc-001' already used on line 7"),
    ]


def test_csv_with_a_header_row_and_quoted_commas():
    result = parse_sample("plain.csv")
    assert [(i.prompt, i.answer) for i in result.deck.items] == [
        ("What is the maximum size of one S3 object?", "5 TB"),
        ("Which service queries S3 with SQL, without servers?", "Amazon Athena"),
        ('What does "IAM" stand for?', "Identity and Access Management"),
    ]
    assert reasons(result) == [(1, "column names, not a note"),
                               (4, "only one field; a note needs a front and a back")]


def test_semicolon_separator_header():
    result = parse_sample("semicolons.csv")
    assert [(i.line, i.answer) for i in result.deck.items] == [(3, "7 days"),
                                                               (4, "An S3 bucket")]
    assert result.skipped == []


def test_anki_html_false_keeps_tags_as_typed():
    text = "#separator:tab\n#html:false\nWhat is <b>bold</b>?\tIt stays <b>as typed</b>\n"
    (item,) = formats.parse("anki", text, "n.txt").deck.items
    assert item.answer == "It stays <b>as typed</b>"


# -- GIFT --------------------------------------------------------------------------------


def test_gift_question_types():
    result = parse_sample("storage.gift")
    items = result.deck.items
    assert len(items) == 11
    archive = by_prompt(result, "Which storage class suits archives")
    assert archive.kind == "choice"
    assert archive.payload["correct"] == [0]
    assert archive.topic == ("AWS", "Storage")  # $CATEGORY without $course$ and top
    assert archive.explanation.startswith("Deep Archive has the lowest storage price")
    assert "- S3 Glacier Deep Archive: The cheapest class; restores take hours." in \
        archive.explanation
    true = by_prompt(result, "Amazon S3 bucket names are unique")
    assert (true.payload["options"], true.payload["correct"]) == (["True", "False"], [0])
    assert true.explanation == "Right: one namespace for everyone."
    false = by_prompt(result, "An EBS volume can be attached")
    assert false.payload["correct"] == [1]
    days = by_prompt(result, "How many days at most")
    assert (days.kind, days.payload["answer"], days.payload["tolerance"]) == ("numeric", 35, 0)
    ranged = by_prompt(result, "Roughly how many milliseconds")
    assert (ranged.payload["answer"], ranged.payload["tolerance"]) == (150, 50)
    multi = by_prompt(result, "Which two services store files")
    assert multi.payload["correct"] == [0, 1]  # positive weights
    short = by_prompt(result, "What does the S3 in Amazon S3 stand for?")
    assert short.kind == "basic"
    assert short.answer == "Simple Storage Service\n\nAlso accepted: simple storage service"
    blank = by_prompt(result, "Aurora keeps _____ copies")
    assert (blank.kind, blank.answer, blank.topic) == ("basic", "six", ("AWS", "Databases"))
    html = by_prompt(result, "Which service caches DynamoDB reads?")
    assert html.payload["options"][0] == "DAX"


def test_gift_escapes():
    item = by_prompt(parse_sample("storage.gift"), "Which object key holds")
    assert item.prompt == "Which object key holds a literal brace pair {} and an equals sign =?"
    assert item.payload["options"] == ["logs/{2024}/a=b.log", "logs/2024/ab.log",
                                       "logs/2024/a:b.log"]


def test_gift_skipped_blocks():
    assert reasons(parse_sample("storage.gift")) == [
        (38, "matching question: not supported"),
        (44, "essay question (empty {}): no answer to check"),
        (46, "'{' is never closed with '}'"),
        (50, "no option is marked correct"),
    ]


def test_gift_numeric_with_several_answers_and_bad_numbers():
    text = ("Pick a gp3 baseline IOPS. {#=%50%2000 =3000:0 #Baseline is 3000.}\n\n"
            "Bad number. {#lots}\n\nA description with no answers at all.\n")
    result = formats.parse("gift", text, "q.gift")
    (item,) = result.deck.items
    assert (item.payload["answer"], item.explanation) == (3000, "Baseline is 3000.")
    assert reasons(result) == [(3, "numeric answer is not a number: 'lots'"),
                               (5, "no answer block {...}: a description, not a question")]


# -- Aiken -------------------------------------------------------------------------------


def test_aiken_questions_and_skipped():
    result = parse_sample("networking-aiken.txt")
    items = result.deck.items
    assert [i.payload["correct"] for i in items] == [[0], [1], [0, 1], [0]]
    assert items[1].payload["options"] == ["Allow rules", "Deny rules",
                                           "Rules that reference security groups"]
    assert reasons(result) == [(14, "answer E is not one of the options (A, B)"),
                               (25, "no 'ANSWER:' line after the options")]


# -- shared helpers ----------------------------------------------------------------------


def test_helpers():
    assert choose_count("Which ones? (Choose two.)") == 2
    assert choose_count("Which ones? (Select THREE)") == 3
    assert choose_count("Which ones? (choose 4)") == 4
    assert choose_count("Which one?") is None
    assert strip_numbering("12. Which one?") == "Which one?"
    assert strip_numbering("Question 7: Which one?") == "Which one?"
    assert strip_numbering("3 AZs hold copies?") == "3 AZs hold copies?"
    assert html_to_text('<p>a<br>b</p><script>alert("x")</script><img src="i.png">') == \
        "a\nb\n![](i.png)"


def test_card_text_with_markup_and_control_characters_is_kept_as_data():
    text = "#separator:tab\nWhat does [red]x[/] do?\tShows \x1b[31mred\x1b[0m [/]\n"
    result = formats.parse("anki", text, "n.txt")
    (item,) = result.deck.items
    assert item.prompt == "What does [red]x[/] do?"
    assert "\x1b" not in item.answer and item.answer.endswith("[/]")


# -- robustness --------------------------------------------------------------------------

_BANK_TEXT = st.lists(
    st.sampled_from(list("abcAB \n\t,;\"'{}=~#%:.-*[]x()<>/\\|$0123") +
                    ["- [x] ", "- [ ] ", "### ", "1. ", "ANSWER: ", "{T}", "<br>",
                     "<details>", "</details>", "Correct answer: ", "#separator:", "{{c1::",
                     "}}", "::", "$CATEGORY: ", "->", "A. ", "\n\n"]),
    max_size=120,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=_BANK_TEXT, name=st.sampled_from([n for n in formats.FORMATS if n != "markdown"]))
def test_parsers_never_crash(text: str, name: str):
    """Every reader gives items and skipped blocks, or refuses the whole file with problems
    that name its lines (an unclosed quote, a file over a cap); nothing else."""
    try:
        result = formats.parse(name, text, "fuzz.txt")
    except DeckError as error:
        assert error.problems
        assert all(p.path == "fuzz.txt" and p.line >= 0 and p.message for p in error.problems)
        return
    for skipped in result.skipped:
        assert skipped.reason and skipped.line >= 0
    for item in result.deck.items:
        assert item.key
        if item.kind == "choice":
            assert item.payload["correct"]
            assert len(item.payload["options"]) >= 2
