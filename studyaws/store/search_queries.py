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
    table,
    true,
    union_all,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import aliased

from studyaws.core import search as s
from studyaws.core.srs import policy
from studyaws.core.srs.queue import LEARN_AHEAD
from studyaws.store.engine import reading
from studyaws.store.postgres import greatest, json_list_length, like_ci
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
from studyaws.store.text_index import CARD_INDEX, SHARED_INDEX, has_text_index, match_query


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
_Other = aliased(Card, name="other_card")

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


def _indexed(index: str, query: str):
    """The rowids the full-text index `index` matches for the FTS5 `query`."""
    return (select(literal_column("rowid")).select_from(table(index))
            .where(literal_column(index).op("MATCH")(query)))


def _text(node: s.Text, text_index: bool):
    """A word or phrase anywhere in the card's prompt, answer, explanation or cloze text, as
    LIKE finds it (any case of ASCII letters; `*` any run in a word). With `text_index` the
    cards are first looked up in the trigram index (store.text_index), which finds a
    superset of them; LIKE then reads only those."""
    pattern = f"%{_like(node.text, not node.phrase)}%"
    like = or_(*(like_ci(column, pattern) for column in (
        Card.prompt, Card.answer, Card.explanation, func.coalesce(_Cloze.text, ""))))
    query = match_query(node.text, not node.phrase) if text_index else None
    if query is None:
        return like
    # One list of ids (SQLite then reads those cards by id, and builds the list once).
    clozes = select(_Other.id).where(_Other.cloze_text_id.in_(_indexed(SHARED_INDEX, query)))
    return and_(Card.id.in_(union_all(_indexed(CARD_INDEX, query), clozes)), like)


def _deck(node: s.DeckIs):
    pattern = _like(node.pattern, True)
    return or_(like_ci(Deck.title, pattern), like_ci(Deck.title, pattern + "::%"))


def _tag(node: s.Tag):
    return like_ci(literal(",") + Deck.tags + ",", f"%,{_like(node.pattern, True)},%")


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


def _prop(node: s.Prop, ctx: SearchContext, ranges: bool = False):
    if node.name == "r":
        return _known(_retrievability(node, ctx))
    compare = _COMPARE[node.op]
    if node.name in ("lapses", "reps"):  # never NULL: as is, so that its index can answer
        return getattr(getattr(CardState, node.name), compare)(node.value)
    column = {"ivl": interval_days(ctx), "d": CardState.difficulty,
              "s": CardState.stability}[node.name]
    known = _known(and_(_SEEN, getattr(column, compare)(node.value)))
    if ranges and node.name == "ivl" and node.op in (">=", ">", "=", "<", "<="):
        # What the interval implies of its length in days, which an index answers: the
        # same cards, for a walk in the order of that index to start at its range.
        bound = (_length() > node.value - _DAY if node.op in (">=", ">", "=") else
                 _length() < node.value + _DAY)
        return and_(known, bound)
    return known


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


def condition(node: s.Node, ctx: SearchContext, indexed: frozenset = frozenset(),
              ranges: bool = False):
    """The WHERE clause for a parsed search, over card, card_state, deck and cloze_text;
    the words and phrases in `indexed` are looked up in the full-text index first; with
    `ranges`, prop:ivl also says what it implies of the interval's length (for a walk by
    interval: elsewhere a range that SQLite would read through an index card by card)."""
    if isinstance(node, s.All):
        return true()
    if isinstance(node, s.And):
        return and_(*(condition(n, ctx, indexed, ranges) for n in node.nodes))
    if isinstance(node, s.Or):
        return or_(*(condition(n, ctx, indexed, ranges) for n in node.nodes))
    if isinstance(node, s.Not):
        return not_(condition(node.node, ctx, indexed, ranges))
    if isinstance(node, s.Text):
        return _text(node, node in indexed)
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
        return _prop(node, ctx, ranges)
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


# A word or phrase is looked up in the full-text index when it is in at most this share of
# the cards: reading each card the index gives by its id costs several times what reading it
# in a scan of every card does.
SELECTIVE = 1 / 50


