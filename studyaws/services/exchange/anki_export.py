"""Cards out to Anki: a package (.apkg, written with genanki) or notes as text (.txt/.csv).

Basic cards become Basic notes, a reverse pair one "Basic (and reversed card)" note, the
cards of one cloze one Cloze note. Choice, ordering and numeric questions become Basic notes
with the options on the front. Generated scenarios are drawn at review time and have no
fixed text: they are left out (and counted). Retired cards are left out.

Each note carries a guid: the card's `{#id}` when it has one, else a stable hash of the
deck's key and the card's key, so exporting again updates the same notes in Anki, and
importing the text back into studyaws updates the same cards.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select

from studyaws.core.decks import cloze, identity
from studyaws.core.pictures import MEDIA_NAME, MEDIA_PREFIX, pictures
from studyaws.store.engine import reading
from studyaws.store.tables import Card, Deck, SharedText, domains_of

BASIC = "Basic"
REVERSED = "Basic (and reversed card)"
CLOZE = "Cloze"

CSV_HEADER = ("#separator:tab\n#html:false\n#guid column:1\n#notetype column:2\n"
              "#deck column:3\n#tags column:6\n")


@dataclass
class Note:
    guid: str
    notetype: str
    deck: str
    fields: list[str]  # Markdown text, as studyaws keeps it
    tags: list[str] = field(default_factory=list)


@dataclass
class ExportReport:
    notes: int = 0
    cards: int = 0
    scenarios_left_out: int = 0
    decks: int = 0


def guid_for(deck_key: str, note_key: str) -> str:
    return "sa" + hashlib.sha256(f"{deck_key}\n{note_key}".encode()).hexdigest()[:16]


def collect_notes(engine: Engine) -> tuple[list[Note], ExportReport]:
    """Every active card as Anki notes, in deck and card order."""
    report = ExportReport()
    notes: list[Note] = []
    with reading(engine) as session:
        decks = list(session.execute(select(Deck).order_by(Deck.id)).scalars())
        for deck in decks:
            cards = list(session.execute(
                select(Card).where(Card.deck_id == deck.id, Card.retired.is_(False))
                .order_by(Card.position, Card.id)).scalars())
            cloze_texts = dict(session.execute(
                select(SharedText.id, SharedText.text).where(SharedText.id.in_(
                    select(Card.cloze_text_id).where(Card.deck_id == deck.id,
                                                     Card.cloze_text_id.is_not(None))))).all())
            if cards:
                report.decks += 1
            tags = [t.strip().replace(" ", "_") for t in deck.tags.split(",") if t.strip()]
            seen_groups: set[str] = set()
            for card in cards:
                if card.kind == "scenario":
                    report.scenarios_left_out += 1
                    continue
                note = _note(deck, card, tags + domain_tags(card), seen_groups,
                             cloze_texts.get(card.cloze_text_id))
                report.cards += 1
                if note is not None:
                    notes.append(note)
    report.notes = len(notes)
    return notes, report


def domain_tags(card: Card) -> list[str]:
    """A card's exam domains as Anki tags ('saa-c03::resilient'), with 'domain::inferred'
    when studyaws inferred them from the text."""
    tags = [f"{exam}::{slug}" for exam, slug in domains_of(card).items()]
    if tags and card.domain_inferred:
        tags.append("domain::inferred")
    return tags


def _note_key(card: Card, cloze_text: str | None) -> str:
    """The key of the card's note: its key without the sibling's variant, with the whole
    text where the key keeps only its start and digest (identity.compact), so that a note's
    guid is the one it always had."""
    key = card.key
    if not key.startswith("id:"):
        payload = json.loads(card.payload or "{}")
        if cloze_text is not None:
            payload["text"] = cloze_text
        try:
            whole = identity.basis(card.kind, card.prompt, card.answer, payload)
        except (KeyError, TypeError):
            whole = ""
        if whole and identity.compact(whole) != whole:
            key = key.replace(identity.compact(whole), whole, 1)
    suffix = f"#{card.variant}"
    return key.replace(suffix, "", 1) if card.variant and suffix in key else key


def _note(deck: Deck, card: Card, tags: list[str], seen_groups: set[str],
          cloze_text: str | None) -> Note | None:
    guid = card.stable_id or guid_for(deck.key, _note_key(card, cloze_text))
    title = deck.title
    explanation = card.explanation.strip()
    if card.kind in ("reverse", "cloze"):
        group = card.sibling or card.key
        if group in seen_groups:
            return None  # one note makes all the cards of a pair or a cloze
        seen_groups.add(group)
    if card.kind == "reverse":
        front, back = (card.prompt, card.answer) if card.variant != "rev" else \
            (card.answer, card.prompt)
        return Note(guid, REVERSED, title, [front, _with(back, explanation)], tags)
    if card.kind == "cloze":
        text = cloze_text if cloze_text is not None else \
            json.loads(card.payload).get("text", card.prompt)
        return Note(guid, CLOZE, title, [anki_cloze(text), explanation], tags)
    if card.kind in ("choice", "ordering", "numeric"):
        front, back = _question_sides(json.loads(card.payload), card.key)
        return Note(guid, BASIC, title, [front, _with(back, explanation)], tags)
    return Note(guid, BASIC, title, [card.prompt, _with(card.answer, explanation)], tags)


def _with(back: str, explanation: str) -> str:
    return f"{back}\n\n{explanation}" if explanation and explanation not in back else back


def anki_cloze(text: str) -> str:
    """studyaws cloze text with every deletion numbered the way Anki wants: {{c1::...}}."""
    try:
        dels = cloze.deletions(text)
    except cloze.ClozeError:
        return text
    out, pos = [], 0
    for d in dels:
        out.append(text[pos:d.start])
        out.append(f"{{{{c{d.group}::{d.text}{'::' + d.hint if d.hint else ''}}}}}")
        pos = d.end
    out.append(text[pos:])
    return "".join(out)


_LINE = "  \n"  # a Markdown hard break: one option a line in Anki too


def _letters(n: int) -> str:
    return chr(ord("A") + n) if n < 26 else str(n + 1)


def _question_sides(payload: dict, key: str) -> tuple[str, str]:
    kind = payload.get("type")
    stem = payload.get("stem", "")
    if kind == "choice":
        options = payload["options"]
        correct = set(payload["correct"])
        listing = _LINE.join(f"{_letters(n)}. {o}" for n, o in enumerate(options))
        choose = f" (Choose {len(correct)}.)" if len(correct) > 1 and "choose" not in \
            stem.lower() else ""
        answer = _LINE.join(f"{_letters(n)}. {options[n]}" for n in sorted(correct))
        return f"{stem}{choose}\n\n{listing}", answer
    if kind == "ordering":
        items = list(payload["items"])
        shown = items[:]
        random.Random(key).shuffle(shown)  # the front must not give the order away
        listing = "\n".join(f"- {item}" for item in shown)
        answer = "\n".join(f"{n}. {item}" for n, item in enumerate(items, start=1))
        return f"{stem}\n\n{listing}", answer
    value = _number(payload["answer"])
    tolerance = payload.get("tolerance") or 0
    unit = payload.get("unit", "")
    answer = value + (f" ± {_number(tolerance)}" if tolerance else "") + \
        (f" {unit}" if unit else "")
    return stem, answer


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


# -- Anki text ---------------------------------------------------------------------------

_HARD_BREAK = re.compile(r" +\n")


def _plain(text: str) -> str:
    return _HARD_BREAK.sub("\n", text)


def write_csv(engine: Engine, path: Path) -> ExportReport:
    """Notes as tab-separated text that Anki's File > Import reads as it is."""
    notes, report = collect_notes(engine)
    path.write_text(csv_text(notes), encoding="utf-8")
    return report


