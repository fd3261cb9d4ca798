"""Layout at 80x24, 120x30 and 200x50 in the real app under Pilot: numbers stay on screen
with a 135-character deck title, the footer keeps help and the way out, options wrap under
their text, card text shows its inline Markdown as styles (never as markup), decks sort as
people read them, and sources are said relative to the folder imported."""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path

import pytest
from backends import db_args, open_test_engine
from rich.console import Console
from sqlalchemy import select
from support import START, home_settled
from textual.content import Content

from studyaws.core.clock import FakeClock
from studyaws.core.inline_markdown import lines, spans
from studyaws.services.importer import import_paths
from studyaws.store.engine import reading
from studyaws.store.tables import Card
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.review import ReviewScreen

# The quick loop (`-m "not slow"`) takes 80x24, the size things break at; CI takes them all.
SIZES = [pytest.param(size, id=f"{size[0]}x{size[1]}",
                      marks=() if size == (80, 24) else pytest.mark.slow)
         for size in [(80, 24), (120, 30), (200, 50)]]

LONG_TITLE = ("A deck whose title goes on and on " * 5)[:134] + "Z"
assert len(LONG_TITLE) == 135

CHOICE = """\
Which connects a VPC privately to an on-premises network? {#c1}

- [x] Use **AWS Direct Connect** with a private virtual interface attached to a virtual private gateway, which keeps the traffic off the internet
- [ ] Use an *internet gateway* and a `0.0.0.0/0` route, see <https://docs.aws.amazon.com/vpc/>
- [ ] Use [red]x[/] literally
- [ ] Use a NAT gateway

> Direct Connect gives a **dedicated** link: see [the guide](https://aws.amazon.com/dx/) and `dx`.
>
> - first point
> - second point
> domain: secure
"""
DECK = (f"---\ntitle: {LONG_TITLE}\n---\n\n# Networking\n\n{CHOICE}\n"
        + "\n".join(f"Q: Plain question {n}\nA: Answer {n}\n" for n in range(1, 6)))


def collection(tmp_path: Path, files: dict[str, str], imported: list[str] | None = None):
    """A collection with `files` (name -> text) written under tmp_path/decks and the
    folder (or the `imported` paths below it) imported; returns (engine, clock)."""
    root = tmp_path / "decks"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    engine = open_test_engine(tmp_path / "home" / "studyaws.sqlite3")
    clock = FakeClock(START)
    import_paths(engine, [root / p for p in imported] if imported else [root], clock.now())
    return engine, clock


