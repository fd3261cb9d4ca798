"""All the stats at once, for the stats screen and `studyaws stats [--json]`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from studyaws.core import stats as compute
from studyaws.core.clock import Clock
from studyaws.core.exam.readiness import Expectation
from studyaws.core.srs import policy
from studyaws.core.srs.day import day_start_of, study_date
from studyaws.core.stats import DomainMastery, Heatmap, Readiness, RetentionRow
from studyaws.core.text import printable
from studyaws.services.readiness import readiness_for
from studyaws.store import stats_queries as queries
from studyaws.store.settings import load_parameters, load_settings
from studyaws.store.stats_queries import FinishedExam


@dataclass(frozen=True)
class Stats:
    now: datetime
    today: date
    heatmap: Heatmap
    forecast: list[int]  # cards due on each of the next 30 study days, today first
    states: dict[str, int]
    retention: list[RetentionRow]
    domains: list[DomainMastery]
    exams: list[FinishedExam]
    readiness: Readiness
    desired_retention: float


def collect(engine: Engine, clock: Clock, exam: str | None = None) -> Stats:
    """Read the store and compute every number, as of the clock's now; domains and readiness
    for `exam` (default: the target-exam setting)."""
    settings = load_settings(engine)
    scheduler = policy.scheduler_for(settings, load_parameters(engine))
    now = clock.now()
    zone = clock.local_zone()
    hour = settings.day_starts_at
    today = study_date(now, zone, hour)

    def starts(first: int, last: int) -> list[datetime]:
        return [day_start_of(today + timedelta(days=n), zone, hour)
                for n in range(first, last + 1)]

    past = starts(1 - compute.HEATMAP_DAYS, 1)
    answers = list(zip(past, queries.answer_counts(engine, past), strict=False))
    ahead = starts(0, compute.FORECAST_DAYS)
    due = list(zip(ahead, queries.due_counts(engine, ahead), strict=False))
    outcomes = queries.review_outcomes(engine, past[-31])
    exam = exam or settings.target_exam
    cards = queries.card_memories(engine, exam)
    recall = compute.recall_at(cards, scheduler, now)
    readiness = readiness_for(engine, clock, exam)
    return Stats(
        now=now, today=today,
        heatmap=compute.heatmap(answers, today, zone, hour),
        forecast=compute.forecast(due, today, zone, hour),
        states=queries.state_counts(engine),
        retention=compute.true_retention(outcomes, today, zone, hour),
        domains=compute.domain_mastery(cards, recall),
        exams=queries.finished_exams(engine),
        readiness=readiness,
        desired_retention=settings.desired_retention,
    )


def _rate(rate: compute.PassRate) -> dict:
    return {"passed": rate.passed, "total": rate.total,
            "rate": None if rate.rate is None else round(rate.rate, 4)}


def _expectation(expected: Expectation | None) -> dict | None:
    if expected is None:
        return None
    return {"expected": expected.scaled, "low": expected.low, "high": expected.high,
            "share": round(expected.share, 4), "pass_chance": round(expected.pass_chance, 4),
            "passes": expected.passes, "questions": expected.questions,
            "domains": {d: round(v, 4) for d, v in expected.per_domain.items()}}


def to_json(stats: Stats) -> dict:
    """The sections of `studyaws stats --json`: heatmap, forecast, retention, domains,
    readiness."""
    heat = stats.heatmap
    start = stats.today
    ready = stats.readiness
    return {
        "heatmap": {
            "start": heat.start.isoformat(), "end": heat.end.isoformat(),
            "total": heat.total, "days_studied": heat.days_studied, "streak": heat.streak,
            "days": {day.isoformat(): count for day, count in heat.counts.items()},
        },
        "forecast": {
            "days": [{"date": (start + timedelta(days=n)).isoformat(), "due": count}
                     for n, count in enumerate(stats.forecast)],
            "cards": stats.states,
        },
        "retention": {
            "desired": stats.desired_retention,
            "mature_days": compute.MATURE_DAYS,
            "periods": [{"period": row.period, "young": _rate(row.young),
                         "mature": _rate(row.mature), "all": _rate(row.all)}
                        for row in stats.retention],
        },
        "domains": {
            "mastery": [{"domain": d.domain, "title": d.title, "cards": d.cards,
                         "studied": d.studied, "recall": round(d.recall, 4)}
                        for d in stats.domains],
            "exams": [{"started_at": e.started_at.isoformat(), "preset": e.preset,
                       "mode": e.mode, "correct": e.correct, "total": e.total,
                       "scaled": e.scaled, "passed": e.passed} for e in stats.exams],
        },
        "readiness": {
            "exam": ready.preset, "pass_mark": ready.pass_mark, "pool": ready.pool,
            "estimate": True, "today": _expectation(ready.today),
            "exam_date": ready.exam_date.isoformat() if ready.exam_date else None,
            "days_left": ready.days_left, "on_exam_date": _expectation(ready.on_exam_date),
        },
    }


def _percent(rate: compute.PassRate) -> str:
    return "  –  " if rate.rate is None else f"{100 * rate.rate:5.1f}%"


def expected_text(expected: Expectation) -> str:
    """'expected 640 (560-710)'"""
    return f"expected {expected.scaled} ({expected.low}-{expected.high})"


def readiness_line(ready: Readiness) -> str:
    """'Readiness, SAA-C03 (estimate): expected 640 (560-710) on an exam today, pass mark
    720; on 1 Mar 2027: expected 610 (530-690) with no more study'"""
    if ready.pool == 0:
        return (f"Readiness, {ready.preset.upper()}: no questions for this exam yet "
                "(import or study a deck with questions)")
    text = (f"Readiness, {ready.preset.upper()} (estimate): {expected_text(ready.today)} on "
            f"an exam today, pass mark {ready.pass_mark}")
    if ready.on_exam_date is not None and ready.exam_date is not None:
        when = f"{ready.exam_date.day} {ready.exam_date:%b %Y}"
        text += f"; on {when}: {expected_text(ready.on_exam_date)} with no more study"
    return text


