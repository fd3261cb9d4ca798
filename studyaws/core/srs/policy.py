"""FSRS scheduling policy: py-fsrs with database ids, UTC times, seeded unbiased fuzz,
intervals kept in order (Hard < Good < Easy) and within the maximum interval the way Anki
keeps them, and days counted by study day (as Anki counts them). Pure: "now" is an
argument."""

from __future__ import annotations

import random
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache

from fsrs import Card, Rating, Scheduler, State

from studyaws.core.config import Settings
from studyaws.core.srs.day import StudyDays

NEW = 0
LEARNING = int(State.Learning)
REVIEW = int(State.Review)
RELEARNING = int(State.Relearning)
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATING_NAMES = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}
_DAY = timedelta(days=1)


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
    intervals itself, from a generator seeded per card and review (`fuzz_seed`), and counts
    days by study day (`days`)."""

    def __init__(self, *, fuzz: bool, days: StudyDays | None = None, **kwargs):
        super().__init__(enable_fuzzing=False, **kwargs)
        self.fuzz = fuzz
        self.days = days or StudyDays()


@lru_cache(maxsize=8)
def _scheduler(retention: float, learning: tuple, relearning: tuple, max_ivl: int,
               fuzz: bool, parameters: tuple | None, days: StudyDays) -> Scheduler:
    kwargs = {}
    if parameters:
        kwargs["parameters"] = parameters
    return SeededScheduler(
        desired_retention=retention,
        learning_steps=tuple(timedelta(minutes=m) for m in learning),
        relearning_steps=tuple(timedelta(minutes=m) for m in relearning),
        maximum_interval=max_ivl,
        fuzz=fuzz,
        days=days,
        **kwargs,
    )


def scheduler_for(settings: Settings, parameters: tuple[float, ...] | None = None,
                  zone: tzinfo = UTC) -> Scheduler:
    """The scheduler for `settings`; days are study days in `zone` (the user's local zone,
    `Clock.local_zone()`) starting at the day-starts-at hour."""
    return _scheduler(settings.desired_retention, settings.learning_steps,
                      settings.relearning_steps, settings.maximum_interval, settings.fuzz,
                      parameters, StudyDays(zone, settings.day_starts_at))


# FSRS's fuzz: an interval of d days (d >= 3) is drawn uniformly from the whole days within
# d +- delta, where delta grows by 15 % of the days from 2.5 to 7, 10 % from 7 to 20 and 5 %
# beyond (FSRS and Anki).
_FUZZ_BANDS = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.10), (20.0, float("inf"), 0.05))


def fuzz_range(days: int, maximum_interval: int) -> tuple[int, int]:
    """The fewest and most days an interval of `days` (3 or more) may be fuzzed to, as Anki
    and py-fsrs bound it: round(days -+ delta), within 2 and the maximum interval."""
    delta = 1.0 + sum(factor * max(min(float(days), end) - start, 0.0)
                      for start, end, factor in _FUZZ_BANDS)
    high = min(round(days + delta), maximum_interval)
    low = min(max(2, round(days - delta)), high)
    return low, high


def fuzzed_interval(days: int, maximum_interval: int, draw: float) -> int:
    """The fuzzed number of days for an interval of `days`, given a uniform draw in [0, 1):
    each whole day of `fuzz_range` equally likely (the draw scaled and rounded down, as Anki
    does), so that on average the fuzzed interval is the interval itself.

    py-fsrs 6.3's own fuzz rounds the scaled draw to the nearest day instead, which makes
    the lowest day half as likely as the others and adds one beyond the range as likely as
    the lowest: half a day too long on average (7-day intervals came out 7.50 days on
    average, 40-day ones 40.50)."""
    if days < 2.5:
        return days
    low, high = fuzz_range(days, maximum_interval)
    return low + min(int(draw * (high - low + 1)), high - low)


# Load balancing (Anki 24.11's): within its fuzz range, a review interval goes to a day with
# fewer cards due, more likely, away from the days a sibling is due, and away from easy days
# that already carry their share. Intervals beyond MAX_BALANCED_DAYS are fuzzed as before:
# so far out, the load of a day is too uncertain to be worth balancing.
MAX_BALANCED_DAYS = 90
LOAD_DAYS = 100  # days of due counts the balancer may look at (the widest range at 90 days)
SIBLING_WEIGHT = 0.001
# A day's weight is (the mean cards due a day in the week around it / the cards due on
# it)^8. Anki weighs 1 / (cards due)^2 / days instead: a later day looks lighter, as the
# cards still to come to it are not due yet, and the 1 / days offsets that for its power
# of 2 only (with a power of 4 it left intervals 2.3 % long on the synthetic learner).
# Against the week around it, a day is light only when it is lighter than the days near
# it, whatever its distance, so the preference can be strong without pushing intervals
# out.
BALANCE_POWER = 8
BALANCE_NEIGHBOURS = 3  # days on either side of a day that make up the week around it
EASY_DAY_SHARE = 0.5  # the load an easy day takes, against a normal day's


@dataclass(frozen=True)
class Load:
    """What the load balancer weighs: the cards due on each study day from today on
    (`counts[0]` today), the days (offsets from today) a sibling of the card is due, and the
    easy days (weekdays, Monday 0)."""

    today: date
    counts: tuple[int, ...]
    siblings: frozenset[int] = frozenset()
    easy_days: frozenset[int] = frozenset()


def _easy_day_factors(load: Load, days: range) -> list[float]:
    """1 for a day that may take the card, almost 0 for an easy day already at its share
    (half what the other days of the range carry on average), as Anki decides it."""
    counts = [load.counts[d] for d in days]
    easy = [(load.today + timedelta(days=d)).weekday() in load.easy_days for d in days]
    shares = sum(EASY_DAY_SHARE if e else 1.0 for e in easy)
    total = sum(counts)
    factors = []
    for count, is_easy in zip(counts, easy, strict=True):
        if not is_easy:
            factors.append(1.0)
            continue
        others = shares - EASY_DAY_SHARE
        threshold = (total - count) / others if others > 0 else float("inf")
        factors.append(0.0001 if count / EASY_DAY_SHARE > threshold else 1.0)
    return factors


def _week_around(counts: tuple[int, ...], day: int) -> float:
    """The mean of the cards due in the week centred on `day` (from tomorrow on, within the
    counts given): the load the day would have if it were no heavier than its neighbours."""
    low = max(1, day - BALANCE_NEIGHBOURS)
    high = min(len(counts) - 1, day + BALANCE_NEIGHBOURS)
    return sum(counts[low:high + 1]) / (high - low + 1)


def balanced_interval(days: int, maximum_interval: int, load: Load, draw: float) -> int | None:
    """The day of `days`' fuzz range a review goes to under load balancing, drawn with
    `draw` (uniform in [0, 1)) from weights ((mean due a day in the week around the day + 1)
    / (due that day + 1))^BALANCE_POWER, times 0.001 on a day a sibling is due and almost 0 on an
    easy day at its share. Where every day carries what its neighbours carry (an even load,
    or no cards yet) each day of the range is equally likely, as with fuzz alone. None when
    the interval is not balanced (beyond MAX_BALANCED_DAYS, or past the counts given)."""
    if days < 2.5 or days > MAX_BALANCED_DAYS:
        return None
    low, high = fuzz_range(days, maximum_interval)
    if high >= len(load.counts):
        return None
    span = range(low, high + 1)
    easy = _easy_day_factors(load, span) if load.easy_days else [1.0] * len(span)
    weights = [((_week_around(load.counts, d) + 1) / (load.counts[d] + 1)) ** BALANCE_POWER
               * (SIBLING_WEIGHT if d in load.siblings else 1.0) * e
               for d, e in zip(span, easy, strict=True)]
    point = draw * sum(weights)
    for d, weight in zip(span, weights, strict=True):
        point -= weight
        if point < 0:
            return d
    return high


def fuzz_seed(card_id: int, reps: int) -> int:
    return card_id * 1_000_003 + reps


def on_study_days(card: Card, now: datetime, days: StudyDays) -> Card:
    """`card` as py-fsrs is to see it at `now` for its sums to run on study days. py-fsrs
    counts the days since the last review in 24-hour periods: the card is shown as last
    reviewed exactly as many 24-hour periods before `now` as there are study days between
    the two (so it gives what py-fsrs gives whenever the two counts agree)."""
    if card.last_review is None:
        return card
    shown = copy(card)
    shown.last_review = now - timedelta(days=days.between(min(card.last_review, now), now))
    return shown


def _to_fsrs(card_id: int, memory: Memory, now: datetime, days: StudyDays | None = None) -> Card:
    """The card as py-fsrs is to see it at `now` (with `days`: on study days)."""
    if memory.state == NEW:
        return Card(card_id=card_id, state=State.Learning, step=0, due=now)
    # A clock set back can put the last review after "now": no time has passed then, never
    # a negative amount (the memory model would extrapolate backwards).
    last_review = min(memory.last_review, now.astimezone(UTC)) if memory.last_review else None
    if last_review is not None and days is not None:
        last_review = now - timedelta(days=days.between(last_review, now))
    return Card(card_id=card_id, state=State(memory.state), step=memory.step,
                stability=memory.stability, difficulty=memory.difficulty,
                due=memory.due or now, last_review=last_review)


def _study_days(scheduler: Scheduler) -> StudyDays | None:
    """How `scheduler` counts days: by study day (the app's schedulers), or None for a plain
    py-fsrs Scheduler (24-hour periods, as py-fsrs does)."""
    return getattr(scheduler, "days", None)


LoadSource = Callable[[], Load | None]


def _outcomes(scheduler: Scheduler, card_id: int, memory: Memory, now: datetime,
              duration_ms: int | None = None,
              load: LoadSource | None = None) -> dict[int, tuple[Memory, int | None]]:
    """Each rating's outcome, with the whole (study) days it is scheduled for (None for a
    learning step of less than a day). With `load` (called at most once, when a review
    interval is to be fuzzed: the due counts for the balancer) and fuzz on, a review
    interval is load-balanced within its fuzz range."""
    return _worked_out(scheduler, card_id, memory, now, duration_ms, load).result


@dataclass(frozen=True)
class Outcomes:
    """What each rating makes of a card's memory at `now`, with what says how each due time
    was placed, so that an answer given soon after can take it over (`review(known=)`)
    instead of running py-fsrs four times again (outcomes_at, for the rating keys)."""

    scheduler: Scheduler
    card_id: int
    memory: Memory
    now: datetime
    result: dict[int, tuple[Memory, int | None]]
    # rating -> "later" (whole study days after now), "day" (the start of a study day),
    # "step" (a learning step after now)
    placed: dict[int, str]
    balanced: bool  # whether an outcome is a review interval the balancer would move


def outcomes_at(scheduler: Scheduler, card_id: int, memory: Memory,
                now: datetime) -> Outcomes:
    """Each rating's outcome at `now`, without load balancing (as the keys show them)."""
    return _worked_out(scheduler, card_id, memory, now, None, None)


