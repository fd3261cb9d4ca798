"""Pairing the cards of a re-imported deck with its stored cards (docs/deck-format.md,
"Stable ids"), in time about proportional to the number of cards.

A parsed card is the stored card with the same key; else one of the same kind and sibling
variant with the same text anywhere in the deck; else one in the same topic whose text is
very similar (identity.similarity at least identity.SIMILAR), the most similar pairs first.
A card with a `{#id}` only pairs with a card with that id or none.

Comparing every edited card with every stored card of its topic took minutes for a few
thousand cards. Similar texts share most of their four-letter pieces, so each edited card
is compared only with the few stored cards that share the most of its rarer pieces, and with
the stored card at its place in the topic's order.
"""

from __future__ import annotations

from collections import defaultdict

from studyaws.core.decks.identity import SIMILAR, normalize, ratio

# A piece found in more stored texts than this says little about which one an edited
# text came from; the rarest QUERY_PIECES of a text are enough to find it.
COMMON_PIECE = 64
QUERY_PIECES = 24
# Stored cards compared with one edited card at most (all of them in a topic that has no
# more); and how many times cards left over are paired again among what is left.
MOST_COMPARED = 6
ROUNDS = 3


def exact_text(card: dict) -> str:
    """The text two cards of the same kind and variant must share to be the same card when
    their keys differ (a cloze card's prompt is made from its cloze's text)."""
    return card["cloze_text"] if card["kind"] == "cloze" else card["prompt"]


def fuzzy_text(card: dict) -> str:
    """The text compared for a small edit: a cloze's text, a reverse card's front."""
    if card["kind"] == "cloze":
        return card["cloze_text"]
    if card["kind"] == "reverse" and card["variant"] == "rev":
        return card["answer"]
    return card["prompt"]


def ids_compatible(row: dict, old: dict) -> bool:
    return row["stable_id"] is None or old["stable_id"] is None or \
        row["stable_id"] == old["stable_id"]


def match(rows: list[dict], existing: list[dict]) -> dict[int, dict]:
    """For each index of `rows` (parsed cards) that is a stored card, that card (a dict of
    `existing`, given in id order). Both have key, kind, variant, topic, stable_id, prompt,
    answer, and cloze_text for cloze cards; stored ones an id and a position."""
    matches: dict[int, dict] = {}
    if not existing:  # a new deck: nothing to pair with
        return matches
    used: set[int] = set()

    def take(n: int, old: dict) -> None:
        matches[n] = old
        used.add(old["id"])

    by_key = {c["key"]: c for c in existing}
    for n, row in enumerate(rows):
        old = by_key.get(row["key"])
        if old is not None and old["id"] not in used:
            take(n, old)

    _same_text(rows, existing, matches, used, take)
    _similar_text(rows, existing, matches, used, take)
    return matches


class _Queue:
    """Stored cards in id order, handed out first to last, skipping those taken since."""

    def __init__(self) -> None:
        self.cards: list[dict] = []
        self.start = 0

    def first_free(self, used: set[int]) -> dict | None:
        while self.start < len(self.cards) and self.cards[self.start]["id"] in used:
            self.start += 1
        return self.cards[self.start] if self.start < len(self.cards) else None


def _same_text(rows, existing, matches, used, take) -> None:
    """Same kind, variant and text anywhere in the deck: the first such stored card."""
    every: dict[tuple, _Queue] = defaultdict(_Queue)  # any stored card with that text
    no_id: dict[tuple, _Queue] = defaultdict(_Queue)  # those without a {#id}
    with_id: dict[tuple, _Queue] = defaultdict(_Queue)  # those with a given {#id}
    for old in existing:
        if old["id"] in used:
            continue
        key = (old["kind"], old["variant"], exact_text(old))
        every[key].cards.append(old)
        if old["stable_id"] is None:
            no_id[key].cards.append(old)
        else:
            with_id[(*key, old["stable_id"])].cards.append(old)
    for n, row in enumerate(rows):
        if n in matches:
            continue
        key = (row["kind"], row["variant"], exact_text(row))
        if key not in every:
            continue
        if row["stable_id"] is None:
            old = every[key].first_free(used)
        else:
            found = [q.first_free(used) for q in (no_id.get(key), with_id.get(
                (*key, row["stable_id"]))) if q is not None]
            found = [c for c in found if c is not None]
            old = min(found, key=lambda c: c["id"]) if found else None
        if old is not None:
            take(n, old)


