"""Actions on a set of cards (the browser's marked cards, `studyaws cards SEARCH --suspend`):
suspend or unsuspend, bury until the next study day, flag, forget (back to new, the history
kept), set a due date; each written in one transaction, and undone exactly (each card's
state, due, suspension, burial and flag as they were).

Forget: the card's memory becomes a new card's (no stability or difficulty, no reps or
lapses), so the review offers it again as new, in its place among the new cards (by id);
its past answers stay in its history (review_log), and its suspension, flag and leech mark
stay too.

Set due date (as Anki's): due on the study day N days from today (0: today), or on a day
drawn at random in a range such as 0-7, one draw a card. A card in review keeps its
stability and difficulty (only its due changes); a card in (re)learning goes to review with
its memory; a new card goes to review as if first answered Good (FSRS's first stability and
difficulty for Good), last reviewed now."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import timedelta

from sqlalchemy import Engine

from studyaws.core.clock import Clock
from studyaws.core.srs import policy
from studyaws.core.srs.day import StudyDays, next_day_start
from studyaws.core.srs.policy import NEW, REVIEW, Memory
from studyaws.services.flags import FLAG_NAMES
from studyaws.store.card_changes import CardMarks, change_cards, restore_cards
from studyaws.store.settings import load_parameters, load_settings

MAX_DUE_DAYS = 36500
_DUE = re.compile(r"\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?")


class ActionError(ValueError):
    """Input an action cannot take (a flag, a number of days): the message is for the user."""


def parse_due_days(text: str) -> tuple[int, int]:
    """`N` or `A-B` (days from today, 0 today) -> (first, last). ActionError otherwise."""
    match = _DUE.fullmatch(text)
    if not match:
        raise ActionError(f"days from today: a number such as 3, or a range such as 0-7, "
                          f"not {text.strip()!r}")
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) is not None else first
    if first > last:
        raise ActionError(f"the range {first}-{last} ends before it starts")
    if last > MAX_DUE_DAYS:
        raise ActionError(f"at most {MAX_DUE_DAYS} days from today")
    return first, last


@dataclass(frozen=True)
class Done:
    """An action done: how many cards it changed, and what it says it did."""

    what: str  # "suspend", "unsuspend", "bury", "flag", "forget", "set-due", "undo"
    changed: int
    asked: int  # cards it was asked to act on

    def message(self, detail: str = "") -> str:
        cards = f"{self.changed} card{'' if self.changed == 1 else 's'}"
        said = {"suspend": "Suspended", "unsuspend": "Unsuspended",
                "bury": "Buried until tomorrow:", "flag": f"Flagged {detail}:",
                "unflag": "Flag taken off", "forget": "Forgotten (back to new):",
                "set-due": f"Due {detail}:", "undo": "Undone: restored"}[self.what]
        text = f"{said} {cards}"
        if self.changed < self.asked:
            same = self.asked - self.changed
            text += f" ({same} already so)" if self.what != "undo" else ""
        return text + "."


@dataclass
class CardActions:
    """The actions of one browser (or one command), with their undo: each action done is
    undone by `undo`, the last first."""

    engine: Engine
    clock: Clock
    undo_stack: list[tuple[str, list[CardMarks]]] = field(default_factory=list)

    def _do(self, what: str, card_ids: Iterable[int], change) -> Done:
        ids = sorted(set(card_ids))
        changed = change_cards(self.engine, ids, change)
        if changed:
            self.undo_stack.append((what, [before for before, _ in changed]))
        return Done(what, len(changed), len(ids))

    def _days(self) -> StudyDays:
        settings = load_settings(self.engine)
        return StudyDays(self.clock.local_zone(), settings.day_starts_at)

    def suspend(self, card_ids: Iterable[int], suspended: bool = True) -> Done:
        return self._do("suspend" if suspended else "unsuspend", card_ids,
                        lambda card: replace(card, suspended=suspended))

    def bury(self, card_ids: Iterable[int]) -> Done:
        """Buried until the next study day starts, as the review's bury."""
        days = self._days()
        until = next_day_start(self.clock.now(), days.zone, days.hour)
        return self._do("bury", card_ids, lambda card: replace(card, buried_until=until))

    def flag(self, card_ids: Iterable[int], flag: int) -> Done:
        if flag not in (0, *FLAG_NAMES):
            raise ActionError(f"a flag is 0 (none) or 1-4 ({', '.join(FLAG_NAMES.values())}), "
                              f"not {flag}")
        return self._do("flag" if flag else "unflag", card_ids,
                        lambda card: replace(card, flag=flag))

    def forget(self, card_ids: Iterable[int]) -> Done:
        now = self.clock.now()

        def forgotten(card: CardMarks) -> CardMarks:
            if card.memory.state == NEW:
                return card
            return replace(card, memory=Memory(NEW, 0, None, None, now, None, 0, 0))

        return self._do("forget", card_ids, forgotten)

    def set_due(self, card_ids: Iterable[int], days: str | tuple[int, int],
                rng: random.Random | None = None) -> Done:
        """Due `days` from today: "N", "A-B" (a random day in the range for each card), or
        (first, last)."""
        first, last = parse_due_days(days) if isinstance(days, str) else days
        rng = rng or random.Random()
        now = self.clock.now()
        study_days = self._days()
        today = study_days.date_of(now)
        scheduler = policy.scheduler_for(load_settings(self.engine),
                                         load_parameters(self.engine), study_days.zone)
        w = scheduler.parameters
        first_stability = max(float(w[2]), 0.001)
        first_difficulty = min(max(float(w[4]) - math.exp(float(w[5]) * 2) + 1, 1.0), 10.0)

        def due(card: CardMarks) -> CardMarks:
            on = study_days.start_of(today + timedelta(days=rng.randint(first, last)))
            memory = card.memory
            if memory.state == NEW:
                memory = replace(memory, state=REVIEW, step=None, stability=first_stability,
                                 difficulty=first_difficulty, last_review=now, due=on)
            else:
                memory = replace(memory, state=REVIEW, step=None, due=on)
            return replace(card, memory=memory)

        return self._do("set-due", sorted(set(card_ids)), due)

    def undo(self) -> Done | None:
        """Undo the last action still done: every card it changed as it was before. None
        when there is nothing to undo."""
        if not self.undo_stack:
            return None
        _, before = self.undo_stack[-1]
        restore_cards(self.engine, before)
        self.undo_stack.pop()  # only once written: an undo that failed can be tried again
        return Done("undo", len(before), len(before))


def due_text(days: tuple[int, int]) -> str:
    first, last = days

    def one(n: int) -> str:
        return "today" if n == 0 else "tomorrow" if n == 1 else f"in {n} days"

    return one(first) if first == last else f"in {first}-{last} days"
