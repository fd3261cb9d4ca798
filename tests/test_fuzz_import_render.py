"""Nasty Markdown through the whole path: the importer writes it to a real SQLite file (or
refuses it with a DeckError, writing nothing), and the review screen renders every card of it
under Pilot without an error, its prompt on the screen."""

from __future__ import annotations

import asyncio
import html
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from studyaws.core.clock import FakeClock
from studyaws.core.decks.loader import read_deck_file
from studyaws.core.decks.model import DeckError
from studyaws.core.decks.parser import parse_deck
from studyaws.services.importer import import_paths
from studyaws.store.engine import open_engine, reading
from studyaws.store.tables import Card, CardState, Deck

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

NASTY = [
    # Textual and Rich markup, variables and actions
    "[b]", "[/]", "[/b]", "[@click=app.quit]", "[@click=app.bell]", "[link=https://x]",
    "[$accent]", "$accent", "[red on blue]", "\\[b]", "[", "]", "[[", "]]",
    # deck markers where they do not belong
    "Q:", "A:", "C:", "Order:", "A: =", "::", ":::", " :: ", " ::: ", "{#id}", "{#}",
    "{{", "}}", "{{c1::", "::hint}}", "{{}}", "{", "}",
    "- [x] ", "- [ ] ", "1. ", "- ", "> ", "# ", "```", "```scenario nacl", "~~~",
    # Markdown and HTML
    "|", "| a | b |", "|---|", "`", "**", "_", "<script>", "</div>", "&amp;", "![i](x)",
    "[t](javascript:x)",
    # control characters and odd code points
    "\x00", "\x07", "\x1b[2J", "\x1b]0;title\x07", "\x9b31m", "\r", "\t", "\x0c", "\u202e",
    "\u200b", "\ufeff", "\u2028", "\ud7ff", "😀", "é", "\U0001f9d1\u200d\U0001f4bb",
]
token = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=6),
    # a huge run of one character: a very long line
    st.builds(lambda c, n: c * n, st.sampled_from("x[{:-=*"), st.integers(300, 4000)),
)
nasty_line = st.lists(token, max_size=6).map("".join).map(lambda s: s.replace("\n", " "))


def _choice(stem: str, options: list[str], witness: str) -> str:
    lines = [f"- [{'x' if n == 0 else ' '}] {n} {text}" for n, text in enumerate(options)]
    return f"{witness} {stem}?\n\n" + "\n".join(lines)


def _ordering(stem: str, items: list[str], witness: str) -> str:
    return f"Order: {witness} {stem}\n" + "\n".join(
        f"{n}. {n} {item}" for n, item in enumerate(items, 1))


# Each card starts with a witness word (filled in later) so that its prompt can be found on
# the screen whatever the nasty text around it does.
card = st.one_of(
    st.builds(lambda q, a: lambda w: f"Q: {w} {q}\nA: {a}", nasty_line, nasty_line),
    st.builds(lambda f, b: lambda w: f"{w} {f} :: {b}", nasty_line, nasty_line),
    st.builds(lambda f, b: lambda w: f"{w} {f} ::: {b}", nasty_line, nasty_line),
    st.builds(lambda t, d: lambda w: f"C: {w} {t} {{{{{d}}}}}", nasty_line, nasty_line),
    st.builds(lambda s, o: lambda w: _choice(s, o, w), nasty_line,
              st.lists(nasty_line, min_size=2, max_size=5)),
    st.builds(lambda s, i: lambda w: _ordering(s, i, w), nasty_line,
              st.lists(nasty_line, min_size=2, max_size=4)),
    st.builds(lambda q, v: lambda w: f"Q: {w} {q}\nA: = {v}", nasty_line,
              st.sampled_from(["35", "1e3", "-0", "nan", "5 +- 1 GB", "x", "1e309"])),
    st.builds(lambda text: lambda w: text, nasty_line),  # prose, or anything else
)
document = st.lists(card, max_size=8).map(
    lambda cards: "# Fuzz\n\n" + "\n\n".join(make(f"Zw{n}") for n, make in enumerate(cards)))


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz-import")
    engine = open_engine(folder / "studyaws.sqlite3")
    yield engine, folder / "fuzz.md"
    engine.dispose()


