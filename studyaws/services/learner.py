"""A synthetic learner, for tests, benchmarks and the demo collection.

A hidden "true" FSRS model with its own parameters decides whether each review is recalled
(`random() < R`), while the app's scheduler decides when reviews happen. Seeded: the same
seed gives the same answers. No data set is needed.

`simulate_study` runs a learner through days of study under the app's policy in memory (fast:
thousands of reviews a second) and `write_history` stores the result in a collection, as if
the reviews had been answered in the app.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from studyaws.core.srs import policy
from studyaws.core.srs.day import StudyDays, day_start, next_day_start
from studyaws.core.srs.policy import (
    AGAIN,
    EASY,
    GOOD,
    HARD,
    LEARNING,
    NEW,
    RELEARNING,
    REVIEW,
    Memory,
)
from studyaws.core.srs.queue import LEARN_AHEAD

# How a learner rates a card it sees for the first time, and a card it recalls
# (roughly the shares Anki users show).
FIRST_RATINGS = ((AGAIN, 0.22), (HARD, 0.08), (GOOD, 0.55), (EASY, 0.15))
PASS_RATINGS = ((HARD, 0.12), (GOOD, 0.78), (EASY, 0.10))


def perturbed_parameters(seed: int, spread: float = 0.3,
                         base: tuple[float, ...] = tuple(DEFAULT_PARAMETERS)) -> tuple[float, ...]:
    """FSRS parameters near `base`: each one scaled by exp(N(0, spread)), kept within the
    bounds py-fsrs accepts."""
    rng = random.Random(seed)
    result = []
    for value, low, high in zip(base, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS,
                                strict=True):
        scaled = value * math.exp(rng.gauss(0.0, spread))
        result.append(min(max(scaled, low), high))
    return tuple(result)


def _pick(rng: random.Random, choices: tuple[tuple[int, float], ...]) -> int:
    draw = rng.random() * sum(weight for _, weight in choices)
    for value, weight in choices:
        draw -= weight
        if draw < 0:
            return value
    return choices[-1][0]


class SyntheticLearner:
    """A student whose memory follows FSRS with `parameters` (the hidden truth), with days
    counted by study day (`days`, UTC days from 4 AM unless told) as the app's scheduler and
    its optimizer count them, so that fitting can find the truth again."""

    def __init__(self, parameters: tuple[float, ...] | None = None, *, seed: int = 0,
                 learning_steps: tuple[int, ...] = (1, 10), relearning_steps: tuple[int, ...] = (10,),
                 days: StudyDays | None = None):
        self.parameters = tuple(parameters or DEFAULT_PARAMETERS)
        self.days = days or StudyDays()
        self.truth = Scheduler(
            parameters=self.parameters,
            learning_steps=tuple(timedelta(minutes=m) for m in learning_steps),
            relearning_steps=tuple(timedelta(minutes=m) for m in relearning_steps),
            enable_fuzzing=False,
        )
        self.rng = random.Random(seed)
        self.cards: dict[int, FsrsCard] = {}

    def recall_probability(self, card_id: int, now: datetime) -> float:
        """The true chance of recalling the card at `now` (0 for a card never seen)."""
        card = self.cards.get(card_id)
        if card is None:
            return 0.0
        now = now.astimezone(UTC)
        return float(self.truth.get_card_retrievability(
            policy.on_study_days(card, now, self.days), now))

    def answer(self, card_id: int, now: datetime) -> int:
        """The rating the learner gives the card at `now`; its true memory is updated."""
        now = now.astimezone(UTC)
        card = self.cards.get(card_id)
        if card is None:
            rating = _pick(self.rng, FIRST_RATINGS)
            card = FsrsCard(card_id=card_id, due=now)
        else:
            card = policy.on_study_days(card, now, self.days)
            if self.rng.random() < self.truth.get_card_retrievability(card, now):
                rating = _pick(self.rng, PASS_RATINGS)
            else:
                rating = AGAIN
        self.cards[card_id], _ = self.truth.review_card(card, Rating(rating), review_datetime=now)
        return rating


@dataclass(frozen=True)
class SimulatedReview:
    card_id: int
    reviewed_at: datetime
    rating: int
    before: Memory
    after: Memory
    duration_ms: int


def simulate_study(card_ids: list[int], learner: SyntheticLearner, scheduler: Scheduler,
                   start: datetime, days: int, *, new_per_day: int = 20,
                   reviews_per_day: int = 9999, zone: tzinfo = UTC, day_hour: int = 4,
                   session_hour: float = 9.0, skip_probability: float = 0.0,
                   memories: dict[int, Memory] | None = None, seed: int = 0,
                   load_balance: bool = False, easy_days: frozenset[int] = frozenset(),
                   ) -> tuple[list[SimulatedReview], dict[int, Memory]]:
    """`days` study days from `start` under the app's policy: each day, in one sitting,
    learning cards first, then the reviews due today and up to `new_per_day` new cards (in
    id order), learning steps coming back within the sitting as in the app. A day is skipped
    with `skip_probability`. With `load_balance`, review intervals are load-balanced as the
    review service balances them (the cards due each day, `easy_days` weekdays). Returns the
    reviews and every card's memory at the end."""
    rng = random.Random(seed)
    memory = dict(memories or {})
    days_of = StudyDays(zone, day_hour)
    due_on: Counter = Counter(days_of.date_of(m.due) for m in memory.values()
                              if m.state != NEW and m.due is not None)
    for card_id in card_ids:
        memory.setdefault(card_id, Memory(due=start))
    new_queue = [c for c in card_ids if memory[c].state == NEW]
    learning_ids = {c for c, m in memory.items() if m.state in (LEARNING, RELEARNING)}
    reviews: list[SimulatedReview] = []
    first = day_start(start, zone, day_hour)
    for day in range(days):
        begin = (first.astimezone(zone) + timedelta(days=day)).astimezone(UTC)
        end = next_day_start(begin, zone, day_hour)
        if rng.random() < skip_probability:
            continue
        now = begin + timedelta(hours=session_hour - day_hour + rng.uniform(-1.5, 1.5))
        due = sorted((m.due, c) for c, m in memory.items() if m.state == REVIEW and m.due < end)
        due_ids = [c for _, c in due][:reviews_per_day]
        fresh, new_queue = new_queue[:new_per_day], new_queue[new_per_day:]
        todo = due_ids + fresh
        rng.shuffle(todo)
        while True:
            learning = [(memory[c].due, c) for c in learning_ids if memory[c].due < end]
            ready = [pair for pair in learning if pair[0] <= now + LEARN_AHEAD]
            if ready:
                card_id = min(ready)[1]
            elif todo:
                card_id = todo.pop()
            elif learning:
                now = max(now, min(learning)[0])
                continue
            else:
                break
            before = memory[card_id]
            rating = learner.answer(card_id, now)
            load = None
            if load_balance:
                today = days_of.date_of(now)

                def load(today=today) -> policy.Load:
                    return policy.Load(today, tuple(
                        due_on[today + timedelta(days=k)] for k in range(policy.LOAD_DAYS)),
                        easy_days=easy_days)
            after = policy.review(scheduler, card_id, before, rating, now, load=load)
            if before.state != NEW:
                due_on[days_of.date_of(before.due)] -= 1
            due_on[days_of.date_of(after.due)] += 1
            duration = int(rng.uniform(4, 20) * 1000)
            reviews.append(SimulatedReview(card_id, now, rating, before, after, duration))
            memory[card_id] = after
            if after.state in (LEARNING, RELEARNING):
                learning_ids.add(card_id)
            else:
                learning_ids.discard(card_id)
            now += timedelta(milliseconds=duration + rng.uniform(1000, 4000))
    return reviews, memory


def write_history(engine, reviews: list[SimulatedReview], memories: dict[int, Memory],
                  source: str = "review") -> None:
    """Store simulated reviews as review-log rows and the cards' final states, in bulk."""
    from sqlalchemy import insert, update

    from studyaws.store.engine import writing
    from studyaws.store.tables import CardState, ReviewLog, memory_columns

    rows = [
        {
            "card_id": r.card_id, "rating": r.rating, "reviewed_at": r.reviewed_at,
            "duration_ms": r.duration_ms, "source": source, "state_before": r.before.state,
            "seed": None, "correct": None, "response": "",
            "prior_state": json.dumps({"memory": r.before.to_dict(), "suspended": False,
                                       "leech": False, "buried_until": None,
                                       "buried_siblings": []}),
            "state": r.after.state, "stability": r.after.stability,
            "difficulty": r.after.difficulty, "due": r.after.due,
        }
        for r in reviews
    ]
    with writing(engine) as session:
        if rows:
            session.execute(insert(ReviewLog), rows)
        states = [{"card_id": card_id, **memory_columns(m)}
                  for card_id, m in memories.items() if m.state != NEW]
        if states:
            session.execute(update(CardState), states)
