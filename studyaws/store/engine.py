"""Opening the collection: one SQLite file (WAL, busy timeout, foreign keys, schema version
in `PRAGMA user_version`), or a PostgreSQL database named by a URL (store.postgres: the
schema version in a table, writers one at a time through an advisory lock)."""

from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import time
import weakref
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TypeVar

from sqlalchemy import URL, Connection, Engine, create_engine, event, inspect
from sqlalchemy.exc import DBAPIError, NoSuchTableError, OperationalError
from sqlalchemy.schema import CreateIndex
from sqlmodel import Session, SQLModel

from studyaws.core.errors import StoreError, is_busy  # defined in core for every layer
from studyaws.store import postgres, tables
from studyaws.store.columns import SCHEMA_VERSION
from studyaws.store.text_index import create_text_index

BUSY_TIMEOUT_MS = 10_000
SQLITE_ONLY_INDEXES = {"ix_card_state_interval"}  # see store.tables
T = TypeVar("T")


def _configure(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        # Transactions are begun explicitly below, so the driver must not begin its own.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # Writers take the write lock up front: no deadlock when two processes upgrade.
        immediate = conn.get_execution_options().get("immediate", False)
        quick = _QUICK_WAIT_MS.get()
        wait = quick if immediate and quick is not None else BUSY_TIMEOUT_MS
        if conn.info.get("busy_timeout", BUSY_TIMEOUT_MS) != wait:  # one PRAGMA on a change
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {wait}")
            conn.info["busy_timeout"] = wait
        if immediate and not conn.get_execution_options().get("driver_begin", False):
            # Through SQLAlchemy's execution, where its cursor events see the write lock
            # taken (tests/write_watch.py, bench/timed_writes.py watch the long writers).
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            _driver_begin(conn, "BEGIN IMMEDIATE" if immediate else "BEGIN")


def _driver_begin(conn: Connection, statement: str) -> None:
    """`statement` (a BEGIN) sent by the driver itself: a read before every card and an
    answer's write (`driver_begin`) begin without a statement executed through SQLAlchemy
    (its execution context, cursor events and result: about 12 µs each). A failure is
    raised as SQLAlchemy would raise it (a busy collection: OperationalError)."""
    try:
        conn.connection.driver_connection.execute(statement)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(statement, (), exc, sqlite3.Error) from exc


def is_postgres(engine_or_conn) -> bool:
    """Whether this engine (or connection) is on PostgreSQL rather than SQLite."""
    return engine_or_conn.dialect.name == "postgresql"


def open_engine(db_path: Path | str) -> Engine:
    """Open (creating or upgrading) the collection at `db_path`, a SQLite file, or a
    PostgreSQL database when given its URL (`postgresql://user@host:port/dbname`)."""
    if postgres.is_url(db_path):
        return _open_postgres(str(db_path))
    db_path = Path(db_path)
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{db_path.parent}: cannot create the data folder: {exc.strerror}") from None
    created = not db_path.exists()
    if not created:
        _check_existing(db_path)
    # The path as it is: in a URL string "%20" or "#" in a folder's name would be read as
    # an escape or the URL's end, and another file opened.
    engine = create_engine(URL.create("sqlite", database=str(db_path)))
    _configure(engine)
    try:
        if _migrate(engine, db_path):
            _created_here.add(engine)
    except Exception as exc:
        engine.dispose()
        if created:
            _remove_if_empty(db_path)
        cause = exc if isinstance(exc, sqlite3.Error) else getattr(exc, "orig", None)
        if isinstance(cause, sqlite3.Error):
            raise _open_problem(db_path, cause) from None
        raise
    _open_engines.add(engine)
    return engine


def _open_postgres(url: str) -> Engine:
    engine = postgres.create(url)
    try:
        if _migrate(engine, None):
            _created_here.add(engine)
    except Exception as exc:
        engine.dispose()
        raise postgres.open_problem(url, exc) from None
    _open_engines.add(engine)
    return engine


# Engines whose opening created the collection's tables (see created_here).
_created_here: weakref.WeakSet[Engine] = weakref.WeakSet()


def created_here(engine: Engine) -> bool:
    """Whether opening this engine created the collection (its tables), rather than finding
    one: a new SQLite file, or a PostgreSQL database that was empty. Of two processes opening
    a new database at once, only the one that created it is told so."""
    return engine in _created_here


# Engines still open when the program ends are closed then (see close_engine).
_open_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def close_engine(engine: Engine) -> None:
    """Fold the write-ahead log into the database file, then close every connection, so
    that `studyaws.sqlite3` alone holds everything (a copy of it, `sqlite3` on it). Another
    process reading or writing the collection at that moment is not waited for: the log
    stays, complete, and the last program to close it folds it in."""
    database = engine.url.database
    # A file renamed away (a restore) is not made anew; PostgreSQL has no log to fold.
    if not is_postgres(engine) and database and Path(database).exists():
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA busy_timeout = 0")
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except Exception:  # busy, read-only, a full disk: the log stays, complete
            pass
    engine.dispose()
    _open_engines.discard(engine)


@atexit.register
def _close_open_engines() -> None:
    for engine in list(_open_engines):
        close_engine(engine)


def _remove_if_empty(db_path: Path) -> None:
    """A new collection that could not be set up (a full disk) leaves no empty file behind."""
    try:
        wal = Path(f"{db_path}-wal")
        if db_path.stat().st_size == 0 and (not wal.exists() or wal.stat().st_size == 0):
            for name in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm"),
                         Path(f"{db_path}-journal")):
                name.unlink(missing_ok=True)
    except OSError:
        pass


