"""A card's flag: one of four colours a user marks cards with (0: none), as Anki's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the names are read before the store is loaded (the first card's flag)
    from sqlalchemy import Engine

FLAG_NAMES = {1: "red", 2: "orange", 3: "green", 4: "blue"}


def flag_name(flag: int) -> str:
    return FLAG_NAMES.get(flag, "none")


def set_flag(engine: Engine, card_ids: Iterable[int], flag: int) -> int:
    """Give the cards `flag` (1-4; 0 takes the flag off) in one write; returns how many cards
    there were. ValueError for another number."""
    if flag not in (0, *FLAG_NAMES):
        raise ValueError(f"a flag is 0 (none) or 1-4 ({', '.join(FLAG_NAMES.values())}), "
                         f"not {flag}")
    from studyaws.store import card_sets

    return card_sets.set_flags(engine, card_ids, flag)


def flags_of(engine: Engine, card_ids: Iterable[int]) -> dict[int, int]:
    """Each card's flag (card id -> 0-4)."""
    from studyaws.store import card_sets

    return card_sets.flags_of(engine, card_ids)
