"""Readiness is the score a mock exam taken now can be expected to get: checked against the
mean of 10 simulated mock exams of synthetic learners whose memory follows known FSRS
parameters (the app is given the same parameters, as after fitting), at three moments: early
(most questions never seen: guessing carries the score), in the middle of study, and after a
two-month break. Each mock exam is a real one (services.exam on a real collection of the
bundled decks) answered by the learner: a question is recalled with its true recall, else
guessed blindly."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from studyaws.core.clock import FakeClock
from studyaws.core.questions import Choice, Numeric, Ordering
from studyaws.core.srs import policy
from studyaws.services import exam as exams
from studyaws.services.collection import open_collection
from studyaws.services.learner import (
    SyntheticLearner,
    perturbed_parameters,
    simulate_study,
    write_history,
)
from studyaws.services.readiness import readiness_for
from studyaws.store.engine import reading
from studyaws.store.exam_pool import QUESTION_KINDS
from studyaws.store.settings import load_settings, save_parameters, save_setting

START = datetime(2026, 9, 1, 7, 0, tzinfo=UTC)
EXAMS = 10
TOLERANCE = 30  # scaled points between the expected score and the mean of the exams


def answer(question, recalled: bool, rng: random.Random) -> dict:
    """The learner's response: the right one when recalled, else a blind guess."""
    if isinstance(question, Choice):
        chosen = (sorted(question.correct) if recalled else
                  sorted(rng.sample(range(len(question.options)), question.choose)))
        return {"chosen": chosen}
    if isinstance(question, Ordering):
        order = list(range(len(question.items)))
        if not recalled:
            rng.shuffle(order)
        return {"order": order}
    assert isinstance(question, Numeric)
    return {"text": str(question.answer) if recalled else "not sure"}


def mock_exam(engine, clock, learner: SyntheticLearner, seed: int) -> int:
    view = exams.start_exam(engine, clock, "saa-c03", seed=seed)
    rng = random.Random(seed)
    now = clock.now()
    for item in view.items:
        recalled = rng.random() < learner.recall_probability(item.card_id, now)
        exams.save_answer(engine, view.id, item, answer(item.question, recalled, rng), 30.0,
                          now)
    return exams.finish_exam(engine, clock, view).scaled


def question_ids(engine) -> list[int]:
    kinds = ", ".join(f"'{k}'" for k in QUESTION_KINDS)
    with reading(engine) as session:
        return [row[0] for row in session.connection().exec_driver_sql(
            f"SELECT id FROM card WHERE kind IN ({kinds}) AND retired = 0 ORDER BY id")]


@pytest.mark.parametrize("learner_seed", [0, 1, 2])
def test_expected_score_matches_the_mean_of_ten_mock_exams(tmp_path, learner_seed):
    parameters = perturbed_parameters(learner_seed, 0.25) if learner_seed else None
    engine = open_collection(str(tmp_path), backup=False)
    save_setting(engine, "exam-feeds-schedule", "off")  # the exams leave the learner as is
    if parameters:
        save_parameters(engine, parameters)
    scheduler = policy.scheduler_for(load_settings(engine), parameters)
    learner = SyntheticLearner(parameters, seed=learner_seed)
    ids = question_ids(engine)
    assert len(ids) > 800

    checks = []
    memories = None
    moment = START
    # (study days before the checkpoint, days of break before it)
    for label, days, pause in (("early", 8, 0), ("middle", 22, 0), ("all seen", 40, 0),
                               ("after a break", 0, 60)):
        if days:
            reviews, memories = simulate_study(ids, learner, scheduler, moment, days,
                                               memories=memories, seed=learner_seed)
            write_history(engine, reviews, {c: m for c, m in memories.items()})
        moment += timedelta(days=days + pause)
        clock = FakeClock(moment.replace(hour=15))
        ready = readiness_for(engine, clock, "saa-c03").today
        scores = [mock_exam(engine, clock, learner, 1000 * learner_seed + n)
                  for n in range(EXAMS)]
        mean = sum(scores) / len(scores)
        inside = sum(ready.low <= s <= ready.high for s in scores)
        checks.append((label, ready.scaled, ready.low, ready.high, round(mean), inside))
    report = "; ".join(f"{label}: expected {e} ({lo}-{hi}), exams {m}, {n}/10 inside"
                       for label, e, lo, hi, m, n in checks)
    print(report)
    for _label, expected, _low, _high, mean, inside in checks:
        assert abs(expected - mean) <= TOLERANCE, report
        assert inside >= 8, report
