"""Mock exams against the store: start, answer, flag, keep the clock, finish and score,
and feed the answers into the schedule. Every change is committed as it happens."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, insert, or_, select, update

from studyaws.core.clock import Clock
from studyaws.core.errors import is_connection_lost
from studyaws.core.exam.assembly import Assembly, Pick, assemble, draw_key
from studyaws.core.exam.blueprints import Blueprint, preset
from studyaws.core.exam.scoring import Answered, Result, score
from studyaws.core.questions import Question, Response, is_correct
from studyaws.core.srs import policy
from studyaws.core.srs.day import next_day_start
from studyaws.core.text import natural_key
from studyaws.services.exam_draw import draw_candidates
from studyaws.services.presets import DeckSchedulers
from studyaws.services.review import DueCounts, question_for, record_answer, source_text
from studyaws.store.engine import reading, writing
from studyaws.store.exam_pool import QUESTION_KINDS as QUESTION_KINDS  # the stats use it
from studyaws.store.settings import load_parameters, load_settings
from studyaws.store.tables import Card, Deck, Exam, ExamQuestion


class ExamError(ValueError):
    """An exam that cannot be started as asked; the message is for the user."""


@dataclass
class ExamItem:
    """One question of a running exam, as the screens show it."""

    position: int
    card_id: int
    domain: str | None
    seed: int
    question: Question
    topic: str
    deck_title: str
    source: str
    explanation: str
    response: dict | None
    correct: bool | None
    flagged: bool
    seconds: float
    edited: bool = False  # the card was changed after the exam started
    domain_inferred: bool = False  # its domain was inferred from its text

    @property
    def answered(self) -> bool:
        return self.response is not None


@dataclass
class ExamView:
    id: int
    blueprint: Blueprint
    mode: str
    status: str
    time_limit_s: float
    remaining_s: float
    current: int
    items: list[ExamItem]
    started_at: datetime
    finished_at: datetime | None
    notice: str = ""

    @property
    def practice(self) -> bool:
        return self.mode == "practice"


def start_exam(engine: Engine, clock: Clock, preset_name: str = "saa-c03", *,
               questions: int | None = None, minutes: float | None = None,
               deck_id: int | None = None, domain: str | None = None,
               mode: str = "exam", seed: int | None = None) -> ExamView:
    """Assemble and save a new exam; it is running from now on."""
    blueprint = preset(preset_name)
    if mode not in ("exam", "practice"):
        raise ExamError(f"unknown exam mode {mode!r} (exam or practice)")
    wanted = questions if questions is not None else blueprint.questions
    if wanted <= 0:
        raise ExamError("an exam needs at least one question")
    limit_s = 60.0 * (minutes if minutes is not None else blueprint.minutes * wanted
                      / blueprint.questions)
    if limit_s <= 0:
        raise ExamError("an exam needs some time: --minutes must be more than 0")
    settings = load_settings(engine)
    scheduler = policy.scheduler_for(settings, load_parameters(engine))
    now = clock.now()
    rng = random.Random(seed if seed is not None else random.SystemRandom().getrandbits(63))
    key = draw_key(rng)
    with reading(engine) as session:
        draw = draw_candidates(session.connection(), now, scheduler, blueprint, wanted, key,
                               settings.target_exam, deck_id, domain)
    blueprint, pool, notes = draw.blueprint, draw.candidates, list(draw.notes)
    assembly: Assembly = assemble(pool, blueprint, wanted, rng, key)
    if not assembly.picks:
        raise ExamError("no questions to ask: import decks with choice, ordering, numeric or "
                        "scenario questions first")
    notice = " ".join(notes)
    if assembly.short:
        notice = " ".join([f"The pool has only {len(assembly.picks)} questions for the {wanted} "
                           "asked for: this exam uses all of them.", *notes])
        limit_s = limit_s * len(assembly.picks) / wanted
    return _save_new(engine, blueprint, mode, now, limit_s, assembly.picks,
                     {"deck_id": deck_id, "domain": domain, "notice": notice})


def _save_new(engine: Engine, blueprint: Blueprint, mode: str, now: datetime, limit_s: float,
              picks: list[Pick], settings: dict) -> ExamView:
    """Save a new running exam of `picks`, in order, and load it."""
    with writing(engine) as session:
        exam_id = session.execute(insert(Exam).values(
            preset=blueprint.name, mode=mode, status="running", started_at=now,
            time_limit_s=limit_s, remaining_s=limit_s, current=0,
            pass_mark=blueprint.pass_mark, total=len(picks), settings=json.dumps(settings),
        )).inserted_primary_key[0]
        session.execute(insert(ExamQuestion), [
            {"exam_id": exam_id, "position": n, "card_id": pick.card_id, "domain": pick.domain,
             "seed": pick.seed, "response": "", "flagged": False, "seconds": 0.0}
            for n, pick in enumerate(picks)
        ])
    view = load_exam(engine, exam_id)
    view.notice = settings.get("notice", "")
    return view


def exam_decks(engine: Engine) -> list[tuple[int, str]]:
    """(id, title) of each deck with questions an exam can ask, by title (Practice Exam 2
    before Practice Exam 10)."""
    with reading(engine) as session:
        decks = [(deck_id, title) for deck_id, title in session.execute(
            select(Deck.id, Deck.title).join(Card, Card.deck_id == Deck.id)
            .where(Card.kind.in_(QUESTION_KINDS), Card.retired.is_(False))
            .group_by(Deck.id)).all()]
    return sorted(decks, key=lambda deck: natural_key(deck[1]))


# -- retaking what went wrong ---------------------------------------------------------------
def last_finished_exam(engine: Engine) -> int | None:
    with reading(engine) as session:
        return session.execute(
            select(Exam.id).where(Exam.status == "finished")
            .order_by(Exam.finished_at.desc(), Exam.id.desc()).limit(1)
        ).scalar()


def retake_picks(engine: Engine, exam_id: int, include_flagged: bool = False
                 ) -> list[tuple[int, str | None]]:
    """(card, domain) of each question of the finished exam `exam_id` that was wrong or left
    unanswered (and, with `include_flagged`, flagged), in the exam's order; questions whose
    card has left its deck since are left out. ExamError when the exam is not a finished
    one."""
    with reading(engine) as session:
        status = session.execute(select(Exam.status).where(Exam.id == exam_id)).scalar()
        if status != "finished":
            raise ExamError(f"no finished exam {exam_id} (see: studyaws exam --history)"
                            if status is None else
                            f"exam {exam_id} is not finished yet: submit or discard it first")
        missed = ExamQuestion.correct.is_not(True)
        rows = session.execute(
            select(ExamQuestion.card_id, ExamQuestion.domain)
            .join(Card, Card.id == ExamQuestion.card_id)
            .where(ExamQuestion.exam_id == exam_id, Card.retired.is_(False),
                   or_(missed, ExamQuestion.flagged) if include_flagged else missed)
            .order_by(ExamQuestion.position)
        ).all()
    return [(card_id, domain) for card_id, domain in rows]


def start_retake(engine: Engine, clock: Clock, exam_id: int | None = None, *,
                 include_flagged: bool = False, minutes: float | None = None,
                 mode: str = "exam", seed: int | None = None) -> ExamView:
    """A new exam of the questions that were wrong (or unanswered; with `include_flagged`,
    also flagged) in the finished exam `exam_id` (default: the last one finished), shuffled,
    with the options shuffled again, timed as its preset times a question."""
    if mode not in ("exam", "practice"):
        raise ExamError(f"unknown exam mode {mode!r} (exam or practice)")
    if exam_id is None:
        exam_id = last_finished_exam(engine)
        if exam_id is None:
            raise ExamError("no finished exam to retake yet: finish one first")
    found = retake_picks(engine, exam_id, include_flagged)
    if not found:
        what = "wrong, unanswered or flagged" if include_flagged else "wrong or unanswered"
        raise ExamError(f"nothing to retake: no question of exam {exam_id} was {what}")
    with reading(engine) as session:
        past = session.get(Exam, exam_id)
    try:
        blueprint = preset(past.preset)
    except ValueError:
        blueprint = preset("quick")
    limit_s = 60.0 * (minutes if minutes is not None
                      else blueprint.minutes * len(found) / blueprint.questions)
    if limit_s <= 0:
        raise ExamError("an exam needs some time: --minutes must be more than 0")
    rng = random.Random(seed if seed is not None else random.SystemRandom().getrandbits(63))
    picks = [Pick(card_id, domain, rng.getrandbits(31)) for card_id, domain in found]
    rng.shuffle(picks)
    return _save_new(engine, blueprint, mode, clock.now(), limit_s, picks,
                     {"retake_of": exam_id, "include_flagged": include_flagged, "notice": ""})


def load_exam(engine: Engine, exam_id: int) -> ExamView:
    with reading(engine) as session:
        exam = session.get(Exam, exam_id)
        if exam is None:
            raise ExamError(f"no exam {exam_id}")
        rows = session.execute(
            select(ExamQuestion, Card, Deck.title)
            .join(Card, Card.id == ExamQuestion.card_id)
            .join(Deck, Deck.id == Card.deck_id)
            .where(ExamQuestion.exam_id == exam_id)
            .order_by(ExamQuestion.position)
        ).all()
    items = []
    for eq, card, deck_title in rows:
        payload = json.loads(card.payload or "{}")
        question = question_for(card.kind, payload, eq.seed)
        explanation = question.explanation if card.kind == "scenario" else card.explanation
        items.append(ExamItem(
            eq.position, card.id, eq.domain, eq.seed, question, card.topic, deck_title,
            f"{source_text(card.source_path)}:{card.source_line}", explanation,
            json.loads(eq.response) if eq.response else None, eq.correct, eq.flagged,
            eq.seconds, card.updated_at > exam.started_at, bool(card.domain_inferred),
        ))
    try:
        blueprint = preset(exam.preset)
    except ValueError:
        blueprint = preset("quick")
    notice = json.loads(exam.settings or "{}").get("notice", "")
    return ExamView(exam.id, blueprint, exam.mode, exam.status, exam.time_limit_s,
                    exam.remaining_s, exam.current, items, exam.started_at, exam.finished_at,
                    notice)


def running_exam(engine: Engine) -> int | None:
    with reading(engine) as session:
        return session.execute(
            select(Exam.id).where(Exam.status == "running").order_by(Exam.id.desc()).limit(1)
        ).scalar()


def discard_exam(engine: Engine, exam_id: int) -> None:
    """Throw a running exam away: its row and its questions go, in one transaction. Nothing
    of it was in the schedule, the stats or the history (only a finished exam writes there),
    so the collection is as it was before the exam started."""
    with writing(engine) as session:
        status = session.execute(select(Exam.status).where(Exam.id == exam_id)).scalar()
        if status is None:
            raise ExamError(f"no exam {exam_id}")
        if status != "running":
            raise ExamError(f"exam {exam_id} is finished: only a running exam can be discarded")
        session.execute(delete(ExamQuestion).where(ExamQuestion.exam_id == exam_id))
        session.execute(delete(Exam).where(Exam.id == exam_id))


def grade(item: ExamItem, response: dict) -> bool:
    given = Response(
        chosen=frozenset(response.get("chosen", ())),
        order=tuple(response.get("order", ())),
        text=str(response.get("text", "")),
    )
    return is_correct(item.question, given)


def save_answer(engine: Engine, exam_id: int, item: ExamItem, response: dict | None,
                seconds: float, now: datetime) -> None:
    """Keep an answer (or clear it with None) the moment it is given. A write that lost its
    connection to the server is tried once more on a new one: it sets the question's answer
    to the same values, so it is kept once whether or not the lost try was committed."""
    item.response = response
    item.correct = grade(item, response) if response is not None else None
    item.seconds = seconds

    def write() -> None:
        with writing(engine) as session:
            session.execute(
                update(ExamQuestion)
                .where(ExamQuestion.exam_id == exam_id, ExamQuestion.position == item.position)
                .values(response=json.dumps(response) if response is not None else "",
                        correct=item.correct, seconds=seconds,
                        answered_at=now if response is not None else None))

    _once_more_if_lost(write)


def _once_more_if_lost(write) -> None:
    """`write()`, run again once on a new connection when the connection to the server was
    lost (only for a write that gives the same result when run twice); lost again, the
    error goes to the caller (the screen keeps the answer and says so, tui.saving)."""
    try:
        write()
    except Exception as exc:
        if not is_connection_lost(exc):
            raise
        write()


def set_flag(engine: Engine, exam_id: int, item: ExamItem, flagged: bool) -> None:
    item.flagged = flagged
    with writing(engine) as session:
        session.execute(
            update(ExamQuestion)
            .where(ExamQuestion.exam_id == exam_id, ExamQuestion.position == item.position)
            .values(flagged=flagged))


def save_clock(engine: Engine, exam_id: int, remaining_s: float, current: int) -> None:
    def write() -> None:
        with writing(engine) as session:
            session.execute(update(Exam).where(Exam.id == exam_id, Exam.status == "running")
                            .values(remaining_s=max(0.0, remaining_s), current=current))

    _once_more_if_lost(write)


def finish_exam(engine: Engine, clock: Clock, view: ExamView) -> Result:
    """Score the exam and, when the setting is on, record each answer as a review (wrong:
    Again; right: Good), all in one transaction. An unanswered question scores as wrong but
    leaves its card as it was: nothing was recalled or forgotten, so there is nothing to
    schedule by."""
    settings = load_settings(engine)
    parameters = load_parameters(engine)
    # The scheduler for a card of each deck: its preset's desired retention and parameters.
    by_deck = DeckSchedulers(engine, settings, parameters, clock.local_zone())

    now = clock.now()
    used = max(0.0, view.time_limit_s - view.remaining_s)
    result = score([Answered(i.domain, i.correct, i.seconds) for i in view.items],
                   view.blueprint, used)
    day_end = next_day_start(now, clock.local_zone(), settings.day_starts_at)
    with writing(engine) as session:
        status = session.execute(select(Exam.status).where(Exam.id == view.id)).scalar()
        if status is None:  # discarded meanwhile (studyaws exam --discard): nothing to score
            raise ExamError(f"exam {view.id} was discarded: there is nothing to submit")
        if status == "finished":
            return result
        session.execute(update(Exam).where(Exam.id == view.id).values(
            status="finished", finished_at=now, remaining_s=max(0.0, view.remaining_s),
            correct=result.correct, total=result.total, scaled=result.scaled,
            passed=result.passed))
        if settings.exam_feeds_schedule:
            counts = DueCounts()  # read once for all the exam's answers
            for item in view.items:
                if not item.answered:
                    continue
                rating = policy.exam_rating(bool(item.correct))
                record_answer(session, by_deck, settings, item.card_id, rating, now, day_end,
                              duration_ms=int(item.seconds * 1000), correct=bool(item.correct),
                              response=item.response, source="exam", seed=item.seed,
                              counts=counts)
    view.status = "finished"
    view.finished_at = now
    return result


def result_of(view: ExamView) -> Result:
    used = max(0.0, view.time_limit_s - view.remaining_s)
    return score([Answered(i.domain, i.correct, i.seconds) for i in view.items],
                 view.blueprint, used)


@dataclass(frozen=True)
class PastExam:
    id: int
    preset: str
    mode: str
    started_at: datetime
    correct: int
    total: int
    scaled: int
    passed: bool
    seconds_used: float
    pass_mark: int = 720


def exam_history(engine: Engine) -> list[PastExam]:
    with reading(engine) as session:
        rows = session.execute(
            select(Exam).where(Exam.status == "finished").order_by(Exam.started_at)
        ).scalars().all()
    return [PastExam(e.id, e.preset, e.mode, e.started_at, e.correct or 0, e.total,
                     e.scaled or 100, bool(e.passed), max(0.0, e.time_limit_s - e.remaining_s),
                     e.pass_mark)
            for e in rows]
