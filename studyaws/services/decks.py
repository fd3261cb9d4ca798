"""Managing decks: renaming, removing (with undo), and the deck tree home and `studyaws
decks` show.

Removing a deck hides it and retires its cards, keeping every row (store.decks says how);
undo brings it back exactly, ids and histories as they were, and so does importing its file
again. The day's backup copy (taken at the first opening of a study day) holds it too.
Decks removed more than KEEP_REMOVED ago are purged at the first opening of a study day
(after its backup copy) and when another deck is removed.

The tree: a deck's place is the folder it was imported from (`Deck.folder`, one level per
folder that holds more than one deck) and then its title split at `::` ("AWS::Networking"
sits under "AWS"). A parent that
is not a deck of its own is made for the tree; its numbers are the totals of the decks under
it. Siblings are in natural order (Practice Exam 2 before Practice Exam 10).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine

from studyaws.core.clock import Clock
from studyaws.core.text import natural_key
from studyaws.store import decks as store
from studyaws.store.decks import DeckInfo, deck_info
from studyaws.store.queries import DeckSummary

__all__ = ["KEEP_REMOVED", "DeckError", "DeckInfo", "DeckNode", "deck_info", "deck_tree",
           "flatten", "purge_removed", "removal", "remove_deck", "remove_decks", "rename_deck", "restore_decks",
           "SEPARATOR"]

KEEP_REMOVED = timedelta(days=30)
SEPARATOR = "::"


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


# -- the tree ------------------------------------------------------------------------------
@dataclass
class DeckNode:
    """A place in the tree: a deck, a parent made for the tree (`deck` None), or a deck that
    is also a parent. The numbers are its own and those of every deck under it."""

    name: str
    path: tuple[str, ...]
    deck: DeckSummary | None = None
    children: list[DeckNode] = field(default_factory=list)
    cards: int = 0
    new: int = 0
    learning: int = 0
    due: int = 0
    deck_ids: tuple[int, ...] = ()
    # Set by services.limits (then `new` and `due` are what studying it gives today): what
    # it and the decks under it have before limits and gave today, and how many of its own
    # cards (not those of the decks under it) it may give.
    available_new: int = 0
    available_due: int = 0
    new_done: int = 0
    reviews_done: int = 0
    own_new: int = 0
    own_due: int = 0

    @property
    def key(self) -> str:
        """Its name in the tree, unique among the nodes (a row key, what stays collapsed)."""
        if self.deck is not None:
            return f"deck:{self.deck.id}"
        return "group:" + SEPARATOR.join(self.path)

    @property
    def parent(self) -> str | None:
        """Its parent's path, parts joined by `::` (None at the top)."""
        return SEPARATOR.join(self.path[:-1]) or None


def _folders(deck: DeckSummary) -> tuple[str, ...]:
    return tuple(part for part in (deck.folder or "").split("/") if part)


def deck_path(deck: DeckSummary) -> tuple[str, ...]:
    """The deck's folders, then the parts of its title."""
    folders = _folders(deck)
    parts = [part.strip() for part in deck.title.split(SEPARATOR)]
    named = [part for part in parts if part] or [deck.title]
    return (*folders, *named)


def deck_tree(decks: Iterable[DeckSummary]) -> list[DeckNode]:
    """The top of the tree (see the module)."""
    decks = list(decks)
    # A folder is a parent when it holds more than one deck: a folder imported for its one
    # deck adds no level.
    held: dict[tuple[str, ...], int] = {}
    for deck in decks:
        folders = _folders(deck)
        for depth in range(1, len(folders) + 1):
            held[folders[:depth]] = held.get(folders[:depth], 0) + 1
    root = DeckNode("", ())
    groups: dict[tuple[str, ...], DeckNode] = {(): root}
    for deck in decks:
        folders = _folders(deck)
        kept = tuple(part for depth, part in enumerate(folders, start=1)
                     if held[folders[:depth]] > 1)
        path = (*kept, *deck_path(deck)[len(folders):])
        parent = root
        for depth in range(1, len(path)):
            prefix = path[:depth]
            node = groups.get(prefix)
            if node is None:
                node = groups[prefix] = DeckNode(prefix[-1], prefix)
                parent.children.append(node)
            parent = node
        existing = groups.get(path)
        if existing is not None and existing.deck is None:
            existing.deck = deck  # a deck with the name of a parent is that parent
            continue
        node = DeckNode(path[-1], path, deck)
        parent.children.append(node)
        groups.setdefault(path, node)
    _total(root)
    return root.children


def _total(node: DeckNode, order: bool = True) -> None:
    """Each node's numbers, its own and those of the decks under it (`order`: the children
    sorted first, by name)."""
    if order:
        node.children.sort(key=lambda child: (natural_key(child.name), child.key))
    ids = [node.deck.id] if node.deck is not None else []
    own = node.deck
    node.cards, node.new, node.learning, node.due = (
        (own.cards, own.new, own.learning, own.due) if own is not None else (0, 0, 0, 0))
    for child in node.children:
        _total(child, order)
        node.cards += child.cards
        node.new += child.new
        node.learning += child.learning
        node.due += child.due
        ids.extend(child.deck_ids)
    node.deck_ids = tuple(ids)


def renumber(root: DeckNode, decks: Iterable[DeckSummary]) -> None:
    """The tree under `root` (deck_tree's) given the same decks with other numbers: each
    deck's node takes its new summary and the sums are made again."""
    nodes: dict[int, DeckNode] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if node.deck is not None:
            nodes.setdefault(node.deck.id, node)
        stack.extend(node.children)
    for deck in decks:
        nodes[deck.id].deck = deck
    _total(root, order=False)


def flatten(nodes: list[DeckNode], collapsed: set[str] | frozenset[str] = frozenset(),
            depth: int = 0) -> list[tuple[DeckNode, int]]:
    """(node, depth) in the order shown, without what is under a collapsed node."""
    rows: list[tuple[DeckNode, int]] = []
    for node in nodes:
        rows.append((node, depth))
        if node.children and node.key not in collapsed:
            rows.extend(flatten(node.children, collapsed, depth + 1))
    return rows