def screen_lines(app) -> list[str]:
    """The screen as the terminal shows it, line by line (modals over their screen too)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False,
                      safe_box=False)
    console.print(app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens))
    return console.export_text().split("\n")[:height]


def line_with(app, text: str) -> tuple[int, str]:
    for n, line in enumerate(screen_lines(app)):
        if text in line:
            return n, line
    raise AssertionError(f"{text!r} is not on screen:\n" + "\n".join(screen_lines(app)))


async def start_review(pilot) -> ReviewScreen:
    await home_settled(pilot)
    await pilot.press("r")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReviewScreen)
    return screen


# -- numbers on screen, the footer, the header --------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_a_135_character_title_leaves_every_count_on_screen(tmp_path, size):
    width, _ = size
    engine, clock = collection(tmp_path, {"long.md": DECK})
    app = StudyApp(engine, clock)
    async with app.run_test(size=size) as pilot:
        await home_settled(pilot)
        _, header = line_with(app, "Deck")
        assert re.search(r"Deck\s+New\s+Learning\s+Due\s+Cards\s*$", header), header
        _, row = line_with(app, LONG_TITLE[:20])
        assert re.search(r"\s6\s+0\s+0\s+6\s*$", row), row  # new, learning, due, cards
        room = width - 2 - 4 * 10 - 2 - 2  # margins, the counts, padding, a scrollbar
        if room < len(LONG_TITLE):
            assert "…" in row and "Z" not in row
            assert LONG_TITLE[:room - 1] in row  # cut as late as the width allows
        else:
            assert LONG_TITLE in row
        footer = screen_lines(app)[-1]
        assert "? Help" in footer and "q Quit" in footer

        screen = await start_review(pilot)
        header = screen_lines(app)[0]
        assert header.startswith(" " + LONG_TITLE[:16])
        assert header.rstrip().endswith("Networking")  # the topic stays, the title gives way
        assert "…" in header or width >= 135 + 20
        footer = screen_lines(app)[-1]
        assert "? Help" in footer and "esc Home" in footer
        assert screen.view.question is not None  # the choice question comes first


@pytest.mark.parametrize("width", [80, 40])
async def test_the_footer_keeps_help_and_the_way_out_when_narrow(tmp_path, width):
    engine, clock = collection(tmp_path, {"long.md": DECK})
    app = StudyApp(engine, clock)
    async with app.run_test(size=(width, 24)) as pilot:
        await start_review(pilot)
        footer = screen_lines(app)[-1]
        assert "? Help" in footer and "esc Home" in footer, footer
        assert len(footer.rstrip()) <= width


def test_the_footer_drops_the_least_needed_keys_first():
    from studyaws.tui.widgets.footer import fit

    keys = [("space", "Space", "Show answer / Good"), ("u", "u", "Undo"),
            ("s", "s", "Suspend"), ("b", "b", "Bury"), ("e", "e", "Context"),
            ("question_mark", "?", "Help"), ("escape", "esc", "Home")]
    palette = ("^p", "palette")
    assert fit(keys, palette, 120) == (False, True, tuple(range(7)))
    assert fit(keys, palette, 80) == (True, False, tuple(range(7)))
    compact, with_palette, shown = fit(keys, palette, 50)
    assert compact and not with_palette
    assert {5, 6} <= set(shown) and 0 in shown and 4 not in shown  # Context goes first
    assert fit(keys, palette, 5)[2] == (5, 6)  # help and the way out, whatever the width


# -- options: a hanging indent, inline Markdown as styles -----------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_a_long_option_wraps_under_its_text_not_its_number(tmp_path, size):
    engine, clock = collection(tmp_path, {"long.md": DECK})
    app = StudyApp(engine, clock)
    async with app.run_test(size=size) as pilot:
        await start_review(pilot)
        n, first = line_with(app, "Use AWS Direct Connect")
        column = first.index("Use AWS Direct Connect")
        assert re.match(r"\s*\d  \( \) Use AWS", first)
        following = screen_lines(app)[n + 1]
        if size[0] < 150:  # it wraps: its next line starts under its text
            assert len(following) - len(following.lstrip()) == column, following
            assert following.strip().split()[0] in CHOICE
        text = "\n".join(screen_lines(app))
        assert "**" not in text and "`" not in text and "<https" not in text
        assert "Use [red]x[/] literally" in text  # card text, not markup
        assert "Use an internet gateway and a 0.0.0.0/0 route" in text


async def test_options_and_feedback_show_inline_markdown_as_styles(tmp_path):
    from studyaws.tui.widgets.question import OptionsView

    engine, clock = collection(tmp_path, {"long.md": DECK})
    app = StudyApp(engine, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start_review(pilot)
        options = screen.query_one(OptionsView)
        rows = options.visual.rows
        texts = {text.plain: text for _, text in rows}
        direct = next(t for p, t in texts.items() if p.startswith("Use AWS Direct Connect"))
        assert styles_over(direct, "AWS Direct Connect") == {"bold"}
        gateway = next(t for p, t in texts.items() if p.startswith("Use an internet"))
        assert "italic" in styles_over(gateway, "internet gateway")
        assert "$text-accent" in styles_over(gateway, "0.0.0.0/0")
        assert "underline" in styles_over(gateway, "https://docs.aws.amazon.com/vpc/")
        literal = next(t for p, t in texts.items() if "[red]" in p)
        assert literal.plain == "Use [red]x[/] literally" and not literal.spans
        # A wrong pick: the verdict shows at 80x24, above the fold, with the explanation.
        wrong = str(options.order.index(3) + 1)  # "Use a NAT gateway"
        await pilot.press(wrong, "enter")
        await pilot.pause()
        await pilot.pause()
        await pilot.pause()
        line_with(app, "✗ Not quite")
        feedback = str(screen.query_one("#feedback").render())
        assert "Direct Connect gives a dedicated link: see the guide " \
               "(https://aws.amazon.com/dx/) and dx." in feedback
        assert "• first point\n• second point" in feedback
        assert "**" not in feedback and "`" not in feedback


def styles_over(content: Content, text: str) -> set[str]:
    start = content.plain.index(text)
    end = start + len(text)
    return {str(span.style) for span in content.spans
            if span.start <= start and span.end >= end}


def test_inline_markdown_spans():
    found = spans("Use **AWS _Direct_ Connect**, `code`, <https://a.b/c>, [d](https://e.f) "
                  "and [red]x[/] \\*not em\\* <b>not html</b>")
    text = "".join(s.text for s in found)
    assert text == ("Use AWS Direct Connect, code, https://a.b/c, d (https://e.f) and "
                    "[red]x[/] *not em* <b>not html</b>")
    marks = {s.text: s.marks for s in found}
    assert marks["Direct"] == {"strong", "em"} and marks["AWS "] == {"strong"}
    assert marks["code"] == {"code"} and marks["https://a.b/c"] == {"link"}
    assert marks["d"] == {"link"} and marks[" (https://e.f)"] == {"url"}
    # A link whose text is its address is not said twice.
    assert "".join(s.text for s in spans("[https://x.y](https://x.y)")) == "https://x.y"
    # Bullets, numbered items and fenced code keep their lines; reflow joins a paragraph's.
    shown = lines("Some text\nwrapped here.\n\n- an item\n  going on\n1. first\n```\nkeep  **this**\n```",
                  reflow=True)
    assert [(line.lead, line.text) for line in shown] == [
        ("", "Some text wrapped here."), ("", ""), ("• ", "an item going on"),
        ("1. ", "first"), ("", "keep  **this**")]
    assert shown[-1].spans[0].marks == {"code"}


def test_feedback_content_keeps_markup_literal_and_hangs_list_items():
    from studyaws.core.questions import Choice
    from studyaws.tui.widgets.question import feedback_content

    question = Choice("Stem?", ("Right **one** [b]x[/b] with a long text that has to wrap at "
                                "forty columns", "Wrong"), frozenset({0}))
    rows = feedback_content(False, question, "- [red]not markup[/] and `code`", "a/b.md:3")
    shown = rows.lines(40)
    text = "\n".join(line.plain for line in shown)
    assert "• Right one [b]x[/b] with a long text" in text
    answer = next(n for n, line in enumerate(shown) if line.plain.startswith("• Right"))
    assert shown[answer + 1].plain.startswith("  ")  # under its text, not under the bullet
    assert "• [red]not markup[/] and code" in text
    assert "Source: a/b.md:3" in text


# -- decks in natural order -----------------------------------------------------------------


async def test_decks_sort_naturally_on_home_and_in_the_decks_command(tmp_path, capsys):
    from studyaws.cli.main import main

    names = ["Practice Exam 10", "practice exam 2", "Practice Exam 1", "Appendix"]
    engine, clock = collection(tmp_path, {f"{n}.md": f"# {name}\n\nQ: q\nA: a\n"
                                          for n, name in enumerate(names)})
    expected = ["Appendix", "Practice Exam 1", "practice exam 2", "Practice Exam 10"]
    app = StudyApp(engine, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_settled(pilot)
        rows = [line_with(app, name)[0] for name in expected]
        assert rows == sorted(rows)
    engine.dispose()
    assert main(["--home", str(tmp_path / "home"), *db_args(tmp_path / "home"), "decks"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("decks ")  # the folder imported: their parent
    assert [line.strip().split("  ")[0] for line in out[2:6]] == expected


# -- sources relative to the folder imported ------------------------------------------------


SMALL = """\
# Networking

