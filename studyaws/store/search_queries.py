"""Card search in SQL: a parsed search (core.search) as a WHERE clause, a page of rows in a
chosen order, and the count. Interval and retrievability are worked out by SQLite itself, so
that a page of a 100,000-card search reads only the rows it shows."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    Boolean,
    Engine,
    Integer,
    and_,
    cast,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import aliased

from studyaws.core import search as s
from studyaws.core.srs import policy
from studyaws.core.srs.queue import LEARN_AHEAD
from studyaws.store.engine import reading
from studyaws.store.postgres import greatest, json_list_length
from studyaws.store.tables import (
    DOMAIN_COLUMNS,
    Card,
    CardState,
    Deck,
    Exam,
    ExamQuestion,
    ReviewLog,
    SharedText,
    to_db,
)


@dataclass(frozen=True)
class SearchContext:
    """What a search is measured against: now, today's study day, and the memory model."""

    now: datetime
    day_start: datetime  # the start of today's study day (UTC)
    day_end: datetime
    # Days added to a UTC Julian day so that its whole part changes as a study day starts:
    # (the zone's UTC offset - the day-starts-at hour) / 24.
    day_shift: float
    # FSRS's forgetting curve: R = (1 + factor * days / stability) ** decay, decay < 0
    decay: float
    factor: float


@dataclass(frozen=True)
class SearchRow:
    id: int
    deck: str
    kind: str  # as stored (Card.kind)
    payload: str
    prompt: str
    cloze_text: str | None
    state: int
    due: datetime | None  # None for a new card
    interval: int | None  # study days from the last review to due; None for a new card
    stability: float | None
    difficulty: float | None
    reps: int
    lapses: int
    flag: int
    suspended: bool
    buried_until: datetime | None
    leech: bool
    retired: bool
    created_at: datetime


_Cloze = aliased(SharedText, name="cloze_text")

# The states written into the SQL rather than bound, so that SQLite chooses its indexes by
# what it reads in the statement.
NEW, LEARNING, REVIEW, RELEARNING = (literal_column(str(state)) for state in (
    policy.NEW, policy.LEARNING, policy.REVIEW, policy.RELEARNING))
# A new card's state is the lowest. A seen card is one whose state is above it, never
# `state != 0` (nor a new one `state = 0`, whose negation that is): those words would let
# SQLite read the seen cards through a partial index in the order of their stability or last
# review, each card then a read elsewhere in the file (ten times slower than in order).
_IS_NEW = CardState.state < literal_column(str(policy.NEW + 1))
_SEEN = CardState.state > NEW


def _days(column, shift: float):
    """The study day (a whole number) a stored time falls on."""
    return cast(func.julianday(column) + shift, Integer)


def interval_days(ctx: SearchContext):
    """Study days from a card's last review to its due day (NULL for a new card)."""
    return _days(CardState.due, ctx.day_shift) - _days(CardState.last_review, ctx.day_shift)


def _known(condition):
    """A condition that is false, not NULL, where a column it reads is NULL (so that `-x`
    matches exactly the cards `x` does not)."""
    return func.coalesce(condition, false(), type_=Boolean)


def _like(pattern: str, wildcards: bool) -> str:
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%") if wildcards else escaped


def _text(node: s.Text):
    pattern = f"%{_like(node.text, not node.phrase)}%"
    return or_(*(column.like(pattern, escape="\\") for column in (
        Card.prompt, Card.answer, Card.explanation, func.coalesce(_Cloze.text, ""))))


def _deck(node: s.DeckIs):
    pattern = _like(node.pattern, True)
    return or_(Deck.title.like(pattern, escape="\\"),
               Deck.title.like(pattern + "::%", escape="\\"))


def _tag(node: s.Tag):
    return (literal(",") + Deck.tags + ",").like(f"%,{_like(node.pattern, True)},%",
                                                  escape="\\")


def _domain(node: s.Domain):
    columns = [getattr(Card, column) for column in DOMAIN_COLUMNS.values()]
    if node.slug is None:
        return and_(*(column.is_(None) for column in columns))
    return or_(*(_known(column == node.slug) for column in columns))


