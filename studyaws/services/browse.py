"""Browsing the collection: a search's cards a page at a time, and one card's details (its
memory, where it comes from, every answer it was given)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from studyaws.core.clock import Clock
from studyaws.core.decks import cloze
from studyaws.core.domains import domains_text
from studyaws.core.search import SearchError, parse, parse_sort
from studyaws.core.srs import policy
from studyaws.core.srs.day import StudyDays, day_start, next_day_start
from studyaws.core.srs.policy import LEARNING, NEW, RATING_NAMES, RELEARNING, REVIEW
from studyaws.services.review import source_text
from studyaws.store import search_queries as queries
from studyaws.store.settings import load_parameters, load_settings
from studyaws.store.tables import domains_of

__all__ = ["CardDetails", "CardRow", "Page", "SearchError", "card_details", "count_cards",
           "search_cards", "search_ids"]

STATE_NAMES = {NEW: "new", LEARNING: "learning", REVIEW: "review", RELEARNING: "relearning"}


@dataclass(frozen=True)
class CardRow:
    id: int
    deck: str
    kind: str  # as searched: basic, reverse, cloze, choice, multi, order, numeric, scenario
    prompt: str  # the question's text (a cloze's with its gap), as stored: not made printable
    state: str  # STATE_NAMES
    due: datetime | None  # None: new
    interval: int | None  # days from the last review to due; None: new
    stability: float | None
    difficulty: float | None
    reps: int
    lapses: int
    flag: int
    suspended: bool
    buried: bool
    leech: bool
    retired: bool
    created_at: datetime

    def to_json(self) -> dict:
        return {"id": self.id, "deck": self.deck, "kind": self.kind, "prompt": self.prompt,
                "state": self.state, "due": _iso(self.due), "interval": self.interval,
                "stability": self.stability, "difficulty": self.difficulty,
                "reps": self.reps, "lapses": self.lapses, "flag": self.flag,
                "suspended": self.suspended, "buried": self.buried, "leech": self.leech,
                "retired": self.retired, "created_at": _iso(self.created_at)}


@dataclass(frozen=True)
class Page:
    rows: list[CardRow]
    offset: int
    more: bool  # whether rows follow this page


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _context(engine: Engine, clock: Clock) -> tuple[queries.SearchContext, object]:
    settings = load_settings(engine)
    zone = clock.local_zone()
    scheduler = policy.scheduler_for(settings, load_parameters(engine), zone)
    now = clock.now()
    hour = settings.day_starts_at
    offset = now.astimezone(zone).utcoffset() or timedelta(0)
    decay = -scheduler.parameters[20]
    ctx = queries.SearchContext(
        now=now, day_start=day_start(now, zone, hour), day_end=next_day_start(now, zone, hour),
        # Julian days turn at noon UTC: + 0.5 turns them at midnight, then to the local study
        # day's start.
        day_shift=offset.total_seconds() / 86400 - hour / 24 + 0.5,
        decay=decay, factor=0.9 ** (1 / decay) - 1)
    return ctx, scheduler


def search_kind(kind: str, payload: str) -> str:
    """A stored card kind as the search names it (kind:choice and kind:multi are one stored
    kind, told apart by how many options are correct)."""
    if kind == "ordering":
        return "order"
    if kind == "choice":
        try:
            correct = json.loads(payload or "{}").get("correct", [])
        except ValueError:
            correct = []
        return "multi" if len(correct) > 1 else "choice"
    return kind


def _prompt(kind: str, prompt: str, payload: str, cloze_text: str | None) -> str:
    if kind == "cloze" and cloze_text is not None:
        try:
            group = json.loads(payload or "{}").get("group", 1)
        except ValueError:
            group = 1
        return cloze.sides(cloze_text, group)[0]
    return prompt


def search_cards(engine: Engine, clock: Clock, query: str, sort: str = "due",
                 descending: bool = False, offset: int = 0, limit: int = 100) -> Page:
    """One page of the cards `query` finds (core.search), in `sort` order (core.search.SORTS
    or an alias). A search or sort that cannot be read raises SearchError."""
    node = parse(query)
    sort = parse_sort(sort)
    ctx, _ = _context(engine, clock)
    rows = queries.search_page(engine, node, ctx, sort, descending, offset, limit + 1)
    now = ctx.now
    return Page([CardRow(
        id=r.id, deck=r.deck, kind=search_kind(r.kind, r.payload),
        prompt=_prompt(r.kind, r.prompt, r.payload, r.cloze_text),
        state=STATE_NAMES.get(r.state, str(r.state)), due=r.due, interval=r.interval,
        stability=r.stability, difficulty=r.difficulty, reps=r.reps, lapses=r.lapses,
        flag=r.flag, suspended=r.suspended,
        buried=r.buried_until is not None and r.buried_until > now, leech=r.leech,
        retired=r.retired, created_at=r.created_at) for r in rows[:limit]],
        offset=offset, more=len(rows) > limit)


def search_ids(engine: Engine, clock: Clock, query: str, sort: str = "due",
               descending: bool = False) -> list[int]:
    """The ids of every card `query` finds, in `sort` order (what the browser's pages show,
    all at once). SearchError as search_cards."""
    node = parse(query)
    ctx, _ = _context(engine, clock)
    return queries.search_ids(engine, node, ctx, parse_sort(sort), descending)


def count_cards(engine: Engine, clock: Clock, query: str) -> int:
    """How many cards `query` finds (a count over the whole collection: ask it apart from
    the first page)."""
    node = parse(query)
    ctx, _ = _context(engine, clock)
    return queries.search_count(engine, node, ctx)


# -- one card's details -------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    """One answer the card was given: in the review (source "review"), a mock exam that fed
    the schedule ("exam"), or another study mode (its source)."""

    at: datetime
    source: str
    rating: int
    rating_name: str
    correct: bool | None
    interval: int | None  # study days the answer scheduled the card for (None: a step)
    due: datetime | None
    stability: float | None
    difficulty: float | None
    seconds: float

    def to_json(self) -> dict:
        return {"at": _iso(self.at), "source": self.source, "rating": self.rating,
                "rating_name": self.rating_name, "correct": self.correct,
                "interval": self.interval, "due": _iso(self.due),
                "stability": self.stability, "difficulty": self.difficulty,
                "seconds": round(self.seconds, 1)}


@dataclass(frozen=True)
class ExamAnswer:
    """The card answered as a question of a mock exam (whether or not it fed the schedule)."""

    exam_id: int
    preset: str
    mode: str
    at: datetime
    correct: bool | None
    flagged: bool
    seconds: float

    def to_json(self) -> dict:
        return {"exam": self.exam_id, "preset": self.preset, "mode": self.mode,
                "at": _iso(self.at), "correct": self.correct, "flagged": self.flagged,
                "seconds": round(self.seconds, 1)}


@dataclass(frozen=True)
class CardDetails:
    id: int
    deck: str
    kind: str
    topic: str
    prompt: str
    answer: str
    source: str  # file:line
    domains: dict[str, str]  # exam -> domain slug
    domain_inferred: bool
    domains_text: str
    state: str
    due: datetime | None
    last_review: datetime | None
    interval: int | None
    stability: float | None
    difficulty: float | None
    retrievability: float | None  # now; None for a new card
    reps: int
    lapses: int
    flag: int
    suspended: bool
    buried: bool
    buried_until: datetime | None
    leech: bool
    retired: bool
    created_at: datetime
    answers: list[Answer]
    exam_answers: list[ExamAnswer]

    def to_json(self) -> dict:
        return {
            "id": self.id, "deck": self.deck, "kind": self.kind, "topic": self.topic,
            "prompt": self.prompt, "answer": self.answer, "source": self.source,
            "domains": self.domains, "domain_inferred": self.domain_inferred,
            "state": self.state, "due": _iso(self.due), "last_review": _iso(self.last_review),
            "interval": self.interval, "stability": self.stability,
            "difficulty": self.difficulty,
            "retrievability": None if self.retrievability is None else round(
                self.retrievability, 4),
            "reps": self.reps, "lapses": self.lapses, "flag": self.flag,
            "suspended": self.suspended, "buried": self.buried,
            "buried_until": _iso(self.buried_until),
            "leech": self.leech, "retired": self.retired, "created_at": _iso(self.created_at),
            "answers": [a.to_json() for a in self.answers],
            "exam_answers": [a.to_json() for a in self.exam_answers],
        }


class NoSuchCard(LookupError):
    """No card has that id; the message is for the user."""


def card_details(engine: Engine, clock: Clock, card_id: int) -> CardDetails:
    """Everything known of one card; NoSuchCard when no card has the id."""
    record = queries.card_record(engine, card_id)
    if record is None:
        raise NoSuchCard(f"no card has the id {card_id}")
    settings = load_settings(engine)
    days = StudyDays(clock.local_zone(), settings.day_starts_at)
    _, scheduler = _context(engine, clock)
    card, state = record.card, record.state
    memory = state.memory()
    seen = memory.state != NEW
    answers = [Answer(
        at=log.reviewed_at, source=log.source, rating=log.rating,
        rating_name=RATING_NAMES.get(log.rating, str(log.rating)), correct=log.correct,
        interval=(days.between(log.reviewed_at, log.due)
                  if log.due is not None and log.state == REVIEW else None),
        due=log.due, stability=log.stability, difficulty=log.difficulty,
        seconds=log.duration_ms / 1000) for log in queries.card_reviews(engine, card_id)]
    exams = [ExamAnswer(a.exam_id, a.preset, a.mode, a.answered_at, a.correct, a.flagged,
                        a.seconds) for a in queries.card_exam_answers(engine, card_id)]
    prompt, answer = card.prompt, card.answer
    if card.kind == "cloze" and record.cloze_text is not None:
        group = json.loads(card.payload or "{}").get("group", 1)
        prompt, answer = cloze.sides(record.cloze_text, group)
    domains = domains_of(card)
    return CardDetails(
        id=card.id, deck=record.deck, kind=search_kind(card.kind, card.payload),
        topic=card.topic, prompt=prompt, answer=answer,
        source=f"{source_text(card.source_path)}:{card.source_line}",
        domains=domains, domain_inferred=card.domain_inferred,
        domains_text=domains_text(domains, card.domain_inferred) if domains else "none",
        state=STATE_NAMES.get(memory.state, str(memory.state)),
        due=memory.due if seen else None, last_review=memory.last_review,
        interval=(days.between(memory.last_review, memory.due)
                  if seen and memory.last_review is not None and memory.due else None),
        stability=memory.stability, difficulty=memory.difficulty,
        retrievability=policy.retrievability(scheduler, memory, clock.now()) if seen else None,
        reps=memory.reps, lapses=memory.lapses, flag=card.flag, suspended=card.suspended,
        buried=card.buried_until is not None and card.buried_until > clock.now(),
        buried_until=card.buried_until, leech=card.leech, retired=card.retired,
        created_at=card.created_at, answers=answers, exam_answers=exams)