def _open_problem(db_path: Path, exc: sqlite3.Error) -> StoreError:
    """What keeps the database from opening, said so that the user knows what to do: SQLite
    says "disk I/O error" or "unable to open" both for a full disk and a read-only folder."""
    text = str(exc)
    lowered = text.lower()
    if isinstance(exc, sqlite3.OperationalError) or "full" in lowered or "i/o" in lowered:
        folder = db_path.parent
        try:
            full = shutil.disk_usage(folder).free < 64 * 1024
        except OSError:
            full = False
        if full or "full" in lowered:
            return StoreError(f"{db_path}: the disk is full: nothing was written (free some "
                              "space and retry)")
        if not os.access(folder, os.W_OK) or (db_path.exists()
                                              and not os.access(db_path, os.W_OK)):
            return StoreError(f"{db_path}: the data folder or the database file is read-only; "
                              "studyaws needs to write there (nothing was written)")
        if "not a database" not in lowered and "malformed" not in lowered:
            return StoreError(f"{db_path}: cannot open the database ({text})")
    copies = db_path.parent / "backups"
    hint = (f"; earlier copies are in {copies} (studyaws restore FILE)"
            if copies.is_dir() and any(copies.glob("*.sqlite3")) else "")
    return StoreError(f"{db_path}: not a usable studyaws database ({text}){hint}")


def _check_existing(db_path: Path) -> None:
    """Refuse a database this version cannot use before anything (even WAL mode) touches it."""
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise _open_problem(db_path, exc) from None
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{db_path}: made by a newer studyaws (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade studyaws. The file was left untouched."
        )


def _user_version(engine: Engine) -> int:
    with engine.connect() as conn:
        return _version_of(conn)


def _version_of(conn) -> int:
    if is_postgres(conn):
        return postgres.schema_version(conn)
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0)


def _set_version(conn, version: int) -> None:
    if is_postgres(conn):
        postgres.set_schema_version(conn, version)
    else:
        conn.exec_driver_sql(f"PRAGMA user_version = {version}")


def table_columns(conn, table: str) -> set[str]:
    """The names of `table`'s columns, on either backend (for migrations); none for a table
    a later schema adds."""
    try:
        return {column["name"] for column in inspect(conn).get_columns(table)}
    except NoSuchTableError:
        return set()


