"""What the stats read from the store: plain rows, aggregated in SQL where that is cheap.

Times are bucketed by 15 minutes in SQL (every time zone's day starts on a quarter hour) so
that a year of reviews comes back as at most 35,000 rows; study days are worked out from
the buckets in `compute`. Answers from the daily review and from mock exams both count.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from studyaws.core.stats import CardMemory
from studyaws.store.answer_rows import SOURCES, Cards, answers_statement, microseconds_sqlite
from studyaws.store.engine import reading
from studyaws.store.tables import DOMAIN_COLUMNS, to_db

fromiso = datetime.fromisoformat


def parse_time(text: str | None) -> datetime | None:
    """A stored time (UTC text) as an aware datetime; fast enough for 100,000 rows."""
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


def _range_counts(engine: Engine, sql: str, bounds: list[datetime]) -> list[int]:
    """Rows of `sql` (a count with `lo` and `hi` parameters) between consecutive bounds:
    one index range count per interval, so a year of 1,000,000 answers is counted without
    reading them."""
    if len(bounds) < 2:
        return []
    values = ", ".join("(?, ?)" for _ in bounds[1:])
    params = [p for lo, hi in zip(bounds, bounds[1:], strict=False) for p in (to_db(lo), to_db(hi))]
    with reading(engine) as session:
        rows = session.connection().exec_driver_sql(
            f"WITH span(lo, hi) AS (VALUES {values}) SELECT ({sql}) FROM span",
            tuple(params)).all()
    return [count for (count,) in rows]


def answer_counts(engine: Engine, bounds: list[datetime]) -> list[int]:
    """Answers between each pair of consecutive `bounds` (study-day starts, UTC): the daily
    review's and every answered mock exam question's (exam_answer_counts)."""
    reviews = _range_counts(engine, "SELECT count(*) FROM review_log WHERE source = 'review'"
                            " AND reviewed_at >= span.lo AND reviewed_at < span.hi", bounds)
    exams = exam_answer_counts(engine, bounds)
    return [r + e for r, e in zip(reviews, exams, strict=True)]


def exam_answer_counts(engine: Engine, bounds: list[datetime],
                       wrong_only: bool = False) -> list[int]:
    """Mock exam questions answered between each pair of consecutive `bounds`, by the time
    of the answer, in running and finished exams alike (a discarded exam has no rows left).
    Counted from the exam's own rows, not the review log: an exam answer is an answer
    whether or not the exam feeds the schedule, and an unanswered question is none.
    `wrong_only`: only the answers that were wrong."""
    from bisect import bisect_left

    if len(bounds) < 2:
        return []
    sql = "SELECT answered_at FROM exam_question WHERE answered_at >= ? AND answered_at < ?"
    if wrong_only:
        sql += " AND NOT correct"
    with reading(engine) as session:  # few rows (tens of exams): read and bucket them here
        times = sorted(parse_time(t) for (t,) in session.connection()
                       .exec_driver_sql(sql, (to_db(bounds[0]), to_db(bounds[-1]))).all())
    return [bisect_left(times, hi) - bisect_left(times, lo)
            for lo, hi in zip(bounds, bounds[1:], strict=False)]


def due_counts(engine: Engine, bounds: list[datetime]) -> list[int]:
    """Studied cards (not new, suspended or retired) due between each pair of consecutive
    `bounds`; the first interval starts at the beginning of time (overdue cards)."""
    bounds = [datetime(1970, 1, 1, tzinfo=UTC), *bounds[1:]]
    return _range_counts(engine, "SELECT count(*) FROM card_state s JOIN card c ON"
                         " c.id = s.card_id WHERE s.state IN (1, 2, 3) AND s.due >= span.lo"
                         " AND s.due < span.hi AND NOT c.retired AND NOT c.suspended", bounds)


def state_counts(engine: Engine) -> dict[str, int]:
    """Cards by state; suspended and retired cards are counted apart from the states."""
    names = {0: "new", 1: "learning", 2: "review", 3: "relearning"}
    result = dict.fromkeys(["new", "learning", "review", "relearning", "suspended", "retired"], 0)
    with reading(engine) as session:
        rows = session.connection().exec_driver_sql(
            "SELECT CASE WHEN c.retired THEN 'retired' WHEN c.suspended THEN 'suspended'"
            " ELSE CAST(s.state AS VARCHAR) END, count(*) FROM card c JOIN card_state s ON s.card_id = c.id"
            " GROUP BY 1").all()
    for key, count in rows:
        name = key if isinstance(key, str) and not key.isdigit() else names.get(int(key), "new")
        result[name] += count
    return result


def review_outcomes(engine: Engine, since: datetime) -> list[tuple[datetime, int, float | None]]:
    """Answers since `since` to cards in the review state: (time, rating, last interval in
    days). The last interval is the one the card was scheduled at before this answer: the
    previous answer's due minus its time, as Anki's revlog keeps it."""
    with reading(engine) as session:
        rows = session.connection().exec_driver_sql(
            "SELECT r.reviewed_at, r.rating,"
            " (SELECT julianday(p.due) - julianday(p.reviewed_at) FROM review_log p"
            "  WHERE p.card_id = r.card_id AND p.reviewed_at < r.reviewed_at"
            "  AND p.due IS NOT NULL ORDER BY p.reviewed_at DESC LIMIT 1)"
            f" FROM review_log r WHERE r.reviewed_at >= ? AND r.source IN {SOURCES}"
            " AND r.state_before = 2", (to_db(since),)).all()
    return [(parse_time(at), rating, interval) for at, rating, interval in rows]


def card_memories(engine: Engine, exam: str) -> list[CardMemory]:
    """Every card that has a domain in `exam` and is not retired, with its FSRS memory."""
    col = DOMAIN_COLUMNS[exam]
    with reading(engine) as session:
        rows = session.connection().exec_driver_sql(
            f"SELECT c.id, c.{col}, c.kind, c.suspended, s.state, s.stability, s.last_review"
            " FROM card c JOIN card_state s ON s.card_id = c.id"
            f" WHERE NOT c.retired AND c.{col} IS NOT NULL").all()
    return [CardMemory(card_id, domain, kind, bool(suspended), state, stability,
                       None if last is None else fromiso(last).replace(tzinfo=UTC))
            for card_id, domain, kind, suspended, state, stability, last in rows]


@dataclass(frozen=True)
class FinishedExam:
    started_at: datetime
    preset: str
    mode: str
    correct: int | None
    total: int
    scaled: int | None
    passed: bool | None


def finished_exams(engine: Engine) -> list[FinishedExam]:
    """Finished mock exams, oldest first."""
    with reading(engine) as session:
        rows = session.connection().exec_driver_sql(
            "SELECT started_at, preset, mode, correct, total, scaled, passed FROM exam"
            " WHERE status = 'finished' ORDER BY started_at").all()
    return [FinishedExam(parse_time(started), preset, mode, correct, total, scaled,
                         None if passed is None else bool(passed))
            for started, preset, mode, correct, total, scaled, passed in rows]


def review_histories(engine: Engine) -> dict[int, list[tuple[datetime, int, int]]]:
    """Every card's answers in time order: (time, rating, state before)."""
    with reading(engine) as session:
        return histories_between(session.connection(), 0, LAST_ID)