def _active_cards(engine, path: Path) -> int:
    with reading(engine) as session:
        return session.execute(
            select(func.count(Card.id)).join(Deck, Deck.id == Card.deck_id)
            .where(Deck.path == str(path), Card.retired.is_(False))).scalar_one()


def _cards_without_state(engine) -> int:
    with reading(engine) as session:
        return session.execute(
            select(func.count(Card.id)).outerjoin(CardState, CardState.card_id == Card.id)
            .where(CardState.card_id.is_(None))).scalar_one()


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=document)
def test_the_importer_takes_nasty_markdown_or_refuses_it_cleanly(store, text):
    engine, path = store
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    before = _active_cards(engine, path)
    try:
        parsed = parse_deck(read_deck_file(path).text, str(path))
    except DeckError:  # the file reader refuses more (a NUL byte is a binary file)
        parsed = None
    try:
        report = import_paths(engine, [path], NOW, force=True)
    except DeckError as exc:
        assert exc.problems
        # The importer also resolves the pictures a card names (the parser only reads text).
        pictures = all("picture" in str(problem) for problem in exc.problems)
        assert parsed is None or pictures, "the importer refused what the parser took"
        assert _active_cards(engine, path) == before, "a refused import wrote something"
        return
    assert parsed is not None, "the importer took what the parser refused"
    assert _active_cards(engine, path) == len(parsed.items)
    assert report.total()["added"] + report.total()["updated"] + report.total()["unchanged"] \
        == len(parsed.items)
    assert _cards_without_state(engine) == 0
    again = import_paths(engine, [path], NOW, force=True)
    assert again.total()["unchanged"] == len(parsed.items), "a second import changed cards"


def _screen_text(app) -> str:
    spans = re.findall(r"<text[^>]*>(.*?)</text>", app.export_screenshot(), flags=re.DOTALL)
    return html.unescape("".join(spans)).replace("\xa0", " ")


async def _render_every_card(engine) -> int:
    from studyaws.tui.app import StudyApp
    from studyaws.tui.screens.review import ReviewScreen

    with reading(engine) as session:
        ids = list(session.execute(select(Card.id).order_by(Card.id)).scalars())
    app = StudyApp(engine, FakeClock(NOW), start="review")
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        for card_id in ids:
            view = screen.service.card(card_id)
            await screen.show(view)
            await pilot.pause()
            witness = re.search(r"Zw\d+", view.prompt)
            if witness:
                assert witness.group(0) in _screen_text(app), view.prompt[:200]
            # The answer side too: revealed, or submitted with the first option / a number.
            if view.question is None:
                await screen.reveal()
            else:
                await pilot.press("1", "enter")
            assert isinstance(app.screen, ReviewScreen)
        await pilot.pause()
    return len(ids)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cards=st.lists(card, min_size=1, max_size=4))
def test_the_review_screen_renders_every_nasty_card(cards):
    # Only the cards the parser takes (each alone, then together) reach the screen; a NUL
    # byte would make the whole file "binary".
    texts = []
    for n, make in enumerate(cards):
        text = make(f"Zw{n}").replace("\x00", "")
        try:
            if parse_deck("# Fuzz\n\n" + text, "fuzz.md").items:
                texts.append(text)
        except DeckError:
            continue
    text = "# Fuzz\n\n" + "\n\n".join(texts)
    try:
        if not parse_deck(text, "fuzz.md").items:
            return
    except DeckError:
        return
    with tempfile.TemporaryDirectory() as folder:
        deck = Path(folder) / "fuzz.md"
        deck.write_text(text, encoding="utf-8", errors="surrogatepass")
        engine = open_engine(Path(folder) / "studyaws.sqlite3")
        try:
            import_paths(engine, [deck], NOW)
            asyncio.run(_render_every_card(engine))
        finally:
            engine.dispose()
