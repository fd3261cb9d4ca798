"""The dr-strategy engine: the cheapest strategy that meets an RTO and an RPO, and what each
strategy keeps in the recovery Region; every generated question re-judged over many seeds."""

from __future__ import annotations

import random
import re

import pytest

from studyaws.core import scenarios
from studyaws.core.questions import Choice
from studyaws.core.scenarios import dr_strategy as dr

HOUR, MINUTE = 3600, 60


def test_cheapest_meeting_both_objectives():
    assert dr.cheapest(12 * HOUR, 24 * HOUR) == "backup-restore"
    assert dr.cheapest(30 * MINUTE, 15 * MINUTE) == "pilot-light"
    assert dr.cheapest(30 * MINUTE, 12 * HOUR) == "pilot-light"  # the RTO decides
    assert dr.cheapest(5 * MINUTE, 1 * MINUTE) == "warm-standby"
    assert dr.cheapest(10, 5) == "active-active"


def test_every_strategy_meets_what_a_cheaper_one_meets():
    for rto in (5, 120, 1800, 8 * HOUR):
        for rpo in (5, 120, 1800, 8 * HOUR):
            met = [dr.meets(s, rto, rpo) for s in dr.STRATEGIES]
            assert met == sorted(met)  # False ... True: cost order is capability order


def test_durations():
    assert dr.duration(8 * HOUR) == "8 hours"
    assert dr.duration(60) == "1 minute"
    assert dr.duration(30) == "30 seconds"


def test_bad_parameters():
    assert dr.validate({"strategy": "hot-standby"})
    assert dr.validate({"variant": "x"})
    assert not dr.validate({"variant": "setup", "strategy": "pilot-light"})


def _seconds(text: str) -> int:
    number, unit = text.split()
    return int(number) * {"hour": HOUR, "minute": MINUTE, "second": 1}[unit.rstrip("s")]


def check_seed(params: dict[str, str], seed: int) -> None:
    assert not scenarios.validate("dr-strategy", params)
    made = dr.scenario(params, random.Random(seed))
    setup, question = made.setup, made.question
    assert isinstance(question, Choice) and len(question.correct) == 1
    assert len(set(question.options)) == len(question.options) == 4
    if params.get("strategy", "any") != "any":
        assert setup.strategy == params["strategy"]
    if made.variant == "pick":
        match = re.search(r"at most (\d+ \w+) of downtime \(RTO\) and the loss of at most "
                          r"(\d+ \w+) of data", question.stem)
        rto, rpo = _seconds(match.group(1)), _seconds(match.group(2))
        # re-judge every option: right exactly when it meets both and nothing cheaper does
        for index, text in enumerate(question.options):
            strategy = next(s for s, name in dr.NAMES.items() if name == text)
            cheaper = dr.STRATEGIES[:dr.STRATEGIES.index(strategy)]
            right = dr.meets(strategy, rto, rpo) and not any(
                dr.meets(c, rto, rpo) for c in cheaper)
            assert right == (index in question.correct), (seed, text)
        # no objective sits on the border between two bands
        for value in (rto, rpo):
            assert value not in dr.FLOOR_SECONDS.values()
        # the RPO is never stricter than the RTO's band (that could be met otherwise)
        assert dr.cheapest(rto, 10**9) == setup.strategy
    else:
        by_text = {text: s for s, text in dr.SETUP.items()}
        assert {by_text[question.options[i]] for i in question.correct} == {setup.strategy}
        assert dr.NAMES[setup.strategy].lower() in question.stem


PARAMS = [{}, {"variant": "pick"}, {"variant": "setup"},
          *({"variant": "pick", "strategy": s} for s in dr.STRATEGIES)]


@pytest.mark.parametrize("params", PARAMS)
def test_fifty_seeds(params):
    for seed in range(50):
        check_seed(params, seed)


@pytest.mark.slow
@pytest.mark.parametrize("params", PARAMS)
def test_thousand_seeds(params):
    for seed in range(1000):
        check_seed(params, seed)


def test_a_looser_rpo_comes_up():
    looser = 0
    for seed in range(200):
        setup = dr.scenario({"variant": "pick"}, random.Random(seed)).setup
        looser += dr.cheapest(10**9, setup.rpo) != setup.strategy
    assert 20 < looser < 150
