"""Which kind of card comes next, and how many are left today. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

LEARN_AHEAD = timedelta(minutes=20)


@dataclass(frozen=True)
class DayCounts:
    """What is left today after the daily limits."""

    new: int
    learning: int
    review: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review


def next_source(learning_due_now: bool, review_left: int, new_left: int,
                reviews_since_new: int, learning_later: bool) -> str | None:
    """'learning', 'review', 'new' or None: learning cards that are due first, then reviews
    with new cards spread evenly among them, then learning cards due within LEARN_AHEAD."""
    if learning_due_now:
        return "learning"
    if new_left and review_left:
        spacing = max(1, review_left // (new_left + 1))
        return "new" if reviews_since_new >= spacing else "review"
    if review_left:
        return "review"
    if new_left:
        return "new"
    if learning_later:
        return "learning"
    return None