def _texts(node: s.Node) -> list[s.Text]:
    if isinstance(node, s.Text):
        return [node]
    if isinstance(node, s.Not):
        return _texts(node.node)
    if isinstance(node, s.And | s.Or):
        return [text for n in node.nodes for text in _texts(n)]
    return []


def _selective(session, node: s.Node) -> frozenset:
    """The search's words and phrases that the full-text index narrows down to few cards
    (SELECTIVE), found by counting its matches up to that many."""
    texts = _texts(node)
    if not texts:
        return frozenset()
    cards = session.execute(select(func.max(Card.id))).scalar() or 0
    most = max(100, int(cards * SELECTIVE))
    chosen = set()
    for text in texts:
        query = match_query(text.text, not text.phrase)
        if query is None:
            continue
        found = session.execute(select(func.count()).select_from(
            _indexed(CARD_INDEX, query).limit(most + 1).subquery())).scalar_one()
        if found <= most:
            chosen.add(text)
    return frozenset(chosen)


def _length():
    """A card's interval as a length of time in days (the expression ix_card_state_interval
    indexes): its interval in study days is within one day of it (`_page_ids`)."""
    return func.julianday(CardState.due) - func.julianday(CardState.last_review)


def _order(sort: str, ctx: SearchContext, walk: bool) -> list:
    """The ORDER BY of a sort. With `walk`, the order of an index (SQLite then reads cards in
    that order and stops at the page's end); without it, the same order as expressions no
    index answers (SQLite reads every match, then sorts). By interval, the walk is in the
    order of the interval's length in days, which the exact order then refines."""
    if sort == "due":
        return ([CardState.due, CardState.card_id] if walk else
                [CardState.due.op("||")(literal_column("''")), CardState.card_id + 0])
    if sort == "created":  # ids are given in the order cards are added
        return [Card.id] if walk else [Card.id + 0]
    if sort == "deck":  # by title, then in the order of the deck's file
        return ([Deck.title, Deck.id, Card.position, Card.id] if walk else
                [Deck.title.op("||")(literal_column("''")), Deck.id + 0, Card.position + 0,
                 Card.id + 0])
    if sort == "interval":
        return ([_length(), CardState.card_id] if walk else
                [interval_days(ctx), CardState.card_id + 0])
    column = {"difficulty": CardState.difficulty, "lapses": CardState.lapses,
              "reps": CardState.reps}[sort]
    return [column, CardState.card_id] if walk else [column + 0, CardState.card_id + 0]


# How long a page may walk an index in sort order before it is read by sorting instead: a
# walk finds the first page of a search that matches many cards at once, but reads every
# card when few match, which then sorting the few is quicker.
WALK_BUDGET_S = 0.020
_CHECK_EVERY = 2000  # SQLite steps between looks at the clock
# Past a day's rounding in floating point: a study-day interval is strictly within one day
# of the interval's length.
_DAY = 1.001


