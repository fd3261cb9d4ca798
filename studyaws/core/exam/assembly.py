"""Picking an exam's questions: by the blueprint's domain weights, unseen and weak items
first, no item twice, in shuffled order. Pure: the random generator is passed in."""

from __future__ import annotations

import random
from dataclasses import dataclass

from studyaws.core.exam.blueprints import Blueprint


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


NOISE = 0.15  # the most a random nudge adds to an item's weakness
HASH_MASK = 0x7FFFFFFF
HASH_MIX = 0x2C1B3C6D


def draw_key(rng: random.Random) -> int:
    """The one draw an exam's noise comes from (see noise_bits)."""
    return rng.getrandbits(62)


def noise_bits(card_id: int, key: int) -> int:
    """A 31-bit hash of the card under the exam's key: its random nudge, drawn per card rather
    than in pool order so that reading only the cards that can win picks what reading all of
    them would. Every product stays below 2**63, so SQLite's integers compute the same value
    (exam.pool ranks unseen cards with it); a bijection of the id's low 31 bits."""
    x = (card_id & HASH_MASK) * ((key & HASH_MASK) | 1) + ((key >> 31) & HASH_MASK)
    x &= HASH_MASK
    return ((x ^ (x >> 16)) * HASH_MIX) & HASH_MASK


def priority(candidate: Candidate, key: int) -> float:
    """Unseen items count as the weakest; a nudge of up to NOISE varies equal candidates."""
    weakness = 1.0 if not candidate.seen else candidate.weakness
    return weakness + NOISE * noise_bits(candidate.card_id, key) / 2**31


def assemble(candidates: list[Candidate], blueprint: Blueprint, questions: int,
             rng: random.Random, key: int | None = None) -> Assembly:
    """Pick the exam. `key` is draw_key(rng) when the caller has drawn it already (to read the
    pool); the candidates may be any set that holds each domain's best ranked items."""
    if key is None:
        key = draw_key(rng)
    pool = {c.card_id: c for c in candidates}  # no item twice
    ranked = sorted(pool.values(), key=lambda c: (-priority(c, key), c.card_id))
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