def _choose(payload):
    return func.coalesce(json_list_length(payload, "correct"), 1)


def _kind(node: s.Kind):
    name = node.name
    if name == "choice":
        return and_(Card.kind == "choice", _choose(Card.payload) <= 1)
    if name == "multi":
        return and_(Card.kind == "choice", _choose(Card.payload) > 1)
    return Card.kind == {"order": "ordering"}.get(name, name)


def _is(node: s.Is, ctx: SearchContext):
    state = node.state
    if state == "new":
        return _IS_NEW
    if state == "learning":
        return CardState.state.in_((LEARNING, RELEARNING))
    if state == "review":
        return CardState.state == REVIEW
    if state == "due":
        return or_(and_(CardState.state == REVIEW, CardState.due < ctx.day_end),
                   and_(CardState.state.in_((LEARNING, RELEARNING)),
                        CardState.due <= ctx.now + LEARN_AHEAD))
    if state == "buried":
        return and_(Card.buried_until.is_not(None), Card.buried_until > ctx.now)
    if state == "flagged":
        return Card.flag != 0
    return getattr(Card, state).is_(True)  # suspended, leech, retired


def _rated(node: s.Rated, ctx: SearchContext):
    """The cards answered since the start of the study day `days - 1` days ago (found from
    the log's time index, not card by card)."""
    since = ctx.day_start - timedelta(days=node.days - 1)
    query = select(ReviewLog.card_id).where(ReviewLog.reviewed_at >= since)
    if node.rating is not None:
        query = query.where(ReviewLog.rating == node.rating)
    return Card.id.in_(query)


_COMPARE = {">=": "__ge__", "<=": "__le__", ">": "__gt__", "<": "__lt__", "=": "__eq__",
            "!=": "__ne__"}
# R falls as days / stability grows: R op x is (days / stability) op' c(x)
_REVERSED = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "=": "=", "!=": "!="}


def _prop(node: s.Prop, ctx: SearchContext):
    if node.name == "r":
        return _known(_retrievability(node, ctx))
    column = {"ivl": interval_days(ctx), "lapses": CardState.lapses, "reps": CardState.reps,
              "d": CardState.difficulty, "s": CardState.stability}[node.name]
    seen = _SEEN if node.name in ("ivl", "d", "s") else true()
    return _known(and_(seen, getattr(column, _COMPARE[node.op])(node.value)))


def _retrievability(node: s.Prop, ctx: SearchContext):
    """FSRS's R = (1 + factor * t / S) ** decay, t the whole days since the last review (as
    py-fsrs counts them), compared without a power: R op x is t op' S * c with
    c = (x ** (1 / decay) - 1) / factor. New cards have no retrievability: none match."""
    if node.value <= 0:
        threshold = 1e300  # R is never 0: t / S below any bound
    else:
        threshold = (node.value ** (1 / ctx.decay) - 1) / ctx.factor
    elapsed = greatest(cast(func.julianday(to_db(ctx.now)) - func.julianday(CardState.last_review),
                            Integer), 0)
    compare = getattr(elapsed, _COMPARE[_REVERSED[node.op]])
    return and_(_SEEN, CardState.stability > 0,
                compare(CardState.stability * threshold))


def _not_removed():
    """A removed deck's cards (kept until purged, for undo) are found by no search."""
    return Card.deck_id.not_in(select(Deck.id).where(Deck.deleted_at.is_not(None)))


