"""Stats on a hand-built review log: heatmap, forecast, true retention, mastery, readiness."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select, update
from support import make_collection

from studyaws.core import stats as compute
from studyaws.core.clock import FakeClock
from studyaws.core.config import Settings
from studyaws.core.exam import readiness
from studyaws.core.questions import Choice, Numeric, Ordering
from studyaws.core.srs import policy
from studyaws.core.srs.day import study_date
from studyaws.core.srs.policy import AGAIN, EASY, GOOD, HARD, NEW, REVIEW, Memory
from studyaws.core.stats import CardMemory
from studyaws.services import stats_report as report
from studyaws.store.engine import writing
from studyaws.store.settings import save_setting
from studyaws.store.tables import Card, CardState, Exam, ExamQuestion, ReviewLog

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)  # day starts at 04:00 UTC: today is 15 June
TODAY = date(2026, 6, 15)


def days_ago(days: float, hour: int = 10) -> datetime:
    return datetime(2026, 6, 15, hour, tzinfo=UTC) - timedelta(days=days)


def collection(tmp_path, cards_per_domain: dict[str, int]):
    """One deck per domain, each of `n` choice questions."""
    from studyaws.services.importer import import_paths
    from studyaws.store.engine import open_engine

    folder = tmp_path / "decks"
    folder.mkdir()
    for domain, count in cards_per_domain.items():
        body = [f"---\ntitle: {domain}\ndomain: {domain}\n---\n# {domain}\n"]
        for n in range(count):
            body.append(f"Which {domain} option {n}?\n\n- [x] right {n}\n- [ ] wrong {n}\n")
        (folder / f"{domain}.md").write_text("\n".join(body), encoding="utf-8")
    engine = open_engine(tmp_path / "home" / "studyaws.sqlite3")
    import_paths(engine, [folder], NOW - timedelta(days=400))
    return engine


def log(engine, card_id: int, at: datetime, rating: int, before: int, due: datetime | None,
        source: str = "review") -> None:
    with writing(engine) as session:
        session.execute(insert(ReviewLog).values(
            card_id=card_id, rating=rating, reviewed_at=at, source=source, state_before=before,
            state=REVIEW, stability=5.0, difficulty=5.0, due=due))


def set_state(engine, card_id: int, state: int, due: datetime, stability: float | None = None,
              last: datetime | None = None, **card) -> None:
    with writing(engine) as session:
        session.execute(update(CardState).where(CardState.card_id == card_id).values(
            state=state, due=due, stability=stability, difficulty=5.0 if stability else None,
            last_review=last))
        if card:
            session.execute(update(Card).where(Card.id == card_id).values(**card))


# -- pure ---------------------------------------------------------------------------------
def test_study_date_follows_the_day_start_hour_and_zone():
    zone = ZoneInfo("America/New_York")  # UTC-4 in June
    assert study_date(datetime(2026, 6, 15, 7, 59, tzinfo=UTC), zone, 4) == date(2026, 6, 14)
    assert study_date(datetime(2026, 6, 15, 8, 0, tzinfo=UTC), zone, 4) == date(2026, 6, 15)
    kathmandu = ZoneInfo("Asia/Kathmandu")  # UTC+5:45: a day that starts on a quarter hour
    assert study_date(datetime(2026, 6, 14, 22, 14, tzinfo=UTC), kathmandu, 4) == date(2026, 6, 14)
    assert study_date(datetime(2026, 6, 14, 22, 15, tzinfo=UTC), kathmandu, 4) == date(2026, 6, 15)


def test_heatmap_counts_study_days_and_the_streak():
    buckets = [(days_ago(0), 3), (days_ago(1), 2), (days_ago(2, hour=3), 4),  # 03:00 is the day before
               (days_ago(5), 1), (days_ago(400), 9)]
    heat = compute.heatmap(buckets, TODAY, UTC, 4)
    assert heat.counts == {date(2026, 6, 10): 1, date(2026, 6, 12): 4, date(2026, 6, 14): 2,
                           date(2026, 6, 15): 3}
    assert heat.total == 10 and heat.days_studied == 4 and heat.busiest == 4
    assert heat.streak == 2
    assert heat.start == TODAY - timedelta(days=364)
    # Not studied yet today: the streak up to yesterday still counts.
    assert compute.heatmap(buckets[1:], TODAY, UTC, 4).streak == 1


def test_forecast_puts_overdue_cards_on_today():
    buckets = [(days_ago(3), 5), (days_ago(0, hour=20), 2), (days_ago(-1), 4),
               (days_ago(-29), 1), (days_ago(-30), 7)]
    days = compute.forecast(buckets, TODAY, UTC, 4)
    assert len(days) == 30
    assert days[0] == 7 and days[1] == 4 and days[29] == 1 and sum(days) == 12


def test_true_retention_splits_young_and_mature_by_the_last_interval():
    outcomes = [
        (days_ago(0), GOOD, 3.0),  # today, young, pass
        (days_ago(0), AGAIN, 21.0),  # today, mature, fail
        (days_ago(3), HARD, 20.6),  # 7 days: rounds to 21: mature, pass (Hard passes)
        (days_ago(6), AGAIN, 2.0),  # 7 days: young fail
        (days_ago(7), EASY, 40.0),  # 30 days only
        (days_ago(29), GOOD, 1.0),  # 30 days only
        (days_ago(30), AGAIN, 1.0),  # outside every period
        (days_ago(1), AGAIN, None),  # unknown interval: left out
    ]
    rows = {r.period: r for r in compute.true_retention(outcomes, TODAY, UTC, 4)}
    assert (rows["today"].young, rows["today"].mature) == (compute.PassRate(1, 1),
                                                           compute.PassRate(0, 1))
    assert rows["7 days"].young == compute.PassRate(1, 2)
    assert rows["7 days"].mature == compute.PassRate(1, 2)
    assert rows["30 days"].young == compute.PassRate(2, 3)
    assert rows["30 days"].mature == compute.PassRate(2, 3)
    assert rows["30 days"].all.rate == pytest.approx(4 / 6)
    assert compute.PassRate().rate is None


def test_recall_and_domain_mastery_count_new_cards_at_zero():
    scheduler = policy.scheduler_for(Settings())
    cards = [
        CardMemory(1, "secure", "choice", False, REVIEW, 10.0, days_ago(10)),
        CardMemory(2, "secure", "choice", False, NEW, None, None),
        CardMemory(3, "resilient", "choice", False, REVIEW, 100.0, days_ago(1)),
        # no high-performing card at all; cost-optimized has one
        CardMemory(4, "cost-optimized", "choice", False, REVIEW, 2.0, days_ago(30)),
    ]
    recall = compute.recall_at(cards, scheduler, NOW)
    r1 = policy.retrievability(scheduler, Memory(REVIEW, None, 10.0, last_review=days_ago(10)), NOW)
    assert recall[1] == pytest.approx(r1) and recall[1] == pytest.approx(0.9, abs=0.001)
    assert recall[2] == 0.0
    mastery = {m.domain: m for m in compute.domain_mastery(cards, recall)}
    assert mastery["secure"].cards == 2 and mastery["secure"].studied == 1
    assert mastery["secure"].recall == pytest.approx(r1 / 2)
    assert list(mastery) == ["secure", "resilient", "cost-optimized"]  # the exam guide's order


def test_a_blind_guess_is_one_in_the_number_of_possible_answers():
    four = Choice("q", ("a", "b", "c", "d"), frozenset({2}))
    choose_two = Choice("q", ("a", "b", "c", "d", "e"), frozenset({0, 3}))
    assert readiness.guess_chance(four) == 0.25
    assert readiness.guess_chance(choose_two) == pytest.approx(1 / 10)
    assert readiness.guess_chance(Ordering("q", ("a", "b", "c", "d"))) == pytest.approx(1 / 24)
    assert readiness.guess_chance(Numeric("q", 42.0)) == 0.0
    assert readiness.guess_chance(None) == 0.0


def test_expected_score_counts_guesses_and_the_range_comes_from_the_distribution():
    known = readiness.DrawnItem("secure", 1.0, 0.25)
    unknown = readiness.DrawnItem("resilient", 0.0, 0.25)
    # One right for sure, the other guessed: 1 right (3 in 4) or 2 (1 in 4).
    assert readiness.correct_distribution([1.0, 0.25]) == pytest.approx([0.0, 0.75, 0.25])
    expected = readiness.expect([[known, unknown]], pass_mark=720)
    assert expected.share == pytest.approx(0.625)
    assert expected.scaled == round(100 + 900 * 0.625)
    assert (expected.low, expected.high) == (550, 1000)
    assert expected.pass_chance == pytest.approx(0.25)
    assert expected.per_domain == pytest.approx({"secure": 1.0, "resilient": 0.25})
    assert not expected.passes
    # Two drawn exams count equally: one all known, one all unknown.
    mixed = readiness.expect([[known, known], [unknown, unknown]], pass_mark=720)
    assert mixed.share == pytest.approx((1.0 + 0.25) / 2)
    assert mixed.low == 100 and mixed.high == 1000
    assert mixed.pass_chance == pytest.approx(0.5 + 0.5 * 0.25 ** 2)
    # A short pool: what it lacks is guessed.
    short = readiness.expect([readiness.padded([known], 4)], pass_mark=720)
    assert short.questions == 4 and short.share == pytest.approx((1 + 3 * 0.25) / 4)
    # Nothing to draw: the lowest score, and no chance to pass.
    empty = readiness.expect([], pass_mark=720)
    assert (empty.scaled, empty.low, empty.high, empty.pass_chance) == (100, 100, 100, 0.0)


# -- on a collection ------------------------------------------------------------------------
@pytest.fixture
def built(tmp_path):
    engine = collection(tmp_path, {"secure": 3, "resilient": 2, "high-performing": 1,
                                   "cost-optimized": 1})
    # card 1: learnt 40 days ago, young review passed 37 days ago... then a mature lapse today
    log(engine, 1, days_ago(40), GOOD, NEW, days_ago(37))
    log(engine, 1, days_ago(37), GOOD, REVIEW, days_ago(37) + timedelta(days=25))
    log(engine, 1, days_ago(12), GOOD, REVIEW, days_ago(12) + timedelta(days=30))
    log(engine, 1, days_ago(0), AGAIN, REVIEW, days_ago(0) + timedelta(minutes=10))
    # card 2: young pass 2 days ago (exam answers count too), due in 3 days
    log(engine, 2, days_ago(5), GOOD, NEW, days_ago(2))
    log(engine, 2, days_ago(2), GOOD, REVIEW, days_ago(-3), source="exam")
    set_state(engine, 1, policy.RELEARNING, NOW + timedelta(minutes=10), 3.0, days_ago(0))
    set_state(engine, 2, REVIEW, days_ago(-3), 8.0, days_ago(2))
    set_state(engine, 4, REVIEW, days_ago(-1), 20.0, days_ago(5))
    set_state(engine, 5, REVIEW, days_ago(-40), 50.0, days_ago(5), suspended=True)
    set_state(engine, 6, REVIEW, days_ago(1), 1.0, days_ago(9), retired=True)
    with writing(engine) as session:
        for n, (scaled, status) in enumerate([(640, "finished"), (760, "finished"),
                                              (None, "running")]):
            session.execute(insert(Exam).values(
                preset="saa-c03", status=status, started_at=days_ago(20 - 5 * n),
                time_limit_s=60, remaining_s=0, total=65, scaled=scaled,
                passed=None if scaled is None else scaled >= 720))
        # card 2's exam answer of 2 days ago, in the exam still running (the heatmap counts
        # an exam's answers from its own rows)
        running = session.execute(select(Exam.id).where(Exam.status == "running")).scalar_one()
        session.execute(insert(ExamQuestion).values(
            exam_id=running, position=0, card_id=2, seed=0, response='{"chosen": [0]}',
            correct=True, answered_at=days_ago(2)))
    return engine


def test_collected_stats_on_a_hand_built_log(built):
    stats = report.collect(built, FakeClock(NOW))
    assert stats.today == TODAY
    assert stats.heatmap.total == 6 and stats.heatmap.days_studied == 6
    assert stats.forecast[0] == 1  # card 1 relearning in 10 minutes
    assert stats.forecast[1] == 1 and stats.forecast[3] == 1  # cards 4 and 2
    assert sum(stats.forecast) == 3  # suspended and retired cards are not forecast
    assert stats.states == {"new": 2, "learning": 0, "review": 2, "relearning": 1,
                            "suspended": 1, "retired": 1}
    rows = {r.period: r for r in stats.retention}
    assert rows["today"].mature == compute.PassRate(0, 1)  # last interval 30 days
    assert rows["today"].young == compute.PassRate()
    assert rows["7 days"].young == compute.PassRate(1, 1)  # card 2's 3-day interval
    assert rows["30 days"].mature == compute.PassRate(1, 2)  # + the 25-day one 12 days ago
    assert [(e.scaled, e.passed) for e in stats.exams] == [(640, False), (760, True)]
    assert sum(m.cards for m in stats.domains) == 6  # the retired card is left out
    assert sum(m.studied for m in stats.domains) == 4  # cards 1, 2, 4 and 5
    assert [m.domain for m in stats.domains] == ["secure", "resilient", "high-performing",
                                                 "cost-optimized"]
    assert stats.readiness.pool == 5  # retired and suspended cards are not in the pool
    assert stats.readiness.exam_date is None and stats.readiness.on_exam_date is None
    # 5 questions of the 65 the exam asks: the 60 it lacks count as blind guesses.
    today = stats.readiness.today
    assert today.questions == 65 and today.per_domain["not in the pool"] == 0.25
    assert 100 <= today.scaled < 720 and not today.passes


def test_readiness_on_the_exam_date_projects_recall_forward(built):
    save_setting(built, "exam-date", "2026-09-01")
    stats = report.collect(built, FakeClock(NOW))
    ready = stats.readiness
    assert ready.exam_date == date(2026, 9, 1) and ready.days_left == 78
    assert ready.on_exam_date.share < ready.today.share
    text = report.readiness_line(ready)
    assert "estimate" in text and "1 Sep 2026" in text and "pass mark 720" in text


def test_json_has_the_five_sections(built):
    data = report.to_json(report.collect(built, FakeClock(NOW)))
    assert list(data) == ["heatmap", "forecast", "retention", "domains", "readiness"]
    json.dumps(data)
    assert data["readiness"]["estimate"] is True
    assert len(data["forecast"]["days"]) == 30
    assert data["retention"]["periods"][0]["period"] == "today"
    assert data["domains"]["exams"][1]["scaled"] == 760
    assert data["heatmap"]["days"][TODAY.isoformat()] == 1


def test_stats_on_an_empty_collection(tmp_path):
    engine, clock, _ = make_collection(tmp_path, "Q: a\nA: b\n")
    stats = report.collect(engine, clock)
    assert stats.heatmap.total == 0 and sum(stats.forecast) == 0
    assert stats.readiness.today.scaled == 100
    assert all(r.all.rate is None for r in stats.retention)
    assert "readiness" in report.to_text(stats).lower()