def _taken_over(known: Outcomes, scheduler: Scheduler, card_id: int, memory: Memory,
                now: datetime, balancing: bool) -> dict[int, tuple[Memory, int | None]] | None:
    """`known`'s outcomes as they are at `now`, when they are what working them out again
    would give (else None): the same scheduler, card and memory, on the same study day
    (py-fsrs sees the same whole days since the last answer), the last answer not after
    either time, and no outcome the balancer would move when the answer balances the load.
    The due times are placed again from `now`, and the answer is made at `now`."""
    days = _study_days(scheduler)
    if (days is None or known.scheduler is not scheduler or known.card_id != card_id
            or known.memory != memory or (balancing and known.balanced)):
        return None
    if now.tzinfo is not UTC:
        now = now.astimezone(UTC)
    if days.date_of(now) != days.date_of(known.now) or (
            memory.last_review is not None and memory.last_review > min(now, known.now)):
        return None
    result = {}
    for rating, (outcome, whole) in known.result.items():
        placed = known.placed[rating]
        due = (days.later(now, whole) if placed == "later" else
               outcome.due if placed == "day" else outcome.due + (now - known.now))
        result[rating] = (Memory(outcome.state, outcome.step, outcome.stability,
                                 outcome.difficulty, due, now, outcome.reps, outcome.lapses),
                          whole)
    return result


