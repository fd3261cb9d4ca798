"""The mock exam's effect on the rest of the collection, on a real SQLite file: only answered
questions feed the schedule, a discarded exam leaves nothing behind, a retake asks again what
was wrong, and exam answers count on home as on the heatmap."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from support import make_collection
from test_exam_core import QUESTIONS

from studyaws.services import exam as service
from studyaws.services.review import ReviewService

DB = Path("home") / "studyaws.sqlite3"


def rows(db: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


def card_states(db: Path) -> dict[int, tuple]:
    return {row[0]: row for row in rows(db, "SELECT * FROM card_state ORDER BY card_id")}


def review_log(db: Path) -> list[tuple]:
    return rows(db, "SELECT * FROM review_log ORDER BY id")


def studied(tmp_path: Path):
    """A collection where a few cards were reviewed already (their states are not new)."""
    engine, clock, _ = make_collection(tmp_path, QUESTIONS)
    review = ReviewService(engine, clock)
    for _ in range(4):
        view = review.next_card()
        review.answer(view, 3, 4000)
        clock.advance(30)
    clock.advance(timedelta(hours=2))
    return engine, clock


def right(item: service.ExamItem) -> dict:
    return {"chosen": sorted(item.question.correct)}


def test_a_blank_exam_changes_no_card(tmp_path):
    engine, clock = studied(tmp_path)
    db = tmp_path / DB
    view = service.start_exam(engine, clock, "quick", seed=11)
    states, log = card_states(db), review_log(db)
    clock.advance(600)
    view.remaining_s -= 600
    result = service.finish_exam(engine, clock, view)
    assert (result.correct, result.total, result.unanswered) == (0, 10, 10)
    assert card_states(db) == states
    assert review_log(db) == log


def test_a_half_answered_exam_changes_only_the_answered_cards(tmp_path):
    engine, clock = studied(tmp_path)
    db = tmp_path / DB
    view = service.start_exam(engine, clock, "quick", seed=12)
    answered = view.items[:5]
    for n, item in enumerate(answered):
        response = right(item) if n % 2 == 0 else {"chosen": [9]}
        service.save_answer(engine, view.id, item, response, 20, clock.now())
    states, log = card_states(db), review_log(db)
    clock.advance(600)
    view.remaining_s -= 600
    result = service.finish_exam(engine, clock, view)
    assert (result.correct, result.total, result.unanswered) == (3, 10, 5)
    after = card_states(db)
    for item in view.items[5:]:
        assert after[item.card_id] == states[item.card_id], "an unanswered card changed"
    for item in answered:
        assert after[item.card_id] != states[item.card_id], "an answered card did not change"
    new_rows = review_log(db)[len(log):]
    assert review_log(db)[:len(log)] == log
    assert sorted(r[1] for r in new_rows) == sorted(i.card_id for i in answered)
