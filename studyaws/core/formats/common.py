"""What the question-bank parsers share: skipped blocks, HTML to text, building items.

Pure: no Textual, no SQL, no network. Nothing here follows a link or loads an image: a
picture stays a reference, `![alt](path)`, which the import copies into the collection
(services.media).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

from studyaws.core.decks import cloze
from studyaws.core.decks.identity import assign_keys
from studyaws.core.decks.limits import MAX_CARDS_PER_FILE, MAX_OPTIONS, too_many_cards
from studyaws.core.decks.model import DeckError, Item, ParsedDeck, Problem
from studyaws.core.pictures import reference
from studyaws.core.questions import Choice, Numeric, question_to_dict
from studyaws.core.text import clean


@dataclass(frozen=True)
class Skipped:
    """A block of a question bank that was not imported, and why."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}" if self.line > 0 else \
            f"{self.path}: {self.reason}"

    def to_json(self) -> dict:
        return {"path": self.path, "line": self.line, "reason": self.reason}


@dataclass
class FormatResult:
    deck: ParsedDeck
    skipped: list[Skipped] = field(default_factory=list)


# -- text -----------------------------------------------------------------------------

_BLOCK_TAGS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote",
               "ul", "ol", "table", "details", "summary"}
_SKIP_TAGS = {"script", "style", "head", "title"}


class _TextParser(HTMLParser):
    def __init__(self, keep_pictures: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.keep_pictures = keep_pictures

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "img":
            self.parts.append(picture_text(_attr(attrs, "alt"), _attr(attrs, "src"),
                                           self.keep_pictures))
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
            if tag == "li":
                self.parts.append("- ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS and tag != "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def _attr(attrs: list[tuple[str, str | None]], name: str) -> str:
    for key, value in attrs:
        if key == name and value:
            return value.strip()
    return ""


def image_text(alt: str) -> str:
    """What an image becomes: it is never fetched nor shown, only named."""
    alt = " ".join(alt.split())
    return f"[image: {alt}]" if alt else "[image]"


def picture_text(alt: str, source: str, keep: bool = True) -> str:
    """A picture of a bank: a reference the import resolves (`![alt](source)`), or, for a
    picture inside its data (`data:`), with no source, or not `keep`, its name in words."""
    if keep and source and not source.lower().startswith("data:"):
        return reference(alt, source)
    return image_text(alt or ("" if source.lower().startswith("data:") else source))


def html_to_text(text: str, keep_pictures: bool = True) -> str:
    """Tags stripped, line breaks kept, entities decoded, images as references
    (picture_text)."""
    parser = _TextParser(keep_pictures)
    parser.feed(text)
    parser.close()
    joined = "".join(parser.parts).replace("\xa0", " ")
    lines = [line.rstrip() for line in joined.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*(?:<([^>\n]*)>|([^)\s]*))[^)]*\)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def markdown_images(text: str, keep: bool = True) -> str:
    """`![alt](path)` and `<img ...>` become picture references (picture_text; not `keep`:
    `[image: alt]`); `<br/>` a paragraph break."""
    text = _MD_IMAGE.sub(lambda m: picture_text(m.group(1), m.group(2) or m.group(3) or "",
                                                keep), text)
    text = _HTML_IMAGE.sub(lambda m: html_to_text(m.group(0), keep) or "[image]", text)
    return _BR.sub("\n\n", text)


