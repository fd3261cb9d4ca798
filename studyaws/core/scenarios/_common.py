"""Helpers shared by the scenario kinds: parameter parsing and building choice questions.

Pure: randomness only from the `random.Random` passed in.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from studyaws.core.questions import Choice, Question

NUMBER_WORDS = {
    1: "one",
    2: "two",
    3: "three",
    4: "four",
    5: "five",
}


@dataclass(frozen=True)
class Scenario:
    """A generated question together with the setup it was computed from."""

    variant: str
    setup: Any
    question: Question


def parse_range(value: str, lo: int, hi: int) -> tuple[int, int] | None:
    """'5' -> (5, 5); '4-6' -> (4, 6); None when malformed or outside lo..hi."""
    text = value.strip()
    if not text:
        return None
    parts = [p.strip() for p in text.split("-")]
    if len(parts) == 1:
        parts = [parts[0], parts[0]]
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    start, end = int(parts[0]), int(parts[1])
    if start > end or start < lo or end > hi:
        return None
    return start, end


def check_range(
    params: dict[str, str],
    name: str,
    lo: int,
    hi: int,
    problems: list[tuple[str | None, str]],
) -> tuple[int, int] | None:
    """Validate a 'number or range' parameter; returns the parsed range (or None)."""
    if name not in params:
        return None
    parsed = parse_range(str(params[name]), lo, hi)
    if parsed is None:
        problems.append(
            (name, f"{name} must be a number or range within {lo}-{hi} (got {params[name]!r})")
        )
    return parsed


def check_enum(
    params: dict[str, str],
    name: str,
    allowed: Sequence[str],
    problems: list[tuple[str | None, str]],
) -> str | None:
    if name not in params:
        return None
    value = str(params[name]).strip().lower()
    if value not in allowed:
        problems.append(
            (name, f"{name} must be one of {', '.join(allowed)} (got {params[name]!r})")
        )
        return None
    return value


def pick_from_range(params: dict[str, str], name: str, lo: int, hi: int, rng: random.Random) -> int:
    """A number drawn from the parameter's range (or lo..hi when absent or invalid)."""
    parsed = parse_range(str(params[name]), lo, hi) if name in params else None
    start, end = parsed if parsed else (lo, hi)
    return rng.randint(start, end)


def range_of(params: dict[str, str], name: str, lo: int, hi: int) -> tuple[int, int]:
    parsed = parse_range(str(params[name]), lo, hi) if name in params else None
    return parsed if parsed else (lo, hi)


def pick_enum(params: dict[str, str], name: str, choices: Sequence[str], rng: random.Random) -> str:
    """The parameter's value, or a random one of `choices` when absent, 'any' or invalid."""
    value = str(params.get(name, "any")).strip().lower()
    if value in choices:
        return value
    return rng.choice(list(choices))


def choose_phrase(count: int) -> str:
    return f"(Choose {NUMBER_WORDS.get(count, str(count))}.)"


def build_choice(
    stem: str,
    right: Sequence[str],
    wrong: Sequence[str],
    explanation: str,
    rng: random.Random,
    *,
    shuffle: bool = True,
) -> Choice:
    """A Choice with the right options marked; multi-select stems get '(Choose N.)'."""
    if not right:
        raise ValueError("a choice question needs at least one correct option")
    options = [(text, True) for text in right] + [(text, False) for text in wrong]
    texts = [text for text, _ in options]
    if len(set(texts)) != len(texts):
        raise ValueError(f"options are not distinct: {texts}")
    if shuffle:
        rng.shuffle(options)
    if len(right) > 1:
        stem = f"{stem.rstrip()} {choose_phrase(len(right))}"
    return Choice(
        stem=stem,
        options=tuple(text for text, _ in options),
        correct=frozenset(i for i, (_, ok) in enumerate(options) if ok),
        explanation=explanation,
    )
