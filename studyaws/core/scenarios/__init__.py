"""Generated scenario questions: one rule engine per module.

Each kind module exposes:
  NAME: str                                  the kind used in ```scenario KIND blocks
  TITLE: str                                 a short human title
  PARAMS: dict[str, str]                     accepted block parameters -> what they mean
  validate(params: dict[str, str]) -> list[tuple[str | None, str]]
                                             (parameter or None, message) for each bad value
  generate(params: dict[str, str], rng: random.Random) -> Question
                                             a fresh variant; deterministic for a given rng state

Pure: no database, no Textual, no clock.
"""

from __future__ import annotations

import random
from types import ModuleType

from studyaws.core.questions import Question
from studyaws.core.scenarios import (
    aurora_quorum,
    backup_retention,
    dr_strategy,
    dynamodb_capacity,
    multi_az_vs_replica,
    nacl,
    s3_storage_class,
    sg_nacl_path,
    subnet_routing,
    subnet_sizing,
)

KINDS: dict[str, ModuleType] = {
    module.NAME: module
    for module in (nacl, aurora_quorum, backup_retention, multi_az_vs_replica, subnet_routing)
}
# The exam arithmetic and design kinds of issue 20 (kept apart to ease merging).
KINDS.update((module.NAME, module) for module in (dynamodb_capacity, subnet_sizing, sg_nacl_path,
                                                  dr_strategy, s3_storage_class))


class UnknownScenario(ValueError):
    pass


def kind_module(kind: str) -> ModuleType:
    try:
        return KINDS[kind]
    except KeyError:
        known = ", ".join(sorted(KINDS))
        raise UnknownScenario(f"unknown scenario kind {kind!r} (known: {known})") from None


def validate(kind: str, params: dict[str, str]) -> list[tuple[str | None, str]]:
    """Problems with a scenario block: an unknown kind, an unknown parameter, a bad value."""
    try:
        module = kind_module(kind)
    except UnknownScenario as exc:
        return [(None, str(exc))]
    problems: list[tuple[str | None, str]] = []
    for name in params:
        if name not in module.PARAMS:
            allowed = ", ".join(sorted(module.PARAMS)) or "none"
            problems.append((name, f"unknown parameter {name!r} for scenario {kind} (allowed: {allowed})"))
    known = {k: v for k, v in params.items() if k in module.PARAMS}
    problems.extend(module.validate(known))
    return problems


def generate(kind: str, params: dict[str, str], seed: int) -> Question:
    """The variant for `seed`: the same seed always gives the same question."""
    return kind_module(kind).generate(params, random.Random(seed))
