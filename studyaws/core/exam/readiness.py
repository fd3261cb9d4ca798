"""Readiness: the score a mock exam taken at a given moment can be expected to get. Pure.

An exam is drawn as the mock exams draw it (assembly.assemble: the blueprint's domain
quotas, unseen and weak items first). An item is right when it is recalled (its predicted
recall, FSRS retrievability) or, when it is not, guessed: 1 in k for a choice of k options,
1 in C(k, n) for "choose n", 1 in n! for an ordering of n items, never for a typed number.
The number right on one drawn exam then follows a Poisson-binomial distribution; averaged
over several draws it gives the expected score and a range (the 2.5th to the 97.5th
percentile) on the exam's 100-1000 scale, which is itself estimated (scoring.scaled_estimate).

Where it differs from a mock exam: when the pool has fewer questions than the exam, a mock
exam is shorter, while readiness counts the questions the pool lacks as never studied (a blind
guess at 1 in 4, the exam's usual four options): the real exam will ask them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from studyaws.core.exam.scoring import scaled_estimate
from studyaws.core.questions import Choice, Ordering, Question

MISSING = "not in the pool"  # the domain of the questions a short pool lacks
MISSING_GUESS = 0.25
LOW_QUANTILE = 0.025
HIGH_QUANTILE = 0.975


def guess_chance(question: Question | None) -> float:
    """The chance of getting the question right by a blind guess."""
    if isinstance(question, Choice):
        options = len(question.options)
        if options == 0:
            return 0.0
        return 1.0 / math.comb(options, max(1, question.choose))
    if isinstance(question, Ordering):
        return 1.0 / math.factorial(max(1, len(question.items)))
    return 0.0  # a typed number, or a question that cannot be built


def right_chance(recall: float, guess: float) -> float:
    recall = min(max(recall, 0.0), 1.0)
    return recall + (1.0 - recall) * guess


def correct_distribution(chances: list[float]) -> list[float]:
    """P(exactly k right) for k = 0..n, each item right with its own chance."""
    dist = [1.0]
    for p in chances:
        nxt = [0.0] * (len(dist) + 1)
        for k, mass in enumerate(dist):
            nxt[k] += mass * (1.0 - p)
            nxt[k + 1] += mass * p
        dist = nxt
    return dist


@dataclass(frozen=True)
class DrawnItem:
    """One item of a drawn exam: its domain, predicted recall and guessing chance."""

    domain: str | None
    recall: float
    guess: float

    @property
    def chance(self) -> float:
        return right_chance(self.recall, self.guess)


@dataclass(frozen=True)
class Expectation:
    share: float  # expected share of the questions right
    scaled: int  # expected score on the 100-1000 scale (an estimate)
    low: int  # the 2.5th percentile of the score
    high: int  # the 97.5th percentile: 95 of 100 exams score in low..high
    pass_mark: int
    pass_chance: float  # the chance of reaching the pass mark
    questions: int  # on one drawn exam
    per_domain: dict[str, float] = field(default_factory=dict)  # expected share right

    @property
    def passes(self) -> bool:
        return self.scaled >= self.pass_mark


def _quantile(points: list[tuple[int, float]], q: float) -> int:
    """The smallest score whose cumulative probability reaches q."""
    total = 0.0
    for score, mass in points:
        total += mass
        if total >= q - 1e-12:
            return score
    return points[-1][0]


def padded(items: list[DrawnItem], questions: int) -> list[DrawnItem]:
    """A drawn exam with the questions a short pool lacks, each a blind guess."""
    missing = max(0, questions - len(items))
    return items + [DrawnItem(MISSING, 0.0, MISSING_GUESS)] * missing


def expect(draws: list[list[DrawnItem]], pass_mark: int) -> Expectation:
    """The expectation over equally likely drawn exams (each a list of its items)."""
    draws = [d for d in draws if d]
    if not draws:
        return Expectation(0.0, scaled_estimate(0, 0), 100, 100, pass_mark, 0.0, 0)
    mass: dict[int, float] = {}
    share = 0.0
    domain_sums: dict[str, list[float]] = {}
    for items in draws:
        n = len(items)
        chances = [item.chance for item in items]
        share += sum(chances) / n / len(draws)
        for k, p in enumerate(correct_distribution(chances)):
            score = scaled_estimate(k, n)
            mass[score] = mass.get(score, 0.0) + p / len(draws)
        for item in items:
            domain_sums.setdefault(item.domain or "none", []).append(item.chance)
    points = sorted(mass.items())
    passing = sum(p for score, p in points if score >= pass_mark)
    questions = round(sum(len(d) for d in draws) / len(draws))
    per_domain = {d: sum(v) / len(v) for d, v in domain_sums.items()}
    return Expectation(share, round(100 + 900 * share), _quantile(points, LOW_QUANTILE),
                       _quantile(points, HIGH_QUANTILE), pass_mark, min(passing, 1.0),
                       questions, per_domain)
