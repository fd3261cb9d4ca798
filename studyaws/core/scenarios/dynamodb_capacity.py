"""DynamoDB capacity arithmetic: read/write capacity units and on-demand request units.

One read unit covers one strongly consistent read per second (or one read request) of an item
up to 4 KB; an eventually consistent read needs half of that and a transactional read twice
that. One write unit covers one standard write of an item up to 1 KB; a transactional write
needs two. Item sizes are rounded up to the next 4 KB (reads) or 1 KB (writes) per item,
before multiplying by the rate. 1 KB is 1,024 bytes.

Pure: randomness only from the `random.Random` passed in.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction

from studyaws.core.questions import Numeric, Question, format_number
from studyaws.core.scenarios._common import (
    Scenario,
    check_enum,
    check_range,
    pick_enum,
    range_of,
)

NAME = "dynamodb-capacity"
TITLE = "DynamoDB capacity units (RCU/WCU, on-demand request units)"
PARAMS = {
    "operation": "read, write or any; default any",
    "consistency": "eventual, strong or transactional for reads; standard or transactional "
    "for writes; any (default)",
    "mode": "provisioned (capacity units to provision), on-demand (request units consumed) "
    "or any; default any",
    "size": "the item size in KB, a number or range within 1-400 (sizes in between, such as "
    "6.5 KB or 3,500 bytes, are drawn inside it); default 1-40",
    "rate": "items read or written per second, a number or range within 1-5000; default 1-500",
}

READ_BLOCK_KB = 4
WRITE_BLOCK_KB = 1
KB = 1024  # bytes
MAX_ITEM_KB = 400  # the largest item DynamoDB stores

OPERATIONS = ("read", "write")
READ_CONSISTENCY = ("eventual", "strong", "transactional")
WRITE_KINDS = ("standard", "transactional")
MODES = ("provisioned", "on-demand")

# units for one item of one block (a Fraction: eventual reads take half a unit)
READ_FACTOR = {"eventual": Fraction(1, 2), "strong": Fraction(1), "transactional": Fraction(2)}
WRITE_FACTOR = {"standard": Fraction(1), "transactional": Fraction(2)}

DEFAULT_SIZE = (1, 40)
DEFAULT_RATE = (1, 500)


# --- the model ---------------------------------------------------------------------------


def blocks(size_bytes: int, operation: str) -> int:
    """How many 4 KB (read) or 1 KB (write) blocks one item is rounded up to."""
    if size_bytes <= 0:
        raise ValueError("an item has a positive size")
    block = (READ_BLOCK_KB if operation == "read" else WRITE_BLOCK_KB) * KB
    return math.ceil(size_bytes / block)


def units_per_item(size_bytes: int, operation: str, consistency: str) -> Fraction:
    factor = READ_FACTOR[consistency] if operation == "read" else WRITE_FACTOR[consistency]
    return blocks(size_bytes, operation) * factor


def units(size_bytes: int, rate: int, operation: str, consistency: str) -> Fraction:
    """Units per second for `rate` items of `size_bytes` each (exact; may be a half)."""
    return units_per_item(size_bytes, operation, consistency) * rate


# --- parameters ---------------------------------------------------------------------------


def validate(params: dict[str, str]) -> list[tuple[str | None, str]]:
    problems: list[tuple[str | None, str]] = []
    operation = check_enum(params, "operation", OPERATIONS + ("any",), problems)
    consistency = check_enum(
        params, "consistency", tuple(dict.fromkeys(READ_CONSISTENCY + WRITE_KINDS)) + ("any",),
        problems,
    )
    check_enum(params, "mode", MODES + ("any",), problems)
    check_range(params, "size", 1, MAX_ITEM_KB, problems)
    check_range(params, "rate", 1, 5000, problems)
    if operation == "read" and consistency == "standard":
        problems.append(("consistency", "reads are eventual, strong or transactional"))
    if operation == "write" and consistency in ("eventual", "strong"):
        problems.append(("consistency", "writes are standard or transactional"))
    return problems


# --- generation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CapacitySetup:
    operation: str
    consistency: str
    mode: str
    size_bytes: int
    size_text: str
    rate: int

    @property
    def exact(self) -> Fraction:
        return units(self.size_bytes, self.rate, self.operation, self.consistency)

    @property
    def answer(self) -> Fraction:
        """Provisioned capacity is set in whole units; request units may be a half."""
        if self.mode == "provisioned":
            return Fraction(math.ceil(self.exact))
        return self.exact


def _operation_and_consistency(params: dict[str, str], rng: random.Random) -> tuple[str, str]:
    consistency = str(params.get("consistency", "any")).strip().lower()
    operation = str(params.get("operation", "any")).strip().lower()
    if operation not in OPERATIONS:
        if consistency in ("eventual", "strong"):
            operation = "read"
        elif consistency == "standard":
            operation = "write"
        else:
            operation = rng.choice(OPERATIONS)
    allowed = READ_CONSISTENCY if operation == "read" else WRITE_KINDS
    if consistency not in allowed:
        consistency = rng.choice(allowed)
    return operation, consistency


def _size(params: dict[str, str], operation: str, rng: random.Random) -> tuple[int, str]:
    """An item size in bytes and as the stem writes it; often just past or at a boundary."""
    low, high = range_of(params, "size", 1, MAX_ITEM_KB)
    if "size" not in params:
        low, high = DEFAULT_SIZE
    block = READ_BLOCK_KB if operation == "read" else WRITE_BLOCK_KB
    style = rng.choice(("whole", "half", "tenth", "bytes", "boundary"))
    kb = rng.randint(low, high)
    if style == "boundary":  # exactly a multiple of the block (no rounding needed)
        multiple = max(block, (kb // block) * block)
        kb = multiple if low <= multiple <= high else kb
        return kb * KB, f"{kb} KB"
    if style in ("half", "tenth") and kb < high:
        tenths = 5 if style == "half" else rng.choice((1, 2, 3, 4, 6, 7, 8, 9))
        return (kb * 10 + tenths) * KB // 10, f"{kb}.{tenths} KB"
    if style == "bytes" and high <= 60:
        size = rng.randint(max(1, (low - 1) * KB + 1), high * KB)
        return size, f"{size:,} bytes"
    return kb * KB, f"{kb} KB"


def _rate(params: dict[str, str], rng: random.Random) -> int:
    if "rate" in params:
        low, high = range_of(params, "rate", 1, 5000)
        return rng.randint(low, high)
    nice = [n for n in (1, 3, 5, 10, 12, 15, 20, 25, 30, 40, 50, 60, 75, 80, 100, 120, 150, 200,
                        250, 300, 400, 500) if DEFAULT_RATE[0] <= n <= DEFAULT_RATE[1]]
    return rng.choice(nice)


def _describe(setup: CapacitySetup) -> tuple[str, str]:
    """(what is done, the unit asked for)."""
    if setup.operation == "read":
        what = {
            "eventual": "eventually consistent reads",
            "strong": "strongly consistent reads",
            "transactional": "transactional reads (TransactGetItems)",
        }[setup.consistency]
        unit = "read capacity units" if setup.mode == "provisioned" else "read request units"
    else:
        what = ("standard writes (PutItem)" if setup.consistency == "standard"
                else "transactional writes (TransactWriteItems)")
        unit = "write capacity units" if setup.mode == "provisioned" else "write request units"
    return what, unit


def _stem(setup: CapacitySetup) -> str:
    what, unit = _describe(setup)
    each = f"each of one item of {setup.size_text} (1 KB = 1,024 bytes)"
    if setup.mode == "provisioned":
        return (
            f"A DynamoDB table uses provisioned capacity mode. An application performs "
            f"{setup.rate} {what} per second, {each}. What is the smallest number of {unit} "
            "the table must provision to serve this traffic?"
        )
    return (
        f"A DynamoDB table uses on-demand capacity mode. An application performs "
        f"{setup.rate} {what} per second, {each}. How many {unit} do these requests "
        "consume each second?"
    )


def _explanation(setup: CapacitySetup) -> str:
    block_kb = READ_BLOCK_KB if setup.operation == "read" else WRITE_BLOCK_KB
    n = blocks(setup.size_bytes, setup.operation)
    per_item = units_per_item(setup.size_bytes, setup.operation, setup.consistency)
    total = setup.answer
    _, unit = _describe(setup)
    noun = "read" if setup.operation == "read" else "write"
    if setup.operation == "read":
        rule = {
            "eventual": "an eventually consistent read needs half a unit per 4 KB",
            "strong": "a strongly consistent read needs one unit per 4 KB",
            "transactional": "a transactional read needs two units per 4 KB",
        }[setup.consistency]
    else:
        rule = ("a standard write needs one unit per 1 KB" if setup.consistency == "standard"
                else "a transactional write needs two units per 1 KB")
    exact = setup.size_bytes / (block_kb * KB)
    rounding = (
        f"{setup.size_text} is exactly {n} block{'s' if n != 1 else ''} of {block_kb} KB"
        if setup.size_bytes % (block_kb * KB) == 0
        else f"{setup.size_text} is rounded up to the next {block_kb} KB: {n * block_kb} KB, "
        f"{n} block{'s' if n != 1 else ''}"
    )
    lines = [
        f"{noun.capitalize()}s are measured in {block_kb} KB blocks, each item rounded up on "
        f"its own: {rounding}.",
        f"Per item: {rule}, so {n} x {format_number(float(per_item / n))} = "
        f"{format_number(float(per_item))} unit{'s' if per_item != 1 else ''}.",
        f"Per second: {format_number(float(per_item))} x {setup.rate} = "
        f"{format_number(float(setup.exact))} {unit}.",
    ]
    if total != setup.exact:
        lines.append(f"Capacity is provisioned in whole units, so {format_number(float(setup.exact))}"
                     f" is rounded up to {format_number(float(total))}.")
    factor = per_item / n

    def shown(value: Fraction | float) -> str:
        if setup.mode == "provisioned":
            return format_number(math.ceil(value))
        return "about " + format_number(round(float(value), 1))

    traps = []
    if setup.size_bytes % (block_kb * KB):
        traps.append(f"without rounding each item up you would get "
                     f"{shown(exact * float(factor) * setup.rate)}")
    if setup.operation == "read":
        other = math.ceil(setup.size_bytes / KB) * factor * setup.rate
        traps.append(f"counting reads in 1 KB blocks (the write size) would give {shown(other)}")
    else:
        other = math.ceil(setup.size_bytes / (READ_BLOCK_KB * KB)) * factor * setup.rate
        traps.append(f"counting writes in 4 KB blocks (the read size) would give {shown(other)}")
    lines.append("Traps: " + "; ".join(traps) + ".")
    if setup.mode == "on-demand":
        lines.append("On-demand request units follow the same sizes and ratios as "
                     "provisioned capacity units; you pay per request instead of per second "
                     "of provisioned capacity.")
    return "\n\n".join(lines)


def scenario(params: dict[str, str], rng: random.Random) -> Scenario:
    operation, consistency = _operation_and_consistency(params, rng)
    mode = pick_enum(params, "mode", MODES, rng)
    size_bytes, size_text = _size(params, operation, rng)
    setup = CapacitySetup(operation, consistency, mode, size_bytes, size_text, _rate(params, rng))
    what, unit = _describe(setup)
    question = Numeric(_stem(setup), float(setup.answer), 0.0, _explanation(setup), unit)
    return Scenario(f"{operation}-{consistency}", setup, question)


def generate(params: dict[str, str], rng: random.Random) -> Question:
    return scenario(params, rng).question