def _migrate(engine: Engine, db_path: Path | None) -> bool:
    """Create or upgrade the schema; `db_path` is None on PostgreSQL (no file to copy). True
    when the schema was created now."""
    version = _user_version(engine)
    db_path = db_path if db_path is not None else postgres.redact(str(engine.url))
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{db_path}: made by a newer studyaws (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade studyaws. The file was left untouched."
        )
    if version == SCHEMA_VERSION:
        return False
    if version > 0 and isinstance(db_path, Path):
        _backup_copy(db_path, db_path.with_name(f"{db_path.name}.schema{version}.bak"))
    with engine.execution_options(immediate=True).begin() as conn:
        # Another process may have upgraded it while this one waited for the lock.
        version = _version_of(conn)
        if version == SCHEMA_VERSION:
            return False
        if is_postgres(conn):
            postgres.create_functions(conn)
        if version == 0:
            SQLModel.metadata.create_all(conn)
            if not is_postgres(conn):  # SQLite's FTS5; other engines search with LIKE
                create_text_index(conn)
        else:
            for step in range(version, SCHEMA_VERSION):
                MIGRATIONS[step](conn)
        _set_version(conn, SCHEMA_VERSION)
    if 0 < version < 5 and not is_postgres(engine):
        _compact(engine)
    return version == 0


def _compact(engine: Engine) -> None:
    """Give back the space the texts schema 4 copied into every card took (VACUUM). Only
    a smaller file is at stake: when it cannot be done now (another studyaws has the
    collection open, too little room for the temporary copy) it is not done."""
    raw = engine.raw_connection()  # no transaction: VACUUM cannot run inside one
    conn = raw.driver_connection
    try:
        conn.execute("PRAGMA busy_timeout = 100")  # not worth waiting for another studyaws
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError:
        pass
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        raw.close()


