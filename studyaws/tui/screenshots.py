"""`studyaws screenshots DIR`: drive the real app with Pilot on a demo collection (the bundled
decks, a fixed clock) and write an SVG of each main screen."""

from __future__ import annotations

import asyncio
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from studyaws.clock import FakeClock
from studyaws.collection import open_collection
from studyaws.questions import Choice, Numeric
from studyaws.store.engine import reading, writing
from studyaws.store.settings import save_setting
from studyaws.store.tables import Card

SIZE = (110, 34)
STATS_SIZE = (110, 56)  # tall enough for every section of the stats screen
DEMO_NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def _first_card(engine, kind: str, where=None) -> int | None:
    with reading(engine) as session:
        query = select(Card.id).where(Card.kind == kind, Card.retired.is_(False))
        if where is not None:
            query = query.where(where)
        return session.execute(query.order_by(Card.id).limit(1)).scalar()


def _saver(app, directory: Path, written: list[Path]):
    """save(name): the app's screen as directory/name.svg, remembered in `written`."""

    def save(name: str) -> None:
        path = directory / f"{name}.svg"
        path.write_text(app.export_screenshot(title=f"studyaws: {name}"), encoding="utf-8")
        written.append(path)

    return save


async def _shoot(directory: Path, engine, clock: FakeClock) -> list[Path]:
    from studyaws.tui.app import StudyApp
    from studyaws.tui.screens.review import ReviewScreen

    written: list[Path] = []
    app = StudyApp(engine, clock)
    save = _saver(app, directory, written)

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        save("home")
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        basic = _first_card(engine, "basic")
        if basic:
            await screen.show(screen.service.card(basic))
            await pilot.pause()
            save("review-question")
            await pilot.press("space")
            await pilot.pause()
            save("review-answer")

        objective = [
            ("choice", Card.payload.not_like('%"correct": [_, _%'), ["2"]),
            ("multi-select", Card.payload.like('%"correct": [_, _%'), ["1", "3"]),
            ("ordering", None, ["shift+down"]),
            ("numeric", None, ["3", "5"]),
            ("scenario", Card.payload.like('%"kind": "nacl"%'), None),
        ]
        for name, where, keys in objective:
            kind = "choice" if name == "multi-select" else name
            card_id = _first_card(engine, kind, where)
            if card_id is None:
                continue
            await screen.show(screen.service.card(card_id))
            await pilot.pause()
            question = screen.view.question
            if keys is None and isinstance(question, Choice):
                keys = [str(n + 1) for n in range(question.choose)]
            for key in keys or []:
                await pilot.press(key)
            await pilot.pause()
            save(f"{name}-question")
            await pilot.press("enter")
            await pilot.pause()
            save(f"{name}-feedback")
            await pilot.press("u")
            await pilot.pause()

        # Answer until the day's (demo-sized) queue is empty: the session summary.
        for _ in range(200):
            if not isinstance(app.screen, ReviewScreen):
                break
            current = app.screen.view
            question = current.question if current is not None else None
            if isinstance(question, Choice):
                await pilot.press(*[str(n + 1) for n in range(question.choose)])
            elif isinstance(question, Numeric):
                await pilot.press("1")
            if question is not None:
                await pilot.press("enter", "3", "space")
            else:
                await pilot.press("space", "3")
            clock.advance(20)
            await pilot.pause()
        save("summary")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        save("settings")
        await pilot.press("escape")
        await pilot.pause()
        await _shoot_exam(app, pilot, engine, clock, save)
    return written


async def _shoot_exam(app, pilot, engine, clock: FakeClock, save) -> None:
    """A SAA-C03 exam part-way through, its navigator, the review before submitting, the
    results and the answer review."""
    from studyaws.exam import service

    view = service.start_exam(engine, clock, "saa-c03", seed=2026)
    rng = random.Random(7)
    for item in view.items[:40]:
        question = item.question
        if isinstance(question, Choice) and rng.random() < 0.7:
            chosen = sorted(question.correct)
        elif isinstance(question, Choice):
            chosen = list(range(question.choose))
        else:
            continue
        service.save_answer(engine, view.id, item, {"chosen": chosen}, rng.uniform(40, 110),
                            clock.now())
    for item in view.items[5:40:9]:
        service.set_flag(engine, view.id, item, True)
    current = next(n for n, item in enumerate(view.items)
                   if n > 40 and isinstance(item.question, Choice))
    service.save_clock(engine, view.id, view.time_limit_s - 74 * 60 - 13, current)
    app.open_exam(view.id)
    await pilot.pause()
    save("exam")
    await pilot.press("g")
    await pilot.pause()
    save("exam-navigator")
    await pilot.press("escape", "r")
    await pilot.pause()
    save("exam-review")
    await pilot.press("escape", "s", "y")
    await pilot.pause()
    save("exam-results")
    await pilot.press("a", "w")
    await pilot.pause()
    save("exam-answers")


def _studied_collection(home: str, clock: FakeClock):
    """The bundled decks after 60 days of a synthetic learner's study (about 2,500 answers)
    and four mock exams scored by that learner's true recall; an exam date ahead."""
    from sqlalchemy import insert

    from studyaws.config import Settings
    from studyaws.exam.scoring import scaled_estimate
    from studyaws.exam.service import QUESTION_KINDS
    from studyaws.srs import policy
    from studyaws.srs.learner import (
        SyntheticLearner,
        perturbed_parameters,
        simulate_study,
        write_history,
    )
    from studyaws.store.tables import Exam

    days = 60
    start = DEMO_NOW - timedelta(days=days)
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
    clock.set(DEMO_NOW)
    return engine


async def _shoot_progress(directory: Path, engine, clock: FakeClock) -> list[Path]:
    from studyaws.tui.app import StudyApp
    from studyaws.tui.screens.stats import StatsScreen

    written: list[Path] = []
    app = StudyApp(engine, clock)
    save = _saver(app, directory, written)

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        save("home-exam-date")
        await pilot.press("t")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        await pilot.resize_terminal(*STATS_SIZE)
        await pilot.press("o")  # fit FSRS to the learner's reviews
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        save("stats")
    return written


def write_screenshots(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="studyaws-demo-") as home:
        clock = FakeClock(DEMO_NOW)
        engine = open_collection(home, clock=clock)
        save_setting(engine, "new-per-day", "6")
        save_setting(engine, "learning-steps", "1")
        try:
            written += asyncio.run(_shoot(directory, engine, clock))
        finally:
            engine.dispose()
    with tempfile.TemporaryDirectory(prefix="studyaws-demo-") as home:
        clock = FakeClock(DEMO_NOW)
        engine = _studied_collection(home, clock)
        try:
            written += asyncio.run(_shoot_progress(directory, engine, clock))
        finally:
            engine.dispose()
    return written
