"""Studying towards an exam date. Pure: dates, counts, load and recall in; a plan out.

Two rules, applied by the review service while the exam is ahead:
- New cards: the cards not yet seen are spread evenly over the days left for introducing
  them (`intro_days`: every day up to `MARGIN_DAYS` before the exam while the exam is far,
  then a window that shrinks by one day every other day, so the pace changes by a little
  each day rather than jumping as the margin is reached), within the daily load the user
  allows (`max-study-minutes`): the budget never drops below the user's own new-per-day
  limit and never rises past what the cap leaves room for. When the cap keeps the plan
  short of the date, the plan says so (`summary`).
- Reviews: a card whose predicted recall at the exam (midday, local time, on the exam date)
  would be below the desired retention, and which no later study day before the exam would
  show, is brought forward to the last study day before the exam.

The load of a pace: introducing n new cards a day costs about n x `answers_per_new(days)`
answers a day once the first reviews come back (the learning steps on the day, then the
reviews that follow within the days left), on top of the reviews already due; each answer
takes the user's own average answer time (10 s before there is any).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

MARGIN_DAYS = 14
EXAM_HOUR = 12  # local time the exam is assumed to be taken on its date
DEFAULT_ANSWER_SECONDS = 10.0

# Answers a day per new card a day, measured with the synthetic learner at FSRS's default
# parameters and 90 % retention (services/learner.py): about 2.4 on the first day of a
# steady pace (the card and its learning steps), then growing by about 0.2 a day as reviews
# come back, levelling off near 6 after three to four weeks.
FIRST_DAY_ANSWERS = 2.5
ANSWERS_GROWTH = 0.2
ANSWERS_CEILING = 6.0


def answers_per_new(days: int) -> float:
    """Answers a day each new card a day costs at the busiest day of `days` days at that pace."""
    return min(ANSWERS_CEILING, FIRST_DAY_ANSWERS + ANSWERS_GROWTH * max(days, 1))


def intro_days(days_left: int, margin_days: int = MARGIN_DAYS) -> int:
    """Study days from today to introduce the cards left: today up to `margin_days` before
    the exam while the exam is 31 days or more away; nearer, a little over half the days
    left (16 of 27, 8 of 10, every one of the last five), so that the window shrinks by at
    most a day a day and stays the same for a day only when it holds six days or more. The
    pace of a user who keeps to it then changes by a sixth at most from one day to the
    next, where the old fixed margin asked for 334, 500, then 1,000 new cards a day and
    then 77 as the margin was reached."""
    if days_left <= 0:
        return 0
    return min(days_left, max(days_left - margin_days + 1, math.ceil((days_left + 5) / 2)))


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
    needed: int = 0  # new cards a day that introducing every card by `target` takes
    cap_new: int | None = None  # the most new cards a day the load cap leaves room for
    needed_minutes: float = 0.0  # the daily load `needed` would make, in minutes
    cap_minutes: int | None = None  # the user's max-study-minutes

    @property
    def days_left(self) -> int:
        return (self.exam_date - self.today).days

    @property
    def intro_days(self) -> int:
        return (self.target - self.today).days + 1

    @property
    def raised(self) -> bool:
        return self.new_per_day > self.own_limit

    @property
    def capped(self) -> bool:
        """The load cap keeps the plan from introducing every card by the target."""
        return self.needed > self.new_per_day

    @property
    def introduced_by_target(self) -> int:
        """New cards introduced by the target at today's pace."""
        return min(self.new_left, self.new_per_day * self.intro_days)

    @property
    def finish(self) -> date | None:
        """The day the last new card is introduced at this pace (None: none left, or not
        before the target at this pace)."""
        if self.new_left <= 0 or self.new_per_day <= 0:
            return None
        return self.today + timedelta(days=math.ceil(self.new_left / self.new_per_day) - 1)

    @property
    def last_study_day(self) -> bool:
        """Today is the last study day before the exam: reviews are brought forward."""
        return self.days_left == 1

    def summary(self) -> str:
        """One line: the pace the plan asks for, and plainly when the date cannot be met."""
        if self.new_left <= 0:
            return "every card introduced"
        cards = "card" if self.new_per_day == 1 else "cards"
        if not self.capped:
            return f"{self.new_per_day} new {cards} a day to finish by {short_date(self.finish)}"
        days = self.intro_days
        return (f"{self.new_left:,} new cards in {days} day{'s' if days != 1 else ''} needs "
                f"{self.needed:,} a day (about {round(self.needed_minutes)} min a day); at your "
                f"{self.cap_minutes}-minute cap, {self.new_per_day} a day: about "
                f"{self.introduced_by_target:,} introduced by {short_date(self.target)}")


def cap_new_per_day(cap_minutes: int, answer_seconds: float, reviews_per_day: float,
                    days: int) -> int:
    """The most new cards a day whose load, with `reviews_per_day` reviews already due a
    day, stays within `cap_minutes` a day over a pace of `days` days."""
    answers = cap_minutes * 60 / max(answer_seconds, 0.1) - reviews_per_day
    return max(0, math.floor(answers / answers_per_new(days)))


def minutes_for(new_per_day: int, answer_seconds: float, reviews_per_day: float,
                days: int) -> float:
    """The daily load, in minutes, of `new_per_day` new cards a day over `days` days."""
    return (reviews_per_day + new_per_day * answers_per_new(days)) * answer_seconds / 60


def plan_for_exam(today: date, exam_date: date | None, new_left: int, new_per_day: int,
                  margin_days: int = MARGIN_DAYS, *, cap_minutes: int | None = None,
                  answer_seconds: float = DEFAULT_ANSWER_SECONDS,
                  reviews_per_day: float = 0.0) -> ExamPlan | None:
    """The plan for study day `today`, or None when no exam date is ahead.

    `new_left` counts the new cards not introduced before today (those introduced today
    included), so the budget stays the same all day. With `cap_minutes`, the budget rises
    no further than the load cap allows (`reviews_per_day`: the reviews already due a day;
    `answer_seconds`: the user's average answer time); it never drops below `new_per_day`."""
    if exam_date is None or exam_date <= today:
        return None
    new_left = max(new_left, 0)
    days = intro_days((exam_date - today).days, margin_days)
    target = today + timedelta(days=days - 1)
    # Rounded to the nearest card, not up (up front-loads: 17 over 4 days would be 5, then
    # 3): what rounding leaves over comes a card at a time, and the last day takes the rest.
    needed = new_left if days == 1 else min(new_left, max(1, math.floor(new_left / days + 0.5))) if new_left else 0
    cap = None
    budget = needed
    if cap_minutes is not None:
        cap = cap_new_per_day(cap_minutes, answer_seconds, reviews_per_day, days)
        budget = min(needed, cap)
    return ExamPlan(today, exam_date, new_left, max(new_per_day, budget), new_per_day, target,
                    needed=needed, cap_new=cap,
                    needed_minutes=minutes_for(needed, answer_seconds, reviews_per_day, days),
                    cap_minutes=cap_minutes)


def exam_moment(exam_date: date, zone: tzinfo) -> datetime:
    """When the exam is assumed to be taken: midday, local time, as UTC."""
    return datetime.combine(exam_date, time(EXAM_HOUR), tzinfo=zone).astimezone(UTC)


def below_target(recall_at_exam: float, desired_retention: float) -> bool:
    """A card that needs one more review before the exam."""
    return recall_at_exam < desired_retention