def csv_text(notes: list[Note]) -> str:
    import io

    out = io.StringIO()
    out.write(CSV_HEADER)
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    for note in notes:
        fields = [_plain(f) for f in note.fields]
        row = [note.guid, note.notetype, note.deck, *fields, " ".join(note.tags)]
        writer.writerow([_inert(cell) for cell in row])
    return out.getvalue()


# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(cell: str) -> str:
    """A cell a spreadsheet would run as a formula, with the usual leading apostrophe that
    makes it text (Anki shows the apostrophe)."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


# -- Anki package ------------------------------------------------------------------------


def _html(text: str) -> str:
    """Card Markdown as HTML for Anki; raw HTML in a card is shown as text, never run, and
    an image is its description and address as text, never loaded (a remote one would
    tell a server each time the card is shown), but for a picture of the collection
    (`media:NAME`), which the package carries."""
    return _markdown().render(text).strip()


_RENDERER = None


def _markdown():
    global _RENDERER
    if _RENDERER is None:
        from markdown_it import MarkdownIt

        renderer = MarkdownIt("commonmark", {"html": False}).enable("table")
        renderer.add_render_rule("image", _image_as_text)
        _RENDERER = renderer
    return _RENDERER


def _image_as_text(self, tokens, idx, options, env) -> str:
    from markdown_it.common.utils import escapeHtml

    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env) or "image"
    source = str(token.attrGet("src") or "")
    name = source[len(MEDIA_PREFIX):] if source.startswith(MEDIA_PREFIX) else ""
    if MEDIA_NAME.match(name):  # a picture of the collection: in the package's media
        return f'<img src="{name}" alt="{escapeHtml(alt)}">'

    where = "" if not source or source.startswith("data:") else f" ({source})"
    return escapeHtml(f"[image: {alt}]{where}")


def _stable_id(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16) % (1 << 31) + (1 << 30)


def write_apkg(engine: Engine, path: Path) -> ExportReport:
    """An Anki package of every active card (genanki is loaded only here)."""
    import genanki

    notes, report = collect_notes(engine)
    models = {BASIC: genanki.BASIC_MODEL, REVERSED: genanki.BASIC_AND_REVERSED_CARD_MODEL,
              CLOZE: genanki.CLOZE_MODEL}
    decks: dict[str, genanki.Deck] = {}
    names: set[str] = set()  # the collection's pictures the notes show
    for note in notes:
        deck = decks.get(note.deck)
        if deck is None:
            deck = decks[note.deck] = genanki.Deck(_stable_id("deck:" + note.deck), note.deck)
        fields = [_html(f) for f in note.fields]
        names.update(p.name for f in note.fields if MEDIA_PREFIX in f for p in pictures(f))
        deck.add_note(genanki.Note(model=models[note.notetype], fields=fields, guid=note.guid,
                                   tags=note.tags))
    from studyaws.services.media import picture_path

    files = [str(stored) for name in sorted(names)
             if (stored := picture_path(engine, name)) is not None]
    package = genanki.Package(list(decks.values()) or
                              [genanki.Deck(_stable_id("deck:studyaws"), "studyaws")],
                              media_files=files)
    package.write_to_file(str(path))
    return report