def condition(node: s.Node, ctx: SearchContext):
    """The WHERE clause for a parsed search, over card, card_state, deck and cloze_text."""
    if isinstance(node, s.All):
        return true()
    if isinstance(node, s.And):
        return and_(*(condition(n, ctx) for n in node.nodes))
    if isinstance(node, s.Or):
        return or_(*(condition(n, ctx) for n in node.nodes))
    if isinstance(node, s.Not):
        return not_(condition(node.node, ctx))
    if isinstance(node, s.Text):
        return _text(node)
    if isinstance(node, s.DeckIs):
        return _deck(node)
    if isinstance(node, s.Tag):
        return _tag(node)
    if isinstance(node, s.Domain):
        return _domain(node)
    if isinstance(node, s.Kind):
        return _kind(node)
    if isinstance(node, s.Is):
        return _is(node, ctx)
    if isinstance(node, s.Rated):
        return _rated(node, ctx)
    if isinstance(node, s.Prop):
        return _prop(node, ctx)
    if isinstance(node, s.Flag):
        return Card.flag == node.flag
    raise TypeError(f"not a search node: {node!r}")


def _reads(node: s.Node, kinds: tuple[type, ...]) -> bool:
    """Whether the search has a term of one of `kinds` (to join only the tables it reads)."""
    if isinstance(node, kinds):
        return True
    if isinstance(node, s.Not):
        return _reads(node.node, kinds)
    if isinstance(node, s.And | s.Or):
        return any(_reads(n, kinds) for n in node.nodes)
    return False


def _from(query, node: s.Node, sort: str | None = None):
    """`query` over the cards, joined to what the search and the sort read."""
    query = query.select_from(Card).join(CardState, CardState.card_id == Card.id)
    if sort == "deck" or _reads(node, (s.DeckIs, s.Tag)):
        query = query.join(Deck, Deck.id == Card.deck_id)
    if _reads(node, (s.Text,)):
        query = query.join(_Cloze, _Cloze.id == Card.cloze_text_id, isouter=True)
    return query


def _order(sort: str, ctx: SearchContext, walk: bool) -> list:
    """The ORDER BY of a sort. With `walk`, due, created and deck are in index order (SQLite then
    reads cards in that order and stops at the page's end); without it, the same order as
    expressions no index answers (SQLite reads every match, then sorts)."""
    if sort == "due":
        return ([CardState.due, CardState.card_id] if walk else
                [CardState.due.op("||")(literal_column("''")), CardState.card_id + 0])
    if sort == "created":  # ids are given in the order cards are added
        return [Card.id] if walk else [Card.id + 0]
    if sort == "deck":  # by title, then in the order of the deck's file
        return ([Deck.title, Deck.id, Card.position, Card.id] if walk else
                [Deck.title.op("||")(literal_column("''")), Deck.id + 0, Card.position + 0,
                 Card.id + 0])
    return {
        "interval": [interval_days(ctx)],
        "difficulty": [CardState.difficulty],
        "lapses": [CardState.lapses],
        "reps": [CardState.reps],
    }[sort] + [Card.id]


# How long a page may walk an index in sort order before it is read by sorting instead: a
# walk finds the first page of a search that matches many cards at once, but reads every
# card when few match, which then sorting the few is quicker.
WALK_BUDGET_S = 0.020
_CHECK_EVERY = 2000  # SQLite steps between looks at the clock
_WALKS = ("due", "created", "deck")


def _page_ids(session, node: s.Node, ctx: SearchContext, sort: str, descending: bool,
              offset: int, limit: int) -> list[int]:
    def query(walk: bool):
        order = [c.desc() if descending else c.asc() for c in _order(sort, ctx, walk)]
        query = (_from(select(Card.id), node, sort).where(condition(node, ctx), _not_removed())
                 .order_by(*order).offset(max(0, offset)).limit(max(0, limit)))
        return query

    # The walk in index order, given up past its budget (SQLite's progress handler); on
    # PostgreSQL the planner chooses between the index and a sort itself.
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sort in _WALKS and not isinstance(node, s.All) and sqlite:
        raw = session.connection().connection.driver_connection
        deadline = time.perf_counter() + WALK_BUDGET_S

        def out_of_time() -> int:
            return time.perf_counter() > deadline

        raw.set_progress_handler(out_of_time, _CHECK_EVERY)
        try:
            return list(session.execute(query(True)).scalars())
        except OperationalError as exc:
            if "interrupted" not in str(exc):
                raise
        finally:
            raw.set_progress_handler(None, 0)
    return list(session.execute(query(sort in _WALKS and isinstance(node, s.All))).scalars())


