"""A workload simulation that starts from the collection as it is today (pure).

fsrs-rs-python's `simulate` always starts from an empty deck, so the forecast is done here:
the studied cards keep their real stability, difficulty, last review and due day; the new
cards are introduced at the new-cards-a-day limit; at most reviews-a-day cards are reviewed
a day (the most overdue first, the rest wait, as the queue does); each review is recalled
with the FSRS-6 forgetting curve's probability and updates the memory with FSRS-6's
long-term formulas (the same as py-fsrs's); the next interval is the scheduler's (desired
retention, at least a day, at most the maximum interval; fuzz and load balancing spread
reviews without changing their number on average, and are left out). Each answer costs the
user's own median seconds for its rating.

Days are study days counted from today (day 0); a card due before today is due on day 0.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
STABILITY_MIN = 0.001
# fsrs-rs's defaults (from Anki users' logs): the first answer's rating, and a recalled
# review's rating (Hard, Good, Easy)
FIRST_RATING_PROB = (0.24, 0.094, 0.495, 0.171)
RECALL_RATING_PROB = (0.224, 0.631, 0.145)
# seconds an answer takes by rating (Again, Hard, Good, Easy), when the log has too few
DEFAULT_SECONDS = (20.0, 18.0, 12.0, 9.0)


class SimCard(NamedTuple):
    """A studied card as the simulation starts: its memory and its days (day 0 is today)."""

    stability: float
    difficulty: float
    last_day: int  # the study day of its last answer (0 or before)
    due_day: int  # its due study day (before 0: overdue)


@dataclass(frozen=True)
class Limits:
    new_per_day: int
    reviews_per_day: int
    maximum_interval: int
    learning_steps: int = 2  # the answers a new card takes after its first, at Good
    relearning_steps: int = 1  # the answers a lapse takes after Again, at Good


@dataclass(frozen=True)
class Day:
    reviews: int
    new: int
    seconds: float


@dataclass(frozen=True)
class Simulation:
    days: list[Day]
    remembered: float  # expected cards recalled on the last day (sum of retrievability)

    @property
    def reviews_per_day(self) -> float:
        return sum(d.reviews for d in self.days) / max(1, len(self.days))

    @property
    def new_per_day(self) -> float:
        return sum(d.new for d in self.days) / max(1, len(self.days))

    @property
    def minutes_per_day(self) -> float:
        return sum(d.seconds for d in self.days) / 60 / max(1, len(self.days))


class Model:
    """FSRS-6's formulas for one set of parameters (as py-fsrs computes them)."""

    def __init__(self, w: Sequence[float]):
        self.w = w = tuple(float(x) for x in w)
        self.decay = -w[20]
        self.factor = 0.9 ** (1 / self.decay) - 1
        self.easy_d0 = w[4] - math.exp(w[5] * 3) + 1

    def recall(self, stability: float, elapsed: float) -> float:
        return (1 + self.factor * max(0.0, elapsed) / stability) ** self.decay

    def interval(self, stability: float, retention: float, maximum: int) -> int:
        days = stability / self.factor * (retention ** (1 / self.decay) - 1)
        return max(1, min(round(days), maximum))

    def initial(self, rating: int) -> tuple[float, float]:
        w = self.w
        d = w[4] - math.exp(w[5] * (rating - 1)) + 1
        return max(w[rating - 1], STABILITY_MIN), min(max(d, 1.0), 10.0)

    def next_difficulty(self, d: float, rating: int) -> float:
        w = self.w
        damped = d + (10.0 - d) * (-w[6] * (rating - 3)) / 9.0
        return min(max(w[7] * self.easy_d0 + (1 - w[7]) * damped, 1.0), 10.0)

    def next_stability(self, s: float, d: float, r: float, rating: int) -> float:
        w = self.w
        if rating == AGAIN:
            long = w[11] * d ** -w[12] * ((s + 1) ** w[13] - 1) * math.exp((1 - r) * w[14])
            new = min(long, s / math.exp(w[17] * w[18]))
        else:
            bonus = w[15] if rating == HARD else w[16] if rating == EASY else 1.0
            new = s * (1 + math.exp(w[8]) * (11 - d) * s ** -w[9]
                       * (math.exp((1 - r) * w[10]) - 1) * bonus)
        return max(new, STABILITY_MIN)


