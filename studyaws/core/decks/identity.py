"""Card identity within a deck: the key that lets a re-import find the same card again."""

from __future__ import annotations

import difflib

from studyaws.core.decks.model import Item


def normalize(text: str) -> str:
    """Lower case, white space runs made one space, none at the ends."""
    return " ".join(text.split()).lower()


def _basis(item: Item) -> str:
    if item.kind == "reverse":
        front = item.prompt if item.payload.get("direction") == "forward" else item.answer
        return normalize(front)
    if item.kind == "cloze":
        return normalize(item.payload["text"])
    if item.kind == "scenario":
        params = ",".join(f"{k}={v}" for k, v in sorted(item.payload["params"].items()))
        return f"{item.payload['kind']}({params})"
    return normalize(item.prompt)


def variant(item: Item) -> str:
    """Which sibling an item is: 'fwd' or 'rev' for reverse pairs, 'c1'.. for cloze groups."""
    if item.kind == "reverse":
        return "rev" if item.payload.get("direction") == "backward" else "fwd"
    if item.kind == "cloze":
        return f"c{item.payload['group']}"
    return ""


def assign_keys(items: list[Item]) -> None:
    """Give every item a key unique in its deck: its {#id} if it has one, else its kind and
    normalized prompt (siblings get a suffix, repeats a counter)."""
    seen: dict[str, int] = {}
    for item in items:
        base = f"id:{item.stable_id}" if item.stable_id else f"{item.kind}:{_basis(item)}"
        key = f"{base}#{variant(item)}" if variant(item) else base
        count = seen.get(key, 0)
        seen[key] = count + 1
        item.key = key if count == 0 else f"{key}~{count + 1}"


def similarity(a: str, b: str) -> float:
    """How alike two prompts are, 0..1, after normalizing case and white space."""
    a, b = normalize(a), normalize(b)
    if a == b:
        return 1.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()


SIMILAR = 0.8
