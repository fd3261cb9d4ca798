"""FSRS scheduling policy: py-fsrs with database ids, UTC times, seeded fuzz, and intervals
kept in order (Hard < Good < Easy) the way Anki keeps them. Pure: "now" is an argument."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from fsrs import Card, Rating, Scheduler, State

from studyaws.core.config import Settings

NEW = 0
LEARNING = int(State.Learning)
REVIEW = int(State.Review)
RELEARNING = int(State.Relearning)
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATING_NAMES = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}


@dataclass(frozen=True)
class Memory:
    """A card's scheduling state as stored; state NEW means never answered."""

    state: int = NEW
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0

    def to_dict(self) -> dict:
        return {
            "state": self.state,
            "step": self.step,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "due": self.due.isoformat() if self.due else None,
            "last_review": self.last_review.isoformat() if self.last_review else None,
            "reps": self.reps,
            "lapses": self.lapses,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Memory:
        def when(text):
            return datetime.fromisoformat(text).astimezone(UTC) if text else None

        return cls(data["state"], data["step"], data["stability"], data["difficulty"],
                   when(data["due"]), when(data["last_review"]), data["reps"], data["lapses"])


class SeededScheduler(Scheduler):
    """py-fsrs's scheduler with its own fuzz turned off: py-fsrs draws fuzz from the
    process-wide `random`, which the app's thread workers share. `outcomes` fuzzes review
    intervals itself, from a generator seeded per card and review (`fuzz_seed`)."""

    def __init__(self, *, fuzz: bool, **kwargs):
        super().__init__(enable_fuzzing=False, **kwargs)
        self.fuzz = fuzz


@lru_cache(maxsize=8)
def _scheduler(retention: float, learning: tuple, relearning: tuple, max_ivl: int,
               fuzz: bool, parameters: tuple | None) -> Scheduler:
    kwargs = {}
    if parameters:
        kwargs["parameters"] = parameters
    return SeededScheduler(
        desired_retention=retention,
        learning_steps=tuple(timedelta(minutes=m) for m in learning),
        relearning_steps=tuple(timedelta(minutes=m) for m in relearning),
        maximum_interval=max_ivl,
        fuzz=fuzz,
        **kwargs,
    )


def scheduler_for(settings: Settings, parameters: tuple[float, ...] | None = None) -> Scheduler:
    return _scheduler(settings.desired_retention, settings.learning_steps,
                      settings.relearning_steps, settings.maximum_interval, settings.fuzz,
                      parameters)


# FSRS's fuzz: an interval of d days (d >= 3) is drawn uniformly from d +- delta, where delta
# grows by 15 % of the days from 2.5 to 7, 10 % from 7 to 20 and 5 % beyond (FSRS and Anki).
_FUZZ_BANDS = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.10), (20.0, float("inf"), 0.05))


def fuzzed_interval(days: int, maximum_interval: int, draw: float) -> int:
    """The fuzzed number of days for an interval of `days`, given a uniform draw in [0, 1)."""
    if days < 2.5:
        return days
    delta = 1.0 + sum(factor * max(min(float(days), end) - start, 0.0)
                      for start, end, factor in _FUZZ_BANDS)
    high = min(round(days + delta), maximum_interval)
    low = min(max(2, round(days - delta)), high)
    return min(round(low + draw * (high - low + 1)), maximum_interval)


def fuzz_seed(card_id: int, reps: int) -> int:
    return card_id * 1_000_003 + reps


def _to_fsrs(card_id: int, memory: Memory, now: datetime) -> Card:
    if memory.state == NEW:
        return Card(card_id=card_id, state=State.Learning, step=0, due=now)
    # A clock set back can put the last review after "now": no time has passed then, never
    # a negative amount (the memory model would extrapolate backwards).
    last_review = min(memory.last_review, now.astimezone(UTC)) if memory.last_review else None
    return Card(card_id=card_id, state=State(memory.state), step=memory.step,
                stability=memory.stability, difficulty=memory.difficulty,
                due=memory.due or now, last_review=last_review)


def outcomes(scheduler: Scheduler, card_id: int, memory: Memory, now: datetime,
             duration_ms: int | None = None) -> dict[int, Memory]:
    """What each rating would make of the card at `now`."""
    if now.tzinfo is not UTC:
        now = now.astimezone(UTC)
    result: dict[int, Memory] = {}
    fuzz = random.Random(fuzz_seed(card_id, memory.reps)) if getattr(
        scheduler, "fuzz", False) else None
    for rating in (AGAIN, HARD, GOOD, EASY):
        card, _ = scheduler.review_card(_to_fsrs(card_id, memory, now), Rating(rating),
                                        review_datetime=now, review_duration=duration_ms)
        due = card.due
        if fuzz is not None and card.state == State.Review:
            days = (due - now).days
            if days >= 2.5:
                due = now + timedelta(days=fuzzed_interval(days, scheduler.maximum_interval,
                                                           fuzz.random()))
        result[rating] = Memory(
            int(card.state), card.step, card.stability, card.difficulty, due,
            card.last_review, memory.reps + 1,
            memory.lapses + (1 if rating == AGAIN and memory.state == REVIEW else 0),
        )
    _keep_in_order(result)
    return result


def _keep_in_order(result: dict[int, Memory]) -> None:
    """Among review outcomes, Good is at least a day beyond Hard and Easy beyond Good."""
    day = timedelta(days=1)
    previous = None
    for rating in (HARD, GOOD, EASY):
        memory = result[rating]
        if memory.state != REVIEW:
            previous = None
            continue
        if previous is not None and memory.due < previous + day:
            memory = replace(memory, due=previous + day)
            result[rating] = memory
        previous = memory.due


def review(scheduler: Scheduler, card_id: int, memory: Memory, rating: int, now: datetime,
           duration_ms: int | None = None) -> Memory:
    return outcomes(scheduler, card_id, memory, now, duration_ms)[rating]


def retrievability(scheduler: Scheduler, memory: Memory, now: datetime) -> float:
    if memory.state == NEW or memory.stability is None:
        return 0.0
    card = _to_fsrs(0, memory, now)
    return float(scheduler.get_card_retrievability(card, now.astimezone(UTC)))


def recall_curve(scheduler: Scheduler):
    """FSRS's forgetting curve as a plain function of (stability, whole days elapsed), for
    scoring many cards at once without building a py-fsrs Card for each (same formula as
    Scheduler.get_card_retrievability)."""
    decay = -scheduler.parameters[20]
    factor = 0.9 ** (1 / decay) - 1

    def recall(stability: float | None, elapsed_days: float | None) -> float:
        if stability is None or elapsed_days is None or stability <= 0:
            return 0.0
        return (1 + factor * max(0, int(elapsed_days)) / stability) ** decay

    return recall


def format_interval(delta: timedelta) -> str:
    """Short, Anki-like: 1m, 10m, 3h, 4d, 2.5mo, 1.2y."""
    seconds = max(delta.total_seconds(), 0)
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")


def suggested_rating(correct: bool, seconds: float, easy_seconds: float) -> int:
    """The rating an objective answer gives: wrong is Again; right is Good; right within
    `easy_seconds` is Easy."""
    if not correct:
        return AGAIN
    return EASY if seconds < easy_seconds else GOOD


def exam_rating(correct: bool) -> int:
    """The rating an exam answer feeds the schedule with: right is Good, wrong is Again (no
    Easy: the time spent on one question of an exam says little about how well it is known)."""
    return GOOD if correct else AGAIN
