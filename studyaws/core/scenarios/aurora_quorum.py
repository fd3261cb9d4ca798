"""Aurora storage quorum.

An Aurora cluster volume keeps six copies of every piece of data, two in each of three
Availability Zones. A write needs 4 of the 6 copies (write quorum) and a read needs 3 of 6
(read quorum), so the volume keeps writing after losing two copies (for example a whole AZ)
and keeps reading after losing three (a whole AZ plus one more copy).

Pure: randomness only from the `random.Random` passed in.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

from studyaws.core.questions import Numeric, Question
from studyaws.core.scenarios._common import (
    Scenario,
    build_choice,
    check_enum,
    check_range,
    pick_enum,
    range_of,
)

NAME = "aurora-quorum"
TITLE = "Aurora storage quorum (4/6 writes, 3/6 reads)"
PARAMS = {
    "lose": "how many of the six copies are lost, a number or range within 1-6 (e.g. 2 or 1-4); "
    "default 1-5",
    "az-loss": "yes (a whole Availability Zone is among the losses), no (no AZ loses both of "
    "its copies) or any; default any",
    "variant": "status (can it read? write?) or tolerance (how many more copies can it lose); "
    "default any",
}

AZS = ("A", "B", "C")
COPIES_PER_AZ = 2
COPIES: tuple[str, ...] = tuple(f"{az}{i}" for az in AZS for i in range(1, COPIES_PER_AZ + 1))
TOTAL = len(COPIES)
WRITE_QUORUM = 4
READ_QUORUM = 3
VARIANTS = ("status", "tolerance")
AZ_LOSS = ("yes", "no", "any")

STATUS_BOTH = "reads and writes"
STATUS_READS = "reads only"
STATUS_NEITHER = "neither"

STATUS_OPTIONS = {
    STATUS_BOTH: "It keeps serving both reads and writes",
    STATUS_READS: "It serves reads only; writes stop",
    STATUS_NEITHER: "It serves neither reads nor writes",
}
IMPOSSIBLE_OPTION = "It serves writes only; reads stop"


# --- the model ---------------------------------------------------------------------------


def _lost_set(lost_copies: Iterable[str]) -> frozenset[str]:
    lost = frozenset(lost_copies)
    unknown = lost - set(COPIES)
    if unknown:
        raise ValueError(f"unknown copies {sorted(unknown)}; copies are {', '.join(COPIES)}")
    return lost


def az_of(copy: str) -> str:
    return copy[0]


def healthy(lost_copies: Iterable[str]) -> int:
    """How many of the six copies are still available."""
    return TOTAL - len(_lost_set(lost_copies))


def can_write(lost_copies: Iterable[str]) -> bool:
    """Writes need a quorum of 4 of the 6 copies."""
    return healthy(lost_copies) >= WRITE_QUORUM


def can_read(lost_copies: Iterable[str]) -> bool:
    """Reads need a quorum of 3 of the 6 copies."""
    return healthy(lost_copies) >= READ_QUORUM


def status(lost_copies: Iterable[str]) -> str:
    """'reads and writes', 'reads only' or 'neither'."""
    lost = _lost_set(lost_copies)
    if can_write(lost):
        return STATUS_BOTH
    if can_read(lost):
        return STATUS_READS
    return STATUS_NEITHER


def lost_azs(lost_copies: Iterable[str]) -> tuple[str, ...]:
    """The AZs that have lost both of their copies."""
    lost = _lost_set(lost_copies)
    return tuple(az for az in AZS if all(c in lost for c in COPIES if az_of(c) == az))


def more_losses_tolerated(lost_copies: Iterable[str], operation: str = "write") -> int:
    """How many more copies can be lost while `operation` ('write' or 'read') still works.

    -1 when the operation already does not work.
    """
    quorum = {"write": WRITE_QUORUM, "read": READ_QUORUM}[operation]
    return healthy(lost_copies) - quorum


# --- parameters ---------------------------------------------------------------------------

MIN_LOSE, MAX_LOSE = 1, 6
DEFAULT_LOSE = (1, 5)
# Without a whole AZ at most one copy per AZ can be lost (3); a whole AZ needs at least 2.
NO_AZ_MAX = len(AZS)
AZ_MIN = COPIES_PER_AZ


def _lose_bounds(params: dict[str, str], az_loss: str) -> tuple[int, int]:
    low, high = range_of(params, "lose", MIN_LOSE, MAX_LOSE)
    if "lose" not in params:
        low, high = DEFAULT_LOSE
    if az_loss == "no":
        high = min(high, NO_AZ_MAX)
    elif az_loss == "yes":
        low = max(low, AZ_MIN)
    return low, high


def validate(params: dict[str, str]) -> list[tuple[str | None, str]]:
    problems: list[tuple[str | None, str]] = []
    lose = check_range(params, "lose", MIN_LOSE, MAX_LOSE, problems)
    az_loss = check_enum(params, "az-loss", AZ_LOSS, problems)
    check_enum(params, "variant", VARIANTS + ("any",), problems)
    if lose is not None and az_loss == "no" and lose[0] > NO_AZ_MAX:
        problems.append(
            ("lose", f"with az-loss: no at most {NO_AZ_MAX} copies can be lost (one per AZ)")
        )
    if lose is not None and az_loss == "yes" and lose[1] < AZ_MIN:
        problems.append(("lose", f"with az-loss: yes at least {AZ_MIN} copies are lost"))
    return problems


# --- generation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuorumSetup:
    lost: frozenset[str]
    operation: str = "write"  # for the tolerance variant: which quorum is asked about

    @property
    def status(self) -> str:
        return status(self.lost)


def _pick_losses(count: int, az_loss: str, rng: random.Random) -> frozenset[str]:
    if az_loss == "yes":
        az = rng.choice(AZS)
        lost = {c for c in COPIES if az_of(c) == az}
        others = [c for c in COPIES if c not in lost]
        lost |= set(rng.sample(others, count - len(lost)))
        return frozenset(lost)
    if az_loss == "no":
        azs = rng.sample(AZS, count)
        return frozenset(f"{az}{rng.randint(1, COPIES_PER_AZ)}" for az in azs)
    style = rng.choice(("spread", "concentrated", "random"))
    if style == "spread":
        # as few whole AZs as possible
        order = rng.sample(AZS, len(AZS))
        picks = [f"{az}{rng.randint(1, 2)}" for az in order]
        rest = [c for c in COPIES if c not in picks]
        rng.shuffle(rest)
        return frozenset((picks + rest)[:count])
    if style == "concentrated":
        order = rng.sample(AZS, len(AZS))
        copies = [f"{az}{i}" for az in order for i in (1, 2)]
        return frozenset(copies[:count])
    return frozenset(rng.sample(COPIES, count))


def copy_table(lost: frozenset[str]) -> str:
    lines = ["| Availability Zone | Copy 1 | Copy 2 |", "| --- | --- | --- |"]
    for az in AZS:
        cells = ["**lost**" if f"{az}{i}" in lost else "healthy" for i in (1, 2)]
        lines.append(f"| AZ {az} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


def _walkthrough(lost: frozenset[str]) -> str:
    left = healthy(lost)
    whole = lost_azs(lost)
    where = ""
    if whole:
        names = " and ".join(f"AZ {az}" for az in whole)
        extra = len(lost) - COPIES_PER_AZ * len(whole)
        where = f" ({names} {'is' if len(whole) == 1 else 'are'} down entirely"
        where += f", plus {extra} more cop{'y' if extra == 1 else 'ies'})" if extra else ")"
    write = "meets" if left >= WRITE_QUORUM else "misses"
    read = "meets" if left >= READ_QUORUM else "misses"
    were = "copies is" if len(lost) == 1 else "copies are"  # "1 of the 6 copies is lost"
    remain = "remains" if left == 1 else "remain"
    return (
        f"{len(lost)} of the {TOTAL} {were} lost{where}, so {left} {remain}. "
        f"Writes need {WRITE_QUORUM} of {TOTAL}: {left} {write} the write quorum. "
        f"Reads need {READ_QUORUM} of {TOTAL}: {left} {read} the read quorum. "
        "Aurora is designed to keep writing after losing a whole AZ (2 copies) and to keep "
        "reading after losing an AZ plus one more copy (3 copies)."
    )


def _status_question(lost: frozenset[str], rng: random.Random) -> Scenario:
    stem = (
        "An Aurora cluster volume keeps six copies of its data, two in each of three "
        "Availability Zones. At the same moment these copies become unavailable (none has been "
        f"repaired yet):\n\n{copy_table(lost)}\n\nWhat can the cluster volume still do?"
    )
    right = STATUS_OPTIONS[status(lost)]
    wrong = [text for key, text in STATUS_OPTIONS.items() if key != status(lost)]
    wrong.append(IMPOSSIBLE_OPTION)
    question = build_choice(stem, [right], wrong, _walkthrough(lost), rng, shuffle=False)
    return Scenario("status", QuorumSetup(lost), question)


def _tolerance_question(lost: frozenset[str], rng: random.Random) -> Scenario | None:
    if can_write(lost) and (not can_read(lost) or rng.random() < 0.6):
        operation = "write"
    elif can_read(lost):
        operation = "read"
    else:
        return None
    more = more_losses_tolerated(lost, operation)
    verb = "accept writes" if operation == "write" else "serve reads"
    quorum = WRITE_QUORUM if operation == "write" else READ_QUORUM
    stem = (
        "An Aurora cluster volume keeps six copies of its data, two in each of three "
        "Availability Zones. The copies marked lost are unavailable (none has been repaired "
        "yet):\n\n"
        f"{copy_table(lost)}\n\nHow many more copies can the volume lose and still {verb}?"
    )
    explanation = (
        f"{_walkthrough(lost)}\n\n{healthy(lost)} copies remain and {operation}s need "
        f"{quorum}, so {healthy(lost)} - {quorum} = {more} more cop"
        f"{'y' if more == 1 else 'ies'} can be lost."
    )
    question = Numeric(stem, float(more), 0.0, explanation, "copies")
    return Scenario("tolerance", QuorumSetup(lost, operation), question)


def scenario(params: dict[str, str], rng: random.Random) -> Scenario:
    """A generated variant together with the lost copies it was evaluated on."""
    variant = pick_enum(params, "variant", VARIANTS, rng)
    az_loss = str(params.get("az-loss", "any")).strip().lower()
    if az_loss not in AZ_LOSS:
        az_loss = "any"
    low, high = _lose_bounds(params, az_loss)
    if low > high:  # inconsistent parameters (reported by validate): let the losses fall anywhere
        az_loss = "any"
        low, high = _lose_bounds(params, az_loss)
    if "lose" in params:
        count = rng.randint(low, high)
    else:  # favour the interesting counts around the quorums (2 and 3)
        weighted = [n for n in (1, 2, 2, 3, 3, 3, 4, 5) if low <= n <= high]
        count = rng.choice(weighted)
    lost = _pick_losses(count, az_loss, rng)
    if variant == "tolerance":
        result = _tolerance_question(lost, rng)
        if result is not None:
            return result
    return _status_question(lost, rng)


def generate(params: dict[str, str], rng: random.Random) -> Question:
    return scenario(params, rng).question
