"""The whole collection as one JSON document, and a database rebuilt from it.

```json
{
  "format": "studyaws-backup",
  "version": 1,
  "schema": 7,
  "tables": {
    "deck": [
      {"id": 1, "key": "bundled:networking.md", "title": "Amazon VPC", ...}
    ],
    "shared_text": [...], "card": [...], "card_state": [...], "review_log": [...],
    "setting": [...], "exam": [...], "exam_question": [...]
  },
  "media": {"<sha256>.png": "<base64 of the picture>", ...}
}
```

`media` (present when the collection holds pictures) carries the files of the collection's
`media/` folder; a restore checks each (its name is the hash of its bytes, at most 5 MB)
and writes them back beside the database.

Every table of the store, every column, every row in primary-key order, values as stored
(times as the UTC text the store keeps, booleans as true/false): restoring it gives back
the same rows, and exporting the restored collection gives back the same bytes. An export
of schema 4 or before, whose cards each kept their section's notes and cloze text, is
restored with those texts stored once, as upgrading that collection would
(store.shared_text).
"""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Boolean, Engine, Table, inspect
from sqlmodel import SQLModel

from studyaws.services.exchange import (
    RestoreError,
    inspect_collection,
    remove_database,
    swap_in,
    temporary_path,
)
from studyaws.services.exchange.validate import check_media, check_tables
from studyaws.store.backup import remove_restore_leftovers
from studyaws.store.engine import SCHEMA_VERSION, is_postgres, open_engine
from studyaws.store.tables import UTCDateTime, from_db

FORMAT = "studyaws-backup"
VERSION = 1
SHARED_TEXT_SCHEMA = 5  # the first schema that keeps shared texts once
DOMAINS_PER_EXAM_SCHEMA = 6  # the first schema that keeps a domain per exam
FLAGS_SCHEMA = 7  # the first schema whose cards carry a flag


def _tables() -> list[Table]:
    """The store's tables, parents before children."""
    return list(SQLModel.metadata.sorted_tables)


def _order(table: Table) -> str:
    keys = [c.name for c in table.primary_key.columns] or ["rowid"]
    return ", ".join(f'"{k}"' for k in keys)


def export_json(engine: Engine) -> str:
    """The document, as text (one row a line). Read in one transaction: a consistent copy
    even while the app is answering cards."""
    parts = ['{\n  "format": ', json.dumps(FORMAT), ',\n  "version": ', str(VERSION),
             ',\n  "schema": ', str(SCHEMA_VERSION), ',\n  "tables": {']
    # One snapshot of every table: SQLite's read transaction is one; PostgreSQL's default
    # (read committed) sees each statement's own, so it is asked for repeatable read.
    snapshot = (engine.execution_options(isolation_level="REPEATABLE READ")
                if is_postgres(engine) else engine)
    with snapshot.begin() as conn:
        present = set(inspect(conn).get_table_names())
        first_table = True
        for table in _tables():
            if table.name not in present:
                continue
            columns = [c.name for c in table.columns]
            booleans = {c.name for c in table.columns if isinstance(c.type, Boolean)}
            select = ", ".join(f'"{c}"' for c in columns)
            rows = conn.exec_driver_sql(
                f'SELECT {select} FROM "{table.name}" ORDER BY {_order(table)}').fetchall()
            parts.append("\n" if first_table else ",\n")
            first_table = False
            parts.append(f"    {json.dumps(table.name)}: [")
            for n, row in enumerate(rows):
                record = {c: (bool(v) if c in booleans and v is not None else v)
                          for c, v in zip(columns, row, strict=True)}
                parts.append("\n      " if n == 0 else ",\n      ")
                parts.append(json.dumps(record, ensure_ascii=False, allow_nan=False))
            parts.append("\n    ]" if rows else "]")
    parts.append("\n  }")
    pictures = _media_section(engine)
    if pictures:
        parts.append(',\n  "media": {')
        for n, (name, encoded) in enumerate(pictures):
            parts.append("\n    " if n == 0 else ",\n    ")
            parts.append(f"{json.dumps(name)}: {json.dumps(encoded)}")
        parts.append("\n  }")
    parts.append("\n}\n")
    return "".join(parts)


