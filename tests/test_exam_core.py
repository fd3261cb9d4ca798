"""Exam assembly, scoring and the exam service on a real SQLite file."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from support import make_collection

from studyaws.core.exam.assembly import Candidate, assemble, domain_quotas
from studyaws.core.exam.blueprints import PRESETS, preset
from studyaws.core.exam.scoring import Answered, scaled_estimate, score
from studyaws.core.questions import Choice
from studyaws.core.srs import policy
from studyaws.services import exam as service
from studyaws.store.engine import reading
from studyaws.store.settings import save_setting
from studyaws.store.tables import ReviewLog

SAA = PRESETS["saa-c03"]


def pool(per_domain: int, domains=("secure", "resilient", "high-performing", "cost-optimized")):
    cards, n = [], 0
    for domain in domains:
        for _ in range(per_domain):
            n += 1
            cards.append(Candidate(n, domain, seen=n % 3 == 0, weakness=(n % 7) / 7))
    return cards


def test_domain_quotas_follow_the_weights_and_add_up():
    # 19.5, 16.9, 15.6 and 13.0: the two largest remainders get the two spare questions.
    assert domain_quotas(SAA.weights, 65) == {"secure": 19, "resilient": 17,
                                              "high-performing": 16, "cost-optimized": 13}
    assert sum(domain_quotas(SAA.weights, 10).values()) == 10
    assert domain_quotas({}, 10) == {}


def test_assembly_by_domain_weight_without_repeats():
    result = assemble(pool(40), SAA, 65, random.Random(1))
    assert len(result.picks) == 65 and not result.short
    assert len({p.card_id for p in result.picks}) == 65
    assert Counter(p.domain for p in result.picks) == Counter(
        {"secure": 19, "resilient": 17, "high-performing": 16, "cost-optimized": 13})


def test_assembly_prefers_unseen_and_weak_items():
    cards = [Candidate(1, "secure", True, 0.01), Candidate(2, "secure", False, 0.0),
             Candidate(3, "secure", True, 0.95), Candidate(4, "secure", True, 0.02)]
    chosen = {p.card_id for p in assemble(cards, preset("quick"), 2, random.Random(3)).picks}
    assert chosen == {2, 3}


def test_assembly_fills_a_thin_domain_from_others_and_says_when_short():
    cards = pool(40, domains=("secure", "resilient", "high-performing")) + pool(2, ("cost-optimized",))
    result = assemble(cards, SAA, 65, random.Random(2))
    assert len(result.picks) == 65
    small = assemble(pool(3), SAA, 65, random.Random(2))
    assert small.short and len(small.picks) == 12


def test_assembly_is_shuffled_but_reproducible_by_seed():
    first = assemble(pool(40), SAA, 65, random.Random(9)).picks
    assert first == assemble(pool(40), SAA, 65, random.Random(9)).picks
    other = assemble(pool(40), SAA, 65, random.Random(10)).picks
    assert [p.card_id for p in first] != [p.card_id for p in other]


def test_scoring_unanswered_wrong_multi_all_or_nothing_and_scaled():
    multi = Choice("Pick two", ("a", "b", "c"), frozenset({0, 2}))
    from studyaws.core.questions import Response, is_correct

    assert not is_correct(multi, Response(chosen=frozenset({0})))
    assert is_correct(multi, Response(chosen=frozenset({0, 2})))
    answers = [Answered("secure", True, 30), Answered("secure", False, 20),
               Answered("resilient", None, 0), Answered("resilient", True, 10)]
    result = score(answers, SAA, 600)
    assert (result.correct, result.total, result.unanswered) == (2, 4, 1)
    assert result.scaled == scaled_estimate(2, 4) == 550
    assert not result.passed and result.pass_mark == 720
    assert result.per_domain["secure"].correct == 1 and result.per_domain["resilient"].total == 2
    assert result.seconds_per_question == 150
    assert scaled_estimate(65, 65) == 1000 and scaled_estimate(0, 65) == 100


QUESTIONS = "\n\n".join(
    f"Question number {n}? {{#q{n}}}\n\n- [x] Right {n}\n- [ ] Wrong {n}\n- [ ] Other {n}\n\n"
    f"> Because {n}.\n> domain: {('secure', 'resilient')[n % 2]}"
    for n in range(1, 13)
) + "\n\nQ: Plain card\nA: not an exam question\n"


def test_start_exam_saves_questions_and_reports_a_small_pool(tmp_path):
    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    view = service.start_exam(engine, clock, "saa-c03", seed=4)
    assert len(view.items) == 12 and "only 12 questions" in view.notice
    assert view.time_limit_s == pytest.approx(130 * 60 * 12 / 65)
    assert all(isinstance(item.question, Choice) for item in view.items)
    assert service.running_exam(engine) == view.id
    with pytest.raises(ValueError):
        service.start_exam(engine, clock, "nope")


def test_resume_state_keeps_answers_flags_and_time(tmp_path):
    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    view = service.start_exam(engine, clock, "quick", seed=5)
    first, second = view.items[0], view.items[1]
    right = sorted(first.question.correct)
    service.save_answer(engine, view.id, first, {"chosen": right}, 12.5, clock.now())
    service.save_answer(engine, view.id, second, {"chosen": [9]}, 3.0, clock.now())
    service.set_flag(engine, view.id, second, True)
    service.save_clock(engine, view.id, 612.0, 1)
    again = service.load_exam(engine, view.id)
    assert again.remaining_s == 612.0 and again.current == 1
    assert again.items[0].response == {"chosen": right} and again.items[0].correct is True
    assert again.items[1].correct is False and again.items[1].flagged
    assert [i.card_id for i in again.items] == [i.card_id for i in view.items]
    assert [i.question for i in again.items] == [i.question for i in view.items]


def test_finish_scores_and_feeds_the_schedule(tmp_path):
    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    view = service.start_exam(engine, clock, "quick", seed=6)
    for item in view.items[:4]:
        service.save_answer(engine, view.id, item, {"chosen": sorted(item.question.correct)},
                            5, clock.now())
    service.save_answer(engine, view.id, view.items[4], {"chosen": [2]}, 5, clock.now())
    clock.advance(timedelta(minutes=3))
    view.remaining_s -= 180
    result = service.finish_exam(engine, clock, view)
    assert (result.correct, result.total) == (4, 10)
    assert service.running_exam(engine) is None
    with reading(engine) as session:
        ratings = Counter(session.execute(
            select(ReviewLog.rating).where(ReviewLog.source == "exam")).scalars())
    assert ratings == {policy.GOOD: 4, policy.AGAIN: 1}  # the 5 unanswered: no review
    history = service.exam_history(engine)
    assert len(history) == 1 and history[0].scaled == scaled_estimate(4, 10)
    assert history[0].seconds_used == pytest.approx(180)
    # Finishing twice records nothing more.
    service.finish_exam(engine, clock, view)
    with reading(engine) as session:
        assert session.execute(select(func.count(ReviewLog.id))).scalar_one() == 5


def test_finish_without_feeding_the_schedule(tmp_path):
    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    save_setting(engine, "exam-feeds-schedule", "off")
    view = service.start_exam(engine, clock, "quick", seed=7)
    service.finish_exam(engine, clock, view)
    with reading(engine) as session:
        assert session.execute(select(func.count(ReviewLog.id))).scalar_one() == 0


def test_exam_by_domain_and_no_pool(tmp_path):
    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    view = service.start_exam(engine, clock, "quick", domain="secure", seed=1)
    assert {i.domain for i in view.items} == {"secure"} and len(view.items) == 6
    (tmp_path / "other").mkdir()
    empty, clock2, _ = make_collection(tmp_path / "other", "Q: a\nA: b\n")
    with pytest.raises(service.ExamError, match="no questions"):
        service.start_exam(empty, clock2, "quick")
