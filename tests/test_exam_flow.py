"""The mock exam's effect on the rest of the collection, on a real store: only answered
questions feed the schedule, a discarded exam leaves nothing behind, a retake asks again what
was wrong, and exam answers count on home as on the heatmap."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from backends import dump as dump_rows
from backends import query
from support import make_collection
from test_exam_core import QUESTIONS

from studyaws.services import exam as service
from studyaws.services.review import ReviewService

DB = Path("home") / "studyaws.sqlite3"


def rows(db: Path, sql: str) -> list[tuple]:
    return query(db, sql)


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


def dump(db: Path) -> dict[str, list[tuple]]:
    return dump_rows(db)


def test_a_discarded_exam_leaves_the_database_as_it_was(tmp_path):
    engine, clock = studied(tmp_path)
    db = tmp_path / DB
    before = dump(db)
    view = service.start_exam(engine, clock, "quick", seed=13)
    for item in view.items[:6]:
        service.save_answer(engine, view.id, item, right(item), 15, clock.now())
    service.set_flag(engine, view.id, view.items[7], True)
    clock.advance(300)
    service.save_clock(engine, view.id, view.remaining_s - 300, 6)
    assert dump(db) != before
    service.discard_exam(engine, view.id)
    assert dump(db) == before
    assert service.running_exam(engine) is None and service.exam_history(engine) == []
    again = service.start_exam(engine, clock, "quick", seed=14)
    assert service.running_exam(engine) == again.id


def test_only_a_running_exam_can_be_discarded(tmp_path):
    engine, clock = studied(tmp_path)
    view = service.start_exam(engine, clock, "quick", seed=15)
    service.finish_exam(engine, clock, view)
    with pytest.raises(service.ExamError, match="finished"):
        service.discard_exam(engine, view.id)
    with pytest.raises(service.ExamError, match="no exam"):
        service.discard_exam(engine, view.id + 100)
    assert len(service.exam_history(engine)) == 1


@pytest.mark.parametrize("feeds", ["on", "off"])
def test_home_and_the_heatmap_count_the_same_answers_today(tmp_path, feeds):
    """Four reviews, then an exam with five answers (two wrong) and five left unanswered: both
    home and the heatmap count nine answers today, whether or not the exam feeds the
    schedule."""
    from studyaws.services import stats_report
    from studyaws.services.overview import read_home
    from studyaws.store.settings import save_setting

    engine, clock = studied(tmp_path)
    save_setting(engine, "exam-feeds-schedule", feeds)
    view = service.start_exam(engine, clock, "quick", seed=16)
    for n, item in enumerate(view.items[:5]):
        service.save_answer(engine, view.id, item, right(item) if n < 3 else {"chosen": [9]},
                            20, clock.now())
        clock.advance(20)
    service.finish_exam(engine, clock, view)
    home = read_home(engine, clock)
    stats = stats_report.collect(engine, clock)
    assert home.done == 9 and home.exam_done == 5
    assert stats.heatmap.counts[stats.today] == home.done
    assert home.again == 2  # the two wrong exam answers; the reviews were all Good


def test_a_retake_asks_again_what_was_wrong_and_optionally_flagged(tmp_path):
    engine, clock = studied(tmp_path)
    with pytest.raises(service.ExamError, match="no finished exam"):
        service.start_retake(engine, clock)
    view = service.start_exam(engine, clock, "quick", seed=17)
    items = view.items
    for item in items[:6]:
        service.save_answer(engine, view.id, item, right(item), 10, clock.now())
    service.save_answer(engine, view.id, items[6], {"chosen": [9]}, 10, clock.now())
    service.set_flag(engine, view.id, items[0], True)  # right, but flagged
    service.finish_exam(engine, clock, view)
    wrong = {i.card_id for i in items[6:]}  # one wrong, three unanswered

    retake = service.start_retake(engine, clock, seed=1)
    assert {i.card_id for i in retake.items} == wrong and len(retake.items) == 4
    assert retake.blueprint.name == "quick" and retake.time_limit_s == pytest.approx(4 * 90)
    assert all(not i.answered and not i.flagged for i in retake.items)
    service.discard_exam(engine, retake.id)

    flagged = service.start_retake(engine, clock, view.id, include_flagged=True, minutes=3)
    assert {i.card_id for i in flagged.items} == wrong | {items[0].card_id}
    assert flagged.time_limit_s == 180
    for item in flagged.items:
        service.save_answer(engine, flagged.id, item, right(item), 5, clock.now())
    service.finish_exam(engine, clock, flagged)
    with pytest.raises(service.ExamError, match="nothing to retake"):
        service.start_retake(engine, clock)  # the last exam: all right
    with pytest.raises(service.ExamError, match="no finished exam 999"):
        service.start_retake(engine, clock, 999)
