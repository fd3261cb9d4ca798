"""What one file may make, in every format (docs/deck-format.md, docs/import-export.md).

A few kilobytes can ask for a great many cards (a cloze line with thousands of deletions) or
make every card repeat a long text (a huge heading); these caps keep an import's output in
proportion to a real deck, and say so with the file and line instead of filling the disk.
"""

from __future__ import annotations

MAX_OPTIONS = 9
"""Options of a choice question: each is picked with its number key, 1 to 9."""

MAX_ORDER_ITEMS = 20
"""Items of an ordering question: more is no longer a question one can answer."""

MAX_DELETIONS = 100
"""Deletions `{{...}}` of one cloze (each group of them is a card of its own)."""

MAX_CARDS_PER_FILE = 50_000
"""Cards one file may make."""

MAX_TEXT_PER_FILE = 64 * 2**20
"""Characters of text the cards of one file may hold (topics, prompts, answers,
explanations, questions, and once each the notes and cloze texts they share)."""


def too_many_cards(count: int) -> str | None:
    """The problem with a file that has made `count` cards so far, if it has too many."""
    if count <= MAX_CARDS_PER_FILE:
        return None
    return f"more than {MAX_CARDS_PER_FILE:,} cards in one file; split it into several files"


TOO_MUCH_TEXT = (f"the cards of this file would hold more than {MAX_TEXT_PER_FILE // 2**20} MB "
                 "of text (each card keeps its own topic, prompt, answer and explanation); "
                 "split the file or shorten what every card repeats")
