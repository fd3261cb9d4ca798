"""A collection in PostgreSQL whose connection goes away in the middle of a review or of an
exam's answer, for real: the server ends the session (pg_terminate_backend from a second
connection), the server is out of reach (a relay that cuts new connections), or the reply to
COMMIT is lost (the commit happened). The answer is tried again once on a new connection;
when that fails too the review or exam screen keeps it on screen and says so; it is never
recorded twice."""

from __future__ import annotations

import json
import textwrap

import psycopg
import pytest
from net_proxy import Relay
from sqlalchemy import event
from support import START, basic_deck, review_count
from waiting import settle

from studyaws.core.clock import FakeClock
from studyaws.core.errors import is_connection_lost
from studyaws.core.srs import policy
from studyaws.services import exam
from studyaws.services.importer import import_paths
from studyaws.services.review import ReviewService
from studyaws.store.engine import open_engine
from studyaws.tui.app import StudyApp

SIZE = (100, 32)


def collection(url: str, tmp_path, cards: int = 3):
    deck = tmp_path / "deck.md"
    deck.write_text(textwrap.dedent(basic_deck(cards)), encoding="utf-8")
    engine = open_engine(url)
    clock = FakeClock(START)
    import_paths(engine, [deck], clock.now())
    return engine, clock


def terminate_at(engine, admin_url: str, marker: str, times: int = 1) -> list[int]:
    """Right after the first `times` statements containing `marker` ran, their session is
    ended by the server (pg_terminate_backend from another connection, waited for): the
    transaction's next statement finds it gone. Returns the ended sessions' process ids."""
    ended: list[int] = []

    @event.listens_for(engine, "after_cursor_execute")
    def _end(conn, _cursor, statement, *_args) -> None:
        if marker in statement and len(ended) < times:
            pid = conn.connection.dbapi_connection.info.backend_pid
            ended.append(pid)
            with psycopg.connect(admin_url, autocommit=True) as admin:
                assert admin.execute("SELECT pg_terminate_backend(%s, 5000)",
                                     (pid,)).fetchone()[0]

    return ended


def terminate_mid_answer(monkeypatch, admin_url: str, times: int = 1) -> list[int]:
    """In the first `times` answers, once the answer's transaction has read its card under
    the write lock and before it sends its writes, the session holding the lock is ended by
    the server (pg_terminate_backend from another connection, waited for): the writes find
    it gone. Returns the ended sessions' process ids."""
    ended: list[int] = []
    review = policy.review

    def review_then_end(*args, **kwargs):
        if len(ended) < times:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                (pid,) = admin.execute("SELECT pid FROM pg_locks WHERE locktype = 'advisory'"
                                       " AND granted").fetchone()
                assert admin.execute("SELECT pg_terminate_backend(%s, 5000)",
                                     (pid,)).fetchone()[0]
            ended.append(pid)
        return review(*args, **kwargs)

    monkeypatch.setattr(policy, "review", review_then_end)
    return ended


def rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_a_session_ended_mid_answer_is_tried_again_once_and_recorded_once(pg_database,
                                                                          tmp_path,
                                                                          monkeypatch):
    engine, clock = collection(pg_database, tmp_path)
    try:
        service = ReviewService(engine, clock)
        first = service.next_card()
        ended = terminate_mid_answer(monkeypatch, pg_database)
        service.answer(first, policy.GOOD)
        assert len(ended) == 1
        assert review_count(engine) == 1
        # Ended while idle between two answers (the pooled connection is dead): the same.
        second = service.next_card()
        assert second.id != first.id
        with psycopg.connect(pg_database, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                          " WHERE application_name = 'studyaws'"
                          " AND pid <> pg_backend_pid()")
        service.answer(second, policy.AGAIN)
        assert rows(pg_database, "SELECT card_id, rating FROM review_log ORDER BY id") == [
            (first.id, policy.GOOD), (second.id, policy.AGAIN)]
        assert rows(pg_database, f"SELECT state FROM card_state WHERE card_id = {first.id}"
                    ) != [(policy.NEW,)]
    finally:
        engine.dispose()


