"""A deck's row in the day's numbers (store.queries.deck_summaries; store.first_read on the
first card's light path): no database library needed to hold one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeckSummary:
    id: int
    title: str
    path: str
    domain: str | None
    cards: int
    new: int
    learning: int
    due: int
    folder: str | None = None  # the folder it was imported from (Deck.folder)
    preset_id: int | None = None  # its deck options (None: the Default preset)
    new_done: int = 0  # new cards it introduced today (with day_start given)
    reviews_done: int = 0  # review cards of it answered today (with day_start given)