def _media_section(engine: Engine) -> list[tuple[str, str]]:
    """The collection's pictures, by name, as base64."""
    import base64

    from studyaws.services.media import stored_pictures

    return [(name, base64.b64encode(path.read_bytes()).decode("ascii"))
            for name, path in stored_pictures(engine).items()]


class Restored(NamedTuple):
    counts: dict[str, int]  # rows restored, per table
    kept: Path | None  # where the replaced collection was kept


def read_backup(path: Path) -> dict:
    """The JSON backup at `path`, checked whole (see studyaws.services.exchange.validate); raises
    RestoreError naming the file and the first thing wrong."""
    document = _read(path)
    data = document["tables"]
    if (document["schema"] < SHARED_TEXT_SCHEMA and isinstance(data, dict)
            and isinstance(data.get("card"), list) and data["card"]):
        # Before schema 5 each card kept its own copy of a shared text: keep each once.
        data["shared_text"] = _shared_texts(data["card"], path)
    if (document["schema"] < DOMAINS_PER_EXAM_SCHEMA and isinstance(data, dict)
            and isinstance(data.get("card"), list)):
        _domains_per_exam(data["card"])
    if (document["schema"] < FLAGS_SCHEMA and isinstance(data, dict)
            and isinstance(data.get("card"), list)):
        for card in data["card"]:
            if isinstance(card, dict):
                card.setdefault("flag", 0)  # no card was flagged before
    if isinstance(data, dict):
        _card_state_decks(data)
    check_tables(path, data, {t.name: t for t in _tables()})
    document["media"] = check_media(path, document.get("media"))
    return document


def _card_state_decks(data: dict) -> None:
    """Each card's memory holds its card's deck (schema 14): taken from the cards, whatever
    the backup says (a backup of an earlier schema has none)."""
    cards, states = data.get("card"), data.get("card_state")
    if not isinstance(cards, list) or not isinstance(states, list):
        return
    decks = {card["id"]: card.get("deck_id") for card in cards
             if isinstance(card, dict) and isinstance(card.get("id"), int)}
    for row in states:  # anything malformed is said by check_tables
        if isinstance(row, dict):
            card_id = row.get("card_id")
            row["deck_id"] = decks.get(card_id) if isinstance(card_id, int) else None


def restore_json(path: Path, db_path: Path, damaged: bool | None = None,
                 document: dict | None = None) -> Restored:
    """Rebuild the collection at `db_path` from the JSON backup at `path` (`document`, when
    read_backup has read it already): a new database is written beside it, checked, and
    renamed over the old one (kept in backups/; `damaged` says it cannot be read, found out
    here when None). Raises RestoreError (changing nothing) when the backup is not usable."""
    if document is None:
        document = read_backup(path)  # all of it, before anything is written
    data = document["tables"]

    remove_restore_leftovers(db_path)
    if damaged is None:
        damaged = inspect_collection(db_path)[1] is not None
    temp = temporary_path(db_path)
    counts: dict[str, int] = {}
    try:
        engine = open_engine(temp)
        engine.dispose()
        conn = sqlite3.connect(temp, isolation_level=None)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("BEGIN IMMEDIATE")
            for table in _tables():
                rows = data.get(table.name, [])
                counts[table.name] = len(rows)
                _insert(conn, table, rows, path)
            problems = conn.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                table, rowid, parent, _ = problems[0]
                raise RestoreError(f"{path}: a row of {table!r} (rowid {rowid}) refers to a "
                                   f"missing row of {parent!r}")
            conn.execute("COMMIT")
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise RestoreError(f"{path}: the rebuilt database failed its integrity check")
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()
        write_media(path, db_path, document.get("media") or {})
        kept = swap_in(temp, db_path, damaged=damaged)
    finally:
        remove_database(temp)
    return Restored(counts, kept)


def write_media(path: Path, db_path: Path, pictures: dict[str, bytes]) -> None:
    """The backup's pictures written into the media/ folder beside the database, before the
    restored collection that shows them takes over."""
    from studyaws.services.media import MEDIA_FOLDER, write_picture

    folder = db_path.parent / MEDIA_FOLDER
    try:
        for name, data in pictures.items():
            write_picture(folder, name, data)
    except OSError as exc:
        raise RestoreError(f"{path}: its pictures cannot be written to {folder} "
                           f"({exc.strerror or exc})") from None


