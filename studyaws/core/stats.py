"""The numbers behind `studyaws stats` and the stats screen. Pure: rows and "now" in.

Study days start at the user's local hour (`day_starts_at`), as everywhere in the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import NamedTuple

from studyaws.core.domains import DOMAINS
from studyaws.core.exam.readiness import Expectation
from studyaws.core.srs import policy
from studyaws.core.srs.day import study_date
from studyaws.core.srs.policy import NEW, Memory


class CardMemory(NamedTuple):
    """What mastery and readiness need of one card that is not retired."""

    card_id: int
    domain: str | None
    kind: str
    suspended: bool
    state: int
    stability: float | None
    last_review: datetime | None


MATURE_DAYS = 21  # a card is mature once its interval is 21 days or more (as in Anki)
HEATMAP_DAYS = 365
FORECAST_DAYS = 30


# -- heatmap and forecast ---------------------------------------------------------------
@dataclass(frozen=True)
class Heatmap:
    start: date
    end: date  # today
    counts: dict[date, int]  # study days with at least one answer

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def days_studied(self) -> int:
        return len(self.counts)

    @property
    def busiest(self) -> int:
        return max(self.counts.values(), default=0)

    @property
    def streak(self) -> int:
        """Days in a row with answers, up to today (or up to yesterday, today not started)."""
        day = self.end if self.end in self.counts else self.end - timedelta(days=1)
        count = 0
        while day in self.counts and day >= self.start:
            count += 1
            day -= timedelta(days=1)
        return count


def heatmap(buckets: list[tuple[datetime, int]], today: date, zone: tzinfo, hour: int,
            days: int = HEATMAP_DAYS) -> Heatmap:
    start = today - timedelta(days=days - 1)
    counts: dict[date, int] = {}
    for moment, count in buckets:
        day = study_date(moment, zone, hour)
        if count and start <= day <= today:
            counts[day] = counts.get(day, 0) + count
    return Heatmap(start, today, dict(sorted(counts.items())))


def forecast(buckets: list[tuple[datetime, int]], today: date, zone: tzinfo, hour: int,
             days: int = FORECAST_DAYS) -> list[int]:
    """Cards due on each of the next `days` study days; today includes the overdue ones."""
    result = [0] * days
    for moment, count in buckets:
        offset = max(0, (study_date(moment, zone, hour) - today).days)
        if offset < days:
            result[offset] += count
    return result


# -- true retention -----------------------------------------------------------------------
@dataclass(frozen=True)
class PassRate:
    passed: int = 0
    total: int = 0

    @property
    def rate(self) -> float | None:
        return self.passed / self.total if self.total else None

    def __add__(self, other: PassRate) -> PassRate:
        return PassRate(self.passed + other.passed, self.total + other.total)


@dataclass(frozen=True)
class RetentionRow:
    period: str  # "today", "7 days", "30 days"
    days: int
    young: PassRate
    mature: PassRate

    @property
    def all(self) -> PassRate:
        return self.young + self.mature


RETENTION_PERIODS = (("today", 1), ("7 days", 7), ("30 days", 30))


def true_retention(outcomes: list[tuple[datetime, int, float | None]], today: date,
                   zone: tzinfo, hour: int) -> list[RetentionRow]:
    """Pass rate (any rating but Again) of answers to cards in the review state, split by
    the interval the card was at before the answer: young under 21 days, mature from 21.
    Answers whose last interval is unknown are left out."""
    rows = []
    for name, days in RETENTION_PERIODS:
        first = today - timedelta(days=days - 1)
        young = mature = PassRate()
        for moment, rating, interval in outcomes:
            if interval is None or not first <= study_date(moment, zone, hour) <= today:
                continue
            one = PassRate(int(rating > policy.AGAIN), 1)
            if round(interval) < MATURE_DAYS:
                young += one
            else:
                mature += one
        rows.append(RetentionRow(name, days, young, mature))
    return rows


# -- mastery and readiness ------------------------------------------------------------------
def recall_at(cards: list[CardMemory], scheduler, when: datetime) -> dict[int, float]:
    """Predicted recall (FSRS retrievability) of each card at `when`; new cards are 0."""
    result = {}
    for card in cards:
        if card.state == NEW or card.stability is None or card.last_review is None:
            result[card.card_id] = 0.0
        else:
            memory = Memory(card.state, None, card.stability, last_review=card.last_review)
            result[card.card_id] = policy.retrievability(scheduler, memory, when)
    return result


@dataclass(frozen=True)
class DomainMastery:
    domain: str
    title: str
    cards: int
    studied: int  # cards that are not new
    recall: float  # mean predicted recall, new cards counting 0


def domain_mastery(cards: list[CardMemory], recall: dict[int, float]) -> list[DomainMastery]:
    """Mean predicted recall of each domain's cards (retired ones excluded by the query)."""
    groups: dict[str, list[CardMemory]] = {}
    for card in cards:
        if card.domain:
            groups.setdefault(card.domain, []).append(card)
    order = {name: n for n, name in enumerate(DOMAINS)}
    result = []
    for domain in sorted(groups, key=lambda d: (order.get(d, len(order)), d)):
        members = groups[domain]
        result.append(DomainMastery(
            domain, DOMAINS.get(domain, domain), len(members),
            sum(1 for c in members if c.state != NEW),
            sum(recall[c.card_id] for c in members) / len(members)))
    return result


@dataclass(frozen=True)
class Readiness:
    preset: str
    title: str
    pass_mark: int
    pool: int  # questions the exam draws from
    today: Expectation  # a mock exam taken now
    exam_date: date | None = None
    days_left: int | None = None
    on_exam_date: Expectation | None = None  # on the exam date, with no more study
