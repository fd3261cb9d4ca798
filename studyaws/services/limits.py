"""Today's numbers under the daily limits: one model for home's Today line, every deck's
row on home and in `studyaws decks`, and what a study session gives (services.review
selects its cards from the decks this says may give one). docs/scheduling.md says the
model in words; in short:

- Each deck has the limits of its preset (store.presets): new cards and reviews a day,
  counted over the deck and every deck under it in the tree, today's answers deducted.
- The collection as a whole has the Default preset's limits (the settings new-per-day and
  reviews-per-day): what "review all" and home's Today line give at most.
- A deck never gives more than any deck above it in the tree (and the collection) has
  left: studying a parent gives at most its own limit over everything under it, and
  studying a child at most what its parents have left. So home's Today line is never less
  than a deck's row, and 0 there is 0 everywhere.
- New cards do not count against the reviews limit (Anki's "new cards ignore review
  limit"); with the setting new-while-backlog off, a deck (or the collection) with more
  reviews due than its reviews limit leaves gives no new cards, nor do the decks under it.
- Learning cards are not limited.
- With an exam plan, the plan's new cards a day replace the Default preset's; study more's
  extra new cards for today raise every limit by that many.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from studyaws.core.config import Preset, Settings, default_preset
from studyaws.core.srs.queue import DayCounts
from studyaws.services.deck_tree import DeckNode, deck_tree, renumber
from studyaws.store.deck_summary import DeckSummary

__all__ = ["DailyLimits", "DayPlan", "plan_day", "replan"]

UNLIMITED = 1 << 60


@dataclass(frozen=True)
class DailyLimits:
    new: int
    review: int


@dataclass
class DayPlan:
    """The day under the limits: the deck tree with each node's numbers (what studying it
    gives: `new`, `learning`, `due`; before limits: `available_new`, `available_due`), the
    collection's own numbers, and the decks whose own new or review cards may come next."""

    tree: list[DeckNode]
    counts: DayCounts
    decks: tuple[DeckSummary, ...]
    new_decks: frozenset[int]
    review_decks: frozenset[int]
    root: DeckNode
    limits_of: object  # DeckSummary -> DailyLimits
    root_limits: DailyLimits
    new_while_backlog: bool

    def counts_for(self, deck_ids: Iterable[int] | None) -> DayCounts:
        """What studying these decks gives today (None: all of them)."""
        if deck_ids is None:
            return self.counts
        new, review, learning = _limit(self.root, UNLIMITED, UNLIMITED, False, self.limits_of,
                                       self.root_limits, self.new_while_backlog,
                                       frozenset(deck_ids))
        return DayCounts(new=new, learning=learning, review=review)


def plan_day(decks: Iterable[DeckSummary], settings: Settings, presets: Iterable[Preset],
             *, new_per_day: int | None = None, extra_new: int = 0) -> DayPlan:
    """The day for `decks` (store.queries.deck_summaries with today's start: what each has
    available and gave today). `new_per_day`: the exam plan's count, replacing the Default
    preset's; `extra_new`: today's extra new cards (study more)."""
    decks = tuple(decks)
    default = default_preset(settings)
    named = {preset.id: preset for preset in presets}
    default_limits = DailyLimits(
        (new_per_day if new_per_day is not None else default.new_per_day) + extra_new,
        default.reviews_per_day)

    def limits_of(deck: DeckSummary) -> DailyLimits:
        preset = named.get(deck.preset_id)
        if preset is None:
            return default_limits
        return DailyLimits(preset.new_per_day + extra_new, preset.reviews_per_day)

    tree = deck_tree(decks)
    return _planned(tree, DeckNode("", (), children=tree), decks, limits_of, default_limits,
                    settings.new_while_backlog)


def replan(plan: DayPlan, decks: Iterable[DeckSummary]) -> DayPlan:
    """plan_day with `plan`'s settings, presets and limits for `decks`: the same decks (ids,
    titles, folders) with other numbers, such as a study session's after an answer. The
    tree of `plan` is kept and its numbers worked out again (it is the tree of the plan
    returned, and `plan`'s nodes no longer hold `plan`'s numbers)."""
    decks = tuple(decks)
    renumber(plan.root, decks)
    return _planned(plan.tree, plan.root, decks, plan.limits_of, plan.root_limits,
                    plan.new_while_backlog)


def _planned(tree: list[DeckNode], root: DeckNode, decks: tuple[DeckSummary, ...], limits_of,
             default_limits: DailyLimits, new_while_backlog: bool) -> DayPlan:
    _prepare(root)
    new, review, learning = _limit(root, UNLIMITED, UNLIMITED, False, limits_of,
                                   default_limits, new_while_backlog, None)
    nodes = _deck_nodes(root)  # each deck is one node of the tree
    new_decks = frozenset(d.id for d in decks if d.id in nodes and nodes[d.id].own_new > 0)
    review_decks = frozenset(d.id for d in decks if d.id in nodes and nodes[d.id].own_due > 0)
    return DayPlan(tree, DayCounts(new=new, learning=learning, review=review), decks,
                   new_decks, review_decks, root, limits_of, default_limits, new_while_backlog)


def _deck_nodes(root: DeckNode) -> dict[int, DeckNode]:
    """Each deck's node in the tree under `root`, by deck id."""
    nodes: dict[int, DeckNode] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if node.deck is not None:
            nodes.setdefault(node.deck.id, node)
        stack.extend(node.children)
    return nodes


def _prepare(node: DeckNode) -> None:
    """Each node's numbers before limits, and what it and the decks under it gave today."""
    own = node.deck
    node.available_new = own.new if own is not None else 0
    node.available_due = own.due if own is not None else 0
    node.learning = own.learning if own is not None else 0
    node.new_done = own.new_done if own is not None else 0
    node.reviews_done = own.reviews_done if own is not None else 0
    for child in node.children:
        _prepare(child)
        node.available_new += child.available_new
        node.available_due += child.available_due
        node.learning += child.learning
        node.new_done += child.new_done
        node.reviews_done += child.reviews_done


def _limit(node: DeckNode, cap_new: int, cap_review: int, blocked: bool, limits_of,
           root_limits: DailyLimits, new_while_backlog: bool,
           include: frozenset[int] | None) -> tuple[int, int, int]:
    """(new, review, learning) that studying `node` gives, within the caps the nodes above
    it leave; `include`: only these decks' own cards (a study of some decks), else every
    node's numbers are set on it as well."""
    if node.path == ():  # the collection
        limits = root_limits
    else:
        limits = limits_of(node.deck) if node.deck is not None else None
    if limits is not None:
        cap_new = min(cap_new, max(0, limits.new - node.new_done))
        cap_review = min(cap_review, max(0, limits.review - node.reviews_done))
    if not new_while_backlog and node.available_due > cap_review:
        blocked = True
    own = node.deck
    mine = own is not None and (include is None or own.id in include)
    new = own.new if mine else 0
    review = own.due if mine else 0
    learning = own.learning if mine else 0
    for child in node.children:
        n, r, lr = _limit(child, cap_new, cap_review, blocked, limits_of, root_limits,
                          new_while_backlog, include)
        new += n
        review += r
        learning += lr
    new = 0 if blocked else min(cap_new, new)
    review = min(cap_review, review)
    if include is None:
        node.new, node.due = new, review
        node.own_new = 0 if blocked or not mine else min(cap_new, own.new)
        node.own_due = min(cap_review, own.due) if mine else 0
    return new, review, learning
