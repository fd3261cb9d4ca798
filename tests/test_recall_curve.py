"""The plain forgetting curve used to score many cards at once matches py-fsrs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from studyaws.core.config import Settings
from studyaws.core.srs import policy
from studyaws.core.srs.policy import REVIEW, Memory


def test_recall_curve_matches_py_fsrs():
    now = datetime(2026, 5, 1, 12, tzinfo=UTC)
    for parameters in (None, tuple([*policy.scheduler_for(Settings()).parameters[:20], 0.5])):
        scheduler = policy.scheduler_for(Settings(), parameters)
        recall = policy.recall_curve(scheduler)
        for stability in (0.3, 2.0, 15.0, 200.0):
            for hours in (0, 5, 23, 24, 49, 24 * 30 + 7, 24 * 400):
                last = now - timedelta(hours=hours)
                memory = Memory(REVIEW, None, stability, 5.0, now, last, 3, 0)
                expected = policy.retrievability(scheduler, memory, now)
                assert abs(recall(stability, hours / 24) - expected) < 1e-12
    assert recall(None, 3) == 0.0
