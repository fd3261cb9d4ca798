"""The subnet-sizing engine: hand-worked cases, and every generated question re-judged
against the model over many seeds (one defensible answer, only CIDR blocks AWS accepts)."""

from __future__ import annotations

import ipaddress
import random
import re

import pytest

from studyaws.core import scenarios
from studyaws.core.questions import Choice, Numeric
from studyaws.core.scenarios import subnet_sizing as ss

net = ipaddress.ip_network


def test_usable_addresses():
    assert ss.usable(24) == 251
    assert ss.usable(28) == 11
    assert ss.usable(16) == 65531
    with pytest.raises(ValueError):
        ss.usable(29)
    assert ss.reserved_addresses(net("10.0.0.0/24")) == [
        "10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.255"]


def test_smallest_prefix():
    assert ss.smallest_prefix(11) == 28
    assert ss.smallest_prefix(12) == 27
    assert ss.smallest_prefix(30) == 26  # 32 addresses, but only 27 usable in a /27
    assert ss.smallest_prefix(251) == 24
    assert ss.smallest_prefix(252) == 23
    assert ss.smallest_prefix(65532) is None


def test_subnets_that_fit_and_overlap():
    assert ss.subnets_that_fit(16, 24) == 256
    assert ss.subnets_that_fit(20, 20) == 1
    assert ss.overlaps(net("10.0.0.0/16"), net("10.0.128.0/17"))
    assert not ss.overlaps(net("10.0.0.0/17"), net("10.0.128.0/17"))


def test_bad_parameters():
    assert ss.validate({"prefix": "15"})
    assert ss.validate({"prefix": "29"})
    assert ss.validate({"variant": "prefix", "prefix": "28"})
    assert ss.validate({"variant": "fit", "prefix": "16"})
    assert not ss.validate({"variant": "usable", "prefix": "16-28"})


def _options(question: Choice) -> list[str]:
    return list(question.options)


def check_seed(params: dict[str, str], seed: int) -> None:
    assert not scenarios.validate("subnet-sizing", params)
    result = ss.scenario(params, random.Random(seed))
    setup, question = result.setup, result.question
    if "prefix" in params and setup.variant != "peering":
        low, high = ss.range_of(params, "prefix", 16, 28)
        assert low <= setup.prefix <= high
    if setup.variant == "usable":
        assert ss.valid_block(setup.subnet)
        assert str(setup.subnet) in question.stem
        assert isinstance(question, Numeric) and question.tolerance == 0
        assert question.answer == setup.subnet.num_addresses - 5
    elif setup.variant == "fit":
        assert ss.valid_block(setup.vpc) and str(setup.vpc) in question.stem
        prefix = int(re.search(r"size /(\d+)", question.stem).group(1))
        assert setup.vpc.prefixlen < prefix <= 28
        assert question.answer == len(list(setup.vpc.subnets(new_prefix=prefix)))
    elif setup.variant == "prefix":
        assert isinstance(question, Choice) and len(question.correct) == 1
        hosts = int(re.search(r"hold ([\d,]+) instances", question.stem).group(1).replace(",", ""))
        # re-judge each option: the key is the only one that fits and is the smallest
        prefixes = [int(re.match(r"/(\d+) ", o).group(1)) for o in question.options]
        assert all(16 <= p <= 28 for p in prefixes)
        fitting = [p for p in prefixes if 2 ** (32 - p) - 5 >= hosts]
        best = max(fitting)
        assert {i for i, p in enumerate(prefixes) if p == best} == set(question.correct)
        # and no subnet smaller than every option would fit either
        assert best == 28 or 2 ** (32 - (best + 1)) - 5 < hosts
    else:
        assert isinstance(question, Choice) and len(question.correct) == 1
        vpc = setup.vpc
        assert ss.valid_block(vpc) and str(vpc) in question.stem
        blocks = [net(re.search(r"with (\S+)$", o).group(1)) for o in question.options]
        for block in blocks:
            assert ss.valid_block(block), block
        free = {i for i, b in enumerate(blocks) if not b.overlaps(vpc)}
        assert free == set(question.correct), (seed, blocks)
    assert len(set(question.options if isinstance(question, Choice) else [])) == len(
        question.options if isinstance(question, Choice) else [])


PARAMS = [{}, {"variant": "usable"}, {"variant": "prefix"}, {"variant": "fit"},
          {"variant": "peering"}, {"prefix": "28"}, {"prefix": "16"}, {"prefix": "20-24"},
          {"variant": "peering", "prefix": "17"}, {"variant": "prefix", "prefix": "27"}]


@pytest.mark.parametrize("params", PARAMS)
def test_fifty_seeds(params):
    for seed in range(50):
        check_seed(params, seed)


@pytest.mark.slow
@pytest.mark.parametrize("params", PARAMS)
def test_thousand_seeds(params):
    for seed in range(1000):
        check_seed(params, seed)


def test_the_reserved_five_trap_comes_up():
    traps = 0
    for seed in range(200):
        setup = ss.scenario({"variant": "prefix"}, random.Random(seed)).setup
        if setup.hosts <= 2 ** (32 - (setup.prefix + 1)):
            traps += 1
    assert 50 < traps < 150