def to_text(stats: Stats) -> str:
    lines = []
    heat = stats.heatmap
    lines.append(f"heatmap: {heat.total} answers on {heat.days_studied} of the last "
                 f"{compute.HEATMAP_DAYS} days; streak {heat.streak} "
                 f"day{'s' if heat.streak != 1 else ''}")
    week = stats.forecast[:7]
    lines.append(f"forecast: {stats.forecast[0]} due today, {sum(week)} this week, "
                 f"{sum(stats.forecast)} in 30 days")
    lines.append("  by day: " + " ".join(str(n) for n in stats.forecast))
    lines.append("  cards: " + ", ".join(f"{n} {name}" for name, n in stats.states.items()))
    lines.append(f"retention (answers passed; desired {stats.desired_retention:.2f}):")
    lines.append(f"  {'':<8} {'young':>16} {'mature':>16} {'all':>16}")
    for row in stats.retention:
        cells = [f"{_percent(r)} of {r.total:<5}" for r in (row.young, row.mature, row.all)]
        lines.append(f"  {row.period:<8} " + " ".join(f"{c:>16}" for c in cells))
    lines.append("domains (mean predicted recall, new cards count 0):")
    for d in stats.domains:
        lines.append(f"  {printable(d.title):<40} {100 * d.recall:5.1f}%  ({d.studied} of {d.cards} "
                     "cards studied)")
    if stats.exams:
        lines.append("mock exams: " + ", ".join(
            f"{e.started_at:%d %b} {e.scaled}{'' if e.passed else ' (fail)'}"
            for e in stats.exams))
    else:
        lines.append("mock exams: none finished yet")
    lines.append(readiness_line(stats.readiness))
    return "\n".join(lines)
