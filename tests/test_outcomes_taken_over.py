"""An answer takes over the outcomes its rating keys showed (policy.outcomes_at) only when
they are exactly what working them out again at the answer's time gives: for every kind of
memory, every rating, answers a second to a day later (across a study day's start), with
fuzz and with the load balanced, in a zone with a daylight-saving change."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from studyaws.core.config import Settings
from studyaws.core.srs import policy
from studyaws.core.srs.policy import (
    AGAIN,
    EASY,
    GOOD,
    HARD,
    LEARNING,
    NEW,
    RELEARNING,
    REVIEW,
    Load,
    Memory,
)

BERLIN = ZoneInfo("Europe/Berlin")
GAPS = (timedelta(seconds=1), timedelta(seconds=40), timedelta(minutes=9), timedelta(hours=3),
        timedelta(hours=11), timedelta(hours=23), timedelta(days=3))


def memories(rng: random.Random, now: datetime) -> list[Memory]:
    found = [Memory(NEW, 0, None, None, now)]
    for state in (LEARNING, RELEARNING):
        for step in (0, 1):
            last = now - timedelta(minutes=rng.randint(1, 3000))
            found.append(Memory(state, step, rng.uniform(0.5, 20), rng.uniform(1, 10),
                                now - timedelta(minutes=1), last, 3, 1))
    for _ in range(12):
        stability = rng.choice((rng.uniform(0.3, 4), rng.uniform(4, 60), rng.uniform(60, 3000)))
        last = now - timedelta(days=rng.uniform(0.01, 200))
        found.append(Memory(REVIEW, None, stability, rng.uniform(1, 10),
                            last + timedelta(days=stability), last, rng.randint(1, 20),
                            rng.randint(0, 4)))
    return found


@pytest.mark.parametrize("balanced", [False, True])
@pytest.mark.parametrize("steps", [("1 10", "10"), ("1440 2880", "")])
def test_outcomes_taken_over_are_those_worked_out_again(balanced, steps):
    learning, relearning = steps
    settings = Settings(learning_steps=tuple(int(m) for m in learning.split()),
                        relearning_steps=tuple(int(m) for m in relearning.split()))
    scheduler = policy.scheduler_for(settings, zone=BERLIN)
    rng = random.Random(3)
    taken = kept = 0
    # Around the spring change in Berlin, and an ordinary day.
    for shown_at in (datetime(2026, 3, 28, 22, 30, tzinfo=UTC),
                     datetime(2026, 6, 10, 1, 59, 30, tzinfo=UTC)):
        for memory in memories(rng, shown_at):
            card_id = rng.randint(1, 10_000)
            known = policy.outcomes_at(scheduler, card_id, memory, shown_at)
            for gap in GAPS:
                now = shown_at + gap
                counts = tuple(rng.randint(0, 50) for _ in range(policy.LOAD_DAYS))
                load = (lambda c=counts, n=now: Load(scheduler.days.date_of(n), c)
                        ) if balanced else None
                for rating in (AGAIN, HARD, GOOD, EASY):
                    again = policy.review(scheduler, card_id, memory, rating, now, 4000, load)
                    over = policy.review(scheduler, card_id, memory, rating, now, 4000, load,
                                         known=known)
                    assert over == again, (memory, gap, rating)
                took = policy._taken_over(known, scheduler, card_id, memory, now,
                                          balanced) is not None
                taken += took
                kept += not took
    assert kept and (taken or balanced)  # outcomes taken over, and worked out again


def test_outcomes_are_not_taken_over_for_another_card_memory_or_scheduler():
    scheduler = policy.scheduler_for(Settings())
    other = policy.scheduler_for(Settings(desired_retention=0.8))
    now = datetime(2026, 5, 4, 9, tzinfo=UTC)
    memory = Memory(REVIEW, None, 300.0, 5.0, now, now - timedelta(days=250), 5, 0)
    known = policy.outcomes_at(scheduler, 7, memory, now)
    later = now + timedelta(seconds=5)
    assert policy._taken_over(known, scheduler, 7, memory, later, False) is not None
    assert policy._taken_over(known, scheduler, 8, memory, later, False) is None
    assert policy._taken_over(known, other, 7, memory, later, False) is None
    changed = Memory(REVIEW, None, 301.0, 5.0, now, now - timedelta(days=250), 5, 0)
    assert policy._taken_over(known, scheduler, 7, changed, later, False) is None
