"""Card text that is a plain paragraph is rendered without a Markdown parser
(widgets.plain_paragraph): it must be exactly what Rich's Markdown renders, and what is not
plain must go to Markdown. Checked on every line of the bundled decks (with and without its
`Q:`/`A:` lead) and on random texts made of Markdown's special characters."""

from __future__ import annotations

import random

import pytest
from markdown_it import MarkdownIt
from rich.console import Console
from rich.markdown import Markdown

from studyaws.core.config import bundled_decks_dir
from studyaws.core.text import printable
from studyaws.tui.widgets.card_text import rendered
from studyaws.tui.widgets.plain_paragraph import PlainParagraph, is_plain

ALPHABET = "ab cD1.-)(#>=+*_`~[]<>&|\\!:;'\"{}^$%@/09 \t\u00a0é\u3000"


def corpus() -> list[str]:
    texts = []
    for path in sorted(bundled_decks_dir().rglob("*.md")):
        for line in path.read_text("utf-8").splitlines():
            texts += [line, line[2:].strip()]
    rng = random.Random(24)
    texts += ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 14)))
              for _ in range(4000)]
    return sorted({printable(text, multiline=True) for text in texts})


def render(renderable, width: int) -> list:
    console = Console(width=width, force_terminal=True, color_system="truecolor")
    return list(console.render(renderable, console.options))


# The quick loop takes 1,500 of the plain texts (about 15,000); CI takes them all.
@pytest.mark.parametrize("sample", [pytest.param(1500, id="sample"),
                                    pytest.param(None, id="all", marks=pytest.mark.slow)])
def test_a_plain_text_renders_as_markdown_renders_it(sample):
    parser = MarkdownIt().enable("strikethrough").enable("table")  # as Rich's Markdown
    plain = [text for text in corpus() if is_plain(text)]
    assert len(plain) > 10_000  # the check below is not empty
    if sample is not None:
        plain = random.Random(24).sample(plain, sample)
    for text in plain:
        tokens = parser.parse(text)
        assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"], text
        assert [(c.type, c.content) for c in tokens[1].children] == [("text", text)], text
        for width in (9, 60):
            assert render(PlainParagraph(text), width) == \
                render(Markdown(text, code_theme="monokai", hyperlinks=False), width), text


@pytest.mark.parametrize("text", [
    "", " lead", "trail ", "two\nlines", "a\ttab", "# heading", "> quote", "- item",
    "+ item", "1. item", "12) item", "2.", "=", "**strong**", "*em*", "snake_case",
    "`code`", "~~gone~~", "[link](x)", "![alt](media:x.png)", "<b>", "a &amp; b",
    "a | b", "back\\slash", "[red]x[/]",
])
def test_what_markdown_would_read_is_not_plain(text):
    assert not is_plain(text)
    assert not isinstance(rendered(text), PlainParagraph)


@pytest.mark.parametrize("text", [
    "Ordered, replayable stream read by several custom consumers",
    "What does S3 stand for?", "2024 was the year (see p. 12): 99.9% - or 3 + 4 = 7!",
    "1.5 GB", "no heading: a # in the middle", "Élan — naïve",
])
def test_plain_text_is_plain(text):
    assert is_plain(text)
    assert isinstance(rendered(text), PlainParagraph)
