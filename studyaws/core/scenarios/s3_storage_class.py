"""Amazon S3 storage classes: which class fits an access pattern, what an early deletion or a
small object is billed as, and whether a lifecycle rule is accepted.

Minimum storage durations: 30 days (Standard-IA, One Zone-IA), 90 days (Glacier Instant
Retrieval, Glacier Flexible Retrieval), 180 days (Glacier Deep Archive); an object deleted,
overwritten or transitioned earlier is billed for the rest. Minimum billable object size:
128 KB for Standard-IA, One Zone-IA and Glacier Instant Retrieval. Lifecycle transitions go
one way, down the waterfall, and an object must be stored at least 30 days before it moves
to Standard-IA or One Zone-IA.

Pure: randomness only from the `random.Random` passed in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from studyaws.core.questions import Numeric, Question
from studyaws.core.scenarios._common import Scenario, build_choice, check_enum, pick_enum

NAME = "s3-storage-class"
TITLE = "S3 storage classes: access patterns, minimum duration and size, lifecycle rules"
PARAMS = {
    "variant": "class (the class for an access pattern), charge (days or KB billed for an "
    "early deletion or a small object) or lifecycle (which rule S3 accepts); default any",
}

VARIANTS = ("class", "charge", "lifecycle")

NAMES = {
    "STANDARD": "S3 Standard",
    "INTELLIGENT_TIERING": "S3 Intelligent-Tiering",
    "STANDARD_IA": "S3 Standard-IA",
    "ONEZONE_IA": "S3 One Zone-IA",
    "GLACIER_IR": "S3 Glacier Instant Retrieval",
    "GLACIER": "S3 Glacier Flexible Retrieval",
    "DEEP_ARCHIVE": "S3 Glacier Deep Archive",
}
MIN_DAYS = {"STANDARD": 0, "INTELLIGENT_TIERING": 0, "STANDARD_IA": 30, "ONEZONE_IA": 30,
            "GLACIER_IR": 90, "GLACIER": 90, "DEEP_ARCHIVE": 180}
MIN_KB = {"STANDARD_IA": 128, "ONEZONE_IA": 128, "GLACIER_IR": 128}
# the lifecycle waterfall: a transition may only go to a class further down
WATERFALL = ("STANDARD", "STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR",
             "GLACIER", "DEEP_ARCHIVE")
UNSUPPORTED = {("ONEZONE_IA", "GLACIER_IR")}  # further down, yet not a supported transition
IA_WAIT_DAYS = 30  # days in S3 before a transition to Standard-IA or One Zone-IA


# --- the model ---------------------------------------------------------------------------


def billed_days(storage_class: str, stored_days: int) -> int:
    """Days of storage billed for an object removed after `stored_days` in the class."""
    return max(stored_days, MIN_DAYS[storage_class])


def billed_kb(storage_class: str, size_kb: int) -> int:
    return max(size_kb, MIN_KB.get(storage_class, 0))


def transition_allowed(source: str, target: str) -> bool:
    if (source, target) in UNSUPPORTED:
        return False
    return WATERFALL.index(target) > WATERFALL.index(source)


@dataclass(frozen=True)
class Rule:
    """Transitions (days after creation, class) in order, starting from S3 Standard."""

    transitions: tuple[tuple[int, str], ...]

    def text(self) -> str:
        steps = [f"after {days} days to {NAMES[cls]}" for days, cls in self.transitions]
        return "Transition " + ", then ".join(steps)


def rule_problems(rule: Rule) -> list[str]:
    """Why S3 would refuse the rule (empty: accepted)."""
    problems = []
    current, last_days = "STANDARD", 0
    for days, target in rule.transitions:
        if not transition_allowed(current, target):
            problems.append(f"{NAMES[current]} cannot transition to {NAMES[target]} (lifecycle "
                            "transitions only go down the waterfall)")
        if target in ("STANDARD_IA", "ONEZONE_IA") and days < IA_WAIT_DAYS:
            problems.append(f"objects must be stored at least {IA_WAIT_DAYS} days before a "
                            f"transition to {NAMES[target]} ({days} days is too soon)")
        if days <= last_days:
            problems.append("each transition must come later than the one before")
        current, last_days = target, days
    return problems


# --- parameters ---------------------------------------------------------------------------


def validate(params: dict[str, str]) -> list[tuple[str | None, str]]:
    problems: list[tuple[str | None, str]] = []
    check_enum(params, "variant", VARIANTS + ("any",), problems)
    return problems


# --- generation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassSetup:
    variant: str
    key: str = ""  # a storage class, or the accepted rule's text
    storage_class: str = ""
    days: int = 0
    size_kb: int = 0
    asked: str = ""  # charge: "days" or "size"
    rules: tuple[Rule, ...] = ()


# access patterns with the one class AWS positions for each (see docs/scenarios.md)
PATTERNS = {
    "STANDARD": "are read many times a day by a web application and must load in milliseconds",
    "INTELLIGENT_TIERING": "have an unknown and changing access pattern: some are read daily "
    "for a while, then not for months; reads must take milliseconds and nobody wants to "
    "manage transitions or pay retrieval fees",
    "STANDARD_IA": "are long-lived and read about once a month, must be returned in "
    "milliseconds when asked for, and must survive the loss of an Availability Zone",
    "ONEZONE_IA": "are long-lived copies that can be re-created from the originals, read about "
    "once a month, and must be returned in milliseconds when asked for",
    "GLACIER_IR": "are long-lived archives read about once a quarter, which must be returned "
    "in milliseconds when asked for",
    "GLACIER": "are archives read once or twice a year; a retrieval may take from a few "
    "minutes to several hours, and restores must sometimes be bulk-priced",
    "DEEP_ARCHIVE": "must be kept for 7 to 10 years for compliance, are almost never read, and "
    "may take up to 48 hours to retrieve",
}
WHY = {
    "STANDARD": "frequent access in milliseconds, no retrieval fee or minimum duration",
    "INTELLIGENT_TIERING": "moves each object between access tiers by itself, with no "
    "retrieval fees; made for unknown or changing access patterns",
    "STANDARD_IA": "infrequent (monthly) access in milliseconds, data in several AZs; a "
    "retrieval fee per GB",
    "ONEZONE_IA": "like Standard-IA but in one AZ and cheaper: for re-creatable data only, "
    "since the loss of that AZ loses it",
    "GLACIER_IR": "archive data read about once a quarter, still in milliseconds",
    "GLACIER": "archives read once or twice a year, restored in minutes (expedited) to hours "
    "(standard, bulk)",
    "DEEP_ARCHIVE": "the lowest storage price, for data read less than once a year; standard "
    "retrievals within 12 hours, bulk within 48",
}
SIZES = (8, 16, 40, 64, 100, 127, 200, 512, 1024)


def _class_question(rng: random.Random) -> Scenario:
    key = rng.choice(list(PATTERNS))
    count = rng.randint(2, 90)
    stem = (f"A company stores {count} million objects in Amazon S3. The objects {PATTERNS[key]}. "
            "Which storage class is the MOST cost-effective fit?")
    # the neighbours of the key are the tempting wrong answers
    order = list(PATTERNS)
    index = order.index(key)
    near = [c for c in order if c != key]
    near.sort(key=lambda c: (abs(order.index(c) - index), rng.random()))
    wrong = near[:3]
    explanation = "\n".join(
        [f"{NAMES[key]}: {WHY[key]}."]
        + [f"- Not {NAMES[c]}: {WHY[c]}." for c in wrong]
    )
    question = build_choice(stem, [NAMES[key]], [NAMES[c] for c in wrong], explanation, rng)
    return Scenario("class", ClassSetup("class", key=key), question)


def _charge_question(rng: random.Random) -> Scenario:
    if rng.random() < 0.5:
        cls = rng.choice([c for c in MIN_DAYS if MIN_DAYS[c]])
        minimum = MIN_DAYS[cls]
        days = rng.choice((1, 5, 10, 20, 29, 45, 60, 89, 120, 150, 179, 200, 365))
        size = rng.choice((256, 512, 1024, 4096))
        answer = billed_days(cls, days)
        stem = (f"An object of {size} KB is uploaded directly to {NAMES[cls]} and deleted "
                f"{days} days later. For how many days of storage is it billed?")
        explanation = (
            f"{NAMES[cls]} has a minimum storage duration of {minimum} days: an object "
            "deleted, overwritten or transitioned earlier is billed for the rest of the "
            f"minimum. Stored {days} days, it is billed for max({days}, {minimum}) = {answer} "
            "days."
        )
        question = Numeric(stem, float(answer), 0.0, explanation, "days")
        setup = ClassSetup("charge", storage_class=cls, days=days, size_kb=size, asked="days")
        return Scenario("charge", setup, question)
    cls = rng.choice(list(MIN_KB) + ["STANDARD", "INTELLIGENT_TIERING"])
    size = rng.choice(SIZES)
    answer = billed_kb(cls, size)
    stem = (f"An object of {size} KB is stored in {NAMES[cls]} for a whole month. As how many "
            "KB of storage is it billed? (Ignore per-object metadata overhead.)")
    if cls in MIN_KB:
        explanation = (f"{NAMES[cls]} has a minimum billable object size of 128 KB: a smaller "
                       f"object is billed as 128 KB. {size} KB is billed as {answer} KB.")
    else:
        explanation = (f"{NAMES[cls]} has no minimum billable object size (the 128 KB minimum "
                       "applies to Standard-IA, One Zone-IA and Glacier Instant Retrieval), so "
                       f"{size} KB is billed as {size} KB."
                       + (" In Intelligent-Tiering, objects under 128 KB are not monitored and "
                          "always stay in the Frequent Access tier." if
                          cls == "INTELLIGENT_TIERING" and size < 128 else ""))
    question = Numeric(stem, float(answer), 0.0, explanation, "KB")
    setup = ClassSetup("charge", storage_class=cls, size_kb=size, asked="size")
    return Scenario("charge", setup, question)


def _valid_rule(rng: random.Random) -> Rule:
    """A rule S3 accepts: one to three transitions down the waterfall, at least 30 days apart."""
    classes = [c for c in WATERFALL[1:]]
    count = rng.randint(1, 3)
    for _ in range(100):
        picked = sorted(rng.sample(classes, count), key=WATERFALL.index)
        pairs = zip(["STANDARD", *picked], picked, strict=False)
        if any(p in UNSUPPORTED for p in pairs):
            continue
        days, out = 0, []
        for cls in picked:
            low = max(days + 30, 45 if cls in ("STANDARD_IA", "ONEZONE_IA") else 1)
            days = rng.choice([d for d in (1, 30, 45, 60, 90, 120, 180, 365, 730)
                               if d >= low] or [low])
            out.append((days, cls))
        rule = Rule(tuple(out))
        if not rule_problems(rule):
            return rule
    return Rule(((60, "STANDARD_IA"), (180, "GLACIER")))


def _invalid_rule(rng: random.Random, kind: str) -> Rule:
    if kind == "too-soon":
        target = rng.choice(("STANDARD_IA", "ONEZONE_IA"))
        first = (rng.choice((1, 7, 14, 20)), target)
        rest = rng.choice((((120, "GLACIER"),), ((200, "DEEP_ARCHIVE"),), ()))
        return Rule((first, *rest))
    # a transition back up the waterfall
    pairs = [("GLACIER", "STANDARD_IA"), ("DEEP_ARCHIVE", "GLACIER"),
             ("GLACIER_IR", "STANDARD_IA"), ("ONEZONE_IA", "STANDARD_IA"),
             ("INTELLIGENT_TIERING", "STANDARD_IA"), ("GLACIER", "GLACIER_IR")]
    low, high = rng.choice(pairs)
    first_days = 60 if low in ("STANDARD_IA", "ONEZONE_IA") else rng.choice((30, 60, 90))
    return Rule(((first_days, low), (first_days + rng.choice((60, 90, 180)), high)))


def _lifecycle_question(rng: random.Random) -> Scenario:
    right = _valid_rule(rng)
    kinds = ["too-soon", "up", rng.choice(("too-soon", "up"))]
    wrong: list[Rule] = []
    for kind in kinds:
        for _ in range(20):
            rule = _invalid_rule(rng, kind)
            if rule not in wrong and rule != right and len(rule_problems(rule)) == 1:
                wrong.append(rule)
                break
    while len(wrong) < 3:  # distinct invalid rules of any kind
        rule = _invalid_rule(rng, rng.choice(("too-soon", "up")))
        if rule not in wrong and len(rule_problems(rule)) == 1:
            wrong.append(rule)
    stem = ("A bucket holds new objects in S3 Standard. Which of these lifecycle rules (days "
            "counted from object creation) will Amazon S3 accept?")
    lines = [f"Accepted: {right.text()}."]
    for rule in wrong:
        lines.append(f"- Refused: {rule.text()}: {rule_problems(rule)[0]}.")
    lines.append("Transitions to the Glacier classes may happen at any age (0 days or more); "
                 "an object removed before a class's minimum storage duration is still "
                 "billed for the whole minimum.")
    question = build_choice(stem, [right.text()], [r.text() for r in wrong],
                            "\n".join(lines), rng)
    setup = ClassSetup("lifecycle", key=right.text(), rules=(right, *wrong))
    return Scenario("lifecycle", setup, question)


def scenario(params: dict[str, str], rng: random.Random) -> Scenario:
    variant = pick_enum(params, "variant", VARIANTS, rng)
    if variant == "class":
        return _class_question(rng)
    if variant == "charge":
        return _charge_question(rng)
    return _lifecycle_question(rng)


def generate(params: dict[str, str], rng: random.Random) -> Question:
    return scenario(params, rng).question
