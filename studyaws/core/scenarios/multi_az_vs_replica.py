"""RDS Multi-AZ DB instance deployment versus read replicas, driven by requirements.

A Multi-AZ DB instance deployment keeps one standby in another Availability Zone of the same
Region, replicated synchronously; RDS fails over to it automatically and the endpoint stays
the same, but the standby serves no traffic. A read replica is replicated asynchronously,
serves read-only queries, can live in another Region, and becomes a standalone DB instance
(with its own endpoint) only when you promote it. Cross-Region automated backup replication
copies an instance's snapshots and transaction logs to another Region, where it can be
restored (a new DB instance, hours rather than minutes); it adds no DB instance, so it is the
least costly way to keep a copy of the data in another Region.

"Simplest" means least costly: every setup is one DB instance with automated backups, plus
features; backup replication costs 1 (storage and transfer), a standby or a replica 2 (a
second DB instance). A requirement set is asked only when one setup is cheapest.

Scope: "Multi-AZ" here always means a Multi-AZ DB *instance* deployment (one standby); the
Multi-AZ DB *cluster* deployment, whose two standbys are readable, is not modelled.
Pure: randomness only from the `random.Random` passed in.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import combinations

from studyaws.core.questions import Question
from studyaws.core.scenarios._common import (
    Scenario,
    build_choice,
    check_enum,
    check_range,
    pick_enum,
    pick_from_range,
)

NAME = "multi-az-vs-replica"
TITLE = "Multi-AZ DB instance deployment or read replica?"
PARAMS = {
    "variant": "pick (which deployment meets the requirements) or statements (choose the true "
    "statements); default any",
    "requirements": "how many requirements to meet in the pick variant, a number or range "
    "within 1-3; default 1-3",
}

MULTI_AZ = "multi-az"
READ_REPLICA = "read-replica"
BACKUP_REPLICATION = "backup-replication"
FEATURES = (MULTI_AZ, READ_REPLICA, BACKUP_REPLICATION)
FEATURE_NAMES = {
    MULTI_AZ: "Multi-AZ DB instance deployment",
    READ_REPLICA: "read replica",
    BACKUP_REPLICATION: "cross-Region automated backup replication",
}
# What each feature adds to the cost of one DB instance with automated backups.
COST = {MULTI_AZ: 2, READ_REPLICA: 2, BACKUP_REPLICATION: 1}
VARIANTS = ("pick", "statements")

# What each feature does (true today for RDS DB instances).
PROPERTIES: dict[str, dict[str, bool]] = {
    MULTI_AZ: {
        "automatic-failover": True,
        "synchronous": True,
        "readable": False,
        "cross-region": False,
        "same-endpoint": True,
        "promotable": False,
        "other-az": True,
    },
    READ_REPLICA: {
        "automatic-failover": False,
        "synchronous": False,
        "readable": True,
        "cross-region": True,
        "same-endpoint": False,
        "promotable": True,
        "other-az": True,
    },
    BACKUP_REPLICATION: {
        "automatic-failover": False,
        "synchronous": False,
        "readable": False,
        "cross-region": True,
        "same-endpoint": False,
        "promotable": False,
        "other-az": False,
    },
}

# Why, per feature and property: used in explanations.
REASONS: dict[str, dict[str, str]] = {
    MULTI_AZ: {
        "automatic-failover": "RDS fails over to the standby automatically",
        "synchronous": "the standby is replicated synchronously",
        "readable": "the standby serves no read traffic",
        "cross-region": "the standby is always in the same Region",
        "same-endpoint": "after a failover the DNS name points to the new primary",
        "promotable": "the standby cannot be split off as a separate DB instance",
        "other-az": "the standby is always in a different AZ",
    },
    READ_REPLICA: {
        "automatic-failover": "a read replica must be promoted manually",
        "synchronous": "a read replica is replicated asynchronously and may lag",
        "readable": "a read replica serves read-only queries",
        "cross-region": "a read replica can be created in another Region",
        "same-endpoint": "a promoted replica keeps its own, different endpoint",
        "promotable": "a read replica can be promoted to a standalone DB instance",
        "other-az": "a read replica can be placed in another AZ",
    },
    BACKUP_REPLICATION: {
        "automatic-failover": "replicated backups must be restored by hand, to a new instance",
        "synchronous": "snapshots and transaction logs are copied after the fact",
        "readable": "replicated backups are not a running database",
        "cross-region": "snapshots and transaction logs are copied to the other Region, where "
        "they can be restored",
        "same-endpoint": "a restore creates a new DB instance with a new endpoint",
        "promotable": "replicated backups can only be restored, not promoted",
        "other-az": "replicated backups are not a running DB instance",
    },
}


@dataclass(frozen=True)
class Requirement:
    key: str  # a property in PROPERTIES
    text: str


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(
        "automatic-failover",
        "If the primary DB instance fails, the database must fail over without anyone stepping in.",
    ),
    Requirement(
        "synchronous",
        "No committed transaction may be lost when the database fails over to its copy.",
    ),
    Requirement("readable", "Reporting queries must run on a copy to take load off the primary."),
    Requirement(
        "cross-region",
        "A copy of the data must be kept in another AWS Region, so that the database can be "
        "restored there if the primary Region fails; a recovery that takes hours is acceptable.",
    ),
    Requirement(
        "same-endpoint",
        "After a failover the application must keep using the same connection endpoint.",
    ),
    Requirement(
        "promotable",
        "The team must be able to promote a running copy of the database to an independent, "
        "writable DB instance for a migration, without restoring a backup.",
    ),
    Requirement(
        "other-az",
        "A second running DB instance with a copy of the data must be in a different "
        "Availability Zone from the primary.",
    ),
)
REQUIREMENT_BY_KEY = {r.key: r for r in REQUIREMENTS}

# Every setup that can be offered (a plain single-AZ instance meets no requirement, and all
# three features together are never the least costly, so neither is offered).
DEPLOYMENTS: tuple[frozenset[str], ...] = (
    frozenset({BACKUP_REPLICATION}),
    frozenset({MULTI_AZ}),
    frozenset({READ_REPLICA}),
    frozenset({MULTI_AZ, BACKUP_REPLICATION}),
    frozenset({READ_REPLICA, BACKUP_REPLICATION}),
    frozenset({MULTI_AZ, READ_REPLICA}),
)
DEPLOYMENT_TEXT = {
    frozenset({BACKUP_REPLICATION}): "A single-AZ DB instance with cross-Region automated "
    "backup replication",
    frozenset({MULTI_AZ}): "A Multi-AZ DB instance deployment",
    frozenset({READ_REPLICA}): "A single-AZ DB instance with a read replica",
    frozenset({MULTI_AZ, BACKUP_REPLICATION}): "A Multi-AZ DB instance deployment with "
    "cross-Region automated backup replication",
    frozenset({READ_REPLICA, BACKUP_REPLICATION}): "A single-AZ DB instance with a read replica "
    "and cross-Region automated backup replication",
    frozenset({MULTI_AZ, READ_REPLICA}): "A Multi-AZ DB instance deployment plus a read replica",
}


# --- the model ---------------------------------------------------------------------------


def has(feature: str, prop: str) -> bool:
    return PROPERTIES[feature][prop]


def meets(deployment: Iterable[str], requirement: Requirement | str) -> bool:
    """Whether some feature of the deployment satisfies the requirement."""
    key = requirement.key if isinstance(requirement, Requirement) else requirement
    return any(has(feature, key) for feature in deployment)


def meeting(requirements: Iterable[Requirement | str]) -> list[frozenset[str]]:
    """Every deployment that meets all the requirements."""
    reqs = list(requirements)
    return [d for d in DEPLOYMENTS if all(meets(d, r) for r in reqs)]


def cost(deployment: Iterable[str]) -> int:
    return sum(COST[feature] for feature in deployment)


def simplest(requirements: Iterable[Requirement | str]) -> list[frozenset[str]]:
    """The least costly deployments that meet all the requirements (several when tied)."""
    found = meeting(requirements)
    if not found:
        return []
    least = min(cost(d) for d in found)
    return [d for d in found if cost(d) == least]


# --- parameters ---------------------------------------------------------------------------

MIN_REQS, MAX_REQS = 1, 3


def validate(params: dict[str, str]) -> list[tuple[str | None, str]]:
    problems: list[tuple[str | None, str]] = []
    check_enum(params, "variant", VARIANTS + ("any",), problems)
    check_range(params, "requirements", MIN_REQS, MAX_REQS, problems)
    return problems


# --- generation ---------------------------------------------------------------------------

SCOPE = (
    'Here "Multi-AZ" means a Multi-AZ DB instance deployment (one standby DB instance), not '
    "a Multi-AZ DB cluster."
)


@dataclass(frozen=True)
class PickSetup:
    requirements: tuple[Requirement, ...]


@dataclass(frozen=True)
class StatementsSetup:
    statements: tuple[tuple[str, str, str], ...]  # (feature, property, text)


def _requirement_lines(requirements: tuple[Requirement, ...]) -> str:
    lines = []
    for req in requirements:
        parts = []
        for feature in FEATURES:
            mark = "meets it" if has(feature, req.key) else "does not"
            parts.append(f"{FEATURE_NAMES[feature]}: {mark} ({REASONS[feature][req.key]})")
        lines.append(f"- {req.text} " + "; ".join(parts) + ".")
    return "\n".join(lines)


def _pick(count: int, rng: random.Random) -> Scenario:
    keys = [r.key for r in REQUIREMENTS]
    combos = [c for c in combinations(keys, count) if len(simplest(c)) == 1]
    chosen = list(rng.choice(combos))
    rng.shuffle(chosen)
    requirements = tuple(REQUIREMENT_BY_KEY[k] for k in chosen)
    best = simplest(requirements)[0]
    listed = "\n".join(f"- {r.text}" for r in requirements)
    stem = (
        f"A company runs a MySQL database on Amazon RDS. Its requirements:\n\n{listed}\n\n"
        f"{SCOPE} What is the least costly setup that meets every requirement?"
    )
    right = DEPLOYMENT_TEXT[best]
    others = [d for d in DEPLOYMENTS if d != best]
    offered = set(rng.sample(others, 3)) | {best}
    shown = [d for d in DEPLOYMENTS if d in offered]  # always in the same order
    wrong = [DEPLOYMENT_TEXT[d] for d in shown if d != best]
    right_first = [DEPLOYMENT_TEXT[d] for d in shown]
    explanation = (
        f"{_requirement_lines(requirements)}\n\nThe least costly setup that meets them all: "
        f"{right[0].lower()}{right[1:]}. Backup replication adds only storage and transfer "
        "charges; a Multi-AZ standby or a read replica is a second DB instance."
    )
    if len(best) == 2:
        explanation += " No single feature covers every requirement, and the two combine."
    question = build_choice(stem, [right], wrong, explanation, rng, shuffle=False)
    # build_choice lists the right option first; restore the fixed order of the setups
    order = {text: i for i, text in enumerate(right_first)}
    options = sorted(question.options, key=order.__getitem__)
    question = replace(
        question,
        options=tuple(options),
        correct=frozenset({options.index(right)}),
    )
    return Scenario("pick", PickSetup(requirements), question)


STATEMENT_TEXT: dict[str, dict[str, str]] = {
    MULTI_AZ: {
        "automatic-failover": "If the primary fails, RDS fails over to the Multi-AZ standby "
        "automatically.",
        "synchronous": "The Multi-AZ standby is updated synchronously with the primary.",
        "readable": "The Multi-AZ standby can serve read-only queries.",
        "cross-region": "The Multi-AZ standby can be placed in another AWS Region.",
        "same-endpoint": "After a Multi-AZ failover the application keeps the same endpoint.",
        "promotable": "The Multi-AZ standby can be promoted to a separate, standalone DB instance.",
    },
    READ_REPLICA: {
        "automatic-failover": "If the primary fails, RDS fails over to a read replica "
        "automatically.",
        "synchronous": "A read replica is updated synchronously, so it never lags the primary.",
        "readable": "A read replica can serve read-only queries.",
        "cross-region": "A read replica can be created in another AWS Region.",
        "same-endpoint": "After a read replica is promoted, the application keeps the old "
        "primary's endpoint.",
        "promotable": "A read replica can be promoted to a standalone DB instance.",
    },
}


def statement_truth(feature: str, prop: str) -> bool:
    return has(feature, prop)


def _statements(rng: random.Random) -> Scenario:
    pool = [(f, p, text) for f, by_prop in STATEMENT_TEXT.items() for p, text in by_prop.items()]
    trues = [s for s in pool if statement_truth(s[0], s[1])]
    falses = [s for s in pool if not statement_truth(s[0], s[1])]
    need = rng.choice((2, 3))
    total = rng.choice((4, 5)) if need == 2 else 5
    chosen = rng.sample(trues, need) + rng.sample(falses, total - need)
    stem = (
        "About Amazon RDS DB instances (for example RDS for MySQL): which statements about "
        f"Multi-AZ DB instance deployments and read replicas are true? {SCOPE}"
    )
    lines = []
    for feature, prop, text in sorted(chosen, key=lambda s: s[2]):
        if statement_truth(feature, prop):
            lines.append(f"- True: {text}")
        else:
            reason = REASONS[feature][prop]
            lines.append(f"- False: {text} In fact, {reason}.")
    explanation = (
        "Multi-AZ is for availability (a synchronous standby with automatic failover, same "
        "Region, no reads); read replicas are for read scaling and cross-Region copies "
        "(asynchronous, readable, promoted by hand).\n\n" + "\n".join(lines)
    )
    question = build_choice(
        stem,
        [t for f, p, t in chosen if statement_truth(f, p)],
        [t for f, p, t in chosen if not statement_truth(f, p)],
        explanation,
        rng,
    )
    return Scenario("statements", StatementsSetup(tuple(chosen)), question)


def scenario(params: dict[str, str], rng: random.Random) -> Scenario:
    """A generated variant together with the requirements or statements it was built from."""
    variant = pick_enum(params, "variant", VARIANTS, rng)
    count = pick_from_range(params, "requirements", MIN_REQS, MAX_REQS, rng)
    if variant == "statements":
        return _statements(rng)
    return _pick(count, rng)


def generate(params: dict[str, str], rng: random.Random) -> Question:
    return scenario(params, rng).question