def _worked_out(scheduler: Scheduler, card_id: int, memory: Memory, now: datetime,
                duration_ms: int | None, load: LoadSource | None) -> Outcomes:
    if now.tzinfo is not UTC:
        now = now.astimezone(UTC)
    days = _study_days(scheduler)
    fuzz = random.Random(fuzz_seed(card_id, memory.reps)) if getattr(
        scheduler, "fuzz", False) else None
    before = _to_fsrs(card_id, memory, now, days)
    cards: dict[int, Card] = {}
    intervals: dict[int, int] = {}  # review outcomes: days
    counts: list[Load | None] = []  # the balancer's counts, fetched once when first needed
    balanced = False
    for rating in (AGAIN, HARD, GOOD, EASY):
        card, _ = scheduler.review_card(before, Rating(rating), review_datetime=now,
                                        review_duration=duration_ms)
        cards[rating] = card
        if card.state == State.Review:
            interval = (card.due - now).days
            if fuzz is not None and interval >= 2.5:
                draw = fuzz.random()
                moved = None
                balanced = balanced or interval <= MAX_BALANCED_DAYS
                if load is not None and interval <= MAX_BALANCED_DAYS:
                    if not counts:
                        counts.append(load())
                    if counts[0] is not None:
                        moved = balanced_interval(interval, scheduler.maximum_interval,
                                                  counts[0], draw)
                interval = (moved if moved is not None else
                            fuzzed_interval(interval, scheduler.maximum_interval, draw))
            intervals[rating] = interval
    _keep_in_order(intervals, scheduler.maximum_interval)
    result: dict[int, tuple[Memory, int | None]] = {}
    placed: dict[int, str] = {}
    for rating, card in cards.items():
        due, whole = card.due, intervals.get(rating)
        placed[rating] = "step"
        if whole is not None:
            due = days.later(now, whole) if days else now + timedelta(days=whole)
            placed[rating] = "later"
        elif days is not None and due - now >= _DAY:
            # A learning step of a day or more: whole days, due as the day starts.
            whole = max(1, round((due - now) / _DAY))
            due = days.start_of(days.date_of(now) + timedelta(days=whole))
            placed[rating] = "day"
        result[rating] = (Memory(
            int(card.state), card.step, card.stability, card.difficulty, due,
            card.last_review, memory.reps + 1,
            memory.lapses + (1 if rating == AGAIN and memory.state == REVIEW else 0),
        ), whole)
    return Outcomes(scheduler, card_id, memory, now, result, placed, balanced)


