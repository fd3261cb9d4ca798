"""A card as the screens show it (CardView), made from its stored row: the daily review
(services.review) and the first card's light path (services.first_card) make it alike.
No database library: the first card is shown before one is loaded."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from studyaws.core.decks import cloze
from studyaws.core.questions import Question, question_from_dict
from studyaws.core.srs.policy import Memory


@dataclass
class CardView:
    """Everything the screens need to show one card."""

    id: int
    deck_title: str
    kind: str
    topic: str
    prompt: str
    answer: str
    explanation: str
    context: str
    source_path: str
    source_line: int
    domains: dict[str, str]  # exam -> domain slug
    domain_inferred: bool
    memory: Memory
    question: Question | None = None
    seed: int | None = None
    leech: bool = False
    flag: int = 0  # 0 none, 1-4 red, orange, green, blue (services.flags)
    deck_id: int | None = None

    @property
    def source(self) -> str:
        return f"{source_text(self.source_path)}:{self.source_line}"


@dataclass(frozen=True)
class CardSelection:
    """The cards of a temporary session (study more): each offered once, in this order,
    whatever the daily limits, and its answer scheduled as in the daily review; a card that
    an answer puts in (re)learning comes back when its step is due, as in the daily review.
    Leaving writes nothing but the answers given."""

    title: str
    card_ids: tuple[int, ...]


def source_text(path: str) -> str:
    """Where a card comes from, as it is shown: its file below the folder it was imported
    from (as stored since), whatever the working folder. A card imported by an older version
    holds its file's whole path: the part below the bundled decks' folder, or the path with
    ~ for the home folder."""
    from pathlib import Path, PurePath

    from studyaws.core.config import bundled_decks_dir
    from studyaws.core.text import printable

    p = PurePath(path)
    if not p.is_absolute():
        return printable(p.as_posix())
    bundled = bundled_decks_dir()
    for base, prefix in ((bundled, ""), (bundled.resolve(), ""), (Path.home(), "~/")):
        try:
            return printable(prefix + p.relative_to(base).as_posix())
        except ValueError:
            continue
    if "bundled_decks" in p.parts:  # the bundled decks of another install
        return printable(PurePath(*p.parts[p.parts.index("bundled_decks") + 1:]).as_posix())
    return printable(path)


def display_path(path: str) -> str:
    """A path as short as it can be said (relative to here, or with ~ for the home folder),
    printable on one line."""
    from pathlib import Path

    from studyaws.core.text import printable

    p = Path(path)
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~/")):
        try:
            return printable(prefix + p.relative_to(base).as_posix())
        except ValueError:
            continue
    return printable(path)


def scenario_seed(card_id: int, reps: int) -> int:
    """The variant a scenario card shows at its n-th review: fresh each review, reproducible."""
    return random.Random(f"{card_id}:{reps}").getrandbits(31)


def question_for(kind: str, payload: dict, seed: int | None) -> Question | None:
    if kind in ("choice", "ordering", "numeric"):
        return question_from_dict(payload)
    if kind == "scenario" and seed is not None:
        from studyaws.core import scenarios  # the rule engines load with the first scenario card

        return scenarios.generate(payload["kind"], payload.get("params", {}), seed)
    return None


def view_of(card, memory: Memory, domains: dict[str, str], context: str,
            cloze_text: str | None, seed: int | None = None) -> CardView:
    """The CardView of a stored card: `card` has the card's columns and its deck's title as
    attributes, `memory` is its memory, `domains` its exam domains, `context` and
    `cloze_text` its shared texts; `seed`: a scenario's variant (None: this review's)."""
    payload = json.loads(card.payload or "{}")
    if card.kind == "scenario" and seed is None:
        seed = scenario_seed(card.id, memory.reps)
    question = question_for(card.kind, payload, seed)
    explanation = card.explanation
    if card.kind == "scenario" and question is not None:
        explanation = question.explanation
    prompt, answer = card.prompt, card.answer
    if question is not None:
        prompt = question.stem
    elif card.kind == "cloze" and cloze_text is not None:
        prompt, answer = cloze.sides(cloze_text, payload.get("group", 1))
    return CardView(
        id=card.id, deck_title=card.deck_title, kind=card.kind, topic=card.topic,
        prompt=prompt, answer=answer, explanation=explanation, context=context,
        source_path=card.source_path, source_line=card.source_line,
        domains=domains, domain_inferred=card.domain_inferred,
        memory=memory, question=question, seed=seed if card.kind == "scenario" else None,
        leech=card.leech, flag=card.flag, deck_id=card.deck_id,
    )