def _domains_per_exam(cards: list) -> None:
    """Card rows of schema 5 or before changed in place as schema 6 keeps them: the one
    `domain` goes to the column of the exam that owns it (as the upgrade does)."""
    from studyaws.core.domains import EXAM_OF
    from studyaws.store.tables import DOMAIN_COLUMNS

    for card in cards:
        if isinstance(card, dict) and "domain" in card:
            domain = card.pop("domain")
            exam = EXAM_OF.get(domain) if isinstance(domain, str) else None
            for column in DOMAIN_COLUMNS.values():
                card.setdefault(column, None)
            card.setdefault("domain_inferred", False)
            if exam is not None:
                card[DOMAIN_COLUMNS[exam]] = domain


def _shared_texts(cards: list[dict], path: Path) -> list[dict]:
    """Schema 4 card rows changed in place as schema 5 keeps them; the shared texts."""
    from studyaws.store.shared_text import share_card_texts

    for number, card in enumerate(cards, start=1):
        missing = [name for name in ("id", "deck_id", "kind", "key", "prompt", "answer",
                                     "payload") if name not in card]
        if missing:
            raise RestoreError(f"{path}: row {number} of 'card' has no {missing[0]!r}")
    try:
        return share_card_texts(cards, 1)
    except (TypeError, AttributeError):
        raise RestoreError(f"{path}: the 'card' rows do not hold the values a card "
                           "holds") from None


def _read(path: Path) -> dict:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RestoreError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise RestoreError(f"{path}: not UTF-8 text, not a studyaws JSON backup") from None
    except json.JSONDecodeError as exc:
        raise RestoreError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise RestoreError(f"{path}: nested too deeply; not a studyaws JSON backup") from None
    except ValueError as exc:  # a number of thousands of digits, say
        raise RestoreError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise RestoreError(f"{path}: not a studyaws JSON backup (no \"format\": \"{FORMAT}\")")
    if document.get("version") != VERSION:
        raise RestoreError(f"{path}: backup version {document.get('version')!r}; this "
                           f"studyaws reads version {VERSION}")
    schema = document.get("schema")
    if type(schema) is not int or schema < 1:
        raise RestoreError(f"{path}: the backup's \"schema\" is {schema!r}, not a schema "
                           "version")
    if schema > SCHEMA_VERSION:
        raise RestoreError(f"{path}: made by a newer studyaws (schema {schema}, this one "
                           f"knows {SCHEMA_VERSION}); upgrade studyaws")
    if not isinstance(document.get("tables"), dict):
        raise RestoreError(f"{path}: the backup has no \"tables\"")
    return document


def _insert(conn: sqlite3.Connection, table: Table, rows: list[dict], path: Path) -> None:
    columns = {c.name: c for c in table.columns}
    for number, row in enumerate(rows, start=1):
        unknown = set(row) - set(columns)
        if unknown:
            raise RestoreError(f"{path}: row {number} of {table.name!r} has unknown column "
                               f"{sorted(unknown)[0]!r}")
        values = []
        for name in row:
            value = row[name]
            column = columns[name]
            if isinstance(value, bool):
                value = int(value)
            elif isinstance(value, float) and not math.isfinite(value):
                raise RestoreError(f"{path}: row {number} of {table.name!r}: {name} is not "
                                   "a finite number")
            elif value is not None and not isinstance(value, (int, float, str)):
                raise RestoreError(f"{path}: row {number} of {table.name!r}: {name} holds "
                                   f"a {type(value).__name__}, not a plain value")
            if isinstance(column.type, UTCDateTime) and value is not None:
                try:
                    from_db(value)
                except (TypeError, ValueError):
                    raise RestoreError(f"{path}: row {number} of {table.name!r}: {name} is "
                                       f"not a stored time: {value!r}") from None
            values.append(value)
        names = ", ".join(f'"{n}"' for n in row)
        marks = ", ".join("?" for _ in row)
        try:
            conn.execute(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', values)
        except sqlite3.Error as exc:
            raise RestoreError(f"{path}: row {number} of {table.name!r} cannot be restored "
                               f"({exc})") from None
