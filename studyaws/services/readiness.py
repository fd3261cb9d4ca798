"""Readiness for the target exam: the expected score of a mock exam taken now (and on the
exam date with no more study), drawn as the exams draw (exam_draw) and scored by
core.exam.readiness."""

from __future__ import annotations

import json
import random
from datetime import date, datetime

from sqlalchemy import Engine

from studyaws.core.clock import Clock
from studyaws.core.exam.assembly import assemble, draw_key
from studyaws.core.exam.blueprints import preset
from studyaws.core.exam.readiness import DrawnItem, Expectation, expect, guess_chance, padded
from studyaws.core.srs import policy
from studyaws.core.srs.day import study_date
from studyaws.core.srs.exam_plan import exam_moment
from studyaws.core.stats import Readiness
from studyaws.services.exam_draw import draw_candidates
from studyaws.services.review import question_for
from studyaws.store.engine import reading
from studyaws.store.exam_pool import question_payloads
from studyaws.store.settings import load_parameters, load_settings

DRAWS = 6  # exams drawn for one estimate (0.4 s in all at 100,000 cards, bench/RESULTS.md)
SEED = 20261202  # the same collection at the same moment gives the same number


def _expectation(conn, now: datetime, scheduler, exam: str, draws: int,
                 guesses: dict[int, float]) -> tuple[Expectation, int]:
    blueprint = preset(exam)
    rng = random.Random(SEED)
    drawn: list[list[tuple[int, str | None, float]]] = []
    pool = 0
    memo: dict = {}
    for _ in range(draws):
        key = draw_key(rng)
        draw = draw_candidates(conn, now, scheduler, blueprint, blueprint.questions, key, exam,
                               memo=memo, count_filed=True)
        pool = draw.filed + draw.unfiled
        assembly = assemble(draw.candidates, draw.blueprint, blueprint.questions, rng, key)
        weakness = {c.card_id: c.weakness if c.seen else 1.0 for c in draw.candidates}
        drawn.append([(p.card_id, p.domain, 1.0 - weakness[p.card_id]) for p in assembly.picks])
    missing = [card_id for items in drawn for card_id, _, _ in items if card_id not in guesses]
    for card_id, (kind, payload) in question_payloads(conn, missing).items():
        question = question_for(kind, json.loads(payload or "{}"), card_id)
        guesses[card_id] = guess_chance(question)
    items = [padded([DrawnItem(domain, recall, guesses.get(card_id, 0.0))
                     for card_id, domain, recall in exam_items], blueprint.questions)
             for exam_items in drawn if exam_items]
    return expect(items, blueprint.pass_mark), pool


def readiness_for(engine: Engine, clock: Clock, exam: str | None = None,
                  draws: int = DRAWS) -> Readiness:
    """Readiness for `exam` (default: the target-exam setting) as of the clock's now."""
    settings = load_settings(engine)
    scheduler = policy.scheduler_for(settings, load_parameters(engine))
    exam = exam or settings.target_exam
    blueprint = preset(exam)
    now = clock.now()
    zone = clock.local_zone()
    today = study_date(now, zone, settings.day_starts_at)
    guesses: dict[int, float] = {}
    exam_date: date | None = settings.exam_date
    on_exam = days_left = None
    with reading(engine) as session:
        conn = session.connection()
        expected, pool = _expectation(conn, now, scheduler, exam, draws, guesses)
        if exam_date is not None and exam_date >= today:
            days_left = (exam_date - today).days
            on_exam, _ = _expectation(conn, max(now, exam_moment(exam_date, zone)), scheduler,
                                      exam, draws, guesses)
    return Readiness(blueprint.name, blueprint.title, blueprint.pass_mark, pool, expected,
                     exam_date if days_left is not None else None, days_left, on_exam)
