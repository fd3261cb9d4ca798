"""Studying towards an exam date. Pure: dates, counts and recall in; a plan out.

Two rules, applied by the review service while the exam is ahead:
- New cards: every card should have been introduced `MARGIN_DAYS` before the exam (or, once
  that day has passed, by the day before the exam), so the daily new-card budget grows to
  what that takes; it never drops below the user's own limit.
- Reviews: a card whose predicted recall at the exam (midday, local time, on the exam date)
  would be below the desired retention, and which no later study day before the exam would
  show, is brought forward to the last study day before the exam.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

MARGIN_DAYS = 14
EXAM_HOUR = 12  # local time the exam is assumed to be taken on its date


def short_date(day: date) -> str:
    """'1 Mar', as the home screen says it."""
    return f"{day.day} {day:%b}"


@dataclass(frozen=True)
class ExamPlan:
    today: date
    exam_date: date
    new_left: int  # new cards not introduced before today
    new_per_day: int  # the daily new-card budget under the plan
    own_limit: int  # the user's new-per-day setting
    target: date  # the day every new card should be introduced by

    @property
    def days_left(self) -> int:
        return (self.exam_date - self.today).days

    @property
    def raised(self) -> bool:
        return self.new_per_day > self.own_limit

    @property
    def finish(self) -> date | None:
        """The day the last new card is introduced at this pace (None: none left)."""
        if self.new_left <= 0 or self.new_per_day <= 0:
            return None
        return self.today + timedelta(days=math.ceil(self.new_left / self.new_per_day) - 1)

    @property
    def last_study_day(self) -> bool:
        """Today is the last study day before the exam: reviews are brought forward."""
        return self.days_left == 1

    def summary(self) -> str:
        """One line: the pace the plan asks for."""
        if self.new_left <= 0:
            return "every card introduced"
        cards = "card" if self.new_per_day == 1 else "cards"
        return f"{self.new_per_day} new {cards} a day to finish by {short_date(self.finish)}"


def plan_for_exam(today: date, exam_date: date | None, new_left: int, new_per_day: int,
                  margin_days: int = MARGIN_DAYS) -> ExamPlan | None:
    """The plan for study day `today`, or None when no exam date is ahead.

    `new_left` counts the new cards not introduced before today (those introduced today
    included), so the budget stays the same all day."""
    if exam_date is None or exam_date <= today:
        return None
    target = exam_date - timedelta(days=margin_days)
    if target < today:
        target = exam_date - timedelta(days=1)
    days = (target - today).days + 1
    needed = math.ceil(max(new_left, 0) / days)
    return ExamPlan(today, exam_date, max(new_left, 0), max(new_per_day, needed), new_per_day,
                    target)


def exam_moment(exam_date: date, zone: tzinfo) -> datetime:
    """When the exam is assumed to be taken: midday, local time, as UTC."""
    return datetime.combine(exam_date, time(EXAM_HOUR), tzinfo=zone).astimezone(UTC)


def below_target(recall_at_exam: float, desired_retention: float) -> bool:
    """A card that needs one more review before the exam."""
    return recall_at_exam < desired_retention
