"""Managing decks: renaming, removing (with undo), and the deck tree home and `studyaws
decks` show.

Removing a deck hides it and retires its cards, keeping every row (store.decks says how);
undo brings it back exactly, ids and histories as they were, and so does importing its file
again. The day's backup copy (taken at the first opening of a study day) holds it too.
Decks removed more than KEEP_REMOVED ago are purged at the first opening of a study day
(after its backup copy) and when another deck is removed.

The tree is made in services.deck_tree (named here too).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import Engine

from studyaws.core.clock import Clock
from studyaws.services.deck_tree import SEPARATOR, DeckNode, deck_path, deck_tree, flatten
from studyaws.store import decks as store
from studyaws.store.decks import DeckInfo, deck_info

__all__ = ["KEEP_REMOVED", "DeckError", "DeckInfo", "DeckNode", "deck_info", "deck_tree",
           "flatten", "purge_removed", "removal", "remove_deck", "remove_decks", "rename_deck", "restore_decks",
           "SEPARATOR", "deck_path"]

KEEP_REMOVED = timedelta(days=30)


class DeckError(ValueError):
    """A rename or a removal that cannot be done; the message says why."""


def rename_deck(engine: Engine, deck_id: int, title: str) -> str:
    """Rename the deck (a title with `::` moves it in the tree); returns the old title."""
    title = " ".join(title.split())
    if not title:
        raise DeckError("a deck needs a title")
    if any(part.strip() == "" for part in title.split(SEPARATOR)):
        raise DeckError(f"{title!r}: each part between {SEPARATOR} needs a name")
    info = deck_info(engine, deck_id)
    if info is None or info.removed:
        raise DeckError("no such deck")
    return store.rename_deck(engine, deck_id, title)


def removal(engine: Engine, deck_ids: Iterable[int]) -> tuple[int, int, int]:
    """(decks, cards, reviews) that removing `deck_ids` takes away (as the confirmation
    says)."""
    infos = [info for deck_id in deck_ids
             if (info := deck_info(engine, deck_id)) is not None and not info.removed]
    return (len(infos), sum(info.cards for info in infos),
            sum(info.reviews for info in infos))


def remove_decks(engine: Engine, clock: Clock, deck_ids: Iterable[int]) -> tuple[int, ...]:
    """Remove the decks, in one transaction (undo: restore_decks with the ids returned,
    those of the decks that were there to remove)."""
    ids = tuple(deck_id for deck_id in deck_ids
                if (info := deck_info(engine, deck_id)) is not None and not info.removed)
    if not ids:
        raise DeckError("no such deck")
    now = clock.now()
    purge_removed(engine, clock)
    store.remove_decks(engine, list(ids), now)
    return ids


def remove_deck(engine: Engine, clock: Clock, deck_id: int) -> DeckInfo:
    """Remove one deck; returns what it held."""
    info = deck_info(engine, deck_id)
    remove_decks(engine, clock, [deck_id])
    return info


def purge_removed(engine: Engine, clock: Clock) -> int:
    """Purge what is kept of the decks removed more than KEEP_REMOVED ago (store.decks);
    the number of cards deleted."""
    return store.purge_removed_decks(engine, clock.now() - KEEP_REMOVED)


def restore_decks(engine: Engine, deck_ids: Iterable[int]) -> None:
    """Bring back removed decks as they were."""
    store.restore_decks(engine, list(deck_ids))