def search_page(engine: Engine, node: s.Node, ctx: SearchContext, sort: str = "due",
                descending: bool = False, offset: int = 0, limit: int = 100) -> list[SearchRow]:
    """The rows `offset` to `offset + limit` of the cards the search finds, in `sort` order
    (a column of core.search.SORTS; ties by card id). The page's ids are found first over
    only the tables the search and the sort read, then their rows are read: a first page of
    100,000 cards sorts ids, not texts."""
    with reading(engine) as session:
        ids = _page_ids(session, node, ctx, sort, descending, offset, limit)
        if not ids:
            return []
        rows = session.execute(
            select(Card.id, Deck.title, Card.kind, Card.payload, Card.prompt, _Cloze.text,
                   CardState.state, CardState.due, interval_days(ctx), CardState.stability,
                   CardState.difficulty, CardState.reps, CardState.lapses, Card.flag,
                   Card.suspended, Card.buried_until, Card.leech, Card.retired,
                   Card.created_at)
            .select_from(Card).join(CardState, CardState.card_id == Card.id)
            .join(Deck, Deck.id == Card.deck_id)
            .join(_Cloze, _Cloze.id == Card.cloze_text_id, isouter=True)
            .where(Card.id.in_(ids))).all()
    place = {card_id: n for n, card_id in enumerate(ids)}
    rows = sorted(rows, key=lambda row: place[row.id])
    return [SearchRow(*row[:7], None if row.state == policy.NEW else row.due,
                      None if row.state == policy.NEW else row[8], *row[9:]) for row in rows]


def search_count(engine: Engine, node: s.Node, ctx: SearchContext) -> int:
    """How many cards the search finds."""
    query = _from(select(func.count(Card.id)), node).where(condition(node, ctx), _not_removed())
    with reading(engine) as session:
        return session.execute(query).scalar_one()


# -- one card -----------------------------------------------------------------------------

@dataclass(frozen=True)
class CardRecord:
    card: Card
    state: CardState
    deck: str
    cloze_text: str | None


@dataclass(frozen=True)
class ExamAnswer:
    exam_id: int
    preset: str
    mode: str
    answered_at: datetime
    correct: bool | None
    flagged: bool
    seconds: float


def card_record(engine: Engine, card_id: int) -> CardRecord | None:
    """A card with its memory state, its deck's title and its cloze text; None if none."""
    with reading(engine) as session:
        row = session.execute(
            select(Card, CardState, Deck.title, _Cloze.text)
            .join(CardState, CardState.card_id == Card.id)
            .join(Deck, Deck.id == Card.deck_id)
            .join(_Cloze, _Cloze.id == Card.cloze_text_id, isouter=True)
            .where(Card.id == card_id)).first()
        if row is None:
            return None
        session.expunge_all()
        return CardRecord(*row)


def card_reviews(engine: Engine, card_id: int) -> list[ReviewLog]:
    """Every answer in the review log for a card, oldest first."""
    with reading(engine) as session:
        rows = session.execute(select(ReviewLog).where(ReviewLog.card_id == card_id)
                               .order_by(ReviewLog.reviewed_at, ReviewLog.id)).scalars().all()
        session.expunge_all()
        return list(rows)


def card_exam_answers(engine: Engine, card_id: int) -> list[ExamAnswer]:
    """The card's answered questions in mock exams, oldest first."""
    with reading(engine) as session:
        rows = session.execute(
            select(Exam.id, Exam.preset, Exam.mode, ExamQuestion.answered_at,
                   ExamQuestion.correct, ExamQuestion.flagged, ExamQuestion.seconds)
            .join(Exam, Exam.id == ExamQuestion.exam_id)
            .where(ExamQuestion.card_id == card_id, ExamQuestion.answered_at.is_not(None))
            .order_by(ExamQuestion.answered_at, ExamQuestion.id)).all()
    return [ExamAnswer(*row) for row in rows]
