"""What the store does differently on PostgreSQL (psycopg 3, `pip install "studyaws[postgres]"`).

- The schema version lives in the one-row table `studyaws_schema` (SQLite: PRAGMA user_version).
- Writers go one at a time, as on SQLite: a write transaction (`writing`, `run_write`, a
  migration) first takes a transaction-scoped advisory lock, waiting at most as long as
  SQLite's busy timeout (`lock_timeout`); BEGIN, the wait and the lock go in one round
  trip. A lock not had in time is "busy" (core.errors). A write begun with the execution
  option `lock_with_first_read` (an answer, store.answers) sends nothing at its start: its
  first read goes in the same round trip as BEGIN and the lock (`lock_statements`, psycopg's
  pipeline mode); any other first statement takes the lock before it runs.
- `julianday(text)` is defined in the database, giving SQLite's answer for the stored UTC
  times, so date arithmetic in queries reads the same on both.
- SQL written for SQLite's driver (`?` placeholders, through `exec_driver_sql`) is given to
  psycopg with its own (`%s`); SQL that SQLAlchemy compiles is left alone.
- Imports send new rows with COPY (`copy_rows`) rather than a statement a row.
- URLs are shown without their password (`redact`), in errors too.
- Queries run without parallel workers (set on each new connection: the store's queries
  are small, and starting workers took longer than the work they shared).
- Reads run in autocommit (store.engine.readers): no BEGIN before them and no ROLLBACK
  after them, two round trips fewer each time; each statement sees what is committed when
  it starts, as it would inside a transaction of the default isolation (read committed).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

from sqlalchemy import Boolean, Engine, create_engine, event
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from studyaws.core.errors import StoreError

SCHEMES = ("postgresql", "postgres")
# pg_advisory_xact_lock key for "a studyaws write": any 64-bit number other programs don't use.
WRITE_LOCK = 0x5354_5544_5941_5753 & 0x7FFF_FFFF_FFFF_FFFF  # "STUDYAWS"
CONNECT_TIMEOUT_S = 10


def is_url(target: object) -> bool:
    """Whether `target` names a PostgreSQL database (rather than a SQLite file)."""
    if not isinstance(target, str):
        return False
    scheme = target.split(":", 1)[0].lower()
    return "://" in target and scheme.split("+", 1)[0] in SCHEMES


def redact(url: str) -> str:
    """`url` without its password (in the user part or a `password=` parameter)."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            user, host = netloc.rsplit("@", 1)
            netloc = f"{user.split(':', 1)[0]}@{host}"
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                           if k.lower() != "password"])
        return (f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")
                + (f"#{parts.fragment}" if parts.fragment else ""))
    except ValueError:
        return url.split("://", 1)[0] + "://…"


def _sqlalchemy_url(url: str) -> str:
    scheme, rest = url.split("://", 1)
    if "+" not in scheme:
        scheme = "postgresql+psycopg"
    return f"{scheme}://{rest}"