def _backup_copy(source: Path, target: Path) -> None:
    """A consistent copy of a live database (WAL included), by SQLite's online backup."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _add_new_tables(conn) -> None:
    """Schema 2 adds the mock-exam tables; creating what is missing leaves the rest as is."""
    SQLModel.metadata.create_all(conn, checkfirst=True)


# MIGRATIONS[n] upgrades schema n to n + 1, inside one transaction.
def _add_indexes(conn) -> None:
    """Schemas 3 (the question pool) and 4 (seen cards' stability and last review) add
    indexes; creating an index that exists is skipped, and so is one on a column a later
    schema adds."""
    for table in SQLModel.metadata.sorted_tables:
        columns = table_columns(conn, table.name)
        for index in table.indexes:
            if index.name in SQLITE_ONLY_INDEXES and is_postgres(conn):
                continue
            if {c.name for c in index.columns} <= columns:
                conn.execute(CreateIndex(index, if_not_exists=True))


def _share_texts(conn) -> None:
    """Schema 5 stores once the text several cards show, which schema 4 copied into each:
    a section's notes and a cloze's text go to shared_text (store.shared_text)."""
    if sqlite3.sqlite_version_info < (3, 35):
        raise StoreError(f"upgrading this collection needs SQLite 3.35 or newer (this Python "
                         f"has {sqlite3.sqlite_version}); nothing was changed")
    from studyaws.store.shared_text import share_card_texts

    tables.SharedText.__table__.create(conn, checkfirst=True)
    columns = table_columns(conn, "card")
    if "context" not in columns:  # already done (what is missing, as every step does)
        _add_indexes(conn)
        return
    for column in ("context_id", "cloze_text_id"):
        if column not in columns:
            conn.exec_driver_sql(f"ALTER TABLE card ADD COLUMN {column} INTEGER "
                                 "REFERENCES shared_text (id)")
    cards = [dict(row._mapping) for row in conn.exec_driver_sql(
        "SELECT id, deck_id, kind, key, prompt, answer, payload, context FROM card ORDER BY id")]
    keys = [card["key"] for card in cards]
    first = (conn.exec_driver_sql("SELECT max(id) FROM shared_text").scalar() or 0) + 1
    shared = share_card_texts(cards, first)
    if shared:
        conn.exec_driver_sql("INSERT INTO shared_text (id, deck_id, text) VALUES (?, ?, ?)",
                             [(r["id"], r["deck_id"], r["text"]) for r in shared])
    changed = [(c["key"], c["prompt"], c["answer"], c["payload"], c["context_id"],
                c["cloze_text_id"], c["id"]) for c, key in zip(cards, keys, strict=True)
               if c["context_id"] is not None or c["cloze_text_id"] is not None
               or c["key"] != key]
    if changed:
        conn.exec_driver_sql("UPDATE card SET key = ?, prompt = ?, answer = ?, payload = ?, "
                             "context_id = ?, cloze_text_id = ? WHERE id = ?", changed)
    conn.exec_driver_sql("ALTER TABLE card DROP COLUMN context")
    _add_indexes(conn)


def _domains_per_exam(conn) -> None:
    """Schema 6 keeps a card's domain for each exam in its own column (tables.DOMAIN_COLUMNS)
    instead of one `domain`: each old value goes to the column of the exam that owns it."""
    from studyaws.core.domains import EXAM_OF

    columns = table_columns(conn, "card")
    for column, kind in (("saa_domain", "VARCHAR"), ("clf_domain", "VARCHAR"),
                         ("domain_inferred", "BOOLEAN NOT NULL DEFAULT 0")):
        if column not in columns:
            conn.exec_driver_sql(f"ALTER TABLE card ADD COLUMN {column} {kind}")
    if "domain" in columns:
        for exam, column in tables.DOMAIN_COLUMNS.items():
            slugs = [slug for slug, owner in EXAM_OF.items() if owner == exam]
            marks = ", ".join("?" for _ in slugs)
            conn.exec_driver_sql(f"UPDATE card SET {column} = domain WHERE domain IN ({marks})",
                                 tuple(slugs))
        conn.exec_driver_sql("DROP INDEX IF EXISTS ix_card_pool")
        conn.exec_driver_sql("DROP INDEX IF EXISTS ix_card_domain")
        conn.exec_driver_sql("ALTER TABLE card DROP COLUMN domain")
    _add_indexes(conn)


def _card_flags(conn) -> None:
    """Schema 7: a card carries a flag (0 none, 1-4 a colour)."""
    columns = table_columns(conn, "card")
    if "flag" not in columns:
        conn.exec_driver_sql("ALTER TABLE card ADD COLUMN flag INTEGER NOT NULL DEFAULT 0")
    _add_indexes(conn)


def _index_due_dates(conn) -> None:
    """Schema 8: indexes on when cards are due, on deck titles and on cards' places in their
    deck, so that a card search sorted by due or by deck reads its first page in that order
    instead of sorting every card."""
    _add_indexes(conn)


def _deck_folders_and_removal(conn) -> None:
    """Schema 9: a deck keeps the folder it was imported from (its place in the deck tree),
    whether the user renamed it, and, once removed by the user, when and which of its cards
    the removal retired."""
    columns = table_columns(conn, "deck")
    for column, kind in (("folder", "VARCHAR"), ("renamed", "BOOLEAN"),
                         ("deleted_at", "VARCHAR(26)"),
                         ("deleted_cards", "VARCHAR")):
        if column not in columns:
            conn.exec_driver_sql(f"ALTER TABLE deck ADD COLUMN {column} {kind}")


def _deck_presets(conn) -> None:
    """Schema 10: named deck option presets (table preset), and the one each deck uses
    (deck.preset_id; none, the Default preset made of the settings, for every deck)."""
    tables.Preset.__table__.create(conn, checkfirst=True)
    if "preset_id" not in table_columns(conn, "deck"):
        conn.exec_driver_sql("ALTER TABLE deck ADD COLUMN preset_id INTEGER "
                             "REFERENCES preset (id)")


def _index_card_text(conn) -> None:
    """Schema 11: a full-text index (FTS5, trigrams) of the cards' text and the shared
    texts, kept in step by triggers, so that a search's words and phrases read the cards
    that contain them instead of every card (store.text_index); the text stored is indexed
    now. Also the indexes a search sorted by difficulty, lapses or answers walks."""
    if not is_postgres(conn):  # SQLite's FTS5; other engines search with LIKE
        create_text_index(conn)
    _add_indexes(conn)


def _preset_parameters(conn) -> None:
    """Schema 12: a preset may hold its own FSRS parameters (preset.parameters, a JSON list,
    and preset.parameters_fitted_at); none has them yet, so every deck keeps the
    collection's."""
    columns = table_columns(conn, "preset")
    for column, kind in (("parameters", "VARCHAR"), ("parameters_fitted_at", "VARCHAR(26)")):
        if column not in columns:
            conn.exec_driver_sql(f"ALTER TABLE preset ADD COLUMN {column} {kind}")


def _index_day_counts(conn) -> None:
    """Schema 13: the index the day's counts read instead of every card's row (each deck's
    cards with retired, suspended and buried until), which replaces the one on deck_id
    alone, and one of the buried cards."""
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_card_deck_id")
    _add_indexes(conn)
    # A SQLite file that holds statistics of its other indexes (ANALYZE) and none of the
    # new one would take it for far more selective than it is, and walk a deck's cards
    # for the next learning card instead of the (state, due) index.
    if not is_postgres(conn) and conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first() is not None:
        conn.exec_driver_sql("ANALYZE ix_card_queue")
        conn.exec_driver_sql("ANALYZE ix_card_buried")


def _deck_in_card_state(conn) -> None:
    """Schema 14: each card's memory holds its deck (card_state.deck_id, as card.deck_id),
    and the index of each state's cards by due date holds the card and the deck too (state,
    due, card, deck), replacing the one of (state, due): the day's counts read it, and the
    cards out of the queue (retired, suspended, buried: ix_card_out), instead of every card
    joined to its memory; the queue takes the next review card in its order."""
    if "deck_id" not in table_columns(conn, "card_state"):
        conn.exec_driver_sql("ALTER TABLE card_state ADD COLUMN deck_id INTEGER")
    conn.exec_driver_sql("UPDATE card_state SET deck_id = "
                         "(SELECT card.deck_id FROM card WHERE card.id = card_state.card_id)")
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_card_state_state_due")
    _add_indexes(conn)
    if not is_postgres(conn) and conn.exec_driver_sql(  # as in schema 13
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first() is not None:
        conn.exec_driver_sql("ANALYZE ix_card_state_queue")
        conn.exec_driver_sql("ANALYZE ix_card_out")


MIGRATIONS = {1: _add_new_tables, 2: _add_indexes, 3: _add_indexes, 4: _share_texts,
              5: _domains_per_exam, 6: _card_flags, 7: _index_due_dates,
              8: _deck_folders_and_removal, 9: _deck_presets, 10: _index_card_text,
              11: _preset_parameters, 12: _index_day_counts,
              13: _deck_in_card_state}


def reading(engine: Engine) -> Session:
    """A session for reads (not writes: those go through `writing`). On SQLite its reads
    are one transaction and see one state of the collection; on PostgreSQL each statement
    sees the collection as it is when it runs, as in any transaction of PostgreSQL's
    default isolation (read committed): there they run without one (`readers`)."""
    return Session(readers(engine), expire_on_commit=False)


def readers(engine: Engine) -> Engine:
    """`engine` for reads: on PostgreSQL, in autocommit, so that no BEGIN goes before the
    first statement and no ROLLBACK after the last (two round trips to the server each
    time); each of its statements sees what is committed when it starts, as it would in a
    read-committed transaction. SQLite's reads keep their transaction (in process), which
    gives them one snapshot."""
    if not is_postgres(engine):
        return engine
    found = _READERS.get(engine)
    if found is None:
        found = _READERS[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return found


_READERS: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


# SQLite waits BUSY_TIMEOUT_MS for the write lock by itself; when it still says busy (a
# long import elsewhere, or a busy case its timeout does not cover) the write is tried again,
# a bounded number of times, from BEGIN: an attempt that failed has committed nothing.
WRITE_ATTEMPTS = 5
RETRY_PAUSE = 0.05  # seconds, times the attempt number

# Inside quick_writes: how long a write waits for the lock (one attempt), in milliseconds.
_QUICK_WAIT_MS: ContextVar[int | None] = ContextVar("quick_wait_ms", default=None)


@contextmanager
def quick_writes(wait_s: float = 1.0):
    """Writes in this block wait for the write lock `wait_s` once, not BUSY_TIMEOUT_MS up to
    WRITE_ATTEMPTS times: for a write the user is waiting on (an answer), which the screen
    keeps and tries again in the background when the lock is still held (tui.saving).
    Other threads and later writes keep the full patience."""
    token = _QUICK_WAIT_MS.set(max(1, int(wait_s * 1000)))
    try:
        yield
    finally:
        _QUICK_WAIT_MS.reset(token)


def _retry_busy(attempt: Callable[[], T]) -> T:
    attempts = 1 if _QUICK_WAIT_MS.get() is not None else WRITE_ATTEMPTS
    for number in range(1, attempts + 1):
        try:
            return attempt()
        except (OperationalError, sqlite3.OperationalError) as exc:
            if not is_busy(exc) or number == attempts:
                raise
            time.sleep(RETRY_PAUSE * number)
    raise AssertionError("unreachable")


def _begin_write(engine: Engine) -> Session:
    """A session whose BEGIN IMMEDIATE has already run: it holds SQLite's write lock."""
    session = Session(engine.execution_options(immediate=True), expire_on_commit=False)
    try:
        session.begin()
        session.connection()  # BEGIN IMMEDIATE now, before the caller does any work
    except BaseException:
        session.close()
        raise
    return session


@contextmanager
def writing(engine: Engine):
    """A short write transaction that takes SQLite's write lock at its start (retried while
    SQLite says busy); the block runs once, and commits at its end or rolls back."""
    session = _retry_busy(lambda: _begin_write(engine))
    with session, session.get_transaction():
        yield session


def _begin_write_connection(engine: Engine, first_read: Callable[[Connection], T] | None
                            ) -> tuple[Connection, T | None]:
    """A Core connection whose BEGIN IMMEDIATE (PostgreSQL: the writers' lock) has run, and
    `first_read(conn)` when given: on PostgreSQL, BEGIN and the lock go with that read."""
    writers = _WRITERS.get(engine)
    if writers is None:  # the review's writes: BEGIN IMMEDIATE sent by the driver itself
        writers = _WRITERS[engine] = (
            engine.execution_options(immediate=True, driver_begin=True),
            engine.execution_options(immediate=True, lock_with_first_read=True,
                                     driver_begin=True))
    conn = writers[first_read is not None].connect()
    try:
        conn.begin()
        return conn, (first_read(conn) if first_read is not None else None)
    except BaseException:
        conn.close()
        raise


_WRITERS: weakref.WeakKeyDictionary[Engine, tuple[Engine, Engine]] = \
    weakref.WeakKeyDictionary()


@contextmanager
def write_transaction(engine: Engine):
    """As `writing`, on a Core connection rather than an ORM session: for the statements
    of the review's hot path (store.answers), which need no ORM objects."""
    with write_transaction_reading(engine, None) as (conn, _):
        yield conn


@contextmanager
def write_transaction_reading(engine: Engine, first_read: Callable[[Connection], T] | None):
    """`write_transaction`, giving the block `(conn, first_read(conn))`: the transaction's
    first read, made as soon as it holds the write lock (tried again with it while busy).
    On PostgreSQL `first_read` must send BEGIN and the lock itself, with its own statements
    (store.postgres.lock_statements: an answer's read, store.answers), so that they take one
    round trip; any other first statement takes the lock before it runs."""
    conn, value = _retry_busy(lambda: _begin_write_connection(engine, first_read))
    with conn:
        transaction = conn.get_transaction()
        try:
            yield conn, value
        except BaseException:
            transaction.rollback()
            raise
        transaction.commit()


@contextmanager
def read_connection(engine: Engine):
    """A Core connection for reads (`readers`: on SQLite one transaction, whose reads see
    one state; on PostgreSQL none), closed at the end of the block."""
    with readers(engine).connect() as conn:
        yield conn


def run_write(engine: Engine, work: Callable[[Session], T]) -> T:
    """`work(session)` in one write transaction, run again from the start (bounded) while
    SQLite says busy, even after BEGIN. `work` must only change the database through
    `session`: a failed attempt is rolled back, so nothing of it remains."""

    def attempt() -> T:
        session = _begin_write(engine)
        with session, session.get_transaction():
            return work(session)

    return _retry_busy(attempt)
