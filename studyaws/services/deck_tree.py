"""The deck tree home and `studyaws decks` show, and the day plan (services.limits) counts
over: a deck's place is the folder it was imported from (`Deck.folder`, one level per folder
that holds more than one deck) and then its title split at `::` ("AWS::Networking" sits
under "AWS"). A parent that is not a deck of its own is made for the tree; its numbers are
the totals of the decks under it. Siblings are in natural order (Practice Exam 2 before
Practice Exam 10). Pure: no database library (the first card's path uses it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from studyaws.core.text import natural_key
from studyaws.store.deck_summary import DeckSummary

SEPARATOR = "::"


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