def _password(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        return parts.password or dict(parse_qsl(parts.query)).get("password")
    except ValueError:
        return None


def create(url: str) -> Engine:
    """An engine on the PostgreSQL database at `url` (nothing is connected yet)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise StoreError(f"{redact(url)}: PostgreSQL needs psycopg: "
                         "pip install \"studyaws[postgres]\"") from None
    try:
        engine = create_engine(
            _sqlalchemy_url(url), pool_pre_ping=False,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_S,
                          "application_name": "studyaws"})
    except Exception as exc:  # an unparsable URL
        raise StoreError(f"{redact(url)}: not a usable database URL "
                         f"({_scrub(str(exc), url)})") from None
    _configure(engine)
    return engine


def _configure(engine: Engine) -> None:
    from studyaws.store.engine import _QUICK_WAIT_MS, BUSY_TIMEOUT_MS

    @event.listens_for(engine, "connect")
    def _on_connect(driver, _record) -> None:
        # No parallel workers: the store's queries are an interactive app's, small (the
        # day's counts read some 40,000 index entries at 100,000 cards) and waited for;
        # starting workers took longer than the work they shared (17 ms without them, 36
        # with, on a busy machine). Set once a connection, outside any transaction.
        autocommit = driver.autocommit
        driver.autocommit = True
        try:
            driver.execute("SET max_parallel_workers_per_gather = 0")
        finally:
            driver.autocommit = autocommit

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        driver = conn.connection.dbapi_connection
        options = conn.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":  # reads (engine.readers)
            return
        if not options.get("immediate", False):
            if driver.autocommit:  # left by a write on this connection: psycopg begins
                driver.autocommit = False
            return
        quick = _QUICK_WAIT_MS.get()
        wait = quick if quick is not None else BUSY_TIMEOUT_MS
        # psycopg, told it is in autocommit, sends no BEGIN of its own first; its commit and
        # rollback go by the transaction the server reports, so they end this one as usual.
        driver.autocommit = True
        if options.get("lock_with_first_read", False):
            conn.info[_PENDING_LOCK] = int(wait)  # sent with the first read (take_lock)
            return
        # A write begins in one round trip: BEGIN, the longest wait for the write lock, and
        # the lock, sent together.
        conn.exec_driver_sql(_begin_and_lock(wait))

    @event.listens_for(engine, "checkin")
    def _on_checkin(driver, record) -> None:
        if record is not None:
            record.info.pop(_PENDING_LOCK, None)  # a write ended before its first read
        if driver is not None and driver.autocommit and not driver.closed:
            driver.autocommit = False  # the pool's connections begin their own reads

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _paramstyle(conn, _cursor, statement, parameters, context, _executemany):
        wait = conn.info.pop(_PENDING_LOCK, None)
        if wait is not None:  # a first statement that is not the answer's read
            conn.connection.dbapi_connection.execute(_begin_and_lock(wait))
        if context is not None and context.compiled is None and parameters:
            statement = sqlite_params_to_psycopg(statement)
        return statement, parameters


# A write transaction begun with `lock_with_first_read` that has not sent its BEGIN yet: the
# longest wait for the lock, in milliseconds, in the connection's info.
_PENDING_LOCK = "studyaws_pending_write_lock"


def _begin_and_lock(wait_ms: int) -> str:
    return (f"BEGIN; SET LOCAL lock_timeout = {int(wait_ms)};"
            f" SELECT pg_advisory_xact_lock({WRITE_LOCK})")


def lock_statements(conn) -> tuple[str, ...]:
    """The statements that begin the write transaction of `conn` (a Core connection) and
    take the write lock, when its start waits for its first read (`lock_with_first_read`):
    to be sent first, in the same pipeline as that read; none when they have been sent."""
    wait = conn.info.pop(_PENDING_LOCK, None)
    if wait is None:
        return ()
    return ("BEGIN", f"SET LOCAL lock_timeout = {int(wait)}",
            f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")


def copy_rows(conn, table: str, names: list[str], rows) -> None:
    """Insert `rows` (tuples of values as the columns' bind processors give them: text,
    numbers, flags, None) into `table`'s columns `names` with one COPY, inside the write
    transaction of `conn` (a Core connection): the server parses one stream instead of
    planning and running a statement a row, as a pipelined executemany has it do."""
    driver = conn.connection.dbapi_connection
    for statement in lock_statements(conn):  # a write that has not begun on the server yet
        driver.execute(statement)
    with driver.cursor() as cursor, \
            cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def sqlite_params_to_psycopg(statement: str) -> str:
    """SQLite's placeholders (`?`, `:name`) as psycopg's (`%s`, `%(name)s`), and a literal
    `%` as `%%`, outside quoted strings and identifiers."""
    out: list[str] = []
    quote: str | None = None
    i, size = 0, len(statement)
    while i < size:
        char = statement[i]
        i += 1
        if char == "%":
            out.append("%%")
            continue
        if quote:
            if char == quote:
                quote = None
        elif char in ("'", '"'):
            quote = char
        elif char == "?":
            out.append("%s")
            continue
        elif (char == ":" and i < size and (statement[i].isalpha() or statement[i] == "_")
              and (i < 2 or statement[i - 2] != ":")):
            start = i
            while i < size and (statement[i].isalnum() or statement[i] == "_"):
                i += 1
            out.append(f"%({statement[start:i]})s")
            continue
        out.append(char)
    return "".join(out)


def schema_version(conn) -> int:
    if conn.exec_driver_sql("SELECT to_regclass('studyaws_schema')").scalar() is None:
        return 0
    return int(conn.exec_driver_sql("SELECT max(version) FROM studyaws_schema").scalar() or 0)


def set_schema_version(conn, version: int) -> None:
    conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS studyaws_schema (version INTEGER NOT NULL)")
    conn.exec_driver_sql("DELETE FROM studyaws_schema")
    conn.exec_driver_sql(f"INSERT INTO studyaws_schema (version) VALUES ({int(version)})")


# SQLite's julianday() of a stored time: text without an offset is UTC.
_JULIANDAY = r"""
CREATE OR REPLACE FUNCTION julianday(t text) RETURNS double precision
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN t ~ '([+-]\d\d(:?\d\d)?|Z)$'
              THEN extract(epoch FROM t::timestamptz)
              ELSE extract(epoch FROM t::timestamp) END::double precision / 86400.0 + 2440587.5
$$
"""


def create_functions(conn) -> None:
    """The SQL functions the store's queries use that PostgreSQL lacks (in the schema
    transaction, under the write lock)."""
    conn.exec_driver_sql(_JULIANDAY)


def microseconds_sql(column: str) -> str:
    """A stored time as whole microseconds since 1970 (exact integers)."""
    return (f"(CAST(extract(epoch FROM substr({column}, 1, 19)::timestamp) AS BIGINT) * 1000000"
            f" + CAST(substr({column}, 21, 6) AS INTEGER))")


def _scrub(text: str, url: str) -> str:
    password = _password(url)
    first = text.strip().splitlines()[0] if text.strip() else text
    return first.replace(password, "***") if password else first


def open_problem(url: str, exc: BaseException) -> BaseException:
    """One line for a database that cannot be reached or used (a wrong password, no server,
    no such database), with the URL's password left out; other errors as they are."""
    if isinstance(exc, StoreError):
        return exc
    cause = getattr(exc, "orig", None) or exc
    module = type(cause).__module__
    if module.startswith("psycopg"):
        text = _scrub(str(cause), url)
        for prefix in ("connection failed: ", "connection is bad: "):
            text = text.removeprefix(prefix)
        return StoreError(f"{redact(url)}: cannot use the database ({text})")
    return exc


