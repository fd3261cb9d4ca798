"""Parsed decks -> store: card identity, diff against what is there, retire what is gone.

One transaction for the whole import: either every deck lands or nothing changes. Files in
other question-bank formats (studyaws.core.formats) go through the same path: their parser makes
the same items, and the blocks it could not read are reported as skipped.

Longer than 500 lines on purpose: reading, planning outside the write lock and writing under
it share the plan's shape and the import's all-or-nothing rule; split, each part would need
the others' invariants restated.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import repeat
from operator import itemgetter
from pathlib import Path

from sqlalchemy import Boolean, Engine, func, insert, select, update
from sqlalchemy.orm import aliased

from studyaws.core.config import Settings, bundled_decks_dir
from studyaws.core.decks.filing import QUESTION_KINDS, file_questions
from studyaws.core.decks.identity import variant
from studyaws.core.decks.limits import MAX_TEXT_PER_FILE, TOO_MUCH_TEXT
from studyaws.core.decks.loader import read_deck_file
from studyaws.core.decks.matching import match
from studyaws.core.decks.model import DeckError, Item, ParsedDeck, Problem
from studyaws.core.decks.parser import parse_deck
from studyaws.core.domains import format_domains
from studyaws.core.formats import EXTENSIONS
from studyaws.core.text import path_text
from studyaws.store.decks import noted_cards
from studyaws.store.engine import reading, writing
from studyaws.store.settings import deck_copies, load_settings, record_deck_copy
from studyaws.store.tables import (
    DOMAIN_COLUMNS,
    Card,
    Deck,
    Setting,
    SharedText,
    UTCDateTime,
    domain_values,
    to_db,
)
from studyaws.store.text_index import indexed_at_end

COUNTS = ("added", "updated", "unchanged", "retired")

_DOCS = {"README", "CORRECTIONS"}

# progress(stage, done, total): stage is "read" (files) or "write" (decks).
Progress = Callable[[str, int, int], None]


@dataclass
class DeckReport:
    title: str
    path: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    skipped: bool = False  # content hash unchanged: not parsed at all
    format: str = "markdown"
    inferred: int = 0  # questions whose domains were inferred from their text
    unfiled: int = 0  # questions with no domain at all

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNTS}


@dataclass
class ImportReport:
    decks: list[DeckReport] = field(default_factory=list)
    dry_run: bool = False
    skipped: list = field(default_factory=list)  # studyaws.core.formats.common.Skipped, in file order
    empty: list[str] = field(default_factory=list)  # files with no card: no deck made

    def total(self) -> dict[str, int]:
        return {name: sum(getattr(d, name) for d in self.decks) for name in COUNTS}

    def to_json(self) -> dict:
        return {
            "decks": [{"title": d.title, "path": d.path, "format": d.format, **d.counts(),
                       "domains_inferred": d.inferred, "no_domain": d.unfiled}
                      for d in self.decks],
            "total": self.total(),
            "dry_run": self.dry_run,
            "skipped": [s.to_json() for s in self.skipped],
            "no_cards": list(self.empty),
        }


def deck_key(path: Path) -> str:
    """A deck's identity: bundled decks by their name (so any install finds them again),
    others by their absolute path."""
    resolved = path.resolve()
    bundled = bundled_decks_dir().resolve()
    if resolved.is_relative_to(bundled):
        return "bundled:" + resolved.relative_to(bundled).as_posix()
    return path_text(resolved)


# A deck as read: (key, path, digest, parsed deck or None when unchanged, format).
ReadDeck = tuple[str, Path, str, ParsedDeck | None, str]


@dataclass
class ImportFile:
    path: Path
    named: bool  # named on the command line (else found in a folder)
    root: Path | None = None  # the folder named (else the file's own folder)

    @property
    def source(self) -> str:
        """The file as its cards name it: its path below the folder imported, or below the
        bundled decks' folder; the same whatever the working folder, here or elsewhere."""
        resolved = self.path.resolve()
        for root in (bundled_decks_dir(), self.root or self.path.parent):
            try:
                return path_text(resolved.relative_to(root.resolve()).as_posix())
            except ValueError:
                continue
        return path_text(self.path.name)

    @property
    def folder(self) -> str | None:
        """The deck's place in the deck tree: for a file found in a folder imported, that
        folder's name and the folders below it down to the file ('banks/aws'); the bundled
        decks' folders below theirs. None for a file named on its own."""
        if self.named or self.root is None:
            return None
        resolved = self.path.resolve()
        bundled = bundled_decks_dir().resolve()
        if resolved.is_relative_to(bundled):
            parts = resolved.parent.relative_to(bundled).parts
        else:
            root = self.root.resolve()
            try:
                parts = (root.name, *resolved.parent.relative_to(root).parts)
            except ValueError:
                return None
        return path_text("/".join(parts)) or None


