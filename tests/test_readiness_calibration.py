"""Readiness is the score a mock exam taken now can be expected to get: checked against the
mean of 40 simulated mock exams of synthetic learners whose memory follows known FSRS
parameters (the app is given the same parameters, as after fitting), at three moments: early
(most questions never seen: guessing carries the score), in the middle of study, and after a
two-month break. Each mock exam is a real one (services.exam on a real collection) answered
by the learner: a question is recalled with its true recall, else guessed blindly.

The questions are a generated bank of 720 in the mix of kinds the bundled decks have (single
choice of four, "choose two" of five, orderings, typed numbers), filed under the SAA-C03
domains by their weights: the check does not move when the bundled decks are edited."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import backends
import pytest

from studyaws.core.clock import FakeClock
from studyaws.core.questions import Choice, Numeric, Ordering
from studyaws.core.srs import policy
from studyaws.services import exam as exams
from studyaws.services.importer import import_paths
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
# An exam's score varies by about 50 scaled points around its expectation, so the mean of 10
# exams still misses it by 16 points on average: a perfect estimate would fall outside 30
# points of it at about 1 checkpoint in 16. The mean of 40 exams (8 points) tells a biased
# estimate from bad luck; the first 10 are reported too.
EXAMS = 40
TOLERANCE = 30  # scaled points between the expected score and the mean of the exams
INSIDE = 0.8  # at least this share of the exams score within the range


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
        item.response = answer(item.question, recalled, rng)
        item.correct = exams.grade(item, item.response)  # graded as the exam grades
    return exams.finish_exam(engine, clock, view).scaled  # scored and kept in one write


def question_ids(engine) -> list[int]:
    kinds = ", ".join(f"'{k}'" for k in QUESTION_KINDS)
    with reading(engine) as session:
        return [row[0] for row in session.connection().exec_driver_sql(
            f"SELECT id FROM card WHERE kind IN ({kinds}) AND NOT retired ORDER BY id")]


DOMAINS = (("secure", 30), ("resilient", 26), ("high-performing", 24), ("cost-optimized", 20))


def bank(count: int = 720) -> str:
    """Questions numbered 0..count-1: 70% single choice, 12% choose two, 8% ordering, 10%
    numeric, each domain by its weight."""
    rng = random.Random(7)
    domains = [d for d, weight in DOMAINS for _ in range(weight)]
    parts = ["# Calibration bank\n"]
    for n in range(count):
        domain = domains[n % len(domains)]
        kind = rng.random()
        if kind < 0.70:
            body = f"- [x] right {n}\n- [ ] wrong {n}a\n- [ ] wrong {n}b\n- [ ] wrong {n}c\n"
            parts.append(f"## Question {n}: which one? {{#q{n}}}\n\n{body}")
        elif kind < 0.82:
            body = (f"- [x] right {n}a\n- [x] right {n}b\n- [ ] wrong {n}a\n"
                    f"- [ ] wrong {n}b\n- [ ] wrong {n}c\n")
            parts.append(f"## Question {n}: which two? (Choose two.) {{#q{n}}}\n\n{body}")
        elif kind < 0.90:
            items = "\n".join(f"{k}. step {k} of {n}" for k in range(1, rng.choice((3, 4)) + 1))
            parts.append(f"Order: Question {n}: put them in order. {{#q{n}}}\n{items}\n")
        else:
            parts.append(f"Q: Question {n}: how many? {{#q{n}}}\nA: = {n + 10}\n")
        parts.append(f"\n> Because.\n> domain: {domain}\n")
    return "\n".join(parts)


@pytest.mark.parametrize("learner_seed", [0, 1, 2])
def test_expected_score_matches_the_mean_of_simulated_mock_exams(tmp_path, learner_seed):
    parameters = perturbed_parameters(learner_seed, 0.25) if learner_seed else None
    deck = tmp_path / "bank.md"
    deck.write_text(bank(), encoding="utf-8")
    engine = backends.open_test_collection(tmp_path / "home", import_bundled=False,
                                           backup=False)
    import_paths(engine, [deck], START)
    save_setting(engine, "exam-feeds-schedule", "off")  # the exams leave the learner as is
    if parameters:
        save_parameters(engine, parameters)
    scheduler = policy.scheduler_for(load_settings(engine), parameters)
    learner = SyntheticLearner(parameters, seed=learner_seed)
    ids = question_ids(engine)
    assert len(ids) == 720

    checks = []
    memories = None
    moment = START
    # (study days before the checkpoint, days of break before it)
    for label, days, pause in (("early", 8, 0), ("middle", 22, 0), ("all seen", 40, 0),
                               ("after a break", 0, 60)):
        if days:
            reviews, memories = simulate_study(ids, learner, scheduler, moment, days,
                                               memories=memories, seed=learner_seed)
            write_history(engine, reviews, memories)
        moment += timedelta(days=days + pause)
        clock = FakeClock(moment.replace(hour=15))
        ready = readiness_for(engine, clock, "saa-c03").today
        scores = [mock_exam(engine, clock, learner, 1000 * learner_seed + n)
                  for n in range(EXAMS)]
        mean = sum(scores) / len(scores)
        first = sum(scores[:10]) / 10
        inside = sum(ready.low <= s <= ready.high for s in scores)
        checks.append((label, ready.scaled, ready.low, ready.high, round(mean), round(first),
                       inside))
    report = "; ".join(f"{label}: expected {e} ({lo}-{hi}), mean of {EXAMS} exams {m} "
                       f"(first 10: {m10}), {n}/{EXAMS} inside"
                       for label, e, lo, hi, m, m10, n in checks)
    print(report)
    for _label, expected, _low, _high, mean, _first, inside in checks:
        assert abs(expected - mean) <= TOLERANCE, report
        assert inside >= INSIDE * EXAMS, report