PIECE = 4  # letters in a piece


def _pieces(text: str) -> set[str]:
    if len(text) < PIECE:
        return {text}
    return {text[k:k + PIECE] for k in range(len(text) - PIECE + 1)}


def _similar_text(rows, existing, matches, used, take) -> None:
    """Very similar text in the same topic (same kind, variant and compatible ids): the most
    similar pairs first. Each card is compared with its likeliest originals only; cards
    left over when two chose the same one are paired again among what is left."""
    for _ in range(ROUNDS):
        groups: dict[tuple, tuple[list[int], list[dict]]] = defaultdict(lambda: ([], []))
        for n, row in enumerate(rows):
            if n not in matches:
                groups[(row["kind"], row["variant"], row["topic"])][0].append(n)
        for old in existing:
            group = groups.get((old["kind"], old["variant"], old["topic"]))
            if group is not None and old["id"] not in used:
                group[1].append(old)
        candidates: list[tuple[float, int, int, dict]] = []
        for pending, free in groups.values():
            if free:
                candidates.extend(_candidates(rows, pending, free))
        candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
        paired = len(matches)
        for _, n, _, old in candidates:
            if n not in matches and old["id"] not in used:
                take(n, old)
        if len(matches) == paired:
            return


def _candidates(rows: list[dict], pending: list[int], free: list[dict]):
    """(similarity, row index, stored id, stored card) for the pairs of one topic that are
    very similar, among the pairs worth comparing: all of them when the topic has a few
    stored cards, else for each parsed card the stored ones that share the most of its
    rarer pieces (the first that share the most and are very similar end the search), then
    the one at its place in the topic's order."""
    free = sorted(free, key=lambda c: (c["position"], c["id"]))
    texts = [normalize(fuzzy_text(old)) for old in free]
    if len(free) <= MOST_COMPARED:
        for n in pending:
            yield from _similar(rows[n], n, normalize(fuzzy_text(rows[n])), free, texts,
                                range(len(free)))
        return
    index: dict[str, list[int]] = defaultdict(list)
    for k, text in enumerate(texts):
        for piece in _pieces(text):
            index[piece].append(k)
    for rank, n in enumerate(pending):
        row = rows[n]
        text = normalize(fuzzy_text(row))
        postings = sorted((found for piece in _pieces(text)
                           if 0 < len(found := index.get(piece, ())) <= COMMON_PIECE), key=len)
        shared: dict[int, int] = defaultdict(int)
        for found in postings[:QUERY_PIECES]:
            for k in found:
                shared[k] += 1
        # Cards sharing as many pieces are compared together; fewer only when none was
        # very similar.
        by_count: dict[int, list[int]] = defaultdict(list)
        for k, count in shared.items():
            by_count[count].append(k)
        compared = 0
        found_one = False
        for count in sorted(by_count, reverse=True):
            tied = sorted(by_count[count])[:MOST_COMPARED - compared]
            compared += len(tied)
            for pair in _similar(row, n, text, free, texts, tied):
                found_one = True
                yield pair
            if found_one or compared >= MOST_COMPARED:
                break
        if not found_one:
            # The stored card at the same place in the topic's order: cards seldom move.
            place = min(rank * len(free) // len(pending), len(free) - 1)
            if place not in shared:
                yield from _similar(row, n, text, free, texts, [place])


def _similar(row: dict, n: int, text: str, free: list[dict], texts: list[str], compared):
    for k in compared:
        old = free[k]
        if ids_compatible(row, old):
            score = ratio(text, texts[k])
            if score >= SIMILAR:
                yield score, n, old["id"], old