def tidy(text: str, hard_breaks: bool = False) -> str:
    """Control characters removed, trailing spaces gone, at most one blank line in a row.
    With `hard_breaks` (text that is not Markdown, where a line break is meant), each line
    that runs on into another ends with Markdown's hard break, two spaces, so that the card
    shows the break."""
    lines = [line.rstrip() for line in clean(unescape_basic(text)).split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if hard_breaks:
        text = re.sub(r"(?<=\S)\n(?=[^\n])", "  \n", text)
    return text


def unescape_basic(text: str) -> str:
    """`&nbsp;` and friends, which question banks copy from web pages, as characters."""
    return unescape(text).replace("\xa0", " ") if "&" in text else text


# -- "(Choose two.)" --------------------------------------------------------------------

_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_CHOOSE = re.compile(r"\(\s*(?:choose|select)\s+(\w+)\s*\.?\s*\)", re.IGNORECASE)


def choose_count(stem: str) -> int | None:
    """How many options the stem asks for ("(Choose two.)", "(Select THREE)"), if it says."""
    match = _CHOOSE.search(stem)
    if not match:
        return None
    word = match.group(1).lower()
    return int(word) if word.isdigit() else _NUMBERS.get(word)


_NUMBERING = re.compile(r"^\s*(?:(?:question|q)\s*#?\s*\d+\s*[.:)\-]?|\d+\s*[.):])\s+",
                        re.IGNORECASE)


def strip_numbering(text: str) -> str:
    """`12. Which ...`, `Question 12: Which ...` -> `Which ...`: numbers move when questions
    are added, and a card's identity should not."""
    stripped = _NUMBERING.sub("", text, count=1)
    return stripped if stripped.strip() else text


# -- items ------------------------------------------------------------------------------


def choice_problem(stem: str, options: list[str], correct: list[int]) -> str | None:
    """Why these options cannot make a choice question, or None when they can."""
    if not stem.strip():
        return "question has no text"
    if len(options) < 2:
        return f"question has {len(options)} option{'s' if len(options) != 1 else ''}; " \
               "it needs at least two"
    if len(options) > MAX_OPTIONS:
        return f"a choice question has {len(options):,} options; at most {MAX_OPTIONS} " \
               "(one per number key)"
    if any(not option.strip() for option in options):
        return "an option is empty"
    if len(set(options)) != len(options):
        return "two options are identical"
    if not correct:
        return "no option is marked correct"
    wanted = choose_count(stem)
    if wanted is not None and wanted != len(correct):
        return f"the question asks to choose {wanted} but {len(correct)} " \
               f"option{'s are' if len(correct) != 1 else ' is'} marked correct"
    return None


def choice_item(line: int, topic: tuple[str, ...], stem: str, options: list[str],
                correct: list[int], explanation: str = "") -> Item:
    question = Choice(stem, tuple(options), frozenset(correct), explanation)
    answer = "\n".join(f"- {'[x]' if n in question.correct else '[ ]'} {option}"
                       for n, option in enumerate(options))
    return Item("choice", line, topic, stem, answer, payload=question_to_dict(question),
                explanation=explanation)


def numeric_item(line: int, topic: tuple[str, ...], stem: str, value: float, tolerance: float,
                 explanation: str = "") -> Item:
    question = Numeric(stem, value, tolerance, explanation)
    answer = format_number(value) + (f" ± {format_number(tolerance)}" if tolerance else "")
    return Item("numeric", line, topic, stem, answer, payload=question_to_dict(question),
                explanation=explanation)


def format_number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def cloze_items(line: int, topic: tuple[str, ...], text: str, explanation: str = "",
                stable_id: str | None = None) -> list[Item]:
    """The sibling cards of one cloze text (raises cloze.ClozeError when it is malformed)."""
    dels = cloze.deletions(text)
    group_key = f"cloze:{line}"
    return [
        Item("cloze", line, topic, "", "", payload={"text": text, "group": group},
             explanation=explanation, stable_id=stable_id, sibling=group_key)
        for group in sorted({d.group for d in dels})
    ]


def reverse_items(line: int, topic: tuple[str, ...], front: str, back: str,
                  explanation: str = "", stable_id: str | None = None) -> list[Item]:
    group = f"rev:{line}"
    return [
        Item("reverse", line, topic, front, back, payload={"direction": "forward"},
             explanation=explanation, stable_id=stable_id, sibling=group),
        Item("reverse", line, topic, back, front, payload={"direction": "backward"},
             explanation=explanation, stable_id=stable_id, sibling=group),
    ]


def finish(path: str, title: str, items: list[Item], tags: tuple[str, ...] = ()) -> ParsedDeck:
    """A deck of these items with their identity keys. Raises DeckError when there are too
    many of them (limits.MAX_CARDS_PER_FILE)."""
    check_card_count(items, path)
    assign_keys(items)
    return ParsedDeck(path, title, {}, tags, items)


def check_made(made: int, path: str, line: int) -> None:
    """Raise DeckError at `line` once a parser has made more cards than one file may make
    (for the parsers whose cards can be a few bytes each, to stop early)."""
    problem = too_many_cards(made)
    if problem:
        raise DeckError([Problem(path, line, problem)])


def check_card_count(items: list[Item], path: str) -> None:
    """Raise DeckError, at the line of the first card too many, when `items` are more than
    one file may make."""
    problem = too_many_cards(len(items))
    if problem:
        raise DeckError([Problem(path, items[MAX_CARDS_PER_FILE].line, problem)])


def dedupe_ids(items_by_block: list[tuple[int, list[Item]]], path: str,
               skipped: list[Skipped], what: str = "id") -> list[Item]:
    """Keep the first block that uses a stable id (`what` names it in the skip reason);
    later ones are skipped."""
    seen: dict[str, int] = {}
    kept: list[Item] = []
    for line, items in items_by_block:
        stable = items[0].stable_id if items else None
        if stable is not None:
            if stable in seen:
                skipped.append(Skipped(path, line, f"{what} {stable!r} already used on line "
                                                   f"{seen[stable]}"))
                continue
            seen[stable] = line
        kept.extend(items)
    return kept
