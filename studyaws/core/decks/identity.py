"""Card identity within a deck: the key that lets a re-import find the same card again."""

from __future__ import annotations

import difflib
import hashlib

from studyaws.core.decks.model import Item


def normalize(text: str) -> str:
    """Lower case, white space runs made one space, none at the ends."""
    return " ".join(text.split()).lower()


def basis(kind: str, prompt: str, answer: str, payload: dict) -> str:
    """What identifies a card without an id: its normalized front (a cloze's whole text),
    or a scenario's kind and parameters."""
    if kind == "reverse":
        return normalize(prompt if payload.get("direction") == "forward" else answer)
    if kind == "cloze":
        return normalize(payload["text"])
    if kind == "scenario":
        params = ",".join(f"{k}={v}" for k, v in sorted(payload["params"].items()))
        return f"{payload['kind']}({params})"
    return normalize(prompt)


KEY_TEXT = 1000
"""A basis longer than this is kept in a key as its start and a digest of the whole (every
card of a cloze has the whole text in its key, and the key is indexed)."""


def compact(text: str) -> str:
    """`text` as a key holds it: whole when short, else its start and its SHA-256."""
    if len(text) <= KEY_TEXT:
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{text[:200]}…sha256:{digest}"


def _basis(item: Item) -> str:
    return compact(basis(item.kind, item.prompt, item.answer, item.payload))


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
        which = variant(item)
        key = f"{base}#{which}" if which else base
        count = seen.get(key, 0)
        seen[key] = count + 1
        item.key = key if count == 0 else f"{key}~{count + 1}"


def similarity(a: str, b: str) -> float:
    """How alike two prompts are, 0..1, after normalizing case and white space."""
    return ratio(normalize(a), normalize(b))


def ratio(a: str, b: str) -> float:
    """similarity() of two texts already normalized (0 when a quick bound shows that it is
    below SIMILAR)."""
    if a == b:
        return 1.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()


SIMILAR = 0.8