def upsert(session, table):
    """`INSERT ... ON CONFLICT` for the session's backend (SQLite's and PostgreSQL's share the
    form: `.on_conflict_do_update(index_elements=..., set_=...)`)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


class least(FunctionElement):  # noqa: N801 (an SQL function's name)
    """The smaller of its arguments: SQLite's two-argument min(), PostgreSQL's least()."""

    inherit_cache = True
    name = "least"


@compiles(least)
def _least_sqlite(element, compiler, **kw):
    return f"min({compiler.process(element.clauses, **kw)})"


@compiles(least, "postgresql")
def _least_postgresql(element, compiler, **kw):
    return f"least({compiler.process(element.clauses, **kw)})"


def connection_problem(exc: BaseException, url: str | None) -> str | None:
    """One line for a PostgreSQL error that ended a command (the server went away, a
    permission refused), the URL without its password; None for anything else."""
    if not is_url(url):
        return None
    cause = getattr(exc, "orig", None) or exc
    if not type(cause).__module__.startswith("psycopg"):
        return None
    return f"{redact(url)}: {_scrub(str(cause), url)}"


class greatest(FunctionElement):  # noqa: N801 (an SQL function's name)
    """The larger of its arguments: SQLite's two-argument max(), PostgreSQL's greatest()."""

    inherit_cache = True
    name = "greatest"


@compiles(greatest)
def _greatest_sqlite(element, compiler, **kw):
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "postgresql")
def _greatest_postgresql(element, compiler, **kw):
    return f"greatest({compiler.process(element.clauses, **kw)})"


class json_list_length(FunctionElement):  # noqa: N801 (an SQL function's name)
    """json_list_length(column, "key"): the length of the JSON list under `key` in the
    JSON text `column`, NULL when there is none."""

    inherit_cache = True
    name = "json_list_length"


@compiles(json_list_length)
def _json_list_length_sqlite(element, compiler, **kw):
    column, key = list(element.clauses)
    return (f"json_array_length({compiler.process(column, **kw)}, "
            f"'$.' || {compiler.process(key, **kw)})")


@compiles(json_list_length, "postgresql")
def _json_list_length_postgresql(element, compiler, **kw):
    column, key = list(element.clauses)
    value = f"(CAST({compiler.process(column, **kw)} AS json) -> {compiler.process(key, **kw)})"
    return f"(CASE WHEN json_typeof({value}) = 'array' THEN json_array_length({value}) END)"


class like_ci(FunctionElement):  # noqa: N801 (an SQL operator's name)
    """like_ci(text, pattern): LIKE with `\\` escaping, whatever the case of letters:
    SQLite's LIKE already ignores the case of ASCII letters; PostgreSQL's is ILIKE."""

    inherit_cache = True
    name = "like_ci"
    type = Boolean()


@compiles(like_ci)
def _like_ci_sqlite(element, compiler, **kw):
    text, pattern = (compiler.process(c, **kw) for c in element.clauses)
    return f"({text} LIKE {pattern} ESCAPE '\\')"


@compiles(like_ci, "postgresql")
def _like_ci_postgresql(element, compiler, **kw):
    text, pattern = (compiler.process(c, **kw) for c in element.clauses)
    return f"({text} ILIKE {pattern} ESCAPE '\\')"
