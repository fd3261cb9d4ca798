"""Parsed decks -> store: card identity, diff against what is there, retire what is gone.

One transaction for the whole import: either every deck lands or nothing changes. Files in
other question-bank formats (studyaws.core.formats) go through the same path: their parser makes
the same items, and the blocks it could not read are reported as skipped.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from pathlib import Path

from sqlalchemy import Boolean, Engine, func, insert, select, update

from studyaws.core.config import bundled_decks_dir
from studyaws.core.decks.identity import SIMILAR, similarity, variant
from studyaws.core.decks.loader import read_deck_file
from studyaws.core.decks.model import DeckError, Item, ParsedDeck, Problem
from studyaws.core.decks.parser import parse_deck
from studyaws.core.formats import EXTENSIONS
from studyaws.store.engine import reading, writing
from studyaws.store.tables import Card, Deck, UTCDateTime, to_db

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

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNTS}


@dataclass
class ImportReport:
    decks: list[DeckReport] = field(default_factory=list)
    dry_run: bool = False
    skipped: list = field(default_factory=list)  # studyaws.core.formats.common.Skipped, in file order

    def total(self) -> dict[str, int]:
        return {name: sum(getattr(d, name) for d in self.decks) for name in COUNTS}

    def to_json(self) -> dict:
        return {
            "decks": [{"title": d.title, "path": d.path, "format": d.format, **d.counts()}
                      for d in self.decks],
            "total": self.total(),
            "dry_run": self.dry_run,
            "skipped": [s.to_json() for s in self.skipped],
        }


def deck_key(path: Path) -> str:
    """A deck's identity: bundled decks by their name (so any install finds them again),
    others by their absolute path."""
    resolved = path.resolve()
    bundled = bundled_decks_dir().resolve()
    if resolved.is_relative_to(bundled):
        return "bundled:" + resolved.relative_to(bundled).as_posix()
    return str(resolved)


@dataclass
class ImportFile:
    path: Path
    named: bool  # named on the command line (else found in a folder)


def collect_import_files(paths: list[Path]) -> tuple[list[ImportFile], list[Problem]]:
    """The files an import reads: those named, and below each named folder every file with
    a known extension (hidden folders, `corrections/` and `coverage/` left out), each once."""
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
            found.extend(ImportFile(p, False) for p in files)
        elif path.is_file():
            found.append(ImportFile(path, True))
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
) -> ImportReport:
    """Import every deck and question bank under `paths` (`format` forces one format for
    all files, else each file's is detected). Raises DeckError (and writes nothing) when any
    file has a problem; blocks a question-bank parser skipped are listed in the report."""
    with _collector_paused():
        return _import_paths(engine, paths, now, dry_run=dry_run, force=force, format=format,
                             progress=progress)


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
    format: str | None, progress: Progress | None,
) -> ImportReport:
    files, problems = collect_import_files(paths)
    with reading(engine) as session:
        known = {
            key: (deck_id, digest)
            for key, deck_id, digest in session.execute(
                select(Deck.key, Deck.id, Deck.content_hash)
            )
        }
    skipped: list = []
    work: list[tuple[str, Path, str, ParsedDeck | None, str]] = []
    for done, found in enumerate(files):
        if progress is not None:
            progress("read", done, len(files))
        path = found.path
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
        key = deck_key(path)
        digest = deck_file.digest if fmt == "markdown" else f"{fmt}:{deck_file.digest}"
        unchanged = not force and key in known and known[key][1] == digest
        if fmt == "markdown":
            if unchanged:
                work.append((key, path, digest, None, fmt))
                continue
            try:
                work.append((key, path, digest, parse_deck(deck_file.text, str(path)), fmt))
            except DeckError as exc:
                problems.extend(exc.problems)
            continue
        from studyaws.core import formats

        result = formats.parse(fmt, deck_file.text, str(path))
        if not result.deck.items:
            problems.extend(Problem(s.path, s.line, s.reason) for s in result.skipped)
            problems.append(Problem(str(path), 0, f"no questions found (read as {fmt}; "
                                    "name another format with --format)"))
            continue
        skipped.extend(result.skipped)
        work.append((key, path, digest, None if unchanged else result.deck, fmt))
    if progress is not None and files:
        progress("read", len(files), len(files))
    if problems:
        raise DeckError(problems)

    report = ImportReport(dry_run=dry_run, skipped=skipped)
    # Matching cards (the slow part) is planned before the write lock is taken, so that an
    # answer given in another studyaws meanwhile waits only for the writes themselves. A deck
    # whose cards changed between the plan and the lock is planned again under the lock.
    with reading(engine) as session:
        plans = [None if parsed is None else _plan_deck(session, key, path, digest, parsed, now)
                 for key, path, digest, parsed, _ in work]
    try:
        with writing(engine) as session, _import_cache(session):
            for done, ((key, path, _, _, fmt), plan) in enumerate(zip(work, plans,
                                                                      strict=True)):
                if progress is not None:
                    progress("write", done, len(work))
                if plan is None:
                    deck = _unchanged_deck(session, known[key][0], path)
                else:
                    deck = _apply_deck(session, plan, now)
                deck.format = fmt
                report.decks.append(deck)
            if progress is not None and work:
                progress("write", len(work), len(work))
            if dry_run:
                raise _RollBack
    except _RollBack:
        pass
    return report


def _detect(path: Path, text: str) -> str | None:
    from studyaws.core.formats import detect

    return detect(path, text)


# SQLite's page cache for the import's write transaction (KiB): large enough to hold the
# pages a big deck touches, which the default 2 MB cache would spill and read again.
IMPORT_CACHE_KIB = 64 * 1024


@contextmanager
def _import_cache(session):
    conn = session.connection()
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


class _RollBack(Exception):
    """Raised inside the transaction of a dry run so that nothing is kept."""


def _unchanged_deck(session, deck_id: int, path: Path) -> DeckReport:
    title = session.execute(select(Deck.title).where(Deck.id == deck_id)).scalar_one()
    active = session.execute(
        select(func.count(Card.id)).where(Card.deck_id == deck_id, Card.retired.is_(False))
    ).scalar_one()
    return DeckReport(title, str(path), unchanged=active, skipped=True)


# json.dumps(payload, sort_keys=True), without making a new encoder for every card.
_payload_json = json.JSONEncoder(sort_keys=True).encode


def _card_row(item: Item, deck_id: int, position: int, now: datetime) -> dict:
    return {
        "deck_id": deck_id,
        "key": item.key,
        "stable_id": item.stable_id,
        "kind": item.kind,
        "variant": variant(item),
        "topic": item.topic_path,
        "prompt": item.prompt,
        "answer": item.answer,
        "payload": _payload_json(item.payload) if item.payload else "{}",
        "explanation": item.explanation,
        "context": item.context,
        "domain": item.domain,
        "source_path": "",
        "source_line": item.line,
        "position": position,
        "sibling": item.sibling,
        "retired": False,
        "created_at": now,
        "updated_at": now,
    }


# Fields whose change makes a card "updated"; the rest (line, position) move silently.
_CONTENT = ("key", "stable_id", "kind", "topic", "prompt", "answer", "payload", "explanation",
            "context", "domain")


@dataclass
class _DeckPlan:
    """What importing one deck will write, worked out against the cards it read (`seen`)."""

    key: str
    path: Path
    digest: str
    parsed: ParsedDeck
    deck_id: int | None
    seen: list[tuple]
    report: DeckReport
    new_rows: list[dict]
    updates: list[tuple[int, dict]]
    retire_ids: list[int]
    renames: list[tuple[int, str]]


# The columns a plan depends on: all but what reviewing changes (suspend, leech, bury).
_PLANNED = tuple(c.name for c in Card.__table__.columns
                 if c.name not in ("suspended", "leech", "buried_until"))


def _deck_cards(session, deck_id: int | None) -> list[dict]:
    if deck_id is None:
        return []
    return [dict(row._mapping) for row in session.execute(
        select(Card.__table__).where(Card.deck_id == deck_id).order_by(Card.id)
    )]


def _seen(existing: list[dict]) -> list[tuple]:
    return [tuple(card[name] for name in _PLANNED) for card in existing]


def _plan_deck(session, key: str, path: Path, digest: str, parsed: ParsedDeck,
               now: datetime) -> _DeckPlan:
    deck_id = session.execute(select(Deck.id).where(Deck.key == key)).scalar_one_or_none()
    report = DeckReport(parsed.title, str(path))
    existing = _deck_cards(session, deck_id)
    rows = [_card_row(item, deck_id, n, now) for n, item in enumerate(parsed.items)]
    for row in rows:
        row["source_path"] = str(path)
    matches = _match(rows, existing)

    new_rows, updates = [], []
    for n, row in enumerate(rows):
        old = matches.get(n)
        if old is None:
            new_rows.append(row)
            continue
        changed = any(row[f] != old[f] for f in _CONTENT) or old["retired"]
        moved = (row["source_line"], row["position"], row["source_path"], row["sibling"]) != (
            old["source_line"], old["position"], old["source_path"], old["sibling"])
        if changed or moved:
            values = {k: v for k, v in row.items() if k not in ("deck_id", "created_at")}
            if not changed:
                values["updated_at"] = old["updated_at"]
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
    return _DeckPlan(key, path, digest, parsed, deck_id, _seen(existing), report, new_rows,
                     updates, retire_ids, renames)


def _apply_deck(session, plan: _DeckPlan, now: datetime) -> DeckReport:
    deck_id = session.execute(select(Deck.id).where(Deck.key == plan.key)).scalar_one_or_none()
    if deck_id != plan.deck_id or _seen(_deck_cards(session, deck_id)) != plan.seen:
        # Another import changed this deck after the plan was made: plan again, now that
        # nothing else can write.
        plan = _plan_deck(session, plan.key, plan.path, plan.digest, plan.parsed, now)
    parsed = plan.parsed
    fields = {"title": parsed.title, "path": str(plan.path), "domain": parsed.domain,
              "tags": ",".join(parsed.tags), "content_hash": plan.digest, "imported_at": now}
    if deck_id is None:
        deck_id = session.execute(insert(Deck).values(key=plan.key, **fields)
                                  ).inserted_primary_key[0]
    else:
        session.execute(update(Deck).where(Deck.id == deck_id).values(**fields))

    if plan.retire_ids:
        session.execute(
            update(Card).where(Card.id.in_(plan.retire_ids)).values(retired=True, updated_at=now)
        )
    # Keys are unique per deck: clear the keys being replaced before writing the new ones.
    for card_id, _ in plan.updates:
        session.execute(update(Card).where(Card.id == card_id).values(key=f"~moving~{card_id}"))
    for card_id, values in plan.updates:
        session.execute(update(Card).where(Card.id == card_id).values(**values))
    if plan.new_rows:
        for old_id, key in plan.renames:
            session.execute(update(Card).where(Card.id == old_id).values(key=key))
        first_id = (session.execute(select(func.max(Card.id))).scalar() or 0) + 1
        new_rows = [{**row, "deck_id": deck_id, "id": first_id + offset}
                    for offset, row in enumerate(plan.new_rows)]
        _insert_many(session, Card.__table__, new_rows)
        # Every new card starts new and due now: one statement, no Python row per card.
        session.connection().exec_driver_sql(
            "INSERT INTO card_state (card_id, state, step, due, reps, lapses) "
            "SELECT id, 0, 0, ?, 0, 0 FROM card WHERE id BETWEEN ? AND ?",
            (to_db(now), first_id, first_id + len(new_rows) - 1),
        )
    return plan.report


def _insert_many(session, table, rows: list[dict]) -> None:
    """Insert `rows` (dicts with the same keys) with one executemany of the driver: the
    values stored are the ones the ORM's bulk insert stores (each through its column type's
    bind processor, missing columns at their default), at a fraction of its cost."""
    given = [c for c in table.columns if c.name in rows[0]]
    defaulted = [c for c in table.columns if c.name not in rows[0] and c.default is not None]
    if any(not c.default.is_scalar for c in defaulted):
        session.execute(insert(table), rows)
        return
    conn = session.connection()
    dialect = conn.dialect

    def processor(column):
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None and isinstance(column.type, (UTCDateTime, Boolean)):
            return _memoized(process)  # the same few times and flags on every row
        return process

    converted = [(c.name, process) for c in given if (process := processor(c)) is not None]
    for row in rows:
        for name, process in converted:
            row[name] = process(row[name])
    defaults = tuple(
        c.default.arg if (process := processor(c)) is None else process(c.default.arg)
        for c in defaulted
    )
    pick = itemgetter(*(c.name for c in given))
    values = [pick(row) + defaults for row in rows] if len(given) > 1 else \
        [(pick(row), *defaults) for row in rows]
    names = ", ".join(c.name for c in [*given, *defaulted])
    marks = ", ".join("?" * (len(given) + len(defaulted)))
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", values)


def _memoized(process):
    seen: dict = {}

    def cached(value):
        try:
            return seen[value]
        except KeyError:
            seen[value] = result = process(value)
            return result

    return cached


def _match(rows: list[dict], existing: list[dict]) -> dict[int, dict]:
    """Pair each parsed row with the stored card it is: same key; else same kind and sibling
    variant with the same prompt anywhere in the deck, or a very similar one in the same topic."""
    by_key = {c["key"]: c for c in existing}
    matches: dict[int, dict] = {}
    used: set[int] = set()
    for n, row in enumerate(rows):
        old = by_key.get(row["key"])
        if old is not None and old["id"] not in used:
            matches[n] = old
            used.add(old["id"])
    # Stable ids decide alone: a card with an id only matches a card with the same id.
    def free(c: dict) -> bool:
        return c["id"] not in used

    pending = [n for n in range(len(rows)) if n not in matches]
    for n in pending:
        row = rows[n]
        for old in existing:
            if free(old) and old["kind"] == row["kind"] and old["variant"] == row["variant"] \
                    and old["prompt"] == row["prompt"] and _ids_compatible(row, old):
                matches[n] = old
                used.add(old["id"])
                break
    candidates: list[tuple[float, int, dict]] = []
    for n in pending:
        if n in matches:
            continue
        row = rows[n]
        for old in existing:
            if free(old) and old["kind"] == row["kind"] and old["variant"] == row["variant"] \
                    and old["topic"] == row["topic"] and _ids_compatible(row, old):
                score = similarity(_fuzzy_text(row), _fuzzy_text(old))
                if score >= SIMILAR:
                    candidates.append((score, n, old))
    for _, n, old in sorted(candidates, key=lambda c: -c[0]):
        if n not in matches and free(old):
            matches[n] = old
            used.add(old["id"])
    return matches


def _ids_compatible(row: dict, old: dict) -> bool:
    return row["stable_id"] is None or old["stable_id"] is None or row["stable_id"] == old["stable_id"]


def _fuzzy_text(row: dict) -> str:
    if row["kind"] == "cloze":
        return json.loads(row["payload"]).get("text", row["prompt"])
    if row["kind"] == "reverse" and row["variant"] == "rev":
        return row["answer"]
    return row["prompt"]
