"""The daily review against the store: the queue, answering, undo, suspend, bury, leeches.

Every answer is one short write transaction, committed before the next card is fetched.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Engine,
    String,
    and_,
    bindparam,
    delete,
    func,
    literal,
    or_,
    select,
    union_all,
    update,
)

from studyaws.core.clock import Clock
from studyaws.core.config import Settings, weekday_numbers
from studyaws.core.errors import is_connection_lost
from studyaws.core.srs import exam_plan, policy
from studyaws.core.srs.day import StudyDays, day_start, next_day_start
from studyaws.core.srs.exam_plan import ExamPlan
from studyaws.core.srs.policy import LEARNING, NEW, RELEARNING, REVIEW, Memory
from studyaws.core.srs.queue import LEARN_AHEAD, DayCounts, next_source
from studyaws.services.card_view import (  # noqa: F401 (named here too)
    CardSelection,
    CardView,
    display_path,
    question_for,
    scenario_seed,
    source_text,
    view_of,
)
from studyaws.services.limits import DayPlan, plan_day, replan
from studyaws.services.presets import DeckSchedulers
from studyaws.store import answers, card_sets
from studyaws.store import load as loads
from studyaws.store.driver_reads import DriverRead
from studyaws.store.engine import (
    read_connection,
    reading,
    write_transaction,
    write_transaction_reading,
    writing,
)
from studyaws.store.postgres import greatest
from studyaws.store.presets import named_presets
from studyaws.store.queries import DeckSummary, deck_summaries, learning_cards
from studyaws.store.settings import load_parameters, load_settings
from studyaws.store.tables import (
    Card,
    CardState,
    Deck,
    ReviewLog,
    SharedText,
    domains_of,
    memory_columns,
    to_db,
)


@dataclass
class AnswerResult:
    log_id: int
    memory: Memory
    became_leech: bool = False
    prior: Memory | None = None
    # Whether the card was in the queue before (not suspended, retired nor buried), and the
    # siblings the answer buried that were: (card, memory), for the counts kept (DayCounter).
    active: bool = True
    buried: tuple[tuple[int, Memory], ...] = ()


@dataclass
class SessionStats:
    reviewed: int = 0
    again: int = 0
    seconds: float = 0.0
    undo_stack: list[tuple[str, int]] = field(default_factory=list)


def leech_lapse(lapses: int, threshold: int) -> bool:
    """Whether a lapse that brings a card to `lapses` makes it a leech: at the threshold,
    then every half threshold (rounded up) after it, as Anki does (8, 12, 16... for 8)."""
    if threshold <= 0 or lapses < threshold:
        return False
    half = max(1, -(-threshold // 2))
    return (lapses - threshold) % half == 0


def _active(now: datetime):
    return and_(
        Card.retired.is_(False),
        Card.suspended.is_(False),
        or_(Card.buried_until.is_(None), Card.buried_until <= now),
    )


def _view_query():
    """The columns a CardView is made of: the card's, its memory's, its deck's title and
    its shared texts (its section's notes, its cloze's text), read in the same statement
    (one round trip on PostgreSQL)."""
    context = SharedText.__table__.alias("context_text_row")
    cloze = SharedText.__table__.alias("cloze_text_row")
    return (select(*_VIEW_COLUMNS, Deck.title.label("deck_title"),
                   context.c.text.label("context_text"), cloze.c.text.label("cloze_text"))
            .join_from(Card, CardState, CardState.card_id == Card.id)
            .join(Deck, Deck.id == Card.deck_id)
            .outerjoin(context, context.c.id == Card.context_id)
            .outerjoin(cloze, cloze.c.id == Card.cloze_text_id))


# The values of the queue's statements (ReviewService._statement) given at each run, and
# the statements compiled for the driver (ReviewService._read) by backend, statement, decks
# studied, review order and decks that may give a card.
_OPEN = {"learning": ("now", "until"), "review": ("now", "end", "now_text", "seed"),
         "new": ("now",)}
_READS: dict[tuple, DriverRead] = {}

_VIEW_COLUMNS = (Card.id, Card.deck_id, Card.kind, Card.topic, Card.prompt, Card.answer,
                 Card.payload, Card.explanation, Card.context_id, Card.cloze_text_id,
                 Card.saa_domain, Card.clf_domain, Card.domain_inferred, Card.source_path,
                 Card.source_line, Card.leech, Card.flag, *answers.MEMORY_COLUMNS)


def _shared_texts(row) -> tuple[str, str | None]:
    """A card's context (its section's notes, "" when none) and its cloze's text, from its
    row of _view_query."""
    return row.context_text or "", row.cloze_text


class ReviewService:
    """One user's review queue. `deck_id` narrows it to one deck, or to several (a parent
    in the deck tree and the decks under it: an iterable of ids); a `selection` makes it a
    temporary session of those cards alone (CardSelection)."""

    def __init__(self, engine: Engine, clock: Clock,
                 deck_id: int | Iterable[int] | None = None,
                 selection: CardSelection | None = None):
        self.engine = engine
        self.clock = clock
        self.deck_id = deck_id
        self.deck_ids: tuple[int, ...] | None = (
            None if deck_id is None else (deck_id,) if isinstance(deck_id, int)
            else tuple(deck_id))
        self.selection = selection
        # A selection's cards not offered yet, (card, state) in order; the cards answered in
        # it that are in (re)learning, with when their step is due; what undo puts back.
        self._pending: list[tuple[int, int]] = []
        self._learning: dict[int, datetime] = {}
        self._taken: dict[tuple[str, int], tuple[int, tuple[int, int] | None]] = {}
        if selection is not None:
            self._pending = card_sets.states_of(engine, list(selection.card_ids), clock.now())
        self.settings: Settings = load_settings(engine)
        self.parameters = load_parameters(engine)
        self.scheduler = policy.scheduler_for(self.settings, self.parameters, clock.local_zone())
        # Each deck's scheduler: its preset's desired retention and parameters (the
        # settings' retention and the collection's parameters for the Default preset).
        self._schedulers = DeckSchedulers(engine, self.settings, self.parameters,
                                          clock.local_zone())
        self.day: DayPlan | None = None  # as of the last counts()
        self.session = SessionStats()
        self._since_new = 0
        self.last_counts: DayCounts | None = None  # as of the last next_card()
        self._exam_cache: tuple | None = None  # (key, (plan, cards brought forward))
        self._due_counts = DueCounts()  # the load balancer's, kept across this session's answers
        self._day_counter = DayCounter()  # the day plan's numbers, kept likewise
        self._statements: dict[str, object] = {}  # the queue's, built once (_statement)
        # (card, source) -> the time of an answer whose write lost the connection to the
        # database: committed or not, it is not known until it is looked up.
        self._unsure: dict[tuple[int, str], datetime] = {}
        # Likewise undos of answers (by log row), and each answer's (card, rating) for them.
        self._unsure_undos: set[int] = set()
        self._answered: dict[int, tuple[int, int]] = {}
        self._shown: policy.Outcomes | None = None  # the last card's, as preview() made them
        self._bounds: tuple | None = None  # (zone, hour, start, end) of the last day_bounds()

    # -- the day ----------------------------------------------------------------------
    def day_bounds(self) -> tuple[datetime, datetime]:
        """When the study day of now starts and ends (UTC). Worked out again only when now
        leaves the last one, or the zone or the hour the day starts at changes (before
        every card and every answer, that took some 25 µs each time)."""
        now = self.clock.now()
        zone = self.clock.local_zone()
        hour = self.settings.day_starts_at
        kept = self._bounds
        if kept is not None and kept[0] is zone and kept[1] == hour and kept[2] <= now < kept[3]:
            return kept[2], kept[3]
        start, end = day_start(now, zone, hour), next_day_start(now, zone, hour)
        self._bounds = (zone, hour, start, end)
        return start, end

    def _deck_filter(self):
        if self.deck_ids is None:
            return True
        if len(self.deck_ids) == 1:
            return Card.deck_id == self.deck_ids[0]
        return Card.deck_id.in_(self.deck_ids)

    def _done_today(self, session, start: datetime, scoped: bool = True) -> tuple[int, int]:
        query = (
            select(ReviewLog.state_before, func.count())
            .where(ReviewLog.source == "review", ReviewLog.reviewed_at >= start,
                   ReviewLog.state_before.in_((NEW, REVIEW)))
            .group_by(ReviewLog.state_before)
        )
        if self.deck_ids is not None and scoped:
            query = query.join(Card, Card.id == ReviewLog.card_id).where(self._deck_filter())
        done = dict(session.execute(query).all())
        return done.get(NEW, 0), done.get(REVIEW, 0)

    def _count(self, session, condition, limit: int | None = None, scoped: bool = True) -> int:
        """Active cards matching `condition`, counted up to `limit` (the daily limit left),
        so that a collection of 100,000 cards costs no more than the limit to count."""
        if limit is not None and limit <= 0:
            return 0
        inner = (
            select(CardState.card_id)
            .join(Card, Card.id == CardState.card_id)
            .where(condition, _active(self.clock.now()),
                   self._deck_filter() if scoped else True)
        )
        if limit is not None:
            inner = inner.limit(limit)
        return session.execute(select(func.count()).select_from(inner.subquery())).scalar_one()

    def extra_new(self, conn=None) -> int:
        """How many new cards today's limit was raised by (study more), until the day ends
        (`conn`: read on this open connection)."""
        stored = card_sets.load_extra_new(self.engine, conn)
        if stored is None:
            return 0
        cards, until = stored
        return cards if self.clock.now() < until else 0

    def scheduler_for_deck(self, deck_id: int | None):
        """The scheduler for a card of this deck: its preset's desired retention and FSRS
        parameters (its own, else the collection's)."""
        return self._schedulers(deck_id)

    def day_plan(self, only: tuple[int, ...] | None = None) -> DayPlan:
        """Today under the daily limits, for every deck (services.limits): the one source
        of home's numbers, `studyaws decks` and what this session gives, read from the
        store. `only`: the cards of these decks alone are counted (the others' numbers are
        then 0), which is all a study of them needs, unless new-while-backlog is off (a
        backlog is the sum over a parent's decks)."""
        now = self.clock.now()
        start, end = self.day_bounds()
        with reading(self.engine) as session:
            plan, ahead = self._exam_today(session, start, end)
        if not self.settings.new_while_backlog:
            only = None
        decks = deck_summaries(self.engine, now, end, start, ahead, only)
        return self._plan(decks, named_presets(self.engine), plan, self.extra_new())

    def _plan(self, decks: Iterable[DeckSummary], presets, exam: ExamPlan | None,
              extra_new: int) -> DayPlan:
        self.day = plan_day(decks, self.settings, presets,
                            new_per_day=exam.new_per_day if exam is not None else None,
                            extra_new=extra_new)
        return self.day

    def kept_day_plan(self, bounds: tuple[datetime, datetime] | None = None,
                      conn=None) -> DayPlan:
        """The same as day_plan(the session's decks), from the numbers this session keeps
        (DayCounter): read from the store at the first card, at the start of a study day,
        after an undo, a suspension or a burial, and after changed() (something outside the
        session changed the collection); moved by each answer in between, and the plan
        worked out again from them over the deck tree made at the read (limits.replan)."""
        now = self.clock.now()
        start, end = bounds or self.day_bounds()
        counter = self._day_counter
        if not counter.valid(start, now):
            with reading(self.engine) as session:
                plan, ahead = self._exam_today(session, start, end)
            only = self.deck_ids if self.settings.new_while_backlog else None
            decks = deck_summaries(self.engine, now, end, start, ahead, only, cards=False)
            learning, back = learning_cards(self.engine, now, only)
            counter.read(start, end, only, plan, ahead, decks, learning, back,
                         named_presets(self.engine), self.extra_new(conn))
        decks = counter.decks(now)
        if counter.plan is None:
            counter.plan = self._plan(decks, counter.presets, counter.exam, counter.extra_new)
        else:
            counter.plan = self.day = replan(counter.plan, decks)
        return counter.plan

    def changed(self) -> None:
        """Something outside this session changed the collection (the browser, an edit):
        the counts are read again before the next card."""
        self._day_counter.forget()
        self._due_counts.forget()
        self.last_counts = None

    def counts(self, bounds: tuple[datetime, datetime] | None = None,
               conn=None) -> DayCounts:
        """Today's numbers (`bounds`: the study day's, when the caller has them; `conn`: a
        read connection it has open)."""
        if self.selection is not None:
            return self._selection_counts()
        return self.kept_day_plan(bounds, conn).counts_for(self.deck_ids)

    # -- the queue --------------------------------------------------------------------
    def next_card(self) -> CardView | None:
        if self.selection is not None:
            return self._next_selected()
        now = self.clock.now()
        bounds = self.day_bounds()
        with read_connection(self.engine) as conn:
            counts = self.last_counts = self.counts(bounds, conn)
            learning_now = self._first_learning(conn, now, now)
            source = next_source(learning_now is not None, counts.review, counts.new,
                                 self._since_new, counts.learning > 0)
            if source is None:
                return None
            if source == "learning" and learning_now is not None:
                row = learning_now
            elif source == "learning":
                row = self._first_learning(conn, now, now + LEARN_AHEAD)
            elif source == "review":
                start, end = bounds
                _, ahead = self._exam_today(conn, start, end)
                if ahead:  # cards brought forward before the exam: a statement of their own
                    row = conn.execute(
                        self._queue_query(now).where(CardState.state == REVIEW,
                                                     Card.deck_id.in_(self.day.review_decks),
                                                     self._review_due(conn, start, end))
                        .order_by(*self._review_order(now, start)).limit(1)
                    ).first()
                else:
                    row = self._read("review", self.day.review_decks).first(conn, {
                        "now": now, "end": end, "now_text": to_db(now),
                        "seed": int(start.timestamp()) % 1_000_003})
            else:
                row = self._read("new", self.day.new_decks).first(conn, {"now": now})
            if row is None:
                return None
            return self._view(row)

    def _first_learning(self, conn, now: datetime, until: datetime):
        """The active card in learning or relearning due first, if due by `until`: the first
        of each state, each read walking the (state, due) index in order (asked for both
        states at once, SQLite walked every card by due date instead), in one statement."""
        return self._read("learning").first(conn, {"now": now, "until": until})

    def _read(self, name: str, decks: frozenset[int] = frozenset()) -> DriverRead:
        """The queue's statement `name` (_statement) for these decks, compiled once for the
        driver (store.driver_reads) and kept for the next sessions too (compiling one
        takes some 5 ms): each card costs the driver's execution alone."""
        key = (self.engine.dialect.name, name, self.deck_ids, self.settings.review_order,
               decks)
        read = _READS.get(key)
        if read is None:
            statement = self._statement(name)
            if name != "learning":
                statement = statement.params(decks=sorted(decks))
            if len(_READS) > 64:  # the decks that may give a card changed many times
                _READS.clear()
            read = _READS[key] = DriverRead(self.engine, statement, _OPEN[name])
        return read

    def _statement(self, name: str):
        """The queue's statements, built once for this session with bound parameters (now,
        the decks, the day's end...), so that each card costs only their execution."""
        statement = self._statements.get(name)
        if statement is not None:
            return statement
        base = _view_query().where(_active(bindparam("now")), self._deck_filter())
        if name == "learning":
            firsts = [base.where(CardState.state == state, CardState.due <= bindparam("until"))
                      .order_by(CardState.due).limit(1).subquery().select()
                      for state in (LEARNING, RELEARNING)]
            both = union_all(*firsts).subquery()
            statement = select(both).order_by(both.c.due)
        elif name == "review":
            statement = (base.where(CardState.state == REVIEW,
                                    Card.deck_id.in_(bindparam("decks", expanding=True)),
                                    CardState.due < bindparam("end"))
                         .order_by(*self._review_order(bindparam("now_text", type_=String),
                                                       bindparam("seed"))))
        else:
            # `state < 1` is `state = 0` (no state is below NEW), ordered by (state, card)
            # as the (state, card) index is: only that index gives this order. Asked for
            # `state = 0` in card order, PostgreSQL walked the cards by id from the first,
            # every card of the other decks passed over (50 ms at 100,000 cards, where new
            # cards are the last imported), instead of the new cards alone.
            statement = (base.where(CardState.state < NEW + 1,
                                    Card.deck_id.in_(bindparam("decks", expanding=True)))
                         .order_by(CardState.state, CardState.card_id))
        statement = self._statements[name] = statement.limit(1)
        return statement

    def _review_order(self, now, start) -> tuple:
        """The order due reviews come in (setting review-order): by due date; by
        retrievability, lowest first (FSRS's forgetting curve falls with the time since the
        last answer over the stability, the same curve for every card); or shuffled, the
        same shuffle all the study day. `now` and `start` are times, or (for a statement
        built once) the bound parameters of now's stored text and of the day's seed."""
        order = self.settings.review_order
        if order == "retrievability":
            now_text = to_db(now) if isinstance(now, datetime) else now
            elapsed = func.julianday(now_text) - func.julianday(CardState.last_review)
            return (elapsed / greatest(CardState.stability, 0.001)).desc(), CardState.due
        if order == "random":
            seed = int(start.timestamp()) % 1_000_003 if isinstance(start, datetime) else start
            # 64-bit arithmetic on both (PostgreSQL would cast the factors to its 32 bits).
            factor, modulus = literal(2654435761, BigInteger), literal(4294967291, BigInteger)
            return ((CardState.card_id * factor + seed) % modulus), CardState.card_id
        return CardState.due, CardState.card_id

    # -- a temporary session (CardSelection) ---------------------------------------------
    def _selection_counts(self) -> DayCounts:
        horizon = self.clock.now() + LEARN_AHEAD
        states = [state for _, state in self._pending]
        learning = sum(due <= horizon for due in self._learning.values())
        return DayCounts(new=states.count(NEW),
                         learning=learning + sum(s in (LEARNING, RELEARNING) for s in states),
                         review=states.count(REVIEW))

    def _next_selected(self) -> CardView | None:
        """The selection's next card: a step of (re)learning that is due, else the next card
        not offered yet, else a step due within LEARN_AHEAD. A card suspended, buried or
        retired since is passed over."""
        now = self.clock.now()
        while True:
            self.last_counts = self._selection_counts()
            learning = sorted((due, card_id) for card_id, due in self._learning.items())
            if learning and learning[0][0] <= now:
                card_id = learning[0][1]
            elif self._pending:
                card_id = self._pending[0][0]
            elif learning and learning[0][0] <= now + LEARN_AHEAD:
                card_id = learning[0][1]
            else:
                return None
            with read_connection(self.engine) as conn:
                row = conn.execute(_view_query().where(Card.id == card_id, _active(now))).first()
                if row is not None:
                    return self._view(row)
            self._learning.pop(card_id, None)  # no longer to be studied: passed over
            self._pending = [entry for entry in self._pending if entry[0] != card_id]

    def _take(self, card_id: int, undo_entry: tuple[str, int]) -> None:
        """The card leaves the selection's queue (answered, suspended, buried); undoing
        `undo_entry` puts it back where it was."""
        if self.selection is None:
            return
        at = next((i for i, entry in enumerate(self._pending) if entry[0] == card_id), None)
        pending = self._pending.pop(at) if at is not None else None
        self._learning.pop(card_id, None)
        self._taken[undo_entry] = (at or 0, pending)

    def _after_answer(self, card_id: int, memory: Memory) -> None:
        if self.selection is not None and memory.state in (LEARNING, RELEARNING):
            self._learning[card_id] = memory.due

    def _put_back(self, undo_entry: tuple[str, int], card_id: int) -> None:
        if self.selection is None:
            return
        at, pending = self._taken.pop(undo_entry, (0, None))
        self._learning.pop(card_id, None)
        if pending is not None:
            self._pending.insert(min(at, len(self._pending)), pending)
        else:  # a step of (re)learning when it was answered: it is one again
            state = card_sets.states_of(self.engine, [card_id], self.clock.now())
            if state and state[0][1] in (LEARNING, RELEARNING):
                with reading(self.engine) as session:
                    self._learning[card_id] = session.get(CardState, card_id).due

    # -- the exam date (studyaws.core.srs.exam_plan) -----------------------------------------
    def exam_plan(self) -> ExamPlan | None:
        """Today's plan towards the exam date, or None when no exam date is ahead."""
        start, end = self.day_bounds()
        with reading(self.engine) as session:
            return self._exam_today(session, start, end)[0]

    def _review_due(self, session, start: datetime, end: datetime):
        """Review cards due today, and those brought forward before the exam."""
        _, ahead = self._exam_today(session, start, end)
        if not ahead:
            return CardState.due < end
        return or_(CardState.due < end,
                   and_(CardState.card_id.in_(ahead), CardState.last_review < start))

    def _exam_today(self, session, start: datetime, end: datetime) -> tuple:
        """(plan, ids of cards brought forward), worked out once a study day."""
        exam_date = self.settings.exam_date
        if exam_date is None:
            return None, ()
        key = (start, exam_date, self.settings.new_per_day, self.settings.desired_retention,
               self.settings.max_study_minutes, self.parameters)
        if self._exam_cache is not None and self._exam_cache[0] == key:
            return self._exam_cache[1]
        zone = self.clock.local_zone()
        # The plan is the collection's, whatever decks this session studies.
        new_done, _ = self._done_today(session, start, scoped=False)
        new_left = self._count(session, CardState.state == NEW, scoped=False) + new_done
        seconds = loads.average_answer_seconds(session) or exam_plan.DEFAULT_ANSWER_SECONDS
        week = 7
        reviews = loads.reviews_due_per_day(session, start + timedelta(days=week), week)
        plan = exam_plan.plan_for_exam(start.astimezone(zone).date(), exam_date, new_left,
                                       self.settings.new_per_day,
                                       cap_minutes=self.settings.max_study_minutes,
                                       answer_seconds=seconds, reviews_per_day=reviews)
        ahead: tuple[int, ...] = ()
        if plan is not None and plan.last_study_day:
            moment = exam_plan.exam_moment(exam_date, zone)
            rows = session.execute(
                select(CardState.card_id, CardState.stability, CardState.last_review)
                .join(Card, Card.id == CardState.card_id)
                .where(CardState.state == REVIEW, CardState.due >= end,
                       CardState.due < moment + timedelta(days=30),
                       _active(self.clock.now()))
            ).all()
            ahead = tuple(
                card_id for card_id, stability, last_review in rows
                if exam_plan.below_target(
                    policy.retrievability(self.scheduler, Memory(REVIEW, None, stability,
                                                                 last_review=last_review), moment),
                    self.settings.desired_retention)
            )
        self._exam_cache = (key, (plan, ahead))
        return plan, ahead

    def _queue_query(self, now: datetime):
        return _view_query().where(_active(now), self._deck_filter())

    def card(self, card_id: int, seed: int | None = None) -> CardView:
        """A card by id (any state), for showing a past review again."""
        with read_connection(self.engine) as conn:
            row = conn.execute(_view_query().where(Card.id == card_id)).one()
            return self._view(row, seed)

    def _view(self, row, seed: int | None = None) -> CardView:
        context, cloze_text = _shared_texts(row)
        return view_of(row, answers.memory_of(row), domains_of(row), context, cloze_text, seed)

    def preview(self, view: CardView) -> dict[int, str]:
        """The next interval each rating would give, as shown on the rating keys (worked out
        once: the answer to this card takes them over when they still hold)."""
        self._shown = policy.outcomes_at(self.scheduler_for_deck(view.deck_id), view.id,
                                         view.memory, self.clock.now())
        return policy.labels_of(self._shown)

    # -- answering ----------------------------------------------------------------------
    def answer(self, view: CardView, rating: int, duration_ms: int = 0, *,
               correct: bool | None = None, response: dict | None = None,
               source: str = "review") -> AnswerResult:
        _, end = self.day_bounds()
        key = (view.id, source)
        # The answer's time is its identity: an answer whose write lost its connection keeps
        # it, and every later try first looks for it in the log (it may have been committed).
        now = self._unsure.get(key) or self.clock.now()
        shown, self._shown = self._shown, None
        options = dict(duration_ms=duration_ms, correct=correct, response=response,
                       source=source, seed=view.seed, counts=self._due_counts,
                       known=shown if shown is not None and shown.card_id == view.id else None)
        scheduler = self.scheduler_for_deck(view.deck_id)

        def write() -> AnswerResult:
            if key not in self._unsure:
                return answer_card(self.engine, scheduler, self.settings, view.id, rating,
                                   now, end, **options)
            # Under the write lock, which the lost try's transaction held until it ended:
            # the log says whether it was committed.
            from studyaws.store.answer_log import logged_answer  # only after a lost connection

            with write_transaction(self.engine) as conn:
                found = logged_answer(conn, view.id, now, source)
                if found is not None:
                    self._day_counter.forget()
                    return AnswerResult(found.log_id, found.memory, found.became_leech,
                                        found.prior)
                return record_answer(conn, scheduler, self.settings, view.id, rating, now,
                                     end, **options)

        try:
            result = write()
        except Exception as exc:
            if not is_connection_lost(exc):
                raise
            self._unsure[key] = now
            self._due_counts.forget()  # the failed try may have moved them
            result = write()  # once, on a new connection; lost again, the caller keeps it
        self._unsure.pop(key, None)
        prior = result.prior
        if source == "review":
            if prior.state == NEW:
                self._since_new = 0
            elif prior.state == REVIEW:
                self._since_new += 1
            self.session.reviewed += 1
            self.session.again += rating == policy.AGAIN
            self.session.seconds += duration_ms / 1000
            self.session.undo_stack.append(("answer", result.log_id))
            self._answered[result.log_id] = (view.id, rating)
            self._take(view.id, ("answer", result.log_id))
            self._after_answer(view.id, result.memory)
        self._day_counter.answered(view.id, view.deck_id, result, source == "review")
        return result

    def undo(self) -> int | None:
        """Undo the last answer, suspension or burial of this session; returns the card id."""
        if not self.session.undo_stack:
            return None
        # Taken off the stack only once undone: an undo that could not be written (the
        # collection locked, a full disk) is still there to be tried again.
        action, ident = self.session.undo_stack[-1]
        self._due_counts.forget()  # read again at the next answer
        self._day_counter.forget()  # and the day's counts before the next card
        if action == "answer":
            card_id, rating = self._undo_answer(ident)
            self.session.undo_stack.pop()
            self.session.reviewed = max(0, self.session.reviewed - 1)
            self.session.again -= rating == policy.AGAIN
            self._put_back((action, ident), card_id)
            return card_id
        with writing(self.engine) as session:
            values = {"suspended": False} if action == "suspend" else {"buried_until": None}
            session.execute(update(Card).where(Card.id == ident).values(**values))
        self.session.undo_stack.pop()
        self._put_back((action, ident), ident)
        return ident

    def _undo_answer(self, log_id: int) -> tuple[int, int]:
        """undo_answer, tried once more on a new connection when the connection is lost;
        after a lost connection, an answer no longer in the log is an undo that was
        committed (nothing is undone twice)."""
        from studyaws.store.answer_log import answer_logged

        for last in (False, True):
            if log_id in self._unsure_undos and not answer_logged(self.engine, log_id):
                self._unsure_undos.discard(log_id)
                return self._answered[log_id]
            try:
                undone = undo_answer(self.engine, log_id)
            except Exception as exc:
                if not is_connection_lost(exc) or log_id not in self._answered:
                    raise
                self._unsure_undos.add(log_id)
                if last:
                    raise
                continue
            self._unsure_undos.discard(log_id)
            return undone
        raise AssertionError("unreachable")

    def suspend(self, card_id: int) -> None:
        with writing(self.engine) as session:
            session.execute(update(Card).where(Card.id == card_id).values(suspended=True))
        self._day_counter.forget()
        self.session.undo_stack.append(("suspend", card_id))
        self._take(card_id, ("suspend", card_id))

    def bury(self, card_id: int) -> None:
        _, end = self.day_bounds()
        with writing(self.engine) as session:
            session.execute(update(Card).where(Card.id == card_id).values(buried_until=end))
        self._day_counter.forget()
        self.session.undo_stack.append(("bury", card_id))
        self._take(card_id, ("bury", card_id))

    def due_tomorrow(self) -> int:
        _, end = self.day_bounds()
        after = next_day_start(end, self.clock.local_zone(), self.settings.day_starts_at)
        with reading(self.engine) as session:
            return session.execute(
                select(func.count()).select_from(CardState)
                .join(Card, Card.id == CardState.card_id)
                .where(Card.retired.is_(False), Card.suspended.is_(False), self._deck_filter(),
                       CardState.state != NEW, CardState.due < after)
            ).scalar_one()


class DueCounts:
    """The load balancer's cards due on each study day from today, read from the store once
    a study day (one grouped query: about 0.3 s at 100,000 cards) and kept up to date by the
    answers given through it."""

    def __init__(self) -> None:
        self.today = None
        self.counts: list[int] = []

    def get(self, session, days: StudyDays, today) -> list[int]:
        if self.today != today:
            self.counts = loads.due_per_day(session, days, today, policy.LOAD_DAYS)
            self.today = today
        return self.counts

    def moved(self, days: StudyDays, before: Memory | None, after: Memory) -> None:
        """A card answered: off its old due day (None: it was new), onto its new one."""
        if self.today is None:
            return
        for memory, step in ((before, -1), (after, 1)):
            if memory is None or memory.due is None:
                continue
            offset = (days.date_of(memory.due) - self.today).days
            if 0 <= offset < len(self.counts):
                self.counts[offset] = max(0, self.counts[offset] + step)

    def forget(self) -> None:
        self.today = None


class DayCounter:
    """The day plan's numbers for one study session: each deck's cards available and what
    it gave today (store.queries.deck_summaries) and the cards in (re)learning with their
    due times, read from the store once (about 0.1 s at 100,000 cards) and moved by the
    answers given through the session, so that services.limits.plan_day gives from them
    what it would from a fresh read. Read again at a new study day, when a buried card
    comes back, and after forget() (an undo, a suspension or a burial, a change from
    outside the session)."""

    def __init__(self) -> None:
        self.start: datetime | None = None
        self.end: datetime | None = None
        self.until: datetime | None = None  # a buried card comes back: read again
        self.only: frozenset[int] | None = None
        self.exam: ExamPlan | None = None
        self.ahead: frozenset[int] = frozenset()
        self.presets: list = []
        self.extra_new = 0  # today's extra new cards (study more), as read
        self.plan: DayPlan | None = None  # the last plan made from these numbers
        self._decks: dict[int, DeckSummary] = {}
        self._order: list[int] = []
        # card -> (deck, due, buried until), for the cards in (re)learning
        self._learning: dict[int, tuple[int, datetime, datetime | None]] = {}

    def valid(self, start: datetime, now: datetime) -> bool:
        return self.start == start and (self.until is None or now < self.until)

    def read(self, start: datetime, end: datetime, only: tuple[int, ...] | None,
             exam: ExamPlan | None, ahead: tuple[int, ...], decks: list[DeckSummary],
             learning, back: datetime | None, presets, extra_new: int = 0) -> None:
        self.start, self.end, self.until = start, end, back
        self.extra_new, self.plan = extra_new, None
        self.only = frozenset(only) if only is not None else None
        self.exam, self.ahead, self.presets = exam, frozenset(ahead), presets
        self._decks = {deck.id: deck for deck in decks}
        self._order = [deck.id for deck in decks]
        self._learning = {card: (deck, due, buried) for card, deck, due, buried in learning}

    def forget(self) -> None:
        self.start = None

    def decks(self, now: datetime) -> list[DeckSummary]:
        """Each deck as deck_summaries would read it now."""
        horizon = now + LEARN_AHEAD
        learning: dict[int, int] = {}
        for deck, due, buried in self._learning.values():
            if due <= horizon and (buried is None or buried <= now):
                learning[deck] = learning.get(deck, 0) + 1
        decks = []
        for deck_id in self._order:
            deck = self._decks[deck_id]
            count = learning.get(deck_id, 0)
            if deck.learning != count:  # kept with it: made anew only when it changes
                deck = self._decks[deck_id] = replace(deck, learning=count)
            decks.append(deck)
        return decks

    def answered(self, card_id: int, deck_id: int | None, result: AnswerResult,
                 review: bool) -> None:
        """An answer given (`review`: in the daily review, where it counts as done)."""
        if self.start is None:
            return
        if deck_id not in self._decks:  # a deck not read (removed meanwhile)
            self.forget()
            return
        prior = result.prior
        if review and prior.state in (NEW, REVIEW):
            deck = self._decks[deck_id]
            self._decks[deck_id] = (
                replace(deck, new_done=deck.new_done + 1) if prior.state == NEW
                else replace(deck, reviews_done=deck.reviews_done + 1))
        if self.only is not None and deck_id not in self.only:
            return  # its cards are not counted
        if not result.active:  # shown, then suspended or buried from the browser: rare
            self.forget()
            return
        self._move(card_id, deck_id, prior, -1)
        if not result.became_leech:  # else suspended
            self._move(card_id, deck_id, result.memory, 1)
        for sibling, memory in result.buried:  # buried until the day's end
            self._move(sibling, deck_id, memory, -1)

    def _move(self, card_id: int, deck_id: int, memory: Memory, step: int) -> None:
        """A card in this state counted (step 1) or no longer counted (-1) where it is."""
        if memory.state in (LEARNING, RELEARNING):
            if step > 0:
                self._learning[card_id] = (deck_id, memory.due, None)
            else:
                self._learning.pop(card_id, None)
            return
        deck = self._decks[deck_id]
        if memory.state == NEW:
            self._decks[deck_id] = replace(deck, new=deck.new + step)
        elif memory.state == REVIEW and (
                memory.due < self.end
                or (card_id in self.ahead and memory.last_review is not None
                    and memory.last_review < self.start)):
            self._decks[deck_id] = replace(deck, due=deck.due + step)


def answer_card(engine: Engine, scheduler, settings: Settings, card_id: int, rating: int,
                now: datetime, day_end: datetime, **options) -> AnswerResult:
    """One answer in its own write transaction, committed when this returns: the answer of
    a review (record_answer, with the same `options`)."""
    with write_transaction_reading(
            engine, lambda conn: answers.answered_card(conn, card_id)) as (conn, card):
        return record_answer(conn, scheduler, settings, card_id, rating, now, day_end,
                             card=card, commit=True, **options)


def record_answer(conn, scheduler, settings: Settings, card_id: int, rating: int,
                  now: datetime, day_end: datetime, *, duration_ms: int = 0,
                  correct: bool | None = None, response: dict | None = None,
                  source: str = "review", seed: int | None = None,
                  counts: DueCounts | None = None,
                  known: policy.Outcomes | None = None,
                  card: answers.AnsweredCard | None = None,
                  commit: bool = False) -> AnswerResult:
    """Apply one answer inside the caller's write transaction (a Core connection, or an
    ORM session): the new FSRS state, the log row (with what undo needs), sibling burying
    and leech detection. With load balancing on, `counts` are the due counts kept across
    answers (read from the store when not given). `known`: the outcomes the rating keys
    showed (policy.review takes them over when they still hold). `card`: the card as the
    transaction read it already (answers.answered_card); `commit`: the answer's writes end
    the transaction (answers.save_answer)."""
    if card is None:
        card = answers.answered_card(conn, card_id)
    if callable(scheduler):  # one for each deck: its preset's desired retention
        scheduler = scheduler(card.deck_id)
    prior = card.memory
    load = None
    days = getattr(scheduler, "days", None) or StudyDays()
    if settings.load_balance and settings.fuzz:
        counts = counts if counts is not None else DueCounts()

        def load() -> policy.Load:
            # Asked for only when a review interval is to be fuzzed.
            today = days.date_of(now)
            return policy.Load(
                today, tuple(counts.get(conn, days, today)),
                sibling_days(card, days, today, policy.LOAD_DAYS),
                weekday_numbers(settings.easy_days))
    new = policy.review(scheduler, card_id, prior, rating, now, duration_ms or None, load=load,
                        known=known)
    if counts is not None:
        counts.moved(days, prior if prior.state != NEW else None, new)
    # A leech at the threshold, and again every half threshold after it: suspended again
    # (and said again) if it was taken out of suspension meanwhile.
    became_leech = (
        rating == policy.AGAIN and prior.state == REVIEW
        and leech_lapse(new.lapses, settings.leech_threshold)
    )
    buried: list[int] = []
    buried_active: list[tuple[int, Memory]] = []
    for sibling in answers.buriable_siblings(card, day_end):
        buried.append(sibling.id)
        if _was_active(sibling, now):
            buried_active.append((sibling.id, sibling.memory))
    active = _was_active(card, now)
    undo_info = {
        "memory": prior.to_dict(),
        "suspended": card.suspended,
        "leech": card.leech,
        "buried_until": card.buried_until.isoformat() if card.buried_until else None,
        "buried_siblings": buried,
    }
    log_id = answers.save_answer(conn, card_id, new, {
        "card_id": card_id, "rating": rating, "reviewed_at": now, "duration_ms": duration_ms,
        "source": source, "state_before": prior.state, "seed": seed, "correct": correct,
        "response": json.dumps(response) if response is not None else "",
        "prior_state": json.dumps(undo_info), "state": new.state,
        "stability": new.stability, "difficulty": new.difficulty, "due": new.due,
    }, bury=buried, day_end=day_end, leech=became_leech, commit=commit, prior=prior)
    return AnswerResult(log_id, new, became_leech, prior, active, tuple(buried_active))


def sibling_days(card: answers.AnsweredCard, days: StudyDays, today, count: int
                 ) -> frozenset[int]:
    """The study days (offsets from `today`, below `count`) on which a sibling of `card`
    is due (the load balancer keeps siblings apart)."""
    end = days.start_of(today + timedelta(days=count))
    return frozenset((days.date_of(sibling.memory.due) - today).days
                     for sibling in card.siblings
                     if sibling.memory.state != NEW and sibling.memory.due is not None
                     and sibling.memory.due < end)


def _was_active(card, now: datetime) -> bool:
    return not (card.retired or card.suspended
                or (card.buried_until is not None and card.buried_until > now))


def undo_answer(engine: Engine, log_id: int) -> tuple[int, int]:
    """Restore the card as it was before review `log_id` and remove that log row."""
    with writing(engine) as session:
        log = session.get(ReviewLog, log_id)
        info = json.loads(log.prior_state)
        prior = Memory.from_dict(info["memory"])
        session.execute(update(CardState).where(CardState.card_id == log.card_id).values(
            **memory_columns(prior)))
        buried_until = info.get("buried_until")
        session.execute(update(Card).where(Card.id == log.card_id).values(
            suspended=info["suspended"], leech=info["leech"],
            buried_until=datetime.fromisoformat(buried_until) if buried_until else None))
        if info.get("buried_siblings"):
            session.execute(update(Card).where(Card.id.in_(info["buried_siblings"]))
                            .values(buried_until=None))
        card_id, rating = log.card_id, log.rating
        session.execute(delete(ReviewLog).where(ReviewLog.id == log_id))
    return card_id, rating