Which one? {#s1}

- [x] Right
- [ ] Wrong

> Because.
> domain: secure
"""


@pytest.mark.parametrize("where", ["tmp", "elsewhere"])
async def test_sources_are_relative_to_the_folder_imported_wherever_the_app_runs(
        tmp_path, monkeypatch, where):
    engine, clock = collection(tmp_path, {"aws/net.md": SMALL})
    run_in = {"tmp": tmp_path, "elsewhere": Path("/")}[where]
    monkeypatch.chdir(run_in)
    app = StudyApp(engine, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start_review(pilot)
        assert screen.view.source == "aws/net.md:3"
        await pilot.press("1", "2", "enter")
        await pilot.pause()
        assert "Source: aws/net.md:3" in str(screen.query_one("#feedback").render())


def test_a_file_named_is_its_own_name_and_a_bundled_deck_is_below_the_bundled_folder(
        tmp_path, monkeypatch):
    from studyaws.core.config import bundled_decks_dir
    from studyaws.services import exam
    from studyaws.services.review import ReviewService

    monkeypatch.chdir(tmp_path)
    engine, clock = collection(tmp_path, {"aws/net.md": SMALL}, imported=["aws/net.md"])
    service = ReviewService(engine, clock)
    assert service.next_card().source == "net.md:3"
    import_paths(engine, [bundled_decks_dir() / "networking.md"], clock.now())
    relative = "networking.md"  # not studyaws/bundled_decks/networking.md from a checkout
    with reading(engine) as session:
        stored = set(session.execute(select(Card.source_path)).scalars())
    assert stored == {"net.md", relative}
    view = exam.start_exam(engine, clock, "quick", seed=1)
    assert {i.source.rsplit(":", 1)[0] for i in view.items} <= {"net.md", relative}


def test_a_path_stored_whole_by_an_older_version_is_not_said_relative_to_here(
        tmp_path, monkeypatch):
    from studyaws.core.config import bundled_decks_dir
    from studyaws.services.review import source_text

    monkeypatch.chdir(tmp_path)
    assert source_text(str(tmp_path / "decks" / "a.md")) == str(tmp_path / "decks" / "a.md")
    assert source_text(str(bundled_decks_dir() / "saa" / "x.md")) == "saa/x.md"
    assert source_text("/old/site-packages/studyaws/bundled_decks/saa/x.md") == "saa/x.md"
    assert source_text(str(Path.home() / "decks" / "a.md")) == "~/decks/a.md"
    assert source_text("aws/net.md") == "aws/net.md"


# -- headers: no dangling separator, Quick exam --------------------------------------------


def test_headers_leave_out_empty_parts():
    from studyaws.core.exam.blueprints import PRESETS, label
    from studyaws.tui.widgets.header_text import breadcrumb, joined

    assert str(breadcrumb("Deck", "")) == "Deck"
    assert str(breadcrumb("Deck", "Deck > VPC > Subnets")) == "Deck  ›  VPC  ›  Subnets"
    assert str(breadcrumb("", "VPC")) == "VPC"
    line = breadcrumb(LONG_TITLE, "VPC").line(60)
    assert line.cell_length == 60 and line.plain.endswith("…  ›  VPC")
    assert joined("a", "", ("", "bold"), "b").plain == "a  ·  b"
    assert [PRESETS[p].label for p in ("quick", "saa-c03")] == ["Quick", "SAA-C03"]
    assert label("clf-c02") == "CLF-C02"


# -- the exam's lists at 80x24 and 200x50 ---------------------------------------------------


@pytest.mark.parametrize("size", [SIZES[0], SIZES[2]])
async def test_the_review_before_submitting_and_the_results_fit_the_width(tmp_path, size):
    from studyaws.services import exam as service
    from studyaws.tui.screens.exam_modals import ReviewBeforeSubmitScreen
    from studyaws.tui.screens.exam_results import ExamResultScreen

    stem = "Which of these is the right way to connect a VPC to an on-premises network"
    questions = "\n\n".join(
        f"{stem} number {n} over the AWS backbone, privately? {{#q{n}}}\n\n- [x] Right {n}\n"
        f"- [ ] Wrong {n}\n\n> domain: {('secure', 'resilient')[n % 2]}" for n in range(1, 13))
    engine, clock = collection(tmp_path, {"exam.md": "# Exam\n\n" + questions + "\n"})
    view = service.start_exam(engine, clock, "quick", seed=3)
    app = StudyApp(engine, clock, start="exam", exam_id=view.id)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert screen_lines(app)[0].startswith(" Quick exam  ·  Question 1 of 10")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewBeforeSubmitScreen)
        rows = [line for line in screen_lines(app) if re.search(r"│\s+\d+\. ", line)]
        assert len(rows) == 10  # one line a question: none wraps
        if size[0] == 80:
            assert all("…" in row for row in rows)
        else:
            assert all(stem[:60] in row for row in rows)  # more than the 52 characters of old
        assert not any("▔" in line or "▁" in line for line in screen_lines(app))  # one border
        await pilot.press("escape", "s", "y")
        await pilot.pause()
        assert isinstance(app.screen, ExamResultScreen)
        table = app.screen.query_one("#domain-table")
        assert table.virtual_size.width <= table.scrollable_content_region.width
        _, header = line_with(app, "Domain")
        assert "Score" in header


@pytest.mark.parametrize("size", SIZES[:2])
async def test_the_feedback_shows_from_its_verdict_down(tmp_path, size):
    long = "\n>\n".join(f"> Point {n} of a long explanation." for n in range(1, 16))
    deck = SMALL.replace("> Because.", long if size == (80, 24) else "> Because.")
    engine, clock = collection(tmp_path, {"net.md": deck})
    app = StudyApp(engine, clock)
    async with app.run_test(size=size) as pilot:
        screen = await start_review(pilot)
        wrong = str(screen.query_one("#options").order.index(1) + 1)
        await pilot.press(wrong, "enter")
        for _ in range(4):
            await pilot.pause()
        line_with(app, "✗ Not quite")  # taller than the room: its top, not its end
        if size == (80, 24):
            assert "Source: net.md" not in "\n".join(screen_lines(app))
        else:  # it fits: all of it, up to its source
            line_with(app, "Source: net.md:3")
            line_with(app, "Which one?")
