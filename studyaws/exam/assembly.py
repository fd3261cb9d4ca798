"""Picking an exam's questions: by the blueprint's domain weights, unseen and weak items
first, no item twice, in shuffled order. Pure: the random generator is passed in."""

from __future__ import annotations

import random
from dataclasses import dataclass

from studyaws.exam.blueprints import Blueprint


@dataclass(frozen=True)
class Candidate:
    card_id: int
    domain: str | None
    seen: bool
    weakness: float  # 0 (sure to recall) .. 1 (sure to forget)


@dataclass(frozen=True)
class Pick:
    card_id: int
    domain: str | None
    seed: int  # the variant of a scenario and the order of the options


@dataclass(frozen=True)
class Assembly:
    picks: list[Pick]
    wanted: int
    per_domain: dict[str, int]

    @property
    def short(self) -> bool:
        return len(self.picks) < self.wanted


def domain_quotas(weights: dict[str, float], total: int) -> dict[str, int]:
    """Whole question counts per domain that add up to `total` (largest remainder)."""
    if not weights or total <= 0:
        return {}
    share = sum(weights.values())
    exact = {d: total * w / share for d, w in weights.items()}
    quotas = {d: int(v) for d, v in exact.items()}
    left = total - sum(quotas.values())
    for domain in sorted(exact, key=lambda d: (-(exact[d] - quotas[d]), d))[:left]:
        quotas[domain] += 1
    return quotas


def _priority(candidate: Candidate, rng: random.Random) -> tuple[float, float]:
    """Unseen items count as the weakest; a little noise varies equal candidates."""
    weakness = 1.0 if not candidate.seen else candidate.weakness
    return (-(weakness + rng.uniform(0, 0.15)), rng.random())


def assemble(candidates: list[Candidate], blueprint: Blueprint, questions: int,
             rng: random.Random) -> Assembly:
    pool = {c.card_id: c for c in candidates}  # no item twice
    ranked = sorted(pool.values(), key=lambda c: _priority(c, rng))
    quotas = domain_quotas(blueprint.weights, questions)
    chosen: list[Candidate] = []
    taken: set[int] = set()
    for domain, quota in quotas.items():
        for candidate in [c for c in ranked if c.domain == domain][:quota]:
            chosen.append(candidate)
            taken.add(candidate.card_id)
    # Fill what the domains could not supply (or everything, without weights) from the rest,
    # preferring the blueprint's domains.
    in_blueprint = set(blueprint.weights)
    rest = [c for c in ranked if c.card_id not in taken]
    rest.sort(key=lambda c: 0 if not in_blueprint or c.domain in in_blueprint else 1)
    chosen.extend(rest[: max(0, questions - len(chosen))])
    rng.shuffle(chosen)
    picks = [Pick(c.card_id, c.domain, rng.getrandbits(31)) for c in chosen]
    per_domain: dict[str, int] = {}
    for pick in picks:
        key = pick.domain or "none"
        per_domain[key] = per_domain.get(key, 0) + 1
    return Assembly(picks, questions, per_domain)