def collect_import_files(paths: list[Path], root: Path | None = None,
                         ) -> tuple[list[ImportFile], list[Problem]]:
    """The files an import reads: those named, and below each named folder every file with
    a known extension (hidden folders, `corrections/` and `coverage/` left out), each once.
    `root`: the folder the files named were first imported from (their cards name them
    below it), else each file's own folder."""
    found: list[ImportFile] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*")
                if p.suffix.lower() in EXTENSIONS and p.is_file()
                and not (p.stem.upper() == "CORRECTIONS" and p.suffix.lower() == ".md")
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and "corrections" not in p.relative_to(path).parts[:-1]
                and "coverage" not in p.relative_to(path).parts[:-1]
            )
            if not files:
                problems.append(Problem(str(path), 0, "no deck or question bank files in this "
                                        f"folder ({', '.join(EXTENSIONS)})"))
            found.extend(ImportFile(p, False, path) for p in files)
        elif path.is_file():
            found.append(ImportFile(path, True, root or path.parent))
        else:
            problems.append(Problem(str(path), 0, "no such file or folder"))
    # A file named twice (or named and inside a named folder) is one deck, read once.
    seen: dict[Path, ImportFile] = {}
    for item in found:
        resolved = item.path.resolve()
        if resolved in seen:
            seen[resolved].named = seen[resolved].named or item.named
        else:
            seen[resolved] = item
    return list(seen.values()), problems


def import_paths(
    engine: Engine, paths: list[Path], now: datetime, *, dry_run: bool = False,
    force: bool = False, format: str | None = None, progress: Progress | None = None,
    domains: dict[str, str] | None = None, root: Path | None = None,
    copies: dict[str, Path] | None = None,
) -> ImportReport:
    """Import every deck and question bank under `paths` (`format` forces one format for
    all files, else each file's is detected). Raises DeckError (and writes nothing) when any
    file has a problem; blocks a question-bank parser skipped are listed in the report.
    Questions without a domain of their own get `domains` (exam -> slug), else one inferred
    from their text (decks.filing). `root`: see collect_import_files. `copies` (a bundled
    deck's key -> a copy of its file in the data folder): the copies that take over those
    decks from this import on, recorded with it (see read_import_files)."""
    with _collector_paused():
        return _import_paths(engine, paths, now, dry_run=dry_run, force=force, format=format,
                             progress=progress, domains=domains, root=root, copies=copies)


