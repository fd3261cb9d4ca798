"""The dynamodb-capacity engine: hand-worked cases from the AWS documentation, and every
generated question re-computed independently over many seeds."""

from __future__ import annotations

import math
import random
import re

import pytest

from studyaws.core import scenarios
from studyaws.core.questions import Numeric
from studyaws.core.scenarios import dynamodb_capacity as dc

KB = 1024


def test_documented_examples():
    # "reading a 3,500-byte item consumes the same throughput as reading a 4 KB item"
    assert dc.units(3500, 1, "read", "strong") == 1
    # an 8 KB item: 2 units strongly consistent, 1 eventually consistent, 4 transactional
    assert dc.units(8 * KB, 1, "read", "strong") == 2
    assert dc.units(8 * KB, 1, "read", "eventual") == 1
    assert dc.units(8 * KB, 1, "read", "transactional") == 4
    # a 10 KB item is rounded up to 12 KB for reads
    assert dc.blocks(10 * KB, "read") == 3
    # writes: 1 KB blocks; a transactional write takes twice a standard one
    assert dc.units(1500, 1, "write", "standard") == 2
    assert dc.units(1500, 1, "write", "transactional") == 4
    assert dc.units(KB, 10, "write", "standard") == 10


def test_rounding_is_per_item_before_the_rate():
    # 100 reads of 4.5 KB: 2 blocks each, not 4.5 * 100 / 4 rounded once
    assert dc.units(int(4.5 * KB), 100, "read", "strong") == 200


def test_provisioned_rounds_half_units_up_on_demand_keeps_them():
    setup = dc.CapacitySetup("read", "eventual", "provisioned", 4 * KB, "4 KB", 3)
    assert setup.exact == 1.5 and setup.answer == 2
    on_demand = dc.CapacitySetup("read", "eventual", "on-demand", 4 * KB, "4 KB", 3)
    assert on_demand.answer == 1.5


def test_bad_parameters():
    assert dc.validate({"operation": "write", "consistency": "strong"})
    assert dc.validate({"operation": "read", "consistency": "standard"})
    assert dc.validate({"size": "401"})
    assert dc.validate({"rate": "0"})
    assert not dc.validate({"operation": "read", "consistency": "eventual", "size": "1-400"})


def _size_in_bytes(text: str) -> tuple[int, ...]:
    """The stem's size in bytes (the stem says 1 KB = 1,024 bytes); a size in tenths of a KB
    may be read as any byte count that rounds to it."""
    number, unit = re.fullmatch(r"([\d.,]+) (KB|bytes)", text).groups()
    value = float(number.replace(",", ""))
    if unit == "bytes":
        return (int(value),)
    return (math.floor(value * KB), math.ceil(value * KB), math.ceil((value - 0.04) * KB))


def independent(operation: str, consistency: str, mode: str, size: int, rate: int) -> float:
    block = 4 * KB if operation == "read" else KB
    per = {"eventual": 0.5, "strong": 1, "transactional": 2, "standard": 1}[consistency]
    if operation == "write" and consistency == "transactional":
        per = 2
    total = math.ceil(size / block) * per * rate
    return float(math.ceil(total)) if mode == "provisioned" else total


PARAMS = [
    {}, {"operation": "read"}, {"operation": "write"}, {"consistency": "eventual"},
    {"consistency": "transactional", "mode": "on-demand"}, {"size": "1-4", "rate": "1-9"},
    {"size": "400"}, {"size": "5-6", "operation": "read"}, {"rate": "5000", "size": "1"},
]


def check_seed(params: dict[str, str], seed: int) -> None:
    assert not scenarios.validate("dynamodb-capacity", params)
    result = dc.scenario(params, random.Random(seed))
    setup, question = result.setup, result.question
    assert isinstance(question, Numeric) and question.tolerance == 0
    # a valid configuration: a DynamoDB item is at most 400 KB; the rate is positive
    assert 0 < setup.size_bytes <= 400 * KB and setup.rate >= 1
    low, high = dc.range_of(params, "size", 1, 400) if "size" in params else dc.DEFAULT_SIZE
    assert (low - 1) * KB < setup.size_bytes <= high * KB
    if "rate" in params:
        rlow, rhigh = dc.range_of(params, "rate", 1, 5000)
        assert rlow <= setup.rate <= rhigh
    # the stem says everything the answer depends on
    assert f"{setup.rate} " in question.stem and setup.size_text in question.stem
    assert "1 KB = 1,024 bytes" in question.stem
    assert setup.mode.replace("-", "") in question.stem.replace("-", "")
    # re-judged: one answer, whichever way the reader takes "KB"
    answers = {independent(setup.operation, setup.consistency, setup.mode, size, setup.rate)
               for size in _size_in_bytes(setup.size_text)}
    assert answers == {question.answer}, (params, seed, setup)
    if setup.mode == "provisioned":
        assert question.answer == int(question.answer)
    else:
        assert (question.answer * 2) == int(question.answer * 2)


@pytest.mark.parametrize("params", PARAMS)
def test_fifty_seeds(params):
    for seed in range(50):
        check_seed(params, seed)


@pytest.mark.slow
@pytest.mark.parametrize("params", PARAMS)
def test_thousand_seeds(params):
    for seed in range(1000):
        check_seed(params, seed)


def test_the_rounding_traps_come_up():
    setups = [dc.scenario({}, random.Random(seed)).setup for seed in range(300)]
    unaligned = [s for s in setups if s.size_bytes % (4 * KB if s.operation == "read" else KB)]
    assert len(unaligned) > 100
    assert {s.operation for s in setups} == {"read", "write"}
    assert {s.consistency for s in setups} == {"eventual", "strong", "transactional", "standard"}
    assert {s.mode for s in setups} == {"provisioned", "on-demand"}