LAST_ID = 2**63 - 1  # SQLite's largest row id


def histories_between(conn, first: int, last: int) -> dict[int, list[tuple[datetime, int, int]]]:
    """The answers of the cards whose ids are `first` to `last`, as review_histories gives
    them, read on the SQLAlchemy connection `conn` (inside its caller's transaction)."""
    histories: dict[int, list[tuple[datetime, int, int]]] = {}
    rows = conn.exec_driver_sql(
        "SELECT card_id, reviewed_at, rating, state_before FROM review_log"
        f" WHERE card_id BETWEEN ? AND ? AND source IN {SOURCES}"
        " ORDER BY card_id, reviewed_at, id", (first, last))
    for card_id, at, rating, before in rows:
        histories.setdefault(card_id, []).append((parse_time(at), rating, before))
    return histories


def _microseconds(engine: Engine, column: str) -> str:
    """`column` as whole microseconds since 1970 (answer_rows.MICROSECONDS), as the engine's
    database works it out."""
    if engine.dialect.name == "postgresql":
        from studyaws.store.postgres import microseconds_sql

        return microseconds_sql(column)
    return microseconds_sqlite(column)


def answers_by_card(engine: Engine, deck_ids: list[int] | None = None,
                    cards: Cards = (None, None)) -> Iterator[tuple[int, int, int, int]]:
    """Every answer as plain integers, card after card (by id), each card's in time order:
    (card id, rating, state before, time in microseconds since 1970); only the answers to
    cards of `deck_ids` when given, and of the card ids in `cards` (from the first, included,
    to the second, not). Rows come from the driver's cursor as they are read, so nothing but
    the row at hand is held."""
    statement = answers_statement(_microseconds(engine, "reviewed_at"), deck_ids, cards)
    with reading(engine) as session:
        cursor = session.connection().connection.driver_connection.execute(statement)
        try:
            yield from cursor
        finally:
            cursor.close()