@contextmanager
def _collector_paused():
    """An import makes tens of thousands of objects that live until it ends and hold no
    reference cycles; the cyclic garbage collector would walk them again and again (about a
    quarter of the parse of a 10,000-card deck)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _import_paths(
    engine: Engine, paths: list[Path], now: datetime, *, dry_run: bool, force: bool,
    format: str | None, progress: Progress | None, domains: dict[str, str] | None,
    root: Path | None = None, copies: dict[str, Path] | None = None,
) -> ImportReport:
    target_exam = load_settings(engine).target_exam
    taken = {key: Path(path) for key, path in deck_copies(engine).items()}
    taken.update(copies or {})
    with reading(engine) as session:
        # A deck the user removed is read again whatever its file's digest: importing its
        # file brings it back (store.decks).
        known = {
            key: (deck_id, "" if removed is not None else digest)
            for key, deck_id, digest, removed in session.execute(
                select(Deck.key, Deck.id, Deck.content_hash, Deck.deleted_at)
            )
        }
    folders: dict[str, str | None] = {}
    work, skipped = read_import_files(
        paths, format=format, domains=domains, target_exam=target_exam, force=force,
        known={key: digest for key, (_, digest) in known.items()}, progress=progress,
        root=root, copies=taken, folders=folders)
    problems: list[Problem] = []

    report = ImportReport(dry_run=dry_run, skipped=skipped)
    # A file with no card makes no deck (a folder's documentation pages, say); a deck that
    # is there already and whose file has no card left has its cards retired as usual.
    report.empty = [path_text(path) for key, path, _, parsed, _ in work
                    if parsed is not None and not parsed.items and key not in known]
    work = [read for read in work
            if read[3] is None or read[3].items or read[0] in known]
    # Matching cards (the slow part) is planned before the write lock is taken, so that an
    # answer given in another studyaws meanwhile waits only for the writes themselves, done
    # in bulk in one short transaction. If another import wrote after the plans were made
    # (the import generation moved), the decks are planned again under the lock.
    plans: list[_DeckPlan | None] = []
    with reading(engine) as session:
        generation = _import_generation(session)
        for key, path, digest, parsed, _ in work:
            try:
                plans.append(None if parsed is None
                             else _plan_deck(session, key, path, digest, parsed, now,
                                             folders.get(key), key not in folders))
            except DeckError as exc:  # its cards would hold too much text
                problems.extend(exc.problems)
    if problems:
        raise DeckError(problems)
    if not dry_run:
        _store_pictures(engine, work)
    # A dry run reports the plans and takes no write lock.
    with (reading(engine) if dry_run else writing(engine)) as session, _import_cache(session):
        stale = not dry_run and _import_generation(session) != generation
        for done, ((key, path, _, _, fmt), plan) in enumerate(zip(work, plans, strict=True)):
            if progress is not None:
                progress("write", done, len(work))
            if plan is None:
                deck = _unchanged_deck(session, known[key][0], path)
                if not dry_run and key in folders:
                    session.execute(update(Deck).where(Deck.id == known[key][0])
                                    .values(folder=folders.get(key)))
            else:
                deck = plan.report if dry_run else _apply_deck(session, plan, now, stale)
            deck.format = fmt
            report.decks.append(deck)
        if progress is not None and work:
            progress("write", len(work), len(work))
        if not dry_run and any(plan is not None for plan in plans):
            _next_import_generation(session)
        if not dry_run:
            for key, copy in (copies or {}).items():
                record_deck_copy(session, key, path_text(copy.resolve()))
    return report


def read_import_files(
    paths: list[Path], *, format: str | None = None, domains: dict[str, str] | None = None,
    target_exam: str = Settings.target_exam, force: bool = False,
    known: dict[str, str] | None = None, progress: Progress | None = None,
    root: Path | None = None, copies: dict[str, Path] | None = None,
    folders: dict[str, str | None] | None = None,
) -> tuple[list[ReadDeck], list]:
    """Read and parse every deck and question bank under `paths`, as an import does (and
    `studyaws check`, which writes nothing): the decks read, and the blocks a question-bank
    parser skipped. A deck whose key is in `known` (key -> digest) with the same digest is
    not parsed again (its parsed deck is None) unless `force`. Raises DeckError with the
    problems of every file.

    `copies` (a bundled deck's key -> the path of the user's copy of its file): a bundled
    deck whose copy exists is read from the copy, and the copy, named or found in a folder,
    is that bundled deck (same key, same cards), whatever its path. `folders`, when given,
    is filled with the place in the deck tree of each deck found in a folder imported (key
    -> ImportFile.folder); a file named on its own keeps the place it had."""
    files, problems = collect_import_files(paths, root)
    known = known or {}
    copies = {key: path for key, path in (copies or {}).items() if path.is_file()}
    copy_keys = {path.resolve(): key for key, path in copies.items()}
    copied: set[str] = set()
    skipped: list = []
    work: list[ReadDeck] = []
    for done, found in enumerate(files):
        if progress is not None:
            progress("read", done, len(files))
        path, key, source = found.path, None, found.source
        if copies:
            key = copy_keys.get(path.resolve()) or deck_key(path)
            if key in copies:  # the bundled deck, read from the user's copy
                if key in copied:
                    continue
                copied.add(key)
                path, source = copies[key], path_text(key.removeprefix("bundled:"))
        try:
            deck_file = read_deck_file(path)
        except DeckError as exc:
            problems.extend(exc.problems)
            continue
        is_doc = not found.named and path.stem.upper() in _DOCS
        fmt = format or _detect(path, deck_file.text)
        if fmt is None:
            if found.named:
                problems.append(Problem(str(path), 0, "not a deck nor a question bank this "
                                        "version reads; name its format with --format"))
            elif not is_doc:
                from studyaws.core.formats.common import Skipped

                skipped.append(Skipped(str(path), 0, "not a deck nor a known question bank "
                                                     "format: file skipped"))
            continue
        if fmt == "markdown" and is_doc:
            continue  # a folder's README is its documentation, unless it is a question bank
        key = key or deck_key(path)
        if folders is not None and not found.named:
            folders[key] = found.folder
        digest = deck_file.digest if fmt == "markdown" else f"{fmt}:{deck_file.digest}"
        if domains:  # filed otherwise than the last time: planned again
            digest += f";domain={format_domains(domains)}"
        unchanged = not force and known.get(key) == digest
        if fmt == "markdown":
            if unchanged:
                work.append((key, path, digest, None, fmt))
                continue
            try:
                parsed = parse_deck(deck_file.text, path_text(path))
            except DeckError as exc:
                problems.extend(exc.problems)
                continue
            parsed.source = source
            file_questions(parsed, domains, path.name, target_exam)
            _pictures(parsed, path, deck_file.text, problems, skipped)
            work.append((key, path, digest, parsed, fmt))
            continue
        from studyaws.core import formats

        try:
            result = formats.parse(fmt, deck_file.text, path_text(path))
        except DeckError as exc:  # too many cards, or a record the reader cannot take
            problems.extend(exc.problems)
            continue
        if not result.deck.items:
            problems.extend(Problem(s.path, s.line, s.reason) for s in result.skipped)
            problems.append(Problem(str(path), 0, f"no questions found (read as {fmt}; "
                                    "name another format with --format)"))
            continue
        skipped.extend(result.skipped)
        if not unchanged:
            result.deck.source = source
            file_questions(result.deck, domains, path.name, target_exam)
            _pictures(result.deck, path, deck_file.text, problems, skipped)
        work.append((key, path, digest, None if unchanged else result.deck, fmt))
    if progress is not None and files:
        progress("read", len(files), len(files))
    if problems:
        raise DeckError(problems)

    return work, skipped


def _pictures(parsed: ParsedDeck, path: Path, text: str, problems: list[Problem],
              skipped: list) -> None:
    """The deck's pictures resolved (services.media): its cards name their stored copies,
    the files to copy are kept on the deck; a missing or too large picture is a problem, one
    on the network a skipped picture (never fetched)."""
    if "![" not in text and "<img" not in text.lower():
        return
    from studyaws.core.formats.common import Skipped
    from studyaws.services.media import resolve_pictures

    found, wrong = resolve_pictures(parsed, path, text)
    parsed.pictures = found.files
    problems.extend(wrong)
    skipped.extend(Skipped(w.path, w.line, w.message) for w in found.warnings)


def _store_pictures(engine: Engine, work: list[ReadDeck]) -> None:
    """Copy the pictures of the decks read into the collection's media/ before their cards
    are written (a card never names a picture the collection lacks)."""
    files = {name: file for *_, parsed, _ in work if parsed is not None
             for name, file in parsed.pictures.items()}
    if not files:
        return
    from studyaws.services.media import media_dir, store_pictures

    folder = media_dir(engine)
    if folder is None:
        return
    try:
        store_pictures(folder, files)
    except OSError as exc:
        raise DeckError([Problem(path_text(folder), 0, "the pictures could not be copied "
                                 f"here ({exc.strerror or exc})")]) from None


def _detect(path: Path, text: str) -> str | None:
    from studyaws.core.formats import detect

    return detect(path, text)


# SQLite's page cache for the import's write transaction (KiB): large enough to hold the
# pages a big deck touches, which the default 2 MB cache would spill and read again.
IMPORT_CACHE_KIB = 64 * 1024


@contextmanager
def _import_cache(session):
    conn = session.connection()
    if conn.dialect.name != "sqlite":  # PostgreSQL's buffers are the server's
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


# Every import that writes cards moves this counter on, in the same transaction: a plan
# made before the write lock still describes the cards if the counter has not moved since.
_GENERATION = "import-generation"


def _import_generation(session) -> int:
    value = session.execute(select(Setting.value).where(Setting.key == _GENERATION)).scalar()
    return int(value) if value and value.isdigit() else 0


def _next_import_generation(session) -> None:
    session.connection().exec_driver_sql(
        "INSERT INTO setting (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (_GENERATION, str(_import_generation(session) + 1)))


def _unchanged_deck(session, deck_id: int, path: Path) -> DeckReport:
    title = session.execute(select(Deck.title).where(Deck.id == deck_id)).scalar_one()
    active = session.execute(
        select(func.count(Card.id)).where(Card.deck_id == deck_id, Card.retired.is_(False))
    ).scalar_one()
    return DeckReport(title, path_text(path), unchanged=active, skipped=True)


# json.dumps(payload, sort_keys=True), without making a new encoder for every card.
_payload_json = json.JSONEncoder(sort_keys=True).encode


def _payload_text(payload: dict, seen: dict) -> str:
    """The stored text of a card's payload. Many are the same small dict (each side of a
    reverse pair, each group of a cloze): one of only strings and whole numbers is written
    once and found again by its items (`seen`, for one deck's cards)."""
    if not payload:
        return "{}"
    key = tuple(payload.items())
    # (Exactly str and int: True and 1.0 are equal to 1 as keys, not as JSON.)
    if not all(type(value) is str or type(value) is int for _, value in key):
        return _payload_json(payload)
    text = seen.get(key)
    if text is None:
        seen[key] = text = _payload_json(payload)
    return text


def _domain_columns(domains: dict[str, str], seen: dict | None) -> dict[str, str | None]:
    """domain_values(domains), made once for the cards of a deck filed alike (`seen`)."""
    if seen is None:
        return domain_values(domains)
    key = ("domains", *domains.items())
    columns = seen.get(key)
    if columns is None:
        seen[key] = columns = domain_values(domains)
    return columns


def _card_row(item: Item, deck_id: int, position: int, now: datetime, topic: str,
              seen: dict | None = None) -> dict:
    """The card table's row for `item`, but for the texts it shares with other cards:
    `context` (its section's notes) and `cloze_text`, which become ids when it is written.
    `seen`: what the deck's cards have in common, worked out once (_payload_text,
    _domain_columns)."""
    payload, cloze_text = item.payload, None
    if item.kind == "cloze":
        payload = {k: v for k, v in payload.items() if k != "text"}
        cloze_text = item.payload["text"]
    return {
        "deck_id": deck_id,
        "key": item.key,
        "stable_id": item.stable_id,
        "kind": item.kind,
        "variant": variant(item),
        "topic": topic,
        "prompt": item.prompt,
        "answer": item.answer,
        "payload": _payload_text(payload, {} if seen is None else seen),
        "explanation": item.explanation,
        "context": item.context,
        "cloze_text": cloze_text,
        **_domain_columns(item.domains, seen),
        "domain_inferred": item.domain_inferred,
        "source_path": "",
        "source_line": item.line,
        "position": position,
        "sibling": item.sibling,
        "retired": False,
        "created_at": now,
        "updated_at": now,
    }


def _card_rows(items: list[Item], deck_id: int | None, path: Path, now: datetime,
               source: str = "") -> list[dict]:
    """The rows of a deck's cards. Raises DeckError, at the card where it happens, once they
    would hold more than MAX_TEXT_PER_FILE characters: a text they share counts once, what
    each card keeps (its topic, prompt, answer...) for each card."""
    rows: list[dict] = []
    topics: dict[tuple[str, ...], str] = {}  # one string for the cards of a section
    counted: set[str] = set()
    size = 0
    source = source or path_text(path)
    seen: dict = {}
    for position, item in enumerate(items):
        topic = topics.get(item.topic)
        if topic is None:
            topic = topics[item.topic] = item.topic_path
        row = _card_row(item, deck_id, position, now, topic, seen)
        row["source_path"] = source
        size += (len(row["key"]) + len(topic) + len(row["prompt"]) + len(row["answer"])
                 + len(row["payload"]) + len(row["explanation"]) + len(source))
        for shared in (row["context"], row["cloze_text"]):
            if shared and shared not in counted:
                counted.add(shared)
                size += len(shared)
        if size > MAX_TEXT_PER_FILE:
            raise DeckError([Problem(path_text(path), item.line, TOO_MUCH_TEXT)])
        rows.append(row)
    return rows


# The text each card keeps for itself (counted by _card_rows): key, topic, prompt, answer,
# payload, explanation, source_path.
# Texts a card shares with others, kept once in shared_text: row field -> card column.
_SHARED = {"context": "context_id", "cloze_text": "cloze_text_id"}
# Fields whose change makes a card "updated"; the rest (line, position) move silently.
_CONTENT = ("key", "stable_id", "kind", "topic", "prompt", "answer", "payload", "explanation",
            "context", "cloze_text")
# Fields that change silently: where the card is, and how it is filed (its domains).
_PLACE = ("source_line", "position", "source_path", "sibling", *DOMAIN_COLUMNS.values(),
          "domain_inferred")


@dataclass
class _DeckPlan:
    """What importing one deck will write, worked out against the cards it read: `updates`
    hold, for each stored card that changes, only the columns whose value changes."""

    key: str
    path: Path
    digest: str
    parsed: ParsedDeck
    deck_id: int | None
    report: DeckReport
    new_rows: list[dict]
    updates: list[tuple[int, dict]]
    retire_ids: list[int]
    renames: list[tuple[int, str]]
    folder: str | None = None
    keep_folder: bool = False  # a file named on its own: the deck stays where it was


def _deck_cards(session, deck_id: int | None) -> list[dict]:
    """The deck's stored cards, each with the texts it shares (`context`, "" when none, and
    `cloze_text`)."""
    if deck_id is None:
        return []
    context, cloze_text = aliased(SharedText), aliased(SharedText)
    cards = [dict(row._mapping) for row in session.execute(
        select(Card.__table__, context.text.label("context"),
               cloze_text.text.label("cloze_text"))
        .outerjoin(context, context.id == Card.context_id)
        .outerjoin(cloze_text, cloze_text.id == Card.cloze_text_id)
        .where(Card.deck_id == deck_id).order_by(Card.id)
    )]
    for card in cards:
        if card["context"] is None:
            card["context"] = ""
    return cards


def _plan_deck(session, key: str, path: Path, digest: str, parsed: ParsedDeck,
               now: datetime, folder: str | None = None,
               keep_folder: bool = False) -> _DeckPlan:
    deck_id, removed = session.execute(
        select(Deck.id, Deck.deleted_cards).where(Deck.key == key)).first() or (None, None)
    # The cards a removal of the deck retired come back as they were (store.decks).
    revived = set(noted_cards(removed))
    report = DeckReport(parsed.title, path_text(path))
    report.inferred = sum(1 for item in parsed.items if item.domain_inferred)
    report.unfiled = sum(1 for item in parsed.items
                         if item.kind in QUESTION_KINDS and not item.domains)
    existing = _deck_cards(session, deck_id)
    rows = _card_rows(parsed.items, deck_id, path, now, parsed.source)
    matches = match(rows, existing)

    new_rows, updates = ([], []) if matches else (rows, [])  # a new deck: every card is new
    for n, row in enumerate(rows if matches else ()):
        old = matches.get(n)
        if old is None:
            new_rows.append(row)
            continue
        back = old["retired"] and old["id"] in revived
        changed = any(row[f] != old[f] for f in _CONTENT) or (old["retired"] and not back)
        moved = any(row[f] != old[f] for f in _PLACE) or back
        if changed or moved:
            # Only the columns whose value changes: the write under the lock is then short,
            # and leaves the indexes on unchanged columns alone.
            values = {k: v for k, v in row.items()
                      if k not in ("deck_id", "created_at") and v != old[k]}
            if not changed:
                values.pop("updated_at", None)
            updates.append((old["id"], values))
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1

    matched_ids = {old["id"] for old in matches.values()}
    retire_ids = [c["id"] for c in existing if c["id"] not in matched_ids and not c["retired"]]
    report.retired = len(retire_ids)
    # A retired card whose key a new row reuses keeps its history under a renamed key.
    taken = {c["key"]: c["id"] for c in existing if c["id"] not in matched_ids}
    renames = []
    for row in new_rows:
        if row["key"] in taken:
            old_id = taken.pop(row["key"])
            renames.append((old_id, f"~retired~{old_id}~{row['key']}"))
    report.added = len(new_rows)
    return _DeckPlan(key, path, digest, parsed, deck_id, report, new_rows,
                     updates, retire_ids, renames, folder, keep_folder)


def _apply_deck(session, plan: _DeckPlan, now: datetime, stale: bool) -> DeckReport:
    """Write the plan inside the import's write transaction: a few statements whatever the
    number of cards (each an executemany of the driver)."""
    deck_id = session.execute(select(Deck.id).where(Deck.key == plan.key)).scalar_one_or_none()
    if stale:
        # Another import wrote after the plan was made: plan again, now that nothing else
        # can write.
        plan = _plan_deck(session, plan.key, plan.path, plan.digest, plan.parsed, now,
                          plan.folder, plan.keep_folder)
    parsed = plan.parsed
    fields = {"title": parsed.title, "path": path_text(plan.path),
              "domain": format_domains(parsed.domains) or None,
              "tags": ",".join(parsed.tags), "content_hash": plan.digest, "imported_at": now,
              # Imported again, a removed deck is back (its cards found by the plan).
              "folder": plan.folder, "deleted_at": None, "deleted_cards": None}
    if plan.keep_folder:
        del fields["folder"]
    new_deck = deck_id is None  # then it has only the texts its new cards name
    if new_deck:
        deck_id = session.execute(insert(Deck).values(key=plan.key, **fields)
                                  ).inserted_primary_key[0]
    else:
        renamed, title = session.execute(
            select(Deck.renamed, Deck.title).where(Deck.id == deck_id)).one()
        if renamed:  # the user's title stays
            del fields["title"]
            plan.report.title = title
        session.execute(update(Deck).where(Deck.id == deck_id).values(**fields))

    conn = session.connection()
    if plan.retire_ids:
        conn.exec_driver_sql("UPDATE card SET retired = TRUE, updated_at = ? WHERE id = ?",
                             [(to_db(now), card_id) for card_id in plan.retire_ids])
    text_ids = _shared_text_ids(session, deck_id, [*(v for _, v in plan.updates),
                                                   *plan.new_rows])
    _update_cards(session, [(card_id, _with_text_ids(values, text_ids))
                            for card_id, values in plan.updates])
    if plan.new_rows:
        if plan.renames:
            conn.exec_driver_sql("UPDATE card SET key = ? WHERE id = ?",
                                 [(key, old_id) for old_id, key in plan.renames])
        first_id = (session.execute(select(func.max(Card.id))).scalar() or 0) + 1
        count = len(plan.new_rows)
        with indexed_at_end(conn, "card"):
            _insert_many(session, Card.__table__, {
                **_card_columns(plan.new_rows, text_ids),
                "deck_id": [deck_id] * count, "id": list(range(first_id, first_id + count))})
        # Every new card starts new and due now: one statement, no Python row per card.
        session.connection().exec_driver_sql(
            "INSERT INTO card_state (card_id, deck_id, state, step, due, reps, lapses) "
            "SELECT id, deck_id, 0, 0, ?, 0, 0 FROM card WHERE id BETWEEN ? AND ?",
            (to_db(now), first_id, first_id + count - 1),
        )
    if plan.updates or (plan.new_rows and not new_deck):
        _drop_unused_texts(session, deck_id)
    return plan.report


def _shared_text_ids(session, deck_id: int, rows: list[dict]) -> dict[str, int]:
    """The id in shared_text of every text `rows` share, the deck's stored ones reused and
    the others added (each once)."""
    ids = {text: text_id for text_id, text in session.execute(
        select(SharedText.id, SharedText.text).where(SharedText.deck_id == deck_id))}
    new = list(dict.fromkeys(row[name] for row in rows for name in _SHARED
                             if row.get(name) and row[name] not in ids))
    if new:
        first_id = (session.execute(select(func.max(SharedText.id))).scalar() or 0) + 1
        added = list(range(first_id, first_id + len(new)))
        with indexed_at_end(session.connection(), "shared_text"):
            _insert_many(session, SharedText.__table__,
                         {"id": added, "deck_id": [deck_id] * len(new), "text": new})
        ids.update(zip(new, added, strict=True))
    return ids


def _with_text_ids(row: dict, text_ids: dict[str, int]) -> dict:
    """`row` with its shared texts replaced by their ids in shared_text."""
    values = {k: v for k, v in row.items() if k not in _SHARED}
    for name, column in _SHARED.items():
        if name in row:  # an update holds only the columns that change
            values[column] = text_ids[row[name]] if row[name] else None
    return values


def _card_columns(rows: list[dict], text_ids: dict[str, int]) -> dict[str, list]:
    """The new cards' `rows` column by column, their shared texts as their ids in
    shared_text (as _with_text_ids makes them)."""
    names = list(rows[0])  # every row has the same fields, in the same order
    # One pass: each row's values as a tuple, then the tuples turned into columns.
    columns = dict(zip(names, zip(*map(itemgetter(*names), rows), strict=True), strict=True))
    for name, column in _SHARED.items():
        columns[column] = [text_ids[text] if text else None for text in columns.pop(name)]
    return columns


def _drop_unused_texts(session, deck_id: int) -> None:
    """Remove the deck's shared texts no card shows any more (notes rewritten, a cloze
    edited)."""
    session.connection().exec_driver_sql(
        "DELETE FROM shared_text WHERE deck_id = ? "
        "AND id NOT IN (SELECT context_id FROM card WHERE deck_id = ? "
        "AND context_id IS NOT NULL) "
        "AND id NOT IN (SELECT cloze_text_id FROM card WHERE deck_id = ? "
        "AND cloze_text_id IS NOT NULL)", (deck_id, deck_id, deck_id))


def _update_cards(session, updates: list[tuple[int, dict]]) -> None:
    """Write the planned changes to stored cards, one executemany per set of changed
    columns. Keys are unique per deck: the keys that change are first moved out of the
    way."""
    moving = [(f"~moving~{card_id}", card_id) for card_id, values in updates if "key" in values]
    if moving:
        session.connection().exec_driver_sql("UPDATE card SET key = ? WHERE id = ?", moving)
    _update_many(session, Card.__table__, updates)


def _update_many(session, table, changes: list[tuple[int, dict]]) -> None:
    """UPDATE rows of `table` by id, each in the columns its dict holds, the values stored
    as _insert_many stores them (through each column type's bind processor): one
    executemany of the driver per set of columns."""
    conn = session.connection()
    groups: dict[tuple[str, ...], list[tuple[int, dict]]] = {}
    for row_id, values in changes:
        if values:
            groups.setdefault(tuple(values), []).append((row_id, values))
    for names, rows in groups.items():
        # Column by column: a few list operations rather than a Python loop per value.
        columns = []
        for name in names:
            column = [values[name] for _, values in rows]
            process = _bind_processor(table.columns[name], conn.dialect)
            columns.append(column if process is None else list(map(process, column)))
        params = list(zip(*columns, [row_id for row_id, _ in rows], strict=True))
        # Many rows a statement (UPDATE ... FROM a list of values), as _insert_many does:
        # the text index's trigger then writes out its pending index once a statement.
        assignments = ", ".join(f"{name} = v.column{n}" for n, name in enumerate(names, 1))
        width = len(names) + 1
        row = "(" + ", ".join("?" * width) + ")"
        per = max(1, _MAX_VARIABLES // width)
        for start in range(0, len(params), per):
            chunk = params[start:start + per]
            conn.exec_driver_sql(
                f"UPDATE {table.name} SET {assignments} "
                f"FROM (VALUES {', '.join([row] * len(chunk))}) AS v "
                f"WHERE {table.name}.id = v.column{width}",
                tuple(value for one in chunk for value in one))


def _bind_processor(column, dialect):
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    if process is not None and isinstance(column.type, (UTCDateTime, Boolean)):
        return _memoized(process)  # the same few times and flags on every row
    return process


def _insert_many(session, table, columns: dict[str, list]) -> None:
    """Insert rows given column by column (`columns`: each column's values, one per row,
    all of one length) with one executemany of the driver (one COPY on PostgreSQL): the
    values stored are the ones the ORM's bulk insert stores (each through its column type's
    bind processor, missing columns at their default), at a fraction of its cost. Column by
    column, the conversion and the rows are made by `map` and `zip` rather than a Python
    loop per value."""
    conn = session.connection()
    given = [c for c in table.columns if c.name in columns]
    defaulted = [c for c in table.columns if c.name not in columns and c.default is not None]
    if any(not c.default.is_scalar for c in defaulted):
        session.execute(insert(table), [dict(zip(columns, row, strict=True))
                                        for row in zip(*columns.values(), strict=True)])
        return
    values: list = []
    for c in given:
        process = _bind_processor(c, conn.dialect)
        column = columns[c.name]
        if process is None:
            values.append(column)
        elif column and column.count(column[0]) == len(column):  # one value (a time, a flag)
            values.append(repeat(process(column[0]), len(column)))
        else:
            values.append(list(map(process, column)))
    for c in defaulted:
        process = _bind_processor(c, conn.dialect)
        values.append(repeat(c.default.arg if process is None else process(c.default.arg)))
    rows = zip(*values, strict=False)  # the defaults repeat: the columns give the length
    if conn.dialect.name == "postgresql":
        from studyaws.store.postgres import copy_rows

        copy_rows(conn, table.name, [c.name for c in [*given, *defaulted]], rows)
        return
    names = ", ".join(c.name for c in [*given, *defaulted])
    # One row a statement, all of them in one executemany: SQLite steps the one prepared
    # statement row after row (the text index is written at the end, store.text_index); no
    # statement of thousands of placeholders to write and parse again for each chunk.
    conn.exec_driver_sql(
        f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(values))})",
        list(rows))


# Values bound in one statement (SQLite allows 32,766 from 3.32; fewer keep it modest).
_MAX_VARIABLES = 8_000


def _memoized(process):
    seen: dict = {}

    def cached(value):
        try:
            return seen[value]
        except KeyError:
            seen[value] = result = process(value)
            return result

    return cached
