"""`studyaws scenario KIND`: one generated question, then its key and explanation.

For deck authors: see what a ```scenario block will show for a given seed and parameters,
as text or as JSON. Reads and writes no collection.
"""

from __future__ import annotations

import json
import random
import string
import sys

from studyaws.core.questions import Choice, Numeric, Ordering, Question, answer_text, format_number
from studyaws.core.text import printable

SEED_LIMIT = 2**32


def _fail(message: str) -> int:
    print(printable(f"studyaws scenario: {message}"), file=sys.stderr)
    return 2


def _parse_params(pairs: list[str]) -> tuple[dict[str, str], str | None]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            return {}, f"--param takes NAME=VALUE (got {pair!r})"
        if name in params:
            return {}, f"parameter {name!r} given twice"
        params[name] = value.strip()
    return params, None


def _parse_seed(text: str | None) -> tuple[int | None, str | None]:
    if text is None:
        return random.randrange(SEED_LIMIT), None
    cleaned = text.strip()
    if not cleaned.isdigit() or int(cleaned) >= SEED_LIMIT:
        return None, f"--seed takes a whole number from 0 to {SEED_LIMIT - 1} (got {text!r})"
    return int(cleaned), None


def _shown_order(question: Ordering, seed: int) -> list[int]:
    """The items' order as shown: shuffled out of the right order (when there are two or more)."""
    order = list(range(len(question.items)))
    if len(order) > 1:
        rng = random.Random(seed)
        while order == sorted(order):
            rng.shuffle(order)
    return order


def as_json(kind: str, seed: int, params: dict[str, str], question: Question) -> dict:
    data: dict = {
        "kind": kind, "seed": seed, "params": params, "stem": question.stem,
        "options": None, "correct": None, "answer": None, "tolerance": None,
        "explanation": question.explanation,
    }
    if isinstance(question, Choice):
        data["options"] = list(question.options)
        data["correct"] = sorted(question.correct)
    elif isinstance(question, Ordering):
        shown = _shown_order(question, seed)
        data["options"] = [question.items[i] for i in shown]
        # the right order, as indexes into the options shown
        data["correct"] = [shown.index(i) for i in range(len(question.items))]
    elif isinstance(question, Numeric):
        data["answer"] = question.answer
        data["tolerance"] = question.tolerance
    return data


def as_text(kind: str, seed: int, question: Question) -> str:
    lines = [f"scenario {kind}, seed {seed}", "", question.stem, ""]
    letters = string.ascii_uppercase
    if isinstance(question, Choice):
        lines += [f"{letters[i]}. {text}" for i, text in enumerate(question.options)]
        key = ", ".join(letters[i] for i in sorted(question.correct))
        lines += ["", f"Key: {key}", answer_text(question, lines=True)]
    elif isinstance(question, Ordering):
        shown = _shown_order(question, seed)
        lines += [f"{letters[n]}. {question.items[i]}" for n, i in enumerate(shown)]
        key = ", ".join(letters[shown.index(i)] for i in range(len(question.items)))
        lines += ["", f"Key (in order): {key}", answer_text(question, lines=True)]
    else:
        unit = f" {question.unit}" if question.unit else ""
        lines += [f"Answer: ____{unit}", "", f"Key: {answer_text(question)}"]
        if question.tolerance:
            lines[-1] += f" (accepted: {format_number(question.answer - question.tolerance)}"
            lines[-1] += f" to {format_number(question.answer + question.tolerance)})"
    if question.explanation:
        lines += ["", "Explanation:", question.explanation]
    return "\n".join(lines)


def scenario(args) -> int:
    from studyaws.core import scenarios

    if args.kind not in scenarios.KINDS:
        known = ", ".join(sorted(scenarios.KINDS))
        return _fail(f"unknown scenario kind {args.kind!r} (known: {known})")
    params, problem = _parse_params(args.param or [])
    if problem:
        return _fail(problem)
    problems = scenarios.validate(args.kind, params)
    if problems:
        return _fail("; ".join(message for _, message in problems))
    seed, problem = _parse_seed(args.seed)
    if problem or seed is None:
        return _fail(problem or "bad seed")
    question = scenarios.generate(args.kind, params, seed)
    if args.json:
        print(json.dumps(as_json(args.kind, seed, params, question), indent=2))
    else:
        print(printable(as_text(args.kind, seed, question), multiline=True))
    return 0