def answer_log_middle(engine: Engine) -> tuple[int, int | None]:
    """About how many answers the log holds (its largest row id), and the card id its middle
    answer (by card) belongs to: the log read in two parts from there is read in halves.
    None for an empty log."""
    with reading(engine) as session:
        conn = session.connection()
        size = conn.exec_driver_sql("SELECT max(id) FROM review_log").scalar() or 0
        middle = conn.exec_driver_sql(
            "SELECT card_id FROM review_log ORDER BY card_id LIMIT 1 OFFSET ?",
            (size // 2,)).scalar()
    return size, middle


def active_card_count(engine: Engine) -> int:
    """Cards neither suspended nor retired (the size of the collection being studied)."""
    with reading(engine) as session:
        return session.connection().exec_driver_sql(
            "SELECT count(*) FROM card WHERE NOT retired AND NOT suspended").scalar_one()


def simulation_cards(engine: Engine) -> tuple[list[tuple[float, float, int, int]], int]:
    """What a workload simulation starts from: each studied card being studied (neither
    suspended nor retired) as (stability, difficulty, last review, due), both times in
    microseconds since 1970, in card order; and how many cards being studied are still
    new."""
    with reading(engine) as session:
        conn = session.connection()
        studied = conn.connection.driver_connection.execute(
            f"SELECT s.stability, s.difficulty, {_microseconds(engine, 's.last_review')},"
            f" {_microseconds(engine, 's.due')} FROM card_state s JOIN card c ON c.id = s.card_id"
            " WHERE s.state != 0 AND s.stability IS NOT NULL AND s.difficulty IS NOT NULL"
            " AND s.last_review IS NOT NULL AND NOT c.retired AND NOT c.suspended"
            " ORDER BY s.card_id").fetchall()  # the seeded simulation's order, on any backend
        new = conn.exec_driver_sql(
            "SELECT count(*) FROM card_state s JOIN card c ON c.id = s.card_id"
            " WHERE s.state = 0 AND NOT c.retired AND NOT c.suspended").scalar_one()
    return studied, new


def recent_answers(engine: Engine, latest: int = 20_000) -> list[tuple[int, int, int]]:
    """(state before, rating, milliseconds: 0 when not timed) of the latest `latest`
    answers in the daily review."""
    with reading(engine) as session:
        return [tuple(row) for row in session.connection().exec_driver_sql(
            "SELECT state_before, rating, duration_ms FROM review_log WHERE source = 'review'"
            " ORDER BY reviewed_at DESC LIMIT ?", (latest,)).all()]
