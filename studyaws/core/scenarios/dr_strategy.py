"""Disaster recovery strategies: RTO, RPO and cost to backup and restore, pilot light, warm
standby or multi-site active/active, and what each keeps in the recovery Region.

AWS orders the four strategies by recovery objectives and cost: backup and restore (RPO and
RTO of hours; cheapest), pilot light (tens of minutes; data stores live, application tier
off), warm standby (minutes; a scaled-down but fully working copy) and multi-site
active/active (near zero; full capacity in several Regions; most expensive). The right
choice is the cheapest strategy that meets both objectives.

Pure: randomness only from the `random.Random` passed in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from studyaws.core.questions import Question
from studyaws.core.scenarios._common import Scenario, build_choice, check_enum, pick_enum

NAME = "dr-strategy"
TITLE = "Disaster recovery strategy for an RTO, an RPO and a budget"
PARAMS = {
    "variant": "pick (the cheapest strategy that meets an RTO and RPO) or setup (which "
    "recovery-Region setup and services match a strategy); default any",
    "strategy": "the right answer: backup-restore, pilot-light, warm-standby, active-active "
    "or any; default any",
}

VARIANTS = ("pick", "setup")
# cheapest first
STRATEGIES = ("backup-restore", "pilot-light", "warm-standby", "active-active")

NAMES = {
    "backup-restore": "Backup and restore",
    "pilot-light": "Pilot light",
    "warm-standby": "Warm standby",
    "active-active": "Multi-site active/active",
}

# The recovery objectives AWS gives for each strategy, as the smallest RTO and RPO (in
# seconds) it is counted on to meet: hours, tens of minutes, minutes, near zero.
FLOOR_SECONDS = {
    "backup-restore": 3600,
    "pilot-light": 600,
    "warm-standby": 60,
    "active-active": 0,
}
BAND_WORDS = {
    "backup-restore": "hours",
    "pilot-light": "tens of minutes",
    "warm-standby": "minutes",
    "active-active": "near zero (real time)",
}

# Requirement values drawn for each band, in seconds: well inside it, never on a border.
RTO_CHOICES = {
    "backup-restore": (8 * 3600, 12 * 3600, 24 * 3600),
    "pilot-light": (30 * 60, 40 * 60, 45 * 60),
    "warm-standby": (2 * 60, 3 * 60, 5 * 60),
    "active-active": (5, 10, 30),
}
RPO_CHOICES = {
    "backup-restore": (4 * 3600, 12 * 3600, 24 * 3600),
    "pilot-light": (15 * 60, 20 * 60, 30 * 60),
    "warm-standby": (2 * 60, 3 * 60, 5 * 60),
    "active-active": (1, 5, 10),
}

SETUP = {
    "backup-restore": "Only backups are in the recovery Region (AWS Backup copies of EBS and "
    "RDS snapshots, S3 replication); after a disaster the whole stack is deployed there from "
    "CloudFormation templates and the data is restored",
    "pilot-light": "The data stores are live and kept current (an Aurora global database "
    "secondary or a cross-Region read replica); the application servers exist only as AMIs "
    "and an Auto Scaling group at zero, switched on and scaled out at failover",
    "warm-standby": "A scaled-down but fully working copy of the whole stack runs (a few "
    "instances behind a load balancer on replicated data) and could take traffic at once; at "
    "failover Route 53 sends users to it and it scales out",
    "active-active": "Full production capacity runs in both Regions and serves users all the "
    "time (Route 53 latency-based routing, DynamoDB global tables or Aurora global database); "
    "a Region failure only moves its share of the traffic",
}


# --- the model ---------------------------------------------------------------------------


def meets(strategy: str, rto_seconds: int, rpo_seconds: int) -> bool:
    """Whether the strategy is counted on to meet both objectives."""
    floor = FLOOR_SECONDS[strategy]
    return floor <= rto_seconds and floor <= rpo_seconds


def cheapest(rto_seconds: int, rpo_seconds: int) -> str:
    """The least expensive strategy that meets both objectives (STRATEGIES is cheapest first)."""
    return next(s for s in STRATEGIES if meets(s, rto_seconds, rpo_seconds))


def duration(seconds: int) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    if seconds >= 60 and seconds % 60 == 0:
        minutes = seconds // 60
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


# --- parameters ---------------------------------------------------------------------------


def validate(params: dict[str, str]) -> list[tuple[str | None, str]]:
    problems: list[tuple[str | None, str]] = []
    check_enum(params, "variant", VARIANTS + ("any",), problems)
    check_enum(params, "strategy", STRATEGIES + ("any",), problems)
    return problems


# --- generation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DrSetup:
    variant: str
    strategy: str  # the key
    rto: int = 0
    rpo: int = 0


WORKLOADS = (
    "an order-processing application on EC2 instances behind an Application Load Balancer, "
    "with an Aurora MySQL database",
    "a customer portal on an Auto Scaling group of EC2 instances with an RDS for PostgreSQL "
    "database",
    "an internal reporting system on EC2 with an RDS for MySQL database",
)


def _pick_question(strategy: str, rng: random.Random) -> Scenario:
    rto = rng.choice(RTO_CHOICES[strategy])
    # the RPO is as strict as the RTO or looser (a looser RTO with a strict RPO could be met by
    # continuous backups and point-in-time restore, which would blur the line)
    index = STRATEGIES.index(strategy)
    rpo_band = STRATEGIES[rng.randint(0, index)] if rng.random() < 0.35 else strategy
    rpo = rng.choice(RPO_CHOICES[rpo_band])
    workload = rng.choice(WORKLOADS)
    stem = (
        f"A company runs {workload} in one AWS Region and needs a disaster recovery plan in a "
        f"second Region. If the first Region fails, the business accepts at most "
        f"{duration(rto)} of downtime (RTO) and the loss of at most {duration(rpo)} of data "
        "(RPO). Which strategy meets these objectives at the lowest cost?"
    )
    options = {s: f"{NAMES[s]}" for s in STRATEGIES}
    lines = [f"The objectives: RTO {duration(rto)}, RPO {duration(rpo)}. AWS gives these "
             "recovery objectives, cheapest strategy first:"]
    for s in STRATEGIES:
        verdict = "meets both" if meets(s, rto, rpo) else "too slow"
        lines.append(f"- {NAMES[s]}: RTO and RPO of {BAND_WORDS[s]}; {verdict}.")
    lines.append(f"The cheapest that meets both is {NAMES[strategy].lower()}. The strategies "
                 "after it in the list also meet them but cost more: they keep more running "
                 "in the recovery Region.")
    lines.append(f"In the recovery Region: {SETUP[strategy]}.")
    question = build_choice(stem, [options[strategy]],
                            [options[s] for s in STRATEGIES if s != strategy],
                            "\n\n".join(lines[:1]) + "\n\n" + "\n".join(lines[1:5])
                            + "\n\n" + "\n\n".join(lines[5:]), rng, shuffle=False)
    return Scenario("pick", DrSetup("pick", strategy, rto, rpo), question)


def _setup_question(strategy: str, rng: random.Random) -> Scenario:
    stem = (
        f"A company protects a web application in a second AWS Region with a "
        f"{NAMES[strategy].lower()} disaster recovery strategy. What does it keep in the "
        "recovery Region before any disaster?"
    )
    explanation = "\n\n".join(
        [f"{NAMES[strategy]}: {SETUP[strategy]}."]
        + [f"Not {NAMES[s].lower()} (RTO and RPO of {BAND_WORDS[s]}): {SETUP[s][0].lower()}"
           f"{SETUP[s][1:]}." for s in STRATEGIES if s != strategy]
    )
    order = list(STRATEGIES)
    rng.shuffle(order)
    question = build_choice(stem, [SETUP[strategy]], [SETUP[s] for s in order if s != strategy],
                            explanation, rng)
    return Scenario("setup", DrSetup("setup", strategy), question)


def scenario(params: dict[str, str], rng: random.Random) -> Scenario:
    variant = pick_enum(params, "variant", VARIANTS, rng)
    strategy = pick_enum(params, "strategy", STRATEGIES, rng)
    if variant == "setup":
        return _setup_question(strategy, rng)
    return _pick_question(strategy, rng)


def generate(params: dict[str, str], rng: random.Random) -> Question:
    return scenario(params, rng).question
