"""What the home screen shows: every deck with today's counts, the day's progress, the exam
plan; and finding a deck by the name a user types."""

from __future__ import annotations

from dataclasses import dataclass

from studyaws.core.srs.exam_plan import ExamPlan
from studyaws.core.srs.queue import DayCounts
from studyaws.services.decks import DeckNode
from studyaws.services.review import ReviewService
from studyaws.store.queries import DeckSummary, reviews_since
from studyaws.store.stats_queries import exam_answer_counts

__all__ = ["HomeCounts", "read_home"]


@dataclass(frozen=True)
class HomeCounts:
    decks: tuple[DeckSummary, ...]
    counts: DayCounts  # what "review all" gives today (services.limits)
    done: int  # answers today: the daily review's and the mock exams' (as the heatmap counts)
    again: int  # of them, Again in the review or wrong in an exam
    plan: ExamPlan | None
    exam_running: bool
    exam_done: int = 0  # of `done`, answers in mock exams
    # The deck tree, each node with what studying it gives today (services.limits).
    tree: tuple[DeckNode, ...] = ()


def read_home(engine, clock) -> HomeCounts:
    """Everything the home screen shows, read in one go (safe in a worker thread)."""
    from studyaws.services.exam import running_exam

    service = ReviewService(engine, clock)
    start, end = service.day_bounds()
    day = service.day_plan()
    reviews, again = reviews_since(engine, start, end)
    exam_done, = exam_answer_counts(engine, [start, end])
    exam_wrong, = exam_answer_counts(engine, [start, end], wrong_only=True)
    return HomeCounts(day.decks, day.counts, reviews + exam_done, again + exam_wrong,
                      service.exam_plan(), running_exam(engine) is not None, exam_done,
                      tuple(day.tree))