def test_an_answer_whose_commit_reply_is_lost_is_not_recorded_twice(pg_database, tmp_path):
    """The server commits the answer, the connection is cut before its reply arrives: the
    retry finds the answer in the log (by its card and its time) and writes nothing more."""
    open_engine(pg_database).dispose()
    relay = Relay(pg_database)
    engine, clock = collection(relay.url, tmp_path)
    try:
        service = ReviewService(engine, clock)
        view = service.next_card()
        relay.cut_after_commit = True
        result = service.answer(view, policy.GOOD)
        assert relay.cut_after_commit is False  # the cut happened
        assert rows(pg_database, "SELECT id, card_id FROM review_log") == [
            (result.log_id, view.id)]
        assert result.prior.state == policy.NEW and result.memory.state != policy.NEW
        # Undo, whose COMMIT reply is lost too: undone once, and the card is new again.
        relay.cut_after_commit = True
        assert service.undo() == view.id
        assert relay.cut_after_commit is False
        assert review_count(engine) == 0
        assert service.session.undo_stack == []
        assert rows(pg_database, f"SELECT state FROM card_state WHERE card_id = {view.id}"
                    ) == [(policy.NEW,)]
    finally:
        engine.dispose()
        relay.close()


def test_a_server_out_of_reach_raises_a_connection_lost_error_and_writes_nothing(
        pg_database, tmp_path):
    open_engine(pg_database).dispose()
    relay = Relay(pg_database)
    engine, clock = collection(relay.url, tmp_path)
    try:
        service = ReviewService(engine, clock)
        view = service.next_card()
        relay.reachable = False
        relay.cut_all()
        with pytest.raises(Exception) as lost:
            service.answer(view, policy.GOOD)
        assert is_connection_lost(lost.value)
        assert rows(pg_database, "SELECT count(*) FROM review_log") == [(0,)]
        relay.reachable = True
        service.answer(view, policy.GOOD)  # tried again later: once
        assert rows(pg_database, "SELECT count(*) FROM review_log") == [(1,)]
    finally:
        engine.dispose()
        relay.close()


def save_line(app) -> str:
    line = app.screen.query_one("#save-status")
    return str(line.render()) if line.display else ""


async def test_the_review_screen_goes_on_after_its_session_is_ended_mid_answer(pg_database,
                                                                              tmp_path,
                                                                              monkeypatch):
    from studyaws.tui import saving

    # The screen's own retries wait 30 s: the next card within the 10 s below is the
    # service's one retry on a new connection.
    monkeypatch.setattr(saving, "RETRY_PAUSES", (30.0,))
    engine, clock = collection(pg_database, tmp_path)
    app = StudyApp(engine, clock, start="review")
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await settle(pilot, lambda: getattr(app.screen, "view", None)
                                  and app.screen, what="the first card")
            assert screen.view.prompt == "Question 1"
            ended = terminate_mid_answer(monkeypatch, pg_database)
            await pilot.press("space", "3")
            await settle(pilot, lambda: screen.view.prompt != "Question 1",
                         what="the next card")
            assert len(ended) == 1
            assert save_line(app) == ""
            assert screen.view.prompt == "Question 2"
            assert review_count(engine) == 1
    finally:
        engine.dispose()


async def test_the_review_screen_keeps_the_card_while_the_connection_is_lost(pg_database,
                                                                            tmp_path,
                                                                            monkeypatch):
    from studyaws.tui import saving

    monkeypatch.setattr(saving, "RETRY_PAUSES", (30.0,))  # only r tries again here
    open_engine(pg_database).dispose()
    relay = Relay(pg_database)
    engine, clock = collection(relay.url, tmp_path)
    app = StudyApp(engine, clock, start="review")
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await settle(pilot, lambda: getattr(app.screen, "view", None)
                                  and app.screen, what="the first card")
            await pilot.press("space")
            await pilot.pause()
            relay.reachable = False
            relay.cut_all()
            await pilot.press("3")
            await settle(pilot, lambda: save_line(app), what="the line saying why")
            assert screen.view.prompt == "Question 1"  # kept on screen
            line = save_line(app)
            assert line.startswith("Not saved yet: your answer to “Question 1” (")
            assert "connection lost" in line and "r retries now" in line
            assert rows(pg_database, "SELECT count(*) FROM review_log") == [(0,)]
            await pilot.press("r")  # still out of reach: kept, said again
            await settle(pilot, lambda: "(2 tries)" in save_line(app), what="a second try")
            assert screen.view.prompt == "Question 1"
            relay.reachable = True
            await pilot.press("r")
            await settle(pilot, lambda: screen.view.prompt != "Question 1",
                         what="the next card")
            assert screen.view.prompt == "Question 2"
            assert save_line(app) == ""
            assert rows(pg_database, "SELECT count(*) FROM review_log") == [(1,)]
    finally:
        engine.dispose()
        relay.close()