def _page_ids(session, node: s.Node, ctx: SearchContext, sort: str, descending: bool,
              offset: int, limit: int, text_index: bool) -> list[int]:
    """The ids of the page. A search that needs a word or phrase found in few cards (the
    full-text index says so) reads those cards and sorts them. Otherwise each sort first
    walks its index in order, checking each card against the search, within WALK_BUDGET_S
    unless the search is everything; a search few cards match (the walk runs out of time)
    reads its matches (rare words and phrases through the full-text index) and sorts them. A
    walk reads words and phrases with LIKE: it stops at the page's end, before the index
    would have given all the cards that contain them."""
    offset, limit = max(0, offset), max(0, limit)

    chosen = _selective(session, node) if text_index else frozenset()

    def query(walk: bool, columns=(Card.id,), index: bool = True, where=()):
        order = [c.desc() if descending else c.asc() for c in _order(sort, ctx, walk)]
        indexed = chosen if index else frozenset()
        return (_from(select(*columns), node, sort)
                .where(condition(node, ctx, indexed, walk and sort == "interval"),
                       _not_removed(), *where)
                .order_by(*order).offset(offset).limit(limit))

    if session.get_bind().dialect.name != "sqlite":
        # PostgreSQL: no walk given up past a budget (SQLite's progress handler); its
        # planner chooses between an index and a sort itself.
        return list(session.execute(query(False)).scalars())
    raw = session.connection().connection.driver_connection
    deadline = time.perf_counter() + WALK_BUDGET_S

    def out_of_time() -> int:
        return time.perf_counter() > deadline

    terms = node.nodes if isinstance(node, s.And) else (node,)
    if any(term in chosen for term in terms):
        # A word or phrase every match has, in few cards: read those, then sort.
        return list(session.execute(query(False)).scalars())
    if not isinstance(node, s.All):
        raw.set_progress_handler(out_of_time, _CHECK_EVERY)
    try:
        if sort != "interval":
            return list(session.execute(query(True, index=False)).scalars())
        # Walked by length, the page's cards are those of the walk's intervals plus any
        # within a day of its last length: read those, in the exact order.
        nearest = session.execute(query(True, (Card.id, interval_days(ctx)), False).offset(0)
                                  .limit(offset + limit)).all()
    except OperationalError as exc:
        if "interrupted" not in str(exc):
            raise
        nearest = None
    finally:
        raw.set_progress_handler(None, 0)
    if nearest is None:
        return list(session.execute(query(False)).scalars())
    if all(days is None for _, days in nearest):
        # New cards only (no interval), in the walk's order by id as in the exact order
        # (ascending they come first; descending, last: then no card has an interval).
        return [card_id for card_id, _ in nearest[offset:]]
    if len(nearest) < offset + limit:  # every match: its exact order
        return list(session.execute(query(False, where=[Card.id.in_(
            [card_id for card_id, _ in nearest])])).scalars())
    intervals = [days for _, days in nearest if days is not None]
    if descending:  # the lengths without one (new cards) are last
        if len(intervals) < len(nearest):
            return list(session.execute(query(False)).scalars())
        bound = _length() > min(intervals) - _DAY
    else:  # new cards (no length) first, then up to a day past the walk's longest
        bound = or_(_length().is_(None), _length() < max(intervals) + _DAY)
    return list(session.execute(query(False, where=[bound])).scalars())


def search_page(engine: Engine, node: s.Node, ctx: SearchContext, sort: str = "due",
                descending: bool = False, offset: int = 0, limit: int = 100,
                text_index: bool | None = None) -> list[SearchRow]:
    """The rows `offset` to `offset + limit` of the cards the search finds, in `sort` order
    (a column of core.search.SORTS; ties by card id). The page's ids are found first over
    only the tables the search and the sort read, then their rows are read: a first page of
    100,000 cards sorts ids, not texts. Words and phrases are looked up in the full-text
    index where the engine has it (`text_index` None), or as `text_index` says."""
    if text_index is None:
        text_index = has_text_index(engine)
    with reading(engine) as session:
        ids = _page_ids(session, node, ctx, sort, descending, offset, limit, text_index)
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


def search_ids(engine: Engine, node: s.Node, ctx: SearchContext, sort: str = "due",
               descending: bool = False) -> list[int]:
    """The ids of every card the search finds, in `sort` order (ties by card id)."""
    order = [c.desc() if descending else c.asc() for c in _order(sort, ctx, False)]
    with reading(engine) as session:
        indexed = _selective(session, node) if has_text_index(engine) else frozenset()
        query = (_from(select(Card.id), node, sort)
                 .where(condition(node, ctx, indexed), _not_removed()).order_by(*order))
        return list(session.execute(query).scalars())


def search_count(engine: Engine, node: s.Node, ctx: SearchContext,
                 text_index: bool | None = None) -> int:
    """How many cards the search finds (`text_index` as for search_page)."""
    if text_index is None:
        text_index = has_text_index(engine)
    with reading(engine) as session:
        indexed = _selective(session, node) if text_index else frozenset()
        query = _from(select(func.count(Card.id)), node).where(
            condition(node, ctx, indexed), _not_removed())
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
