"""Which questions a mock exam can draw, shared by the exam itself and the readiness
estimate (which draws exams the same way without starting one)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from studyaws.core.domains import EXAM_OF
from studyaws.core.exam.assembly import Candidate
from studyaws.core.exam.blueprints import Blueprint
from studyaws.store.exam_pool import filed_counts, read_pool


@dataclass(frozen=True)
class Draw:
    candidates: list[Candidate]
    blueprint: Blueprint  # as drawn: without weights when nothing is filed under its exam
    exam: str  # the exam whose domains the candidates carry
    filed: int  # question cards filed under that exam (with count_filed; else 1 if any)
    unfiled: int  # question cards filed under no exam
    notes: tuple[str, ...]


def draw_candidates(conn, now: datetime, scheduler, blueprint: Blueprint, wanted: int,
                    key: int, target_exam: str, deck_id: int | None = None,
                    domain: str | None = None, memo: dict | None = None,
                    count_filed: bool = False) -> Draw:
    """The candidates for an exam on `blueprint`: the questions filed under its exam, and
    those filed under none to fill; questions of another exam only are never drawn, unless
    nothing at all is filed under this one (then every question card is). A preset without
    an exam (quick) draws from every question card; its domains are those of the exam the
    `domain` asked for belongs to, else of the target exam. `memo` (a dict kept between
    draws from the same pool at the same moment under other keys) saves the counts;
    `count_filed` counts all the filed questions (an exam only needs to know there are)."""
    exam = blueprint.exam or (EXAM_OF[domain] if domain else target_exam)
    if domain is not None:
        blueprint = replace(blueprint, weights={})
    memo = {} if memo is None else memo
    if "filed" not in memo:
        memo["filed"] = filed_counts(conn, exam, deck_id, exact=count_filed)
    filed, unfiled = memo["filed"]
    only_exam = blueprint.exam is not None
    notes: list[str] = []
    if only_exam and filed == 0 and domain is None:
        only_exam = False
        blueprint = replace(blueprint, weights={})
        notes.append(f"No question is filed under {exam.upper()}: this exam draws from every "
                     "question card.")
    elif only_exam and unfiled and domain is None:
        notes.append(f"{unfiled} question{'s' if unfiled != 1 else ''} of the pool "
                     f"{'have' if unfiled != 1 else 'has'} no {exam.upper()} domain: they only "
                     "fill what the domains cannot.")
    candidates = read_pool(conn, now, scheduler, blueprint.weights, wanted, key, deck_id,
                           domain, exam, only_exam, memo.setdefault("pool", {}))
    return Draw(candidates, blueprint, exam, filed, unfiled, tuple(notes))
