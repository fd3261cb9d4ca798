"""Scoring a finished exam: unanswered is wrong, multi-select is all-or-nothing (the
grading in studyaws.core.questions), no penalty for guessing. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field

from studyaws.core.exam.blueprints import Blueprint


@dataclass(frozen=True)
class Answered:
    domain: str | None
    correct: bool | None  # None: not answered
    seconds: float = 0.0


@dataclass(frozen=True)
class DomainScore:
    correct: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.correct / self.total if self.total else 0.0


@dataclass(frozen=True)
class Result:
    correct: int
    total: int
    unanswered: int
    scaled: int
    pass_mark: int
    per_domain: dict[str, DomainScore] = field(default_factory=dict)
    seconds_used: float = 0.0

    @property
    def passed(self) -> bool:
        return self.scaled >= self.pass_mark

    @property
    def percent(self) -> float:
        return 100.0 * self.correct / self.total if self.total else 0.0

    @property
    def seconds_per_question(self) -> float:
        return self.seconds_used / self.total if self.total else 0.0


def scaled_estimate(correct: int, total: int) -> int:
    """An estimate on the 100-1000 scale: linear in the share answered right. AWS's own
    scaling is not published, so this is only ever shown as an estimate."""
    if total <= 0:
        return 100
    return round(100 + 900 * correct / total)


def score(answers: list[Answered], blueprint: Blueprint, seconds_used: float) -> Result:
    correct = sum(1 for a in answers if a.correct)
    unanswered = sum(1 for a in answers if a.correct is None)
    per_domain: dict[str, DomainScore] = {}
    for answer in answers:
        key = answer.domain or "none"
        old = per_domain.get(key, DomainScore(0, 0))
        per_domain[key] = DomainScore(old.correct + (1 if answer.correct else 0), old.total + 1)
    return Result(correct, len(answers), unanswered, scaled_estimate(correct, len(answers)),
                  blueprint.pass_mark, per_domain, seconds_used)