def exam_collection(url: str, tmp_path):
    from test_exam_core import QUESTIONS

    deck = tmp_path / "exam.md"
    deck.write_text(QUESTIONS, encoding="utf-8")
    engine = open_engine(url)
    clock = FakeClock(START)
    import_paths(engine, [deck], clock.now())
    return engine, clock


def kept_answers(url: str, exam_id: int) -> list[tuple]:
    return rows(url, "SELECT position, response FROM exam_question"
                     f" WHERE exam_id = {exam_id} AND response <> '' ORDER BY position")


def chosen(item) -> dict:
    return {"chosen": sorted(item.question.correct)}


def test_an_exam_answer_whose_session_is_ended_is_tried_again_once_and_kept_once(
        pg_database, tmp_path):
    engine, clock = exam_collection(pg_database, tmp_path)
    try:
        view = exam.start_exam(engine, clock, "quick", seed=4)
        first, second = view.items[:2]
        ended = terminate_at(engine, pg_database, "UPDATE exam_question")
        exam.save_answer(engine, view.id, first, chosen(first), 5, clock.now())
        assert len(ended) == 1  # its COMMIT found the session gone; the retry saved it
        assert kept_answers(pg_database, view.id) == [(0, json.dumps(chosen(first)))]
        # Ended on the retry too: the caller is told the connection is lost, nothing kept.
        ended = terminate_at(engine, pg_database, "UPDATE exam_question", times=2)
        with pytest.raises(Exception) as lost:
            exam.save_answer(engine, view.id, second, chosen(second), 7, clock.now())
        assert len(ended) == 2 and is_connection_lost(lost.value)
        assert kept_answers(pg_database, view.id) == [(0, json.dumps(chosen(first)))]
        exam.save_answer(engine, view.id, second, chosen(second), 7, clock.now())  # later
        exam.finish_exam(engine, clock, view)
        assert rows(pg_database, "SELECT card_id FROM review_log WHERE source = 'exam'"
                                 " ORDER BY card_id") == sorted(
            [(first.card_id,), (second.card_id,)])
    finally:
        engine.dispose()


def test_an_exam_answer_whose_commit_reply_is_lost_is_kept_once(pg_database, tmp_path):
    open_engine(pg_database).dispose()
    relay = Relay(pg_database)
    engine, clock = exam_collection(relay.url, tmp_path)
    try:
        view = exam.start_exam(engine, clock, "quick", seed=4)
        item = view.items[0]
        relay.cut_after_commit = True
        exam.save_answer(engine, view.id, item, chosen(item), 5, clock.now())
        assert relay.cut_after_commit is False  # the cut happened; the retry wrote it again
        assert kept_answers(pg_database, view.id) == [(0, json.dumps(chosen(item)))]
        exam.finish_exam(engine, clock, view)
        assert rows(pg_database, "SELECT card_id FROM review_log") == [(item.card_id,)]
    finally:
        engine.dispose()
        relay.close()


async def test_the_exam_screen_keeps_an_answer_while_the_connection_is_lost(pg_database,
                                                                           tmp_path,
                                                                           monkeypatch):
    from test_tui_exam import key_for

    from studyaws.tui import saving

    monkeypatch.setattr(saving, "RETRY_PAUSES", (30.0,))  # only r tries again here
    open_engine(pg_database).dispose()
    relay = Relay(pg_database)
    engine, clock = exam_collection(relay.url, tmp_path)
    view = exam.start_exam(engine, clock, "quick", seed=4)
    app = StudyApp(engine, clock, start="exam", exam_id=view.id)
    try:
        async with app.run_test(size=(110, 34)) as pilot:
            screen = await settle(pilot, lambda: getattr(app.screen, "exam", None)
                                  and app.screen, what="the exam")
            relay.reachable = False
            relay.cut_all()
            await pilot.press(key_for(screen, 0))
            await settle(pilot, lambda: save_line(app), what="the line saying why")
            line = save_line(app)
            assert line.startswith("Not saved yet: your answer to question 1, “Question number")
            assert "connection lost" in line
            assert kept_answers(pg_database, view.id) == []
            await pilot.press("right")  # nothing else until it is saved
            await pilot.pause()
            assert screen.index == 0
            relay.reachable = True
            await pilot.press("r")
            await settle(pilot, lambda: save_line(app) == "", what="the answer saved")
            await pilot.press("right")
            await settle(pilot, lambda: screen.index == 1, what="the next question")
        assert kept_answers(pg_database, view.id) == [(0, '{"chosen": [0]}')]
    finally:
        engine.dispose()
        relay.close()
