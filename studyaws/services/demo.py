"""Demo collections for `studyaws screenshots`: the bundled decks on a fixed clock, fresh or
after a synthetic learner's weeks of study."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from studyaws.core.clock import FakeClock
from studyaws.services.collection import open_collection
from studyaws.store.engine import reading, writing
from studyaws.store.settings import save_setting
from studyaws.store.tables import Card

# A card of each kind the screenshots show: (stored kind, payload pattern or None, negate)
_SAMPLES = {
    "basic": ("basic", None, False),
    "choice": ("choice", '%"correct": [_, _%', True),
    "multi-select": ("choice", '%"correct": [_, _%', False),
    "ordering": ("ordering", None, False),
    "numeric": ("numeric", None, False),
    "scenario": ("scenario", '%"kind": "nacl"%', False),
}


def first_card(engine, sample: str) -> int | None:
    """The first live card of a sample kind (see _SAMPLES), or None."""
    kind, pattern, negate = _SAMPLES[sample]
    with reading(engine) as session:
        query = select(Card.id).where(Card.kind == kind, Card.retired.is_(False))
        if pattern is not None:
            query = query.where(Card.payload.not_like(pattern) if negate
                                else Card.payload.like(pattern))
        return session.execute(query.order_by(Card.id).limit(1)).scalar()


def demo_collection(home: str, clock: FakeClock):
    """The bundled decks, new, with small daily limits so a session ends on screen."""
    engine = open_collection(home, clock=clock)
    save_setting(engine, "new-per-day", "6")
    save_setting(engine, "learning-steps", "1")
    return engine


def studied_collection(home: str, clock: FakeClock, now: datetime):
    """The bundled decks after 60 days of a synthetic learner's study (about 2,500 answers)
    and four mock exams scored by that learner's true recall; an exam date ahead."""
    from studyaws.core.config import Settings
    from studyaws.core.exam.scoring import scaled_estimate
    from studyaws.core.srs import policy
    from studyaws.services.exam import QUESTION_KINDS
    from studyaws.services.learner import (
        SyntheticLearner,
        perturbed_parameters,
        simulate_study,
        write_history,
    )
    from studyaws.store.tables import Exam

    days = 60
    start = now - timedelta(days=days)
    clock.set(start)
    engine = open_collection(home, clock=clock)
    with reading(engine) as session:
        rows = session.execute(select(Card.id, Card.kind).where(Card.retired.is_(False))
                               .order_by(Card.id)).all()
    learner = SyntheticLearner(perturbed_parameters(seed=4), seed=4)
    scheduler = policy.scheduler_for(Settings())
    pool = [r.id for r in rows if r.kind in QUESTION_KINDS]
    rng = random.Random(4)
    memories = None
    exams = []
    done = 0
    for exam_day in (21, 35, 47, 58, days):  # study until each mock exam, then sit it
        reviews, memories = simulate_study(
            [r.id for r in rows], learner, scheduler, start + timedelta(days=done),
            exam_day - done, new_per_day=8, skip_probability=0.1, memories=memories,
            seed=exam_day)
        write_history(engine, reviews, memories)
        done = exam_day
        if exam_day == days:
            break
        taken = start + timedelta(days=exam_day, hours=10)
        picked = rng.sample(pool, 65)  # wrong answers are guessed right a quarter of the time
        correct = sum(rng.random() < 0.25 + 0.75 * learner.recall_probability(c, taken)
                      for c in picked)
        exams.append((taken, correct))
    with writing(engine) as session:
        for taken, correct in exams:
            scaled = scaled_estimate(correct, 65)
            session.execute(insert(Exam).values(
                preset="saa-c03", status="finished", started_at=taken,
                finished_at=taken + timedelta(minutes=118), time_limit_s=130 * 60,
                remaining_s=12 * 60, correct=correct, total=65, scaled=scaled,
                passed=scaled >= 720))
    save_setting(engine, "new-per-day", "8")
    save_setting(engine, "exam-date", "2027-03-01")
    clock.set(now)
    return engine
