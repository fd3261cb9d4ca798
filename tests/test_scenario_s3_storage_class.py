"""The s3-storage-class engine: minimum durations and sizes, the lifecycle waterfall, and every
generated question re-judged against the model over many seeds."""

from __future__ import annotations

import random
import re

import pytest

from studyaws.core import scenarios
from studyaws.core.questions import Choice, Numeric
from studyaws.core.scenarios import s3_storage_class as s3


def test_minimum_storage_durations():
    assert s3.billed_days("STANDARD_IA", 10) == 30
    assert s3.billed_days("ONEZONE_IA", 29) == 30
    assert s3.billed_days("GLACIER_IR", 45) == 90
    assert s3.billed_days("GLACIER", 89) == 90
    assert s3.billed_days("DEEP_ARCHIVE", 120) == 180
    assert s3.billed_days("DEEP_ARCHIVE", 200) == 200
    assert s3.billed_days("STANDARD", 1) == 1
    assert s3.billed_days("INTELLIGENT_TIERING", 3) == 3


def test_minimum_billable_size():
    assert s3.billed_kb("STANDARD_IA", 16) == 128
    assert s3.billed_kb("GLACIER_IR", 127) == 128
    assert s3.billed_kb("ONEZONE_IA", 512) == 512
    assert s3.billed_kb("STANDARD", 16) == 16
    assert s3.billed_kb("INTELLIGENT_TIERING", 16) == 16


def test_lifecycle_rules():
    ok = s3.Rule(((45, "STANDARD_IA"), (90, "GLACIER"), (365, "DEEP_ARCHIVE")))
    assert not s3.rule_problems(ok)
    assert not s3.rule_problems(s3.Rule(((1, "GLACIER"),)))  # Glacier at any age
    assert s3.rule_problems(s3.Rule(((14, "STANDARD_IA"),)))  # under 30 days
    assert s3.rule_problems(s3.Rule(((60, "GLACIER"), (120, "STANDARD_IA"))))  # back up
    assert s3.rule_problems(s3.Rule(((60, "ONEZONE_IA"), (120, "GLACIER_IR"))))  # unsupported
    assert s3.transition_allowed("STANDARD_IA", "INTELLIGENT_TIERING")
    assert not s3.transition_allowed("DEEP_ARCHIVE", "GLACIER")


def test_bad_parameters():
    assert s3.validate({"variant": "cheapest"})
    assert not s3.validate({"variant": "lifecycle"})


def check_seed(params: dict[str, str], seed: int) -> None:
    assert not scenarios.validate("s3-storage-class", params)
    made = s3.scenario(params, random.Random(seed))
    setup, question = made.setup, made.question
    if made.variant == "charge":
        assert isinstance(question, Numeric) and question.tolerance == 0
        size = int(re.search(r"object of (\d+) KB", question.stem).group(1))
        cls = next(c for c, name in s3.NAMES.items() if f"{name} " in question.stem
                   or question.stem.endswith(name))
        assert cls == setup.storage_class
        if setup.asked == "days":
            days = int(re.search(r"deleted (\d+) days later", question.stem).group(1))
            assert question.answer == max(days, {"STANDARD_IA": 30, "ONEZONE_IA": 30,
                                                 "GLACIER_IR": 90, "GLACIER": 90,
                                                 "DEEP_ARCHIVE": 180}[cls])
        else:
            small = cls in ("STANDARD_IA", "ONEZONE_IA", "GLACIER_IR")
            assert question.answer == (max(size, 128) if small else size)
        return
    assert isinstance(question, Choice) and len(question.correct) == 1
    assert len(set(question.options)) == len(question.options) == 4
    if made.variant == "class":
        by_name = {name: c for c, name in s3.NAMES.items()}
        assert {by_name[question.options[i]] for i in question.correct} == {setup.key}
        assert s3.PATTERNS[setup.key] in question.stem
    else:
        by_text = {rule.text(): rule for rule in setup.rules}
        for index, text in enumerate(question.options):
            accepted = not s3.rule_problems(by_text[text])
            assert accepted == (index in question.correct), (seed, text)
            if not accepted:  # one clear reason, never the disputed 30-day edge
                assert len(s3.rule_problems(by_text[text])) == 1
            for days, cls in by_text[text].transitions:
                assert not (cls in ("STANDARD_IA", "ONEZONE_IA") and days == 30)


PARAMS = [{}, {"variant": "class"}, {"variant": "charge"}, {"variant": "lifecycle"}]


@pytest.mark.parametrize("params", PARAMS)
def test_fifty_seeds(params):
    for seed in range(50):
        check_seed(params, seed)


@pytest.mark.slow
@pytest.mark.parametrize("params", PARAMS)
def test_thousand_seeds(params):
    for seed in range(1000):
        check_seed(params, seed)


def test_the_traps_come_up():
    early = small = 0
    for seed in range(300):
        setup = s3.scenario({"variant": "charge"}, random.Random(seed)).setup
        early += setup.asked == "days" and setup.days < s3.MIN_DAYS[setup.storage_class]
        small += setup.asked == "size" and setup.size_kb < 128 and setup.storage_class in s3.MIN_KB
    assert early > 30 and small > 20
    keys = {s3.scenario({"variant": "class"}, random.Random(seed)).setup.key
            for seed in range(200)}
    assert keys == set(s3.PATTERNS)