def _pick(rng: random.Random, weights: Sequence[float]) -> int:
    """An index drawn with the given weights."""
    draw = rng.random() * sum(weights)
    for index, weight in enumerate(weights):
        draw -= weight
        if draw < 0:
            return index
    return len(weights) - 1


class Stopped(Exception):
    """simulate's `stop()` said True: the simulation is no longer wanted."""


def simulate(parameters: Sequence[float], retention: float, cards: Sequence[SimCard],
             new_cards: int, limits: Limits, seconds: Sequence[float] = DEFAULT_SECONDS,
             days: int = 365, seed: int = 42,
             first_shares: Sequence[float] = FIRST_RATING_PROB,
             recall_shares: Sequence[float] = RECALL_RATING_PROB,
             stop: Callable[[], bool] | None = None) -> Simulation:
    """Study `days` days from today at desired `retention`: `cards` are the studied cards,
    `new_cards` the cards never answered; `seconds` is an answer's time by rating;
    `first_shares` how a new card's first answer is rated (Again, Hard, Good, Easy), and
    `recall_shares` how a recalled review is (Hard, Good, Easy). `stop`, when given, is
    asked every 16 simulated days; Stopped is raised once it says True."""
    model = Model(parameters)
    rng = random.Random(seed)
    stab = [c.stability for c in cards]
    diff = [c.difficulty for c in cards]
    last = [c.last_day for c in cards]
    # Cards by due day: those due today or before wait in `backlog`, most overdue first;
    # the others in a list for their day.
    backlog = deque(i for _, i in sorted((c.due_day, i) for i, c in enumerate(cards)
                                         if c.due_day <= 0))
    due: dict[int, list[int]] = {}
    for i, c in enumerate(cards):
        if c.due_day > 0:
            due.setdefault(c.due_day, []).append(i)
    again_s, hard_s, good_s, easy_s = seconds
    by_rating = {AGAIN: again_s, HARD: hard_s, GOOD: good_s, EASY: easy_s}
    relearn = again_s + limits.relearning_steps * good_s
    maximum = limits.maximum_interval
    recall, next_s, next_d, interval = (model.recall, model.next_stability,
                                        model.next_difficulty, model.interval)
    left = new_cards
    out = []
    for day in range(days):
        if stop is not None and day % 16 == 0 and stop():
            raise Stopped
        if day > 0:
            backlog.extend(due.pop(day, ()))
        reviews, spent = 0, 0.0
        while backlog and reviews < limits.reviews_per_day:
            i = backlog.popleft()
            s, d = stab[i], diff[i]
            r = recall(s, day - last[i])
            if rng.random() < r:
                rating = HARD + _pick(rng, recall_shares)
                spent += by_rating[rating]
            else:
                rating = AGAIN
                spent += relearn
            stab[i] = s = next_s(s, d, r, rating)
            diff[i] = next_d(d, rating)
            last[i] = day
            due.setdefault(day + interval(s, retention, maximum), []).append(i)
            reviews += 1
        learnt = min(left, limits.new_per_day)
        for _ in range(learnt):
            rating = AGAIN + _pick(rng, first_shares)
            s, d = model.initial(rating)
            spent += by_rating[rating] + (limits.learning_steps if rating < EASY else 0) * good_s
            due.setdefault(day + interval(s, retention, maximum), []).append(len(stab))
            stab.append(s)
            diff.append(d)
            last.append(day)
        left -= learnt
        out.append(Day(reviews, learnt, spent))
    end = days - 1
    remembered = sum(model.recall(s, end - t) for s, t in zip(stab, last, strict=True))
    return Simulation(out, remembered)