def outcomes(scheduler: Scheduler, card_id: int, memory: Memory, now: datetime,
             duration_ms: int | None = None, load: LoadSource | None = None) -> dict[int, Memory]:
    """What each rating would make of the card at `now` (`load`: see `_outcomes`)."""
    return {rating: outcome for rating, (outcome, _) in
            _outcomes(scheduler, card_id, memory, now, duration_ms, load).items()}


def interval_labels(scheduler: Scheduler, card_id: int, memory: Memory,
                    now: datetime) -> dict[int, str]:
    """The interval each rating gives, as the rating keys show it: "10m", "3d", "2.5mo"."""
    return labels_of(outcomes_at(scheduler, card_id, memory, now))


def labels_of(known: Outcomes) -> dict[int, str]:
    """interval_labels of outcomes worked out (outcomes_at)."""
    return {rating: format_interval(_DAY * whole if whole is not None
                                    else outcome.due - known.now)
            for rating, (outcome, whole) in known.result.items()}


def _keep_in_order(intervals: dict[int, int], maximum_interval: int) -> None:
    """Among review outcomes, Good is at least a day beyond Hard and Easy beyond Good; then
    none is beyond the maximum interval (Anki's order of the two rules)."""
    previous = None
    for rating in (HARD, GOOD, EASY):
        days = intervals.get(rating)
        if days is None:
            previous = None
            continue
        if previous is not None and days < previous + 1:
            days = intervals[rating] = previous + 1
        previous = days
    for rating, days in intervals.items():
        intervals[rating] = max(1, min(days, maximum_interval))


def review(scheduler: Scheduler, card_id: int, memory: Memory, rating: int, now: datetime,
           duration_ms: int | None = None, load: LoadSource | None = None,
           known: Outcomes | None = None) -> Memory:
    """The card's memory after `rating` at `now`; `known`: the outcomes shown on the keys
    (outcomes_at), taken over when they are what working them out again would give."""
    if known is not None:
        taken = _taken_over(known, scheduler, card_id, memory, now, load is not None)
        if taken is not None:
            return taken[rating][0]
    return outcomes(scheduler, card_id, memory, now, duration_ms, load)[rating]


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
